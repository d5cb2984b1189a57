//! The HTTP target against a small in-test server that replays *real* Kokoro audio with
//! scripted timing and faults a real server will not produce on demand: a stall mid-stream, gzip,
//! a disconnect, a 422, a body that is not audio, a refused connection. The same server over
//! real TLS (rustls, a certificate made by the test) checks `https://`. Loopback only.

mod common;

use kokoro_bench_bundle::read_bundle;
use kokoro_bench_bundle::schema::{ErrorKind, NoteCode, TrialFlag};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Real audio from the engine, as 16-bit PCM bytes (24 kHz): the `short` preset, which every
/// run here asks for.
fn real_pcm() -> &'static Vec<u8> {
    static PCM: OnceLock<Vec<u8>> = OnceLock::new();
    PCM.get_or_init(|| speak("The morning train was late again, so we walked to work today."))
}

/// Real audio of another sentence than the one asked for.
fn wrong_sentence_pcm() -> &'static Vec<u8> {
    static PCM: OnceLock<Vec<u8>> = OnceLock::new();
    PCM.get_or_init(|| speak("Please remind me to call the doctor tomorrow morning at nine."))
}

/// Whole-text audio of `text` in `jf_alpha` as 16-bit PCM bytes.
fn speak(text: &str) -> Vec<u8> {
    common::speak(text, "jf_alpha")
        .iter()
        .flat_map(|s| ((s.clamp(-1.0, 1.0) * 32767.0) as i16).to_le_bytes())
        .collect()
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
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/").to_string();
    let pcm = real_pcm();
    let header = kokoro_bench::measure::pcm::streaming_wav_header(24_000);
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
        "/noise" => {
            // As much white noise as the real answer has speech: still fast, still "audio".
            let mut x: u32 = 0x1234_5678;
            let noise: Vec<u8> = (0..pcm.len() / 2)
                .flat_map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    ((x >> 16) as i16 / 4).to_le_bytes()
                })
                .collect();
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            chunk(&mut s, &header);
            chunk(&mut s, &noise);
            chunk(&mut s, b"");
        }
        "/wrong" | "/half" => {
            // Real, clean speech at full speed — of the wrong sentence, or only its first half.
            let body = if path == "/wrong" {
                &wrong_sentence_pcm()[..]
            } else {
                &pcm[..pcm.len() / 4 * 2]
            };
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            chunk(&mut s, &header);
            chunk(&mut s, body);
            chunk(&mut s, b"");
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
        "/silence" => {
            // One burst: 1 s of digital silence, then speech. The first sample arrives at once;
            // a listener hears speech a second later.
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            let mut body = header.clone();
            body.extend(std::iter::repeat_n(0u8, 2 * 24_000));
            body.extend_from_slice(pcm);
            chunk(&mut s, &body);
            chunk(&mut s, b"");
        }
        "/early" => {
            // Headers and the WAV header at once, audio 800 ms later.
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            chunk(&mut s, &header);
            std::thread::sleep(Duration::from_millis(800));
            chunk(&mut s, pcm);
            chunk(&mut s, b"");
        }
        "/trickle" => {
            // Audio one byte at a time, every 300 ms: no read ever times out, the request never
            // ends on its own.
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            chunk(&mut s, &header);
            for b in pcm.iter().take(200) {
                std::thread::sleep(Duration::from_millis(300));
                chunk(&mut s, &[*b]);
            }
        }
        "/slow" => {
            // A whole answer in about 1.2 s: slow enough for a Ctrl-C to land mid-request.
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            chunk(&mut s, &header);
            for part in pcm.chunks(pcm.len() / 4 + 1) {
                std::thread::sleep(Duration::from_millis(300));
                chunk(&mut s, part);
            }
            chunk(&mut s, b"");
        }
        "/moved" | "/found" => {
            let status = if path == "/moved" {
                "307 Temporary Redirect"
            } else {
                "302 Found"
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nLocation: /ka\r\nContent-Length: 0\r\n\r\n"
            );
        }
        "/interim" => {
            let _ = s.write_all(
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n",
            );
            let mut body = header.clone();
            body.extend_from_slice(pcm);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(&body);
        }
        "/br" | "/zstd" => {
            let mut body = header.clone();
            body.extend_from_slice(pcm);
            let (name, bytes) = if path == "/br" {
                let mut out = Vec::new();
                brotli::BrotliCompress(&mut body.as_slice(), &mut out, &Default::default())
                    .unwrap();
                ("br", out)
            } else {
                ("zstd", body) // not really zstd: the client must refuse before decoding
            };
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Encoding: {name}\r\nContent-Length: {}\r\n\r\n", bytes.len());
            let _ = s.write_all(&bytes);
        }
        "/conflict" => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789");
        }
        "/longchunk" => {
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            let _ = s.write_all(&[b'0'; 4096]);
        }
        "/sse" | "/sse-bad" | "/sse-cut" => {
            // OpenAI's server-sent events: base64 audio deltas 200 ms apart, then the usage.
            use base64::Engine as _;
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (i, part) in pcm.chunks(pcm.len() / 3 + 2).enumerate() {
                std::thread::sleep(Duration::from_millis(200));
                let b64 = base64::engine::general_purpose::STANDARD.encode(part);
                let ev = if path == "/sse-bad" && i == 1 {
                    "data: {\"type\": \"speech.audio.delta\", \"audio\": \n\n".to_string()
                } else {
                    format!("event: speech.audio.delta\ndata: {{\"type\":\"speech.audio.delta\",\"audio\":\"{b64}\"}}\n\n")
                };
                chunk(&mut s, ev.as_bytes());
            }
            if path != "/sse-cut" {
                chunk(&mut s, b"data: {\"type\":\"speech.audio.done\",\"usage\":{\"input_tokens\":14,\"output_tokens\":300,\"total_tokens\":314}}\n\n");
            }
            chunk(&mut s, b"");
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
    tls_server_on("127.0.0.1", "localhost")
}

