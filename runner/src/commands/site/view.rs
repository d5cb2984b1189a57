//! `view`: serves a folder on 127.0.0.1 like a real static host — `GET` and `HEAD`, byte ranges
//! (`206 Partial Content`, so `<audio>` can seek to a stall), gzip for text and WebAssembly when
//! the browser accepts it (a `.gz` beside the file if `publish` wrote one, else compressed on the
//! fly: bundles shrink about 7×), content types, percent-decoded paths, and nothing outside the
//! folder (no `..`, no symlink that leads out).

use crate::commands::EXIT_OK;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

/// The `Content-Type` of a file, by extension.
pub fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wav" => "audio/wav",
        "csv" => "text/csv; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Percent-decodes a URL path (`%20` → space); `None` for malformed escapes or non-UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a request path onto a file under `root`, refusing anything that leaves it: `..`,
/// absolute parts, encoded separators, and symlinks that resolve outside the folder.
pub fn resolve_path(root: &Path, url_path: &str) -> Option<PathBuf> {
    let raw = url_path.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(raw)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut p = root.join(rel);
    if p.is_dir() {
        p = p.join("index.html");
    }
    let real = p.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
}

/// A parsed `Range: bytes=…` header for a file of `len` bytes: `(start, end)` inclusive, or
/// `Err(())` when the range cannot be satisfied (416). One range only; anything else is ignored
/// (the whole file is sent, as RFC 9110 allows).
pub fn parse_range(header: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let range = match (a.trim(), b.trim()) {
        ("", "") => return None,
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            if n == 0 || len == 0 {
                return Some(Err(()));
            }
            (len.saturating_sub(n), len - 1)
        }
        (start, end) => {
            let s: u64 = start.parse().ok()?;
            let e: u64 = if end.is_empty() {
                len.saturating_sub(1)
            } else {
                end.parse().ok()?
            };
            if s >= len || e < s {
                return Some(Err(()));
            }
            (s, e.min(len - 1))
        }
    };
    Some(Ok(range))
}

struct Reply<'a> {
    status: &'a str,
    ctype: &'a str,
    extra: String,
    len: u64,
}

fn send_head(s: &mut TcpStream, r: &Reply<'_>) {
    let _ = write!(
        s,
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nAccept-Ranges: bytes\r\nAccess-Control-Allow-Origin: *\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nVary: Accept-Encoding\r\nConnection: close\r\n{}\r\n",
        r.status, r.ctype, r.len, r.extra
    );
}

/// Whether a file of this type is worth compressing (text and WebAssembly; audio is not).
pub fn compressible(ctype: &str) -> bool {
    ctype.starts_with("text/")
        || ctype.starts_with("application/json")
        || ctype == "application/wasm"
        || ctype == "image/svg+xml"
}

/// The gzip body for `file`: its precompressed `.gz` sibling when there is one, else compressed
/// now (fast level: a 10 MB bundle takes tens of milliseconds).
pub fn gzip_body(file: &Path) -> Option<Vec<u8>> {
    let mut gz = file.as_os_str().to_owned();
    gz.push(".gz");
    if let Ok(b) = std::fs::read(&gz) {
        return Some(b);
    }
    let raw = std::fs::read(file).ok()?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&raw).ok()?;
    enc.finish().ok()
}

fn send_text(s: &mut TcpStream, status: &str, text: &str, head_only: bool) {
    send_head(
        s,
        &Reply {
            status,
            ctype: "text/plain; charset=utf-8",
            extra: String::new(),
            len: text.len() as u64,
        },
    );
    if !head_only {
        let _ = s.write_all(text.as_bytes());
    }
}

/// A request as `serve` needs it.
struct Asked {
    method: String,
    path: String,
    range: Option<String>,
    gzip: bool,
}

/// Reads the request line and headers.
fn read_request(stream: &TcpStream) -> Option<Asked> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let (mut range, mut gzip) = (None, false);
    for _ in 0..100 {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("range") {
                range = Some(v.trim().to_string());
            } else if k.trim().eq_ignore_ascii_case("accept-encoding") {
                gzip = v.split(',').any(|e| e.trim().starts_with("gzip"));
            }
        }
    }
    Some(Asked {
        method,
        path,
        range,
        gzip,
    })
}

