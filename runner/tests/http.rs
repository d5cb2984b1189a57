//! The HTTP target against a small in-test server that replays *real* Kokoro audio with
//! scripted timing and faults a real server will not produce on demand: a stall mid-stream, gzip,
//! a disconnect, a 422, a body that is not audio, a refused connection. The same server over
//! real TLS (rustls, a certificate made by the test) checks `https://`. Loopback only.

mod common;

use kokoro_bench::engine::{Strategy, SynthEvent, SynthRequest};
use kokoro_bench_bundle::read_bundle;
use kokoro_bench_bundle::schema::{ErrorKind, NoteCode, TrialFlag};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Real audio from the engine, as 16-bit PCM bytes (24 kHz).
fn real_pcm() -> &'static Vec<u8> {
    static PCM: OnceLock<Vec<u8>> = OnceLock::new();
    PCM.get_or_init(|| {
        let e = common::engine();
        let rx = e
            .synthesize(SynthRequest {
                text: "The morning train was late again, so we walked to work today.".into(),
                voice: "jf_alpha".into(),
                speed: 1.0,
                strategy: Strategy::Whole,
            })
            .unwrap();
        let mut out = Vec::new();
        for ev in rx {
            match ev {
                SynthEvent::Chunk(c) => out.extend(
                    c.samples
                        .iter()
                        .flat_map(|s| ((s.clamp(-1.0, 1.0) * 32767.0) as i16).to_le_bytes()),
                ),
                SynthEvent::Done => break,
                SynthEvent::Failed(m) => panic!("{m}"),
            }
        }
        out
    })
}

fn chunk(s: &mut impl Write, data: &[u8]) {
    let _ = write!(s, "{:x}\r\n", data.len());
    let _ = s.write_all(data);
    let _ = s.write_all(b"\r\n");
    let _ = s.flush();
}

/// Serves one request; returns whether the connection may carry another (only `/ka` keeps it,
/// and only when the client asked for keep-alive).
fn handle(mut s: impl Read + Write) -> bool {
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    // Read headers and the JSON body (Content-Length).
    loop {
        let n = s.read(&mut buf).unwrap_or(0);
        if n == 0 {
            return false;
        }
        req.extend_from_slice(&buf[..n]);
        if let Some(i) = req.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&req[..i]).to_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if req.len() >= i + 4 + len {
                break;
            }
        }
    }
    let head = String::from_utf8_lossy(&req).to_string();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let pcm = real_pcm();
    let header = kokoro_bench::target::http::pcm::streaming_wav_header(24_000);
    let half_s = 24_000; // bytes of 0.5 s at 16-bit mono
    let keep = head.to_lowercase().contains("connection: keep-alive");
    match path.as_str() {
        "/ka" => {
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            chunk(&mut s, &header);
            chunk(&mut s, &pcm[..half_s]);
            chunk(&mut s, &pcm[half_s..]);
            chunk(&mut s, b"");
            return keep;
        }
        "/stall" => {
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            chunk(&mut s, &header);
            chunk(&mut s, &pcm[..half_s]);
            std::thread::sleep(Duration::from_millis(1500));
            chunk(&mut s, &pcm[half_s..]);
            chunk(&mut s, b"");
        }
        "/gzip" => {
            let mut body = header.clone();
            body.extend_from_slice(pcm);
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&body).unwrap();
            let gz = gz.finish().unwrap();
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", gz.len());
            let _ = s.write_all(&gz);
        }
        "/disconnect" => {
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            chunk(&mut s, &header);
            chunk(&mut s, &pcm[..half_s]);
            // Close without the terminating chunk.
        }
        "/notaudio" => {
            let body = br#"{"status": "queued", "job": 17}"#;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(body);
        }
        _ => {
            let body =
                br#"{"detail":[{"type":"missing","loc":["body","input"],"msg":"Field required"}]}"#;
            let _ = write!(s, "HTTP/1.1 422 Unprocessable Entity\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
            let _ = s.write_all(body);
        }
    }
    false
}

/// A server that keeps `/ka` connections alive for at most two requests each (then closes, as
/// servers with an idle or request limit do); counts connections that carried a request.
fn keep_alive_server() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    real_pcm();
    let used = std::sync::Arc::new(AtomicUsize::new(0));
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let counter = used.clone();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut served = 0;
                while served < 2 {
                    // Peek so a connection that never sends a request is not counted.
                    let mut one = [0u8; 1];
                    if s.peek(&mut one).unwrap_or(0) == 0 {
                        return;
                    }
                    if served == 0 {
                        counter.fetch_add(1, Ordering::SeqCst);
                    }
                    served += 1;
                    if !handle(&mut s) {
                        return;
                    }
                }
            });
        }
    });
    (port, used)
}