/// The TLS server on `bind`, its certificate for `name` (a host name or an IP address).
fn tls_server_on(bind: &str, name: &str) -> (u16, String) {
    real_pcm();
    let ck = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
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
    let l = TcpListener::bind((bind, 0)).unwrap();
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
            "--idle-timeout",
            "10s",
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
fn a_server_answering_with_noise_is_flagged_by_the_judges_and_fails_the_default_gate() {
    common::judges_ready();
    common::assets();
    let port = server();
    let out = common::tempdir("http-noise");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/noise"),
        &["--trials", "2", "--suite", "ttfa,quality,judges"],
    );
    assert_eq!(code, 1, "the default DNSMOS gate fails the run: {err}");
    let b = bundle(&out);
    let j = b.judges.as_ref().unwrap();
    assert!(j.skipped.is_none(), "{j:?}");
    assert_eq!(j.judged_trials, 1, "one kept trial per case by default");
    let judged: Vec<_> = b.cases[0]
        .trials
        .iter()
        .filter_map(|t| t.judges.as_ref())
        .collect();
    let d = judged[0].dnsmos.as_ref().unwrap();
    assert!(d.ovrl < 2.0 && d.bak < 2.0, "{d:?}");
    let mos = judged[0].mos.unwrap();
    assert!(
        mos < 2.0,
        "noise is not speech anyone would rate: MOS {mos}"
    );
    for id in ["judges-dnsmos-ovrl", "judges-mos"] {
        let g = b.gates.iter().find(|g| g.rule.id == id).unwrap();
        assert_eq!(
            g.status,
            kokoro_bench_bundle::schema::GateStatus::Fail,
            "{g:?}"
        );
    }
    // Fast noise still looks fast: the latency numbers are there and normal.
    assert!(b.cases[0]
        .trials
        .iter()
        .all(|t| t.error.is_none() && t.ttfa_ms.is_some()));
}

