//! `kokoro-bench setup --model fp32|fp16|int8`: the model files users actually run — kokoro-onnx's
//! release of Kokoro v1.0 (`kokoro-v1.0.onnx`, `.fp16`, `.int8` and `voices-v1.0.bin`) — fetched
//! over HTTP(S) with resume and progress, beside the registry pack (which stays the offline
//! default). No SHA-256 values are published with those release files that this tool could pin,
//! so the first download's hash is written to a lock file (`SHA256SUMS.lock`, `sha256sum` format)
//! and every later download or cached copy is verified against it: trust on first use, said so.

pub use crate::cli::{Precision, SetupArgs};
use crate::targets::http::limits::Limits;
use crate::targets::http::response::{Method, Post};
use crate::targets::http::{tls, url};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the files are published (GitHub answers with a redirect to its storage, followed).
pub const DEFAULT_BASE: &str =
    "https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/";

/// The voice pack of the release.
pub const VOICES_FILE: &str = "voices-v1.0.bin";

/// The lock file of SHA-256 values, beside the files.
pub const LOCK_FILE: &str = "SHA256SUMS.lock";

/// Attempts per file (a cut connection resumes where it stopped).
const ATTEMPTS: usize = 4;

/// Redirects followed per request.
const MAX_REDIRECTS: usize = 5;

/// The folder the release files are cached in.
pub fn dir() -> PathBuf {
    crate::setup::cache_dir().join("kokoro-v1.0")
}

fn read_lock(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(dir.join(LOCK_FILE))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (sha, name) = l.split_once("  ")?;
            Some((name.trim().to_string(), sha.trim().to_string()))
        })
        .collect()
}

fn locked(dir: &Path, name: &str) -> Option<String> {
    read_lock(dir)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
}

/// Fetches the model in `precision` and the voice pack into [`dir`]; returns their paths.
///
/// # Errors
/// A bad mirror URL, an HTTP error, a download that keeps failing, a hash that differs from
/// the lock file (both hashes named; the partial file removed).
pub fn fetch(precision: Precision, mirror: Option<&str>) -> Result<(PathBuf, PathBuf)> {
    let base = mirror.unwrap_or(DEFAULT_BASE);
    let base = if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    };
    let dir = dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let model = fetch_file(&base, precision.file(), &dir)?;
    let voices = fetch_file(&base, VOICES_FILE, &dir)?;
    Ok((model, voices))
}

/// One file: cached and verified, or downloaded (resumed after a cut), verified, moved in place.
fn fetch_file(base: &str, name: &str, dir: &Path) -> Result<PathBuf> {
    let target = dir.join(name);
    let lock = dir.join(LOCK_FILE);
    if target.is_file() {
        let sha = crate::fsutil::sha256_file(&target)?;
        match locked(dir, name) {
            Some(expected) if expected != sha => bail!(
                "{}: SHA-256 is {sha} but {} says {expected}: the cached file changed. Delete it to download again",
                target.display(),
                lock.display()
            ),
            _ => {
                eprintln!("setup: {name} cached and verified ({})", target.display());
                return Ok(target);
            }
        }
    }
    let url_text = format!("{base}{name}");
    let part = dir.join(format!("{name}.part"));
    let mut last_error = None;
    for attempt in 1..=ATTEMPTS {
        match download_once(&url_text, &part) {
            Ok(()) => {
                last_error = None;
                break;
            }
            Err(e) => {
                let have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
                if attempt < ATTEMPTS {
                    // Back off 1, 2, 4 s: a blip passes, a dead link fails within seconds.
                    let wait = Duration::from_secs(1 << (attempt - 1));
                    eprintln!(
                        "setup: {name}: attempt {attempt} stopped after {have} bytes: {e:#}; resuming in {} s",
                        wait.as_secs()
                    );
                    std::thread::sleep(wait);
                }
                last_error = Some(e);
            }
        }
    }
    if let Some(e) = last_error {
        return Err(e.context(format!(
            "{name} could not be downloaded in {ATTEMPTS} attempts; what arrived is kept in {} and the next `setup` resumes it",
            part.display()
        )));
    }
    let sha = crate::fsutil::sha256_file(&part)?;
    match locked(dir, name) {
        Some(expected) if expected != sha => {
            let _ = std::fs::remove_file(&part);
            bail!(
                "{name} from {url_text}: SHA-256 is {sha} but {} expects {expected}. The download was removed; if the file changed upstream on purpose, delete its line from the lock file",
                lock.display()
            );
        }
        Some(_) => eprintln!("setup: {name}: SHA-256 matches {}", lock.display()),
        None => {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&lock)
                .with_context(|| format!("cannot write {}", lock.display()))?;
            writeln!(f, "{sha}  {name}")?;
            eprintln!(
                "setup: {name}: SHA-256 {sha} recorded in {} (no hash is published to pin: later downloads must match this one)",
                lock.display()
            );
        }
    }
    std::fs::rename(&part, &target)
        .with_context(|| format!("cannot move {} into place", part.display()))?;
    Ok(target)
}

/// One GET into `part`, resuming from its length with a `Range` request; redirects followed.
fn download_once(url_text: &str, part: &Path) -> Result<()> {
    let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut u = url::parse_url(url_text).map_err(anyhow::Error::msg)?;
    let tls = tls::client_config(None).map_err(anyhow::Error::msg)?;
    let headers = if have > 0 {
        vec![("Range".to_string(), format!("bytes={have}-"))]
    } else {
        Vec::new()
    };
    for _ in 0..=MAX_REDIRECTS {
        let mut resp = Post {
            method: Method::Get,
            url: u.clone(),
            tls: u.tls.then_some(&tls),
            headers: &headers,
            body: &[],
            limits: Limits::new(Duration::from_secs(3 * 3600), Duration::from_secs(30)),
            keep_alive: false,
        }
        .send_and_read_head()
        .map_err(|e| anyhow::anyhow!("{e} ({url_text})"))?;
        let status = resp.head.status;
        if (300..400).contains(&status) {
            let location = resp.head.header("location").unwrap_or("").to_string();
            u = url::resolve(&u, &location).map_err(anyhow::Error::msg)?;
            continue;
        }
        let append = match status {
            206 => true,
            200 => false,
            416 if have > 0 => return Ok(()),
            _ => bail!("HTTP {status} ({url_text})"),
        };
        let expected = resp
            .head
            .header("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(part)
            .with_context(|| format!("cannot write {}", part.display()))?;
        let bar = indicatif::ProgressBar::with_draw_target(
            expected.map(|e| e + if append { have } else { 0 }),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_position(if append { have } else { 0 });
        let mut got = 0u64;
        while let Some((_, piece)) = resp
            .body
            .next_piece()
            .map_err(|e| anyhow::anyhow!("{e} ({url_text})"))?
        {
            file.write_all(&piece)
                .with_context(|| format!("cannot write {}", part.display()))?;
            got += piece.len() as u64;
            bar.inc(piece.len() as u64);
        }
        bar.finish_and_clear();
        file.sync_all().ok();
        if let Some(e) = expected.filter(|&e| e != got) {
            bail!("the connection ended after {got} of {e} bytes ({url_text})");
        }
        return Ok(());
    }
    bail!("more than {MAX_REDIRECTS} redirects ({url_text})")
}
