//! `setup --model`: the release files fetched from a loopback mirror that serves the cached
//! registry model under the upstream file names — a connection cut half-way (resumed with a
//! `Range` request), a redirect, the lock file written on first download and enforced after.

mod common;

use kokoro_bench::commands::upstream::{fetch, Precision, LOCK_FILE};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

struct Mirror {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

/// Serves `files`; the first request for `cut` stops after half of its bytes.
fn mirror(files: Vec<(&'static str, Vec<u8>)>, cut: &'static str) -> Mirror {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    let files = Arc::new(files);
    let cut_once = Arc::new(AtomicBool::new(true));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (files, seen, cut_once) = (files.clone(), seen.clone(), cut_once.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split(' ').nth(1).unwrap_or("/").to_string();
                let mut range = None;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                    if let Some(v) = h.to_lowercase().strip_prefix("range: bytes=") {
                        range = v.trim().trim_end_matches('-').parse::<usize>().ok();
                    }
                }
                seen.lock().unwrap().push(format!("{path} {range:?}"));
                let mut out = stream;
                if let Some(name) = path.strip_prefix("/r/") {
                    let _ = write!(out, "HTTP/1.1 302 Found\r\nLocation: /{name}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }
                let Some((name, body)) = files.iter().find(|(n, _)| path == format!("/{n}")) else {
                    let _ = write!(
                        out,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    return;
                };
                let from = range.unwrap_or(0);
                let status = if range.is_some() {
                    "206 Partial Content"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    out,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len() - from
                );
                let end = if *name == cut && cut_once.swap(false, Ordering::SeqCst) {
                    body.len() / 2
                } else {
                    body.len()
                };
                let _ = out.write_all(&body[from..end]);
            });
        }
    });
    Mirror { port, requests }
}

#[test]
fn release_files_resume_after_a_cut_are_locked_on_first_download_and_enforced_after() {
    let assets = common::assets();
    let model = std::fs::read(&assets.model).unwrap();
    let voices = std::fs::read(&assets.voices).unwrap();
    let cache = common::tempdir("setup-model");
    // This test binary has this one test: the variable cannot leak into another.
    std::env::set_var("KOKORO_BENCH_CACHE", &cache);
    let m = mirror(
        vec![
            ("kokoro-v1.0.int8.onnx", model.clone()),
            ("voices-v1.0.bin", voices.clone()),
        ],
        "kokoro-v1.0.int8.onnx",
    );
    let base = format!("http://127.0.0.1:{}/r/", m.port);
    let (got_model, got_voices) = fetch(Precision::Int8, Some(&base)).expect("fetched");
    assert_eq!(
        std::fs::read(&got_model).unwrap(),
        model,
        "resumed to the exact bytes"
    );
    assert_eq!(std::fs::read(&got_voices).unwrap(), voices);
    let requests = m.requests.lock().unwrap().clone();
    assert!(
        requests
            .iter()
            .any(|r| r == &format!("/kokoro-v1.0.int8.onnx Some({})", model.len() / 2)),
        "the second attempt asked for the rest: {requests:?}"
    );
    let dir = got_model.parent().unwrap().to_path_buf();
    let lock = std::fs::read_to_string(dir.join(LOCK_FILE)).unwrap();
    assert_eq!(lock.lines().count(), 2, "{lock}");
    let model_sha = kokoro_bench::fsutil::sha256_file(&assets.model).unwrap();
    assert!(
        lock.contains(&format!("{model_sha}  kokoro-v1.0.int8.onnx")),
        "{lock}"
    );
    assert!(std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .all(|e| !e.file_name().to_string_lossy().ends_with(".part")));

    // Cached: verified, nothing fetched.
    let before = m.requests.lock().unwrap().len();
    fetch(Precision::Int8, Some(&base)).expect("cached");
    assert_eq!(m.requests.lock().unwrap().len(), before);

    // The lock disagrees with what the mirror serves: refused, nothing left as if complete.
    std::fs::remove_file(&got_model).unwrap();
    let wrong = "0".repeat(64);
    std::fs::write(dir.join(LOCK_FILE), lock.replace(&model_sha, &wrong)).unwrap();
    let e = format!("{:#}", fetch(Precision::Int8, Some(&base)).unwrap_err());
    assert!(
        e.contains(&model_sha) && e.contains(&wrong),
        "both hashes named: {e}"
    );
    assert!(!got_model.exists());
    assert!(!dir.join("kokoro-v1.0.int8.onnx.part").exists());
}