#[test]
fn a_server_saying_the_wrong_sentence_or_half_of_it_fails_the_wer_gate_only() {
    common::judges_ready();
    common::assets();
    let port = server();
    for (mode, wer) in [("wrong", 0.7..2.0), ("half", 0.3..0.8)] {
        let out = common::tempdir(&format!("http-{mode}"));
        let (code, err) = run(
            &out,
            &format!("http://127.0.0.1:{port}/{mode}"),
            // The first trial is the cold one; the first warm one is judged.
            &["--trials", "2", "--suite", "ttfa,judges"],
        );
        assert_eq!(code, 1, "{mode}: the default WER gate fails the run: {err}");
        let b = bundle(&out);
        let t = &b.cases[0].trials[1];
        assert!(t.error.is_none() && t.ttfa_ms.is_some(), "{mode}: {t:?}");
        let j = t.judges.as_ref().unwrap();
        let asr = j.asr.as_ref().unwrap();
        assert!(
            wer.contains(&asr.wer),
            "{mode}: WER {} heard {:?}",
            asr.wer,
            asr.transcript
        );
        assert_eq!(
            asr.reference,
            "The morning train was late again, so we walked to work today."
        );
        // It is real, clean speech: the noise judge and the opinion judge's garbage bound have
        // nothing against it.
        assert!(j.dnsmos.as_ref().unwrap().ovrl > 2.5, "{mode}: {j:?}");
        assert!(j.mos.unwrap() > 2.5, "{mode}: {j:?}");
        let status = |id: &str| b.gates.iter().find(|g| g.rule.id == id).map(|g| g.status);
        assert_eq!(
            status("judges-wer"),
            Some(kokoro_bench_bundle::schema::GateStatus::Fail),
            "{mode}"
        );
        for id in ["judges-dnsmos-ovrl", "judges-mos"] {
            assert_eq!(
                status(id),
                Some(kokoro_bench_bundle::schema::GateStatus::Pass),
                "{mode}: {id}"
            );
        }
        if mode == "half" {
            let scored = kokoro_bench_bundle::transcript::score(&asr.reference, &asr.transcript);
            let last = scored.edits.last().unwrap();
            assert!(
                matches!(last, kokoro_bench_bundle::transcript::Edit::Deleted(_)),
                "{scored:?}"
            );
        }
    }
}