fn server() -> u16 {
    real_pcm();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || handle(s));
        }
    });
    port
}

/// The same server behind TLS with a fresh self-signed certificate for `localhost`; returns the
/// port and the certificate as PEM.
fn tls_server() -> (u16, String) {
    real_pcm();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_pem = ck.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let config = std::sync::Arc::new(
        rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![ck.cert.der().clone()], key)
        .unwrap(),
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, s);
                handle(&mut tls);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (port, cert_pem)
}

fn run(out: &Path, url: &str, extra: &[&str]) -> (i32, String) {
    let o = common::bin()
        .args([
            "run", "--target", "http", "--url", url, "--voice", "af_test", "--preset", "short",
            "--warmup", "0",
        ])
        .args([
            "--suite",
            "ttfa,rtf,streaming,quality",
            "--http-timeout-s",
            "10",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn bundle(out: &Path) -> kokoro_bench_bundle::Bundle {
    let runs: Vec<PathBuf> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    read_bundle(&std::fs::read(runs[0].join("bundle.json")).unwrap())
        .unwrap()
        .bundle
}

#[test]
fn a_stall_mid_stream_is_one_underrun_of_about_a_second() {
    let port = server();
    let out = common::tempdir("http-stall");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/stall"),
        &["--trials", "2"],
    );
    assert_eq!(code, 0, "{err}");
    let b = bundle(&out);
    assert_eq!(b.run.target, kokoro_bench_bundle::schema::TargetKind::Http);
    assert!(b.plan.nonce_per_trial);
    let http = b.provenance.http.as_ref().unwrap();
    assert_eq!(http.dialect, "openai");
    assert_eq!(
        http.response_headers
            .get("content-type")
            .map(String::as_str),
        Some("audio/wav")
    );
    for t in &b.cases[0].trials {
        assert!(t.error.is_none(), "{:?}", t.error);
        assert!(t.nonce.is_some());
        let expected_s = (real_pcm().len() / 2) as f64 / 24_000.0;
        assert!(
            (t.audio_s - expected_s).abs() < 1e-9,
            "audio seconds from counted samples"
        );
        let p = t.playback.as_ref().unwrap();
        // 0.5 s of audio, then 1.5 s of silence on the wire: the player starves for ~1.0 s.
        assert_eq!(p.underruns, 1, "{p:?}");
        assert!(
            (p.stall_total_ms - 1000.0).abs() < 150.0,
            "{}",
            p.stall_total_ms
        );
        assert!(
            t.ttfb_ms.unwrap() <= t.ttfa_ms.unwrap() && t.ttfa_ms.unwrap() < t.total_ms.unwrap()
        );
    }
}

#[test]
fn gzip_is_decoded_and_flagged() {
    let port = server();
    let out = common::tempdir("http-gzip");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/gzip"),
        &["--trials", "1"],
    );
    assert_eq!(code, 0, "{err}");
    let b = bundle(&out);
    let t = &b.cases[0].trials[0];
    assert!(t.flags.contains(&TrialFlag::ContentEncodingGzip));
    assert_eq!(t.samples as usize, real_pcm().len() / 2);
    assert!(b.has_note(&NoteCode::CompressedAudio));
}

#[test]
fn faults_are_recorded_and_4xx_stops_the_run_with_the_servers_message() {
    let port = server();
    let out = common::tempdir("http-disconnect");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/disconnect"),
        &["--trials", "2"],
    );
    assert_eq!(
        code, 0,
        "a broken stream is a failed trial, not a failed run: {err}"
    );
    let b = bundle(&out);
    assert_eq!(b.cases[0].trials.len(), 2, "every trial is recorded");
    for t in &b.cases[0].trials {
        assert_eq!(t.error.as_ref().unwrap().kind, ErrorKind::StreamEndedEarly);
        assert!(t.samples > 0, "what arrived before the break is kept");
    }

    let out = common::tempdir("http-notaudio");
    let (code, _) = run(
        &out,
        &format!("http://127.0.0.1:{port}/notaudio"),
        &["--trials", "1"],
    );
    assert_eq!(code, 0);
    assert_eq!(
        bundle(&out).cases[0].trials[0].error.as_ref().unwrap().kind,
        ErrorKind::NotAudio
    );

    let out = common::tempdir("http-422");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/v1/audio/speech"),
        &["--trials", "50"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("HTTP 422") && err.contains("Field required") && err.contains("--dialect"),
        "{err}"
    );
    let b = bundle(&out);
    assert_eq!(
        b.cases[0].trials.len(),
        1,
        "a schema mismatch must not burn 50 trials"
    );
    assert_eq!(
        b.cases[0].trials[0].error.as_ref().unwrap().kind,
        ErrorKind::Http4xx
    );
}

