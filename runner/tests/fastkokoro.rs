//! The HTTP target against a real, independent Kokoro server: fastkokoro 0.7.0 from the Python
//! package registry, installed into a virtual environment by this test's set-up (cached), started
//! on 127.0.0.1 with the same local model. Its voice check refuses a Japanese voice for English
//! text, so it gets a copy of the voice pack with the voice under an extra key.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PACKAGE: &str = "fastkokoro[cpu]==0.7.0";

fn venv() -> PathBuf {
    let dir = kokoro_bench::setup::cache_dir().join("fastkokoro-0.7.0-venv");
    let bin = dir.join("bin").join("fastkokoro");
    if !bin.is_file() {
        eprintln!("installing {PACKAGE} into {} (once) …", dir.display());
        let _ = std::fs::remove_dir_all(&dir);
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "python3 -m venv failed: the test needs Python 3 with venv"
        );
        let ok = Command::new(dir.join("bin").join("pip"))
            .args(["install", "-q", "--disable-pip-version-check", PACKAGE])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "pip install {PACKAGE} failed (is the package registry reachable?)"
        );
    }
    dir
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn healthy(port: u16) -> bool {
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    let mut r = String::new();
    let _ = s.read_to_string(&mut r);
    r.starts_with("HTTP/1.1 200")
}