#[test]
fn server_sent_events_are_timed_by_their_deltas_and_malformed_ones_are_named() {
    let port = server();
    let out = common::tempdir("http-sse");
    let url = format!("http://127.0.0.1:{port}/sse");
    let (code, err) = run(
        &out,
        &url,
        &["--trials", "2", "--stream-format", "sse", "--format", "pcm"],
    );
    assert_eq!(code, 0, "{err}");
    let b = bundle(&out);
    for t in b.cases[0].measured() {
        assert!(t.error.is_none(), "{:?}", t.error);
        assert_eq!(t.chunks.len(), 3, "one chunk per delta");
        let ttfa = t.ttfa_ms.unwrap();
        assert!(
            (190.0..600.0).contains(&ttfa),
            "first delta after ~200 ms: {ttfa}"
        );
        assert!(
            t.total_ms.unwrap() - ttfa > 350.0,
            "two more deltas 200 ms apart"
        );
        assert_eq!(
            t.samples as usize,
            real_pcm().len() / 2,
            "every sample decoded"
        );
        assert_eq!(t.usage.as_ref().unwrap().total_tokens, Some(314));
    }
    for (path, kind, expect) in [
        ("/sse-bad", ErrorKind::NotAudio, "event 2 is not JSON"),
        (
            "/sse-cut",
            ErrorKind::StreamEndedEarly,
            "without `speech.audio.done`",
        ),
    ] {
        let out = common::tempdir(&format!("http{}", path.replace('/', "-")));
        let (code, err) = run(
            &out,
            &format!("http://127.0.0.1:{port}{path}"),
            &["--trials", "1", "--format", "pcm"],
        );
        assert_eq!(code, 2, "nothing succeeded: {err}");
        let b = bundle(&out);
        let e = b.cases[0]
            .trials
            .iter()
            .find_map(|t| t.error.clone())
            .unwrap();
        assert_eq!(e.kind, kind);
        assert!(e.message.contains(expect), "{}", e.message);
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
    assert!(t.flags.contains(&TrialFlag::ContentEncoding("gzip".into())));
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
    // Every trial failed: the run measured nothing (exit 2), and every trial is recorded (the
    // cold request and the two measured ones).
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("FAILED: no trial succeeded"), "{err}");
    let b = bundle(&out);
    assert_eq!(b.cases[0].trials.len(), 3, "every trial is recorded");
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
    assert_eq!(code, 2, "its only trial failed");
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
        // Four requests: the cold one and three measured.
        &["--trials", "3", "--keep-alive"],
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
    // Two connections for the four requests, a third for the nonce check's two requests after
    // them (bare text, then with a nonce: what the nonce adds is measured once per run).
    assert_eq!(used.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(
        b.plan.nonce.as_ref().and_then(|n| n.added_audio_ms),
        Some(0.0),
        "invisible"
    );
}

#[test]
fn heard_speech_counts_the_silence_a_server_sends_first() {
    let port = server();
    let out = common::tempdir("http-silence");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/silence"),
        &["--trials", "2"],
    );
    assert_eq!(code, 0, "{err}");
    for t in &bundle(&out).cases[0].trials {
        let (first, audible, heard) = (
            t.ttfa_ms.unwrap(),
            t.ttfa_audible_ms.unwrap(),
            t.heard_ms.unwrap(),
        );
        // One burst: the first sample and the first audible sample arrive together…
        assert!((audible - first).abs() < 1.0, "{first} {audible}");
        // …but the player must play a second of silence (plus Kokoro's own) before speech.
        let lead = t.leading_silence_ms.unwrap();
        assert!((1000.0..1500.0).contains(&lead), "{lead}");
        assert!(
            (heard - (first + lead)).abs() < 1.0,
            "{heard} vs {first} + {lead}"
        );
    }
    let out = common::tempdir("http-early");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/early"),
        &["--trials", "1"],
    );
    assert_eq!(code, 0, "{err}");
    let t = &bundle(&out).cases[0].trials[0];
    // The first body bytes (the WAV header) come 800 ms before the first sample.
    assert!(
        t.ttfa_ms.unwrap() - t.ttfb_ms.unwrap() >= 750.0,
        "first byte {:?}, first sample {:?}",
        t.ttfb_ms,
        t.ttfa_ms
    );
    assert!(t.heard_ms.unwrap() >= t.ttfa_ms.unwrap());
}

#[test]
fn a_trickling_server_ends_at_the_request_deadline() {
    let port = server();
    let out = common::tempdir("http-trickle");
    let started = std::time::Instant::now();
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/trickle"),
        &["--trials", "2", "--request-timeout", "2s"],
    );
    let took = started.elapsed();
    // Every trial failed: the run measured nothing, and says so with exit 2.
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("FAILED: no trial succeeded"), "{err}");
    assert!(
        took < Duration::from_secs(20),
        "two 2 s deadlines, not forever: {took:?}"
    );
    let b = bundle(&out);
    assert_eq!(b.run.status, kokoro_bench_bundle::schema::RunStatus::Failed);
    for t in &b.cases[0].trials {
        let e = t.error.as_ref().unwrap();
        assert_eq!(e.kind, ErrorKind::Deadline, "{}", e.message);
        assert!(e.message.contains("--request-timeout"), "{}", e.message);
    }
}