#[test]
fn a_refused_connection_fails_fast_before_the_run() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // closed again
    let out = common::tempdir("http-refused");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/v1/audio/speech"),
        &["--trials", "1"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot connect") && err.contains("Is the server running?"),
        "{err}"
    );
    assert!(!out.join("runs").exists());
}

#[test]
fn https_streams_are_timed_through_tls_and_untrusted_certificates_stop_the_run() {
    let (port, cert_pem) = tls_server();
    let dir = common::tempdir("https");
    let ca = dir.join("server.pem");
    std::fs::write(&ca, &cert_pem).unwrap();
    let url = format!("https://localhost:{port}/stall");

    // Not trusted: the run stops before any trial, saying how to trust it.
    let (code, err) = run(&dir.join("untrusted"), &url, &["--trials", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not trusted") && err.contains("--ca-cert"),
        "{err}"
    );
    assert!(
        !dir.join("untrusted/runs").exists(),
        "no bundle for a run that never started"
    );

    // Trusted through --ca-cert: the stall is still exactly one underrun through TLS records.
    let out = dir.join("trusted");
    let (code, err) = run(
        &out,
        &url,
        &["--trials", "2", "--ca-cert", ca.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let b = bundle(&out);
    for t in &b.cases[0].trials {
        assert!(t.error.is_none(), "{:?}", t.error);
        let (connect, tls, ttfb) = (
            t.connect_ms.unwrap(),
            t.tls_handshake_ms.expect("handshake timed"),
            t.ttfb_ms.unwrap(),
        );
        assert!(
            connect >= 0.0 && tls > 0.0 && connect + tls <= ttfb,
            "{connect} {tls} {ttfb}"
        );
        assert_eq!(t.samples as usize, real_pcm().len() / 2);
        let p = t.playback.as_ref().unwrap();
        assert_eq!(p.underruns, 1, "{p:?}");
        assert!(
            (p.stall_total_ms - 1000.0).abs() < 150.0,
            "{}",
            p.stall_total_ms
        );
    }

    // A certificate file that is not PEM, and --ca-cert on plain http: exit 2 naming the problem.
    let junk = dir.join("junk.pem");
    std::fs::write(&junk, "hello").unwrap();
    let (code, err) = run(
        &dir.join("junk"),
        &url,
        &["--ca-cert", junk.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("BEGIN CERTIFICATE") && err.contains("junk.pem"),
        "{err}"
    );
    let (code, err) = run(
        &dir.join("plain"),
        &format!("http://127.0.0.1:{port}/stall"),
        &["--ca-cert", ca.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--ca-cert is for https://"), "{err}");
}

#[test]
fn keep_alive_reuses_connections_and_reconnects_when_the_server_closed_one() {
    let (port, used) = keep_alive_server();
    let out = common::tempdir("http-keepalive");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/ka"),
        &["--trials", "4", "--keep-alive"],
    );
    assert_eq!(code, 0, "{err}");
    let b = bundle(&out);
    assert!(b.provenance.http.as_ref().unwrap().keep_alive);
    let flags: Vec<Vec<String>> = b.cases[0]
        .trials
        .iter()
        .map(|t| t.flags.iter().map(|f| f.to_wire()).collect())
        .collect();
    // Request 1 opens a connection; 2 reuses it; the server closes it after two requests, so 3
    // finds it dead and reconnects (and says so); 4 reuses the new one.
    let has = |i: usize, f: &str| flags[i].iter().any(|x| x == f);
    assert!(
        !has(0, "connection_reused") && has(1, "connection_reused"),
        "{flags:?}"
    );
    assert!(
        has(2, "connection_retried") && !has(2, "connection_reused"),
        "{flags:?}"
    );
    assert!(has(3, "connection_reused"), "{flags:?}");
    for (i, t) in b.cases[0].trials.iter().enumerate() {
        assert!(t.error.is_none(), "trial {i}: {:?}", t.error);
        assert_eq!(t.samples as usize, real_pcm().len() / 2);
        assert_eq!(
            t.connect_ms.is_some(),
            !has(i, "connection_reused"),
            "trial {i}"
        );
    }
    assert_eq!(used.load(std::sync::atomic::Ordering::SeqCst), 2);
}
