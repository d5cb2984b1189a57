//! One trial against an HTTP server: request sent, response headers, first body byte, first PCM
//! sample, first audible sample, every read that carried audio (a "chunk"), last byte.

use super::error::WireError;
use super::pcm::AudioParser;
use super::response::{Body, Post};
use super::{AudioFormat, HttpConfig};
use crate::target::{finish, Outcome, Request, TrialOutput};
use kokoro_bench_bundle::schema::{ChunkSeries, ErrorKind, Trial, TrialError, TrialFlag};
use std::collections::BTreeMap;
use std::time::Instant;

fn fail(trial: &mut Trial, kind: ErrorKind, message: String) {
    trial.error = Some(TrialError { kind, message });
}

/// What the body carried: audio pieces on the trial's clock.
struct Received {
    chunks: ChunkSeries,
    samples: Vec<f32>,
    last_byte_ms: Option<f64>,
}

/// Reads the body piece by piece into the trace; a read failure or a non-audio body becomes the
/// trial's error, what arrived before it is kept.
fn read_audio(
    cfg: &HttpConfig,
    body: &mut Body,
    parser: &mut AudioParser,
    trial: &mut Trial,
    start: Instant,
) -> Received {
    let ms = |t: Instant| t.duration_since(start).as_secs_f64() * 1000.0;
    let mut got = Received {
        chunks: ChunkSeries::default(),
        samples: Vec::new(),
        last_byte_ms: None,
    };
    loop {
        match body.next_piece() {
            Ok(Some((t, bytes))) => {
                let t_ms = ms(t);
                trial.ttfb_ms.get_or_insert(t_ms);
                got.last_byte_ms = Some(t_ms);
                let pcm = parser.feed(&bytes);
                if let Some(e) = &parser.error {
                    fail(
                        trial,
                        ErrorKind::NotAudio,
                        format!("{e} ({})", cfg.url_text),
                    );
                    break;
                }
                if !pcm.is_empty() {
                    // Socket reads are not synthesis joins: no join list for HTTP.
                    got.chunks.t_ms.push(t_ms);
                    got.chunks.samples.push(pcm.len() as u32);
                    got.samples.extend(pcm);
                }
            }
            Ok(None) => break,
            Err(e) => {
                let kind = match &e {
                    WireError::Timeout(_) => ErrorKind::Timeout,
                    WireError::EndedEarly(_) => ErrorKind::StreamEndedEarly,
                    _ => e.kind(),
                };
                fail(trial, kind, format!("{e} ({})", cfg.url_text));
                break;
            }
        }
    }
    got
}

/// Runs one request and measures it.
pub fn run_trial(cfg: &HttpConfig, req: &Request<'_>) -> Outcome {
    let payload =
        serde_json::to_vec(&cfg.payload(req.text, req.voice, req.speed)).unwrap_or_default();
    let start = Instant::now();
    let mut trial = Trial {
        index: req.index,
        kind: req.kind,
        start_ms: start.duration_since(req.origin).as_secs_f64() * 1000.0,
        ..Default::default()
    };
    let mut headers = BTreeMap::new();
    let mut fatal = None;
    let mut parser = AudioParser::new(cfg.pcm_rate_hz, cfg.format == AudioFormat::Wav);
    let mut received = None;
    let post = Post {
        url: &cfg.url,
        tls: cfg.tls.as_ref(),
        headers: &cfg.headers,
        body: &payload,
        timeout: cfg.timeout,
        keep_alive: cfg.keep_alive,
    };
    match post.send_and_read_head() {
        Err(e) => fail(&mut trial, e.kind(), format!("{e} ({})", cfg.url_text)),
        Ok(mut resp) => {
            trial.connect_ms = resp.timing.connect_ms;
            trial.tls_handshake_ms = resp.timing.tls_handshake_ms;
            if resp.timing.reused {
                trial.flags.push(TrialFlag::ConnectionReused);
            }
            if resp.timing.retried {
                trial.flags.push(TrialFlag::ConnectionRetried);
            }
            headers = resp.head.headers.iter().cloned().collect();
            if resp.body.gzip_encoded {
                trial.flags.push(TrialFlag::ContentEncodingGzip);
            }
            let status = resp.head.status;
            if status >= 400 {
                let msg = resp.body.text();
                let message = format!(
                    "HTTP {status}: {} ({})",
                    msg.chars().take(500).collect::<String>(),
                    cfg.url_text
                );
                let kind = if status < 500 {
                    fatal = Some(message.clone());
                    ErrorKind::Http4xx
                } else {
                    ErrorKind::Http5xx
                };
                fail(&mut trial, kind, message);
            } else {
                let got = read_audio(cfg, &mut resp.body, &mut parser, &mut trial, start);
                if trial.error.is_none() && parser.leftover() > 0 {
                    trial
                        .flags
                        .push(TrialFlag::TruncatedFrame(parser.leftover() as u64));
                }
                if trial.error.is_none() && got.samples.is_empty() {
                    fail(
                        &mut trial,
                        ErrorKind::NoAudio,
                        format!("the response carried no audio samples ({})", cfg.url_text),
                    );
                }
                received = Some(got);
            }
        }
    }
    let Received {
        chunks,
        samples,
        last_byte_ms,
    } = received.unwrap_or(Received {
        chunks: ChunkSeries::default(),
        samples: Vec::new(),
        last_byte_ms: None,
    });
    let sr = parser.sample_rate_hz().unwrap_or(cfg.pcm_rate_hz);
    trial.sample_rate_hz = sr;
    trial.samples = samples.len() as u64;
    trial.audio_s = samples.len() as f64 / sr as f64;
    trial.ttfa_ms = chunks.t_ms.first().copied();
    trial.total_ms = last_byte_ms;
    trial.chunks = chunks;
    finish(
        &mut trial,
        &samples,
        req.audible_threshold_dbfs,
        req.prebuffer_ms,
    );
    Outcome {
        out: TrialOutput {
            trial,
            samples,
            joins: Vec::new(),
        },
        headers,
        fatal,
    }
}