#[test]
fn ctrl_c_abandons_the_request_in_flight_and_keeps_every_finished_trial() {
    let port = server();
    let out = common::tempdir("http-ctrlc");
    let child = common::bin()
        .args([
            "run", "--target", "http", "--voice", "af_test", "--preset", "short", "--warmup", "0",
        ])
        .args(["--trials", "50", "--suite", "ttfa,rtf,streaming", "--url"])
        .arg(format!("http://127.0.0.1:{port}/slow"))
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until two trials are on disk (the bundle is rewritten after every trial).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let n = std::fs::read_dir(out.join("runs"))
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .and_then(|e| std::fs::read(e.path().join("bundle.json")).ok())
            .and_then(|b| read_bundle(&b).ok())
            .map(|l| l.bundle.cases.iter().map(|c| c.trials.len()).sum::<usize>())
            .unwrap_or(0);
        if n >= 2 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no trial finished");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(400)); // mid-request
    let interrupted_at = std::time::Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let stopped_in = interrupted_at.elapsed();
    assert!(
        stopped_in < Duration::from_secs(2),
        "the request in flight is abandoned at once: {stopped_in:?}"
    );
    let b = bundle(&out);
    assert_eq!(
        b.run.status,
        kokoro_bench_bundle::schema::RunStatus::Interrupted,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let trials = &b.cases[0].trials;
    assert!(trials.len() >= 2 && trials.len() < 50, "{}", trials.len());
    assert!(
        trials.iter().all(|t| t.error.is_none()),
        "the abandoned request is not a failed trial"
    );
    assert!(
        b.notes.iter().any(|n| n.message.contains("abandoned")),
        "{:?}",
        b.notes
    );
}

#[test]
fn redirects_interim_responses_encodings_and_bad_framing_are_handled_by_name() {
    let port = server();
    let url = |p: &str| format!("http://127.0.0.1:{port}{p}");
    // A 307 stops the run at once with where it points, unless followed.
    let out = common::tempdir("http-307");
    let (code, err) = run(&out, &url("/moved"), &["--trials", "5"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("HTTP 307 redirect to `/ka`") && err.contains("--follow-redirects"),
        "{err}"
    );
    assert_eq!(
        bundle(&out).cases[0].trials.len(),
        1,
        "a redirect must not burn trials"
    );
    let out = common::tempdir("http-307-follow");
    let (code, err) = run(
        &out,
        &url("/moved"),
        &["--trials", "1", "--follow-redirects"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        bundle(&out).cases[0].trials[0].samples as usize,
        real_pcm().len() / 2
    );
    let out = common::tempdir("http-302");
    let (code, err) = run(
        &out,
        &url("/found"),
        &["--trials", "1", "--follow-redirects"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("would turn the POST into a GET"), "{err}");
    // 1xx heads are skipped.
    let out = common::tempdir("http-1xx");
    let (code, err) = run(&out, &url("/interim"), &["--trials", "1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        bundle(&out).cases[0].trials[0].samples as usize,
        real_pcm().len() / 2
    );
    // br is decoded and flagged by name; an encoding nobody decodes fails the trial by name.
    let out = common::tempdir("http-br");
    let (code, err) = run(&out, &url("/br"), &["--trials", "1"]);
    assert_eq!(code, 0, "{err}");
    let b = bundle(&out);
    let t = &b.cases[0].trials[0];
    assert_eq!(t.samples as usize, real_pcm().len() / 2);
    assert!(
        t.flags.contains(&TrialFlag::ContentEncoding("br".into())),
        "{:?}",
        t.flags
    );
    assert!(b.has_note(&NoteCode::CompressedAudio));
    for (path, kind, words) in [
        ("/zstd", ErrorKind::NotDecodable, "zstd"),
        (
            "/conflict",
            ErrorKind::Protocol,
            "conflicting Content-Length",
        ),
        ("/longchunk", ErrorKind::Protocol, "longer than 1024 bytes"),
    ] {
        let out = common::tempdir("http-bad");
        let (code, err) = run(&out, &url(path), &["--trials", "1"]);
        assert_eq!(code, 2, "{path}: nothing succeeded: {err}");
        let e = bundle(&out).cases[0].trials[0].error.clone().unwrap();
        assert_eq!(e.kind, kind, "{path}: {}", e.message);
        assert!(e.message.contains(words), "{path}: {}", e.message);
    }
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_containing(&p, needle));
        } else if std::fs::read(&p)
            .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
        {
            out.push(p);
        }
    }
    out
}

#[test]
fn tokens_given_on_the_command_line_are_written_nowhere() {
    let port = server();
    let out = common::tempdir("http-secrets");
    let token = "s3cr3tT0kenValue9876543210";
    let env_token = "envT0kenValue1234567890abc";
    let o = common::bin()
        .args([
            "run", "--target", "http", "--voice", "af_test", "--preset", "short", "--warmup", "0",
        ])
        .args([
            "--trials",
            "1",
            "--suite",
            "ttfa,rtf,streaming,quality",
            "--out",
        ])
        .arg(&out)
        .arg("--url")
        .arg(format!(
            "http://user:{token}@127.0.0.1:{port}/ka?api_key={token}&x=1"
        ))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--payload-extra",
            &format!(r#"{{"api_key": "{token}", "lang": "en-us"}}"#),
        ])
        .args(["--header-env", "X-Api-Key=KB_TEST_KEY"])
        .env("KB_TEST_KEY", env_token)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains(token) && !stderr.contains(env_token),
        "the log: {stderr}"
    );
    let b = bundle(&out);
    assert!(
        b.run
            .command_line
            .iter()
            .any(|a| a.contains("Authorization: <redacted>")),
        "{:?}",
        b.run.command_line
    );
    assert!(b
        .provenance
        .http
        .as_ref()
        .unwrap()
        .url
        .contains("<redacted>@127.0.0.1"));
    let site = common::tempdir("http-secrets-site");
    std::fs::write(site.join("index.html"), "<!doctype html>").unwrap();
    let p = common::bin()
        .arg("publish")
        .arg("--artifacts")
        .arg(&out)
        .arg("--site")
        .arg(&site)
        .output()
        .unwrap();
    assert_eq!(
        p.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&p.stderr)
    );
    for dir in [&out, &site] {
        for t in [token, env_token] {
            let found = files_containing(dir, t);
            assert!(found.is_empty(), "the token is in {found:?}");
        }
    }
    // A bundle that still holds one (an older tool, a hand edit) is refused by name and path.
    let f = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
        .join("bundle.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
    v["run"]["command_line"] =
        serde_json::json!(["run", format!("--header=Authorization: Bearer {token}")]);
    v["run"]["id"] = "tampered".into();
    let tampered = out.join("runs/tampered");
    std::fs::create_dir_all(&tampered).unwrap();
    std::fs::write(
        tampered.join("bundle.json"),
        serde_json::to_vec(&v).unwrap(),
    )
    .unwrap();
    let mut idx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    let mut entry = idx["runs"][0].clone();
    entry["id"] = "tampered".into();
    entry["path"] = "runs/tampered/bundle.json".into();
    entry["sha256"] = "".into();
    idx["runs"].as_array_mut().unwrap().push(entry);
    std::fs::write(out.join("index.json"), serde_json::to_vec(&idx).unwrap()).unwrap();
    let p = common::bin()
        .arg("publish")
        .arg("--artifacts")
        .arg(&out)
        .arg("--site")
        .arg(&site)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&p.stderr);
    assert_eq!(p.status.code(), Some(2), "{err}");
    assert!(
        err.contains("tampered/bundle.json looks like it holds a secret")
            && err.contains("$.run.command_line[1]"),
        "{err}"
    );
    assert!(
        !err.contains(token),
        "the refusal does not print the secret: {err}"
    );
}