fn start(venv: &Path, work: &Path) -> (Server, u16) {
    let a = common::assets();
    let voices = work.join("voices.npz");
    let script = format!(
        "import numpy as np\nv = dict(np.load({:?}))\nv['bench_alpha'] = v['jf_alpha']\nnp.savez({:?}, **v)",
        a.voices.display().to_string(),
        voices.display().to_string()
    );
    let ok = Command::new(venv.join("bin").join("python"))
        .arg("-c")
        .arg(script)
        .status()
        .unwrap()
        .success();
    assert!(ok, "could not write the voice pack copy");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::fs::File::create(work.join("server.log")).unwrap();
    let child = Command::new(venv.join("bin").join("fastkokoro"))
        .env("FASTKOKORO_MODEL_PATH", &a.model)
        .env("FASTKOKORO_VOICES_PATH", &voices)
        .env("FASTKOKORO_CACHE_DIR", work.join("cache"))
        .env("FASTKOKORO_HOST", "127.0.0.1")
        .env("FASTKOKORO_PORT", port.to_string())
        .env("FASTKOKORO_DEFAULT_VOICE", "bench_alpha")
        .env("HF_HUB_OFFLINE", "1")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start fastkokoro");
    let server = Server(child);
    let t0 = Instant::now();
    while !healthy(port) {
        assert!(
            t0.elapsed() < Duration::from_secs(300),
            "fastkokoro did not become healthy: see {}",
            work.join("server.log").display()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    (server, port)
}

#[test]
fn streaming_suites_against_a_real_fastkokoro_server_give_sane_numbers() {
    let venv = venv();
    let work = common::tempdir("fastkokoro");
    let (server, port) = start(&venv, &work);
    let b = run_ok(
        port,
        &work.join("artifacts"),
        &[
            "--preset",
            "short,medium",
            "--trials",
            "3",
            "--suite",
            "ttfa,rtf,streaming,quality,memory",
        ],
    );
    let http = b.provenance.http.as_ref().unwrap();
    assert!(
        http.response_headers
            .get("content-type")
            .is_some_and(|c| c.starts_with("audio/")),
        "{:?}",
        http.response_headers
    );
    assert!(
        !b.has_note(&kokoro_bench_bundle::schema::NoteCode::CompressedAudio),
        "identity encoding was respected"
    );
    for c in &b.cases {
        assert_eq!(
            c.failed().count(),
            0,
            "{:?}",
            c.failed().map(|t| &t.error).collect::<Vec<_>>()
        );
        assert_eq!(c.measured().count(), 3);
        for t in c.measured() {
            let (ttfb, ttfa, total) = (t.ttfb_ms.unwrap(), t.ttfa_ms.unwrap(), t.total_ms.unwrap());
            assert!(
                ttfb <= ttfa && ttfa < total,
                "first audio before the last byte: {ttfb} {ttfa} {total}"
            );
            assert!(t.ttfa_audible_ms.unwrap() >= ttfa);
            // ~60 / ~140 characters of English plus a nonce clause: seconds of speech, not a
            // blip and not minutes (12.0 s was seen for `medium`; the nonce varies the length).
            assert!(
                (2.0..25.0).contains(&t.audio_s),
                "{}: {} s",
                c.id,
                t.audio_s
            );
            assert_eq!(t.sample_rate_hz, 24_000);
            assert!(t.rtf.unwrap() > 0.05 && t.rtf.unwrap() < 5.0);
            assert!(t.playback.is_some() && t.quality.as_ref().unwrap().nonfinite_samples == 0);
            assert!(t.nonce.is_some(), "cache defeated with a nonce per trial");
        }
    }
    let m = b.memory.as_ref().expect("server memory sampled");
    assert_eq!(
        m.pid,
        server.0.id(),
        "memory of the server, never the client"
    );
    assert!(m.peak_rss_bytes.unwrap() > 100_000_000);
    turns_against_the_same_server(port, &work);
    barge_in_against_the_same_server(port, &work, server.0.id());
    drop(server);
}

/// A listener interrupts `long` after 1 s of audio and the client closes the stream. fastkokoro
/// 0.7.0 does not notice: its CPU stays busy for seconds (the watch sees the server's process,
/// not ours), and a request sent right after waits behind the abandoned text.
fn barge_in_against_the_same_server(port: u16, work: &Path, pid: u32) {
    let b = run_ok(
        port,
        &work.join("barge"),
        &[
            "--preset",
            "long",
            "--interrupt-after",
            "1s",
            "--trials",
            "2",
            "--rounds",
            "1",
        ],
    );
    assert_eq!(b.memory.as_ref().unwrap().pid, pid);
    let g: Vec<_> = b.cases[0]
        .measured()
        .map(|t| t.barge.clone().expect("interrupted"))
        .collect();
    assert!(g.iter().all(|g| g.sending && g.close_ms < 250.0), "{g:?}");
    let watched = g
        .iter()
        .find(|g| g.watched_ms > 0.0)
        .expect("one CPU watch");
    assert!(
        watched.release_ms.is_none_or(|r| r > 500.0),
        "the server went on synthesising: {watched:?}"
    );
    let next = g
        .iter()
        .find_map(|g| g.next_ttfa_ms)
        .expect("one next request");
    let fresh = g[0].fresh_next_ttfa_ms.unwrap();
    assert!(next > fresh * 1.5, "kept waiting: {next} vs {fresh} ms");
}

/// Text arriving at 30 tokens/s, cut into sentences: one request per sentence, each with its
/// own nonce, the audio played back to back from the first token.
fn turns_against_the_same_server(port: u16, work: &Path) {
    let text = "Sure. I found three flights to Denver tomorrow morning. The earliest leaves at six fifteen.";
    let b = run_ok(
        port,
        &work.join("turns"),
        &[
            "--text",
            text,
            "--text-arrival",
            "30tok/s",
            "--suite",
            "ttfa,agent",
            "--trials",
            "2",
            "--rounds",
            "1",
        ],
    );
    let c = &b.cases[0];
    assert_eq!(c.failed().count(), 0);
    for t in c.measured() {
        let u = t.turn.as_ref().unwrap();
        let texts: Vec<&str> = u.pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Sure.",
                "I found three flights to Denver tomorrow morning.",
                "The earliest leaves at six fifteen."
            ]
        );
        assert!(t.heard_ms.unwrap() >= u.pieces[0].sent_ms + u.pieces[0].ttfa_ms.unwrap() - 0.5);
        assert!(u.end_of_turn_ms.unwrap() > 0.0);
        assert!(t.nonce.is_some(), "every piece defeats the server's cache");
    }
}

/// `kokoro-bench run` against the server on `port` with `flags`, which must succeed: its bundle.
fn run_ok(port: u16, out: &Path, flags: &[&str]) -> kokoro_bench_bundle::Bundle {
    let url = format!("http://127.0.0.1:{port}/v1/audio/speech");
    let o = common::bin()
        .args([
            "run",
            "--target",
            "http",
            "--url",
            &url,
            "--voice",
            "bench_alpha",
        ])
        .args(flags)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{flags:?}: {stderr}");
    common::the_bundle(out)
}
