//! Publishing and viewing as a user does it: runs on the scripted target (the site only reads
//! bundles), published into one site from several artifact folders and from a live site's URL,
//! share links that survive later publishes, retention, immutable run folders, and `view` as a
//! real static host (ranges, HEAD, no escape from the folder).

mod common;

use common::bin;
use kokoro_bench_bundle::index::RunIndex;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A built site stand-in: `publish` needs `index.html`; the data it writes is what is tested.
fn site(tag: &str) -> PathBuf {
    let d = common::tempdir(tag);
    std::fs::write(d.join("index.html"), "<!doctype html><title>site</title>").unwrap();
    d
}

fn scripted_run(out: &Path, extra: &[&str]) -> String {
    let o = bin()
        .args([
            "run",
            "--target",
            "fake",
            "--fake-script",
            "5:400,5:600",
            "--preset",
            "short",
        ])
        .args([
            "--warmup",
            "0",
            "--trials",
            "3",
            "--suite",
            "ttfa,rtf,streaming",
            "--json",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    j["run_id"].as_str().unwrap().to_string()
}

fn publish(site: &Path, args: &[&str]) -> (i32, String) {
    let o = bin()
        .arg("publish")
        .arg("--site")
        .arg(site)
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

fn index(site: &Path) -> RunIndex {
    serde_json::from_slice(&std::fs::read(site.join("data/index.json")).unwrap()).unwrap()
}

/// Starts `view` on a free port; returns the child and its address.
fn view(dir: &Path) -> (std::process::Child, String) {
    let mut child = bin()
        .arg("view")
        .arg(dir)
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut out = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    while out.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0] as char);
    }
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    (child, addr)
}

fn raw_get(addr: &str, request: &str) -> (String, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let i = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    (
        String::from_utf8_lossy(&all[..i]).into_owned(),
        all[i + 4..].to_vec(),
    )
}