/// A real TCP port forwarder (a copy of python3 named `docker-proxy`, as Docker runs one per
/// published port) from a new port to `target`. Returns the process and its port.
fn docker_proxy(target: u16) -> (std::process::Child, u16) {
    let dir = common::tempdir("docker-proxy");
    let exe = dir.join("docker-proxy");
    std::fs::copy(which_python(), &exe).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = format!(
        r#"
import socket, threading
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d: break
            b.sendall(d)
    except OSError: pass
    finally:
        for s in (a, b):
            try: s.shutdown(socket.SHUT_RDWR)
            except OSError: pass
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", {port})); l.listen(16)
while True:
    c, _ = l.accept()
    u = socket.create_connection(("127.0.0.1", {target}))
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
"#
    );
    let child = std::process::Command::new(&exe)
        .arg("-c")
        .arg(script)
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

fn which_python() -> PathBuf {
    // The interpreter itself, not a version manager's shim script.
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import os, sys; print(os.path.realpath(sys.executable))",
        ])
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

#[test]
fn a_port_owned_by_docker_proxy_is_not_sampled_as_the_server() {
    let target = server();
    let (mut proxy, port) = docker_proxy(target);
    let out = common::tempdir("http-docker-proxy");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/ka"),
        &["--trials", "1", "--suite", "ttfa,rtf,memory"],
    );
    proxy.kill().ok();
    assert_eq!(code, 0, "{err}");
    let b = bundle(&out);
    assert!(
        b.cases[0].trials.iter().all(|t| t.error.is_none()),
        "the audio came through the forwarder"
    );
    assert!(
        b.memory.is_none(),
        "the forwarder's memory is not the server's"
    );
    let note = b
        .notes
        .iter()
        .find(|n| n.code == NoteCode::MemoryNotSampled)
        .expect("a note says why");
    assert!(
        note.message.contains("docker-proxy") && note.message.contains("--server-pid"),
        "{}",
        note.message
    );
}

