//! `publish` (assemble `dist/`: the built site plus runs and an index, relative URLs only) and
//! `view` (serve a folder on 127.0.0.1, static files only).

use super::EXIT_OK;
use crate::fsutil::{atomic_write, sha256_file};
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::index::{IndexEntry, RunIndex};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for e in std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let p = e?.path();
        let dest = to.join(p.file_name().unwrap_or_default());
        if p.is_dir() {
            copy_dir(&p, &dest)?;
        } else {
            std::fs::copy(&p, &dest)
                .with_context(|| format!("cannot copy {} to {}", p.display(), dest.display()))?;
        }
    }
    Ok(())
}

/// `publish`: copies runs (all, or the ids given) from `artifacts` into `site/data/` and writes
/// `site/data/index.json`.
///
/// # Errors
/// When the site is not built, a run id is unknown, or files cannot be copied.
pub fn publish(artifacts: &Path, site: &Path, runs: &[String]) -> Result<i32> {
    if !site.join("index.html").is_file() {
        bail!(
            "no built site in {}: build it first with `(cd report-ui && trunk build --offline --release)`",
            site.display()
        );
    }
    let index_path = artifacts.join("index.json");
    let index: RunIndex =
        serde_json::from_slice(&std::fs::read(&index_path).with_context(|| {
            format!("no runs to publish: cannot read {}", index_path.display())
        })?)
        .with_context(|| format!("not a kokoro-bench index: {}", index_path.display()))?;
    for id in runs {
        if !index.runs.iter().any(|r| &r.id == id) {
            bail!(
                "unknown run `{id}`; {} has: {}",
                index_path.display(),
                index
                    .runs
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let data = site.join("data");
    let mut out = RunIndex::default();
    for r in index
        .runs
        .iter()
        .filter(|r| runs.is_empty() || runs.contains(&r.id))
    {
        let src_bundle = artifacts.join(&r.path);
        let src_dir = src_bundle.parent().context("bundle path has no folder")?;
        let dest_dir = data.join("runs").join(&r.id);
        copy_dir(src_dir, &dest_dir)?;
        let bytes = std::fs::read(&src_bundle)
            .with_context(|| format!("cannot read {}", src_bundle.display()))?;
        let loaded = kokoro_bench_bundle::read_bundle(&bytes)
            .map_err(|e| anyhow::anyhow!("{e} ({})", src_bundle.display()))?;
        let dest_bundle = dest_dir.join("bundle.json");
        out.upsert(IndexEntry::of(
            &loaded.bundle,
            format!("runs/{}/bundle.json", r.id),
            sha256_file(&dest_bundle)?,
        ));
    }
    atomic_write(&data.join("index.json"), &serde_json::to_vec_pretty(&out)?)?;
    println!(
        "published {} run(s) into {} (open with `kokoro-bench view`)",
        out.runs.len(),
        data.display()
    );
    Ok(EXIT_OK)
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "wav" => "audio/wav",
        "csv" => "text/csv",
        "md" => "text/markdown; charset=utf-8",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

/// Maps a request path onto a file under `root`, refusing anything that leaves it.
pub fn resolve_path(root: &Path, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("/");
    let rel = Path::new(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut p = root.join(rel);
    if p.is_dir() {
        p = p.join("index.html");
    }
    p.is_file().then_some(p)
}

fn serve(root: &Path, mut stream: TcpStream) {
    let mut line = String::new();
    if BufReader::new(&stream).read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let reply = |s: &mut TcpStream, status: &str, ctype: &str, body: &[u8], head_only: bool| {
        let _ = write!(s, "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nAccess-Control-Allow-Origin: *\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n", body.len());
        if !head_only {
            let _ = s.write_all(body);
        }
    };
    if method != "GET" && method != "HEAD" {
        reply(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"static files only",
            false,
        );
        return;
    }
    match resolve_path(root, path).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
        Some((p, body)) => {
            eprintln!("{method} {path} 200 {} bytes", body.len());
            reply(
                &mut stream,
                "200 OK",
                content_type(&p),
                &body,
                method == "HEAD",
            )
        }
        None => {
            eprintln!("{method} {path} 404");
            reply(
                &mut stream,
                "404 Not Found",
                "text/plain",
                b"not found",
                method == "HEAD",
            )
        }
    }
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
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
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
        std::fs::write(root.join("data/a.json"), "{}").unwrap();
        assert_eq!(resolve_path(&root, "/"), Some(root.join("index.html")));
        assert_eq!(
            resolve_path(&root, "/data/a.json?x=1"),
            Some(root.join("data/a.json"))
        );
        assert_eq!(resolve_path(&root, "/../etc/passwd"), None);
        assert_eq!(resolve_path(&root, "/data/../../x"), None);
        assert_eq!(resolve_path(&root, "/missing"), None);
        let _ = std::fs::remove_dir_all(&root);
    }
}