#[test]
fn two_artifact_folders_accumulate_in_one_site_and_share_links_survive() {
    let (a, b, s) = (
        common::tempdir("pub-a"),
        common::tempdir("pub-b"),
        site("pub-site"),
    );
    let first = scripted_run(&a, &[]);
    let (code, out) = publish(&s, &["--artifacts", a.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    // A share link made now: the bundle's path and the hash the page checks.
    let link = index(&s)
        .runs
        .iter()
        .find(|r| r.id == first)
        .map(|r| (r.path.clone(), r.sha256.clone()))
        .unwrap();
    // Another machine's artifacts (a fresh CI runner), published into the same site.
    let second = scripted_run(&b, &[]);
    let (code, out) = publish(&s, &["--artifacts", b.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("published 1 new run(s); the site holds 2 run(s)"),
        "{out}"
    );
    let ids: Vec<String> = index(&s).runs.iter().map(|r| r.id.clone()).collect();
    assert!(ids.contains(&first) && ids.contains(&second), "{ids:?}");
    let h = kokoro_bench_bundle::history::history(
        &index(&s),
        kokoro_bench_bundle::metrics::Metric::TtfaMs,
        Some("short"),
        None,
    );
    assert_eq!(h.points.len(), 2, "history has both runs");
    let bytes = std::fs::read(s.join("data").join(&link.0)).unwrap();
    assert_eq!(
        kokoro_bench::fsutil::sha256_hex(&bytes),
        link.1,
        "the old share link opens the same bundle"
    );
    // Publishing the same folder again changes nothing; a different run under a taken id is refused.
    let (code, out) = publish(&s, &["--artifacts", a.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("published 0 new run(s)"), "{out}");
    let taken = s.join("data/runs").join(&first).join("bundle.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&taken).unwrap()).unwrap();
    v["notes"] = serde_json::json!([]);
    std::fs::write(
        a.join("runs").join(&first).join("bundle.json"),
        serde_json::to_vec(&v).unwrap(),
    )
    .unwrap();
    let (code, out) = publish(&s, &["--artifacts", a.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("already published with different content"),
        "{out}"
    );
}

#[test]
fn a_site_restored_from_its_url_keeps_its_history_and_retention_keeps_pins() {
    let (a, old_site) = (common::tempdir("merge-a"), site("merge-old"));
    let runs: Vec<String> = (0..3)
        .map(|_| scripted_run(&a, &["--save-audio", "all"]))
        .collect();
    assert_eq!(
        publish(&old_site, &["--artifacts", a.to_str().unwrap()]).0,
        0
    );
    // The live site, served over HTTP; a fresh CI job restores it by URL and adds a new run.
    let (mut server, addr) = view(&old_site);
    let (fresh, new_artifacts) = (site("merge-fresh"), common::tempdir("merge-new"));
    let newest = scripted_run(&new_artifacts, &[]);
    let (code, out) = publish(
        &fresh,
        &[
            "--merge-from",
            &format!("http://{addr}/"),
            "--artifacts",
            new_artifacts.to_str().unwrap(),
            "--pin",
            &runs[0],
            "--keep-last",
            "2",
        ],
    );
    server.kill().ok();
    assert_eq!(code, 0, "{out}");
    let kept: Vec<String> = index(&fresh).runs.iter().map(|r| r.id.clone()).collect();
    // Four runs of one series, keep the newest two, and the pinned oldest.
    assert!(
        kept.contains(&newest) && kept.contains(&runs[2]) && kept.contains(&runs[0]),
        "{kept:?}"
    );
    assert!(!kept.contains(&runs[1]), "{kept:?}");
    assert!(out.contains("dropping 1 old one(s)"), "{out}");
    // The restored run came with its WAVs, checked against the bundle's hashes.
    let audio_dir = fresh.join("data/runs").join(&runs[0]).join("audio");
    assert!(
        std::fs::read_dir(&audio_dir)
            .map(|d| d.count())
            .unwrap_or(0)
            >= 1,
        "{}",
        audio_dir.display()
    );
}

#[test]
fn view_serves_ranges_and_heads_and_nothing_outside_its_folder() {
    let s = site("view");
    std::fs::create_dir_all(s.join("data")).unwrap();
    let body: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(s.join("data/a b.wav"), &body).unwrap();
    let (mut server, addr) = view(&s);
    let (head, got) = raw_get(
        &addr,
        "GET /data/a%20b.wav HTTP/1.1\r\nHost: x\r\nRange: bytes=100-199\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1.1 206"), "{head}");
    assert!(
        head.contains("Content-Range: bytes 100-199/1000")
            && head.contains("Content-Type: audio/wav"),
        "{head}"
    );
    assert_eq!(got, &body[100..200]);
    let (head, got) = raw_get(&addr, "HEAD /data/a%20b.wav HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(
        head.starts_with("HTTP/1.1 200")
            && head.contains("Content-Length: 1000")
            && head.contains("Accept-Ranges: bytes"),
        "{head}"
    );
    assert!(got.is_empty(), "HEAD has no body");
    let (head, _) = raw_get(
        &addr,
        "GET /data/a%20b.wav HTTP/1.1\r\nHost: x\r\nRange: bytes=5000-\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1.1 416"), "{head}");
    for escape in [
        "/../etc/passwd",
        "/data/%2e%2e/%2e%2e/etc/passwd",
        "/%2Fetc%2Fpasswd",
    ] {
        let (head, _) = raw_get(&addr, &format!("GET {escape} HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(head.starts_with("HTTP/1.1 404"), "{escape}: {head}");
    }
    server.kill().ok();
}

#[test]
fn an_export_zip_holds_the_site_and_the_chosen_runs() {
    let (a, s) = (common::tempdir("export-a"), site("export-site"));
    let keep = scripted_run(&a, &[]);
    let other = scripted_run(&a, &[]);
    assert_eq!(publish(&s, &["--artifacts", a.to_str().unwrap()]).0, 0);
    let zip_path = common::tempdir("export-out").join("report.zip");
    let o = bin()
        .args(["export", "--zip"])
        .arg(&zip_path)
        .arg("--site")
        .arg(&s)
        .arg(&keep)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().to_string())
        .collect();
    assert!(
        names.iter().all(|n| n.starts_with("report/")),
        "one top-level folder, named after the zip: {names:?}"
    );
    assert!(
        names.contains(&"report/index.html".to_string()),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with(&format!("report/data/runs/{keep}/"))),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains(&other)), "{names:?}");
    let mut idx = String::new();
    z.by_name("report/data/index.json")
        .unwrap()
        .read_to_string(&mut idx)
        .unwrap();
    assert!(idx.contains(&keep) && !idx.contains(&other));
    let mut readme = String::new();
    z.by_name("report/README.txt")
        .unwrap()
        .read_to_string(&mut readme)
        .unwrap();
    assert!(readme.contains("kokoro-bench view report"), "{readme}");
}