#[test]
fn the_sampled_server_is_named_with_its_command_line() {
    let port = server(); // this test process serves: the sampled "server" is the test binary
    let out = common::tempdir("http-identity");
    let (code, err) = run(
        &out,
        &format!("http://127.0.0.1:{port}/ka"),
        &["--trials", "1", "--suite", "ttfa,rtf,memory"],
    );
    assert_eq!(code, 0, "{err}");
    let m = bundle(&out).memory.expect("sampled");
    assert_eq!(m.pid, std::process::id());
    assert!(
        m.process_name.as_deref().is_some_and(|n| !n.is_empty()),
        "{m:?}"
    );
    assert!(
        m.process_command
            .as_deref()
            .is_some_and(|c| c.contains("http")),
        "{:?}",
        m.process_command
    );
    assert!(
        m.tree_pids.contains(&std::process::id()),
        "{:?}",
        m.tree_pids
    );
}

/// This machine's non-loopback IPv4 address (a route lookup: no packet is sent).
fn local_ip() -> std::net::IpAddr {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    s.connect("10.255.255.255:1").unwrap();
    let ip = s.local_addr().unwrap().ip();
    assert!(
        !ip.is_loopback(),
        "the proxy test needs a non-loopback address (loopback is never proxied)"
    );
    ip
}

/// An HTTP proxy: absolute-form requests are forwarded, `CONNECT` opens a tunnel. Counts what it
/// carried: (absolute-form requests, tunnels).
fn proxy_server() -> (
    u16,
    std::sync::Arc<(
        std::sync::atomic::AtomicUsize,
        std::sync::atomic::AtomicUsize,
    )>,
) {
    use std::sync::atomic::Ordering;
    let seen = std::sync::Arc::new((
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    ));
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let counts = seen.clone();
    std::thread::spawn(move || {
        for mut c in l.incoming().flatten() {
            let counts = counts.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && c.read(&mut b).unwrap_or(0) == 1 {
                    head.push(b[0]);
                }
                let text = String::from_utf8_lossy(&head).to_string();
                let first = text.lines().next().unwrap_or("").to_string();
                let mut parts = first.split_whitespace();
                let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let (authority, rewritten) = if method == "CONNECT" {
                    counts.1.fetch_add(1, Ordering::SeqCst);
                    let _ = c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                    (target.to_string(), Vec::new())
                } else {
                    counts.0.fetch_add(1, Ordering::SeqCst);
                    let rest = target.trim_start_matches("http://");
                    let (auth, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                    let origin_form = text.replacen(target, path, 1);
                    (auth.to_string(), origin_form.into_bytes())
                };
                let Ok(mut up) = std::net::TcpStream::connect(&authority) else {
                    return;
                };
                let _ = up.write_all(&rewritten);
                let (mut c2, mut up2) = (c.try_clone().unwrap(), up.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut up2);
                });
                let _ = std::io::copy(&mut up, &mut c);
            });
        }
    });
    (port, seen)
}