fn serve(root: &Path, mut stream: TcpStream) {
    let Some(Asked {
        method,
        path,
        range,
        gzip,
    }) = read_request(&stream)
    else {
        return;
    };
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        send_text(
            &mut stream,
            "405 Method Not Allowed",
            "static files only",
            false,
        );
        return;
    }
    let Some(file) = resolve_path(root, &path) else {
        eprintln!("{method} {path} 404");
        send_text(&mut stream, "404 Not Found", "not found", head_only);
        return;
    };
    let Ok(mut f) = std::fs::File::open(&file) else {
        send_text(&mut stream, "404 Not Found", "not found", head_only);
        return;
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let ctype = content_type(&file);
    if gzip && range.is_none() && compressible(ctype) {
        if let Some(body) = gzip_body(&file) {
            eprintln!("{method} {path} 200 {} bytes gzip ({len} raw)", body.len());
            send_head(
                &mut stream,
                &Reply {
                    status: "200 OK",
                    ctype,
                    extra: "Content-Encoding: gzip\r\n".into(),
                    len: body.len() as u64,
                },
            );
            if !head_only {
                let _ = stream.write_all(&body);
            }
            return;
        }
    }
    let (status, start, end, extra) = match range.as_deref().and_then(|r| parse_range(r, len)) {
        Some(Err(())) => {
            eprintln!("{method} {path} 416");
            let reply = Reply {
                status: "416 Range Not Satisfiable",
                ctype,
                extra: format!("Content-Range: bytes */{len}\r\n"),
                len: 0,
            };
            send_head(&mut stream, &reply);
            return;
        }
        Some(Ok((a, b))) => (
            "206 Partial Content",
            a,
            b,
            format!("Content-Range: bytes {a}-{b}/{len}\r\n"),
        ),
        None => ("200 OK", 0, len.saturating_sub(1), String::new()),
    };
    let n = if len == 0 { 0 } else { end - start + 1 };
    eprintln!("{method} {path} {} {n} bytes", &status[..3]);
    send_head(
        &mut stream,
        &Reply {
            status,
            ctype,
            extra,
            len: n,
        },
    );
    if head_only || n == 0 || f.seek(SeekFrom::Start(start)).is_err() {
        return;
    }
    let _ = std::io::copy(&mut f.take(n), &mut stream);
}

/// `view`: serves `root` on 127.0.0.1:`port` until interrupted.
///
/// # Errors
/// When the folder is missing or the port cannot be bound.
pub fn view(root: &Path, port: u16) -> Result<i32> {
    if !root.is_dir() {
        bail!(
            "nothing to serve: {} does not exist (run `kokoro-bench publish` first)",
            root.display()
        );
    }
    let listener = TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{port} (is another server using it? pass --port 0 for any free port)"))?;
    let addr = listener.local_addr()?;
    println!(
        "serving {} at http://{addr}/ (static files only; Ctrl-C to stop)",
        root.display()
    );
    let _ = std::io::stdout().flush();
    for stream in listener.incoming().flatten() {
        let root = root.to_path_buf();
        std::thread::spawn(move || serve(&root, stream));
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape_the_root() {
        let root = std::env::temp_dir().join(format!("kb-view-{}", std::process::id()));
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::write(root.join("index.html"), "x").unwrap();
        std::fs::write(root.join("data/a b.json"), "{}").unwrap();
        let outside = std::env::temp_dir().join(format!("kb-outside-{}", std::process::id()));
        std::fs::write(&outside, "secret").unwrap();
        let _ = std::os::unix::fs::symlink(&outside, root.join("data/link"));
        let canon = |p: PathBuf| p.canonicalize().unwrap();
        assert_eq!(
            resolve_path(&root, "/"),
            Some(canon(root.join("index.html")))
        );
        assert_eq!(
            resolve_path(&root, "/data/a%20b.json?x=1"),
            Some(canon(root.join("data/a b.json")))
        );
        assert_eq!(resolve_path(&root, "/../etc/passwd"), None);
        assert_eq!(resolve_path(&root, "/data/%2e%2e/%2e%2e/x"), None);
        assert_eq!(resolve_path(&root, "/data/..%2F..%2Fx"), None);
        assert_eq!(
            resolve_path(&root, "/data/link"),
            None,
            "a symlink out of the folder"
        );
        assert_eq!(resolve_path(&root, "/missing"), None);
        assert_eq!(resolve_path(&root, "/bad%zz"), None);
        let _ = std::fs::remove_dir_all(&root);
        let _ = std::fs::remove_file(&outside);
    }

    #[test]
    fn byte_ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(Ok((0, 99))));
        assert_eq!(parse_range("bytes=900-", 1000), Some(Ok((900, 999))));
        assert_eq!(parse_range("bytes=-100", 1000), Some(Ok((900, 999))));
        assert_eq!(parse_range("bytes=500-5000", 1000), Some(Ok((500, 999))));
        assert_eq!(parse_range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=5-2", 1000), Some(Err(())));
        assert_eq!(
            parse_range("bytes=0-1,5-6", 1000),
            None,
            "multiple ranges: whole file"
        );
        assert_eq!(parse_range("items=0-1", 1000), None);
    }
}