#[test]
fn http_and_https_go_through_the_environments_proxy_and_say_so() {
    use std::sync::atomic::Ordering;
    let ip = local_ip();
    // The in-test servers listen on every address so the non-loopback one is reachable.
    real_pcm();
    let l = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || handle(s));
        }
    });
    let (proxy_port, seen) = proxy_server();
    let out = common::tempdir("http-proxy");
    let o = common::bin()
        .args([
            "run", "--target", "http", "--voice", "af_test", "--preset", "short", "--warmup", "0",
        ])
        .args(["--trials", "2", "--suite", "ttfa,rtf", "--out"])
        .arg(&out)
        .arg("--url")
        .arg(format!("http://{ip}:{port}/ka"))
        .env("http_proxy", format!("http://127.0.0.1:{proxy_port}"))
        .env_remove("no_proxy")
        .env_remove("NO_PROXY")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let b = bundle(&out);
    assert!(
        b.cases[0]
            .trials
            .iter()
            .all(|t| t.flags.contains(&TrialFlag::ViaProxy)),
        "every trial says so"
    );
    assert!(b.has_note(&NoteCode::ViaProxy));
    assert!(
        seen.0.load(Ordering::SeqCst) >= 2,
        "absolute-form requests through the proxy"
    );
    // https: a CONNECT tunnel, TLS end to end through it (the certificate names this address).
    let (tls_port, pem) = tls_server_on("0.0.0.0", &ip.to_string());
    let dir = common::tempdir("https-proxy");
    std::fs::write(dir.join("ca.pem"), pem).unwrap();
    let o = common::bin()
        .args([
            "run", "--target", "http", "--voice", "af_test", "--preset", "short", "--warmup", "0",
        ])
        .args(["--trials", "1", "--suite", "ttfa,rtf", "--out"])
        .arg(dir.join("out"))
        .arg("--url")
        .arg(format!("https://{ip}:{tls_port}/stall"))
        .arg("--ca-cert")
        .arg(dir.join("ca.pem"))
        .env("https_proxy", format!("127.0.0.1:{proxy_port}"))
        .env_remove("no_proxy")
        .env_remove("NO_PROXY")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let t = &bundle(&dir.join("out")).cases[0].trials[0];
    assert!(
        t.flags.contains(&TrialFlag::ViaProxy) && t.tls_handshake_ms.is_some(),
        "{t:?}"
    );
    assert!(seen.1.load(Ordering::SeqCst) >= 1, "a CONNECT tunnel");
    // NO_PROXY exempts the host: direct again.
    let out = common::tempdir("http-noproxy");
    let o = common::bin()
        .args([
            "run", "--target", "http", "--voice", "af_test", "--preset", "short", "--warmup", "0",
        ])
        .args(["--trials", "1", "--suite", "ttfa,rtf", "--out"])
        .arg(&out)
        .arg("--url")
        .arg(format!("http://{ip}:{port}/ka"))
        .env("http_proxy", format!("http://127.0.0.1:{proxy_port}"))
        .env("NO_PROXY", ip.to_string())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!bundle(&out).cases[0].trials[0]
        .flags
        .contains(&TrialFlag::ViaProxy));
}
