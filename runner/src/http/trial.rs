//! One trial against an HTTP server: request sent, response headers, first body byte, first PCM
//! sample, first audible sample, every read that carried audio (a "chunk"), last byte.

use super::pcm::AudioParser;
use super::wire::{post, WireError};
use super::{AudioFormat, HttpConfig};
use crate::run::trial::TrialOutput;
use kokoro_bench_bundle::schema::{ChunkSeries, Trial, TrialError, TrialKind};
use std::collections::BTreeMap;
use std::time::Instant;

/// A trial's output plus what only HTTP has.
pub struct HttpTrialOutput {
    /// The trial and its audio.
    pub out: TrialOutput,
    /// Response headers.
    pub headers: BTreeMap<String, String>,
    /// Set for 4xx: the server's message (the run stops: a schema mismatch should not burn trials).
    pub fatal: Option<String>,
}

fn fail(trial: &mut Trial, kind: &str, message: String) {
    trial.error = Some(TrialError {
        kind: kind.into(),
        message,
    });
}

/// Runs one request and measures it.
pub fn run_trial(
    cfg: &HttpConfig,
    text: &str,
    settings: &crate::run::target::RequestSettings,
    index: u32,
    kind: TrialKind,
    run_origin: Instant,
) -> HttpTrialOutput {
    let payload =
        serde_json::to_vec(&cfg.payload(text, &settings.voice, settings.speed)).unwrap_or_default();
    let audible_threshold_dbfs = settings.audible_threshold_dbfs;
    let start = Instant::now();
    let ms = |t: Instant| t.duration_since(start).as_secs_f64() * 1000.0;
    let mut trial = Trial {
        index,
        kind,
        start_ms: start.duration_since(run_origin).as_secs_f64() * 1000.0,
        ..Default::default()
    };
    let mut samples = Vec::new();
    let joins = Vec::new();
    let mut chunks = ChunkSeries::default();
    let mut headers = BTreeMap::new();
    let mut fatal = None;
    let mut parser = AudioParser::new(cfg.pcm_rate_hz, cfg.format == AudioFormat::Wav);
    let mut last_byte = None;
    match post(
        &cfg.url,
        cfg.tls.as_ref(),
        &cfg.headers,
        &payload,
        cfg.timeout,
        cfg.keep_alive,
    ) {
        Err(e) => fail(&mut trial, e.kind(), format!("{e} ({})", cfg.url_text)),
        Ok((head, _t_headers, mut body, timing)) => {
            trial.connect_ms = timing.connect_ms;
            trial.tls_handshake_ms = timing.tls_handshake_ms;
            if timing.reused {
                trial.flags.push("connection_reused".into());
            }
            if timing.retried {
                trial.flags.push("connection_retried".into());
            }
            headers = head.headers.iter().cloned().collect();
            if body.gzip_encoded {
                trial.flags.push("content_encoding_gzip".into());
            }
            if head.status >= 400 {
                let msg = body.text();
                let kind = if head.status < 500 {
                    "http_4xx"
                } else {
                    "http_5xx"
                };
                let message = format!(
                    "HTTP {}: {} ({})",
                    head.status,
                    msg.chars().take(500).collect::<String>(),
                    cfg.url_text
                );
                if head.status < 500 {
                    fatal = Some(message.clone());
                }
                fail(&mut trial, kind, message);
            } else {
                loop {
                    match body.next_piece() {
                        Ok(Some((t, bytes))) => {
                            let t_ms = ms(t);
                            trial.ttfb_ms.get_or_insert(t_ms);
                            last_byte = Some(t_ms);
                            let got = parser.feed(&bytes);
                            if let Some(e) = &parser.error {
                                fail(&mut trial, "not_audio", format!("{e} ({})", cfg.url_text));
                                break;
                            }
                            if !got.is_empty() {
                                // Socket reads are not synthesis joins: no join list for HTTP.
                                chunks.t_ms.push(t_ms);
                                chunks.samples.push(got.len() as u32);
                                samples.extend(got);
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            let kind = match &e {
                                WireError::Timeout(_) => "timeout",
                                WireError::EndedEarly(_) => "stream_ended_early",
                                _ => e.kind(),
                            };
                            fail(&mut trial, kind, format!("{e} ({})", cfg.url_text));
                            break;
                        }
                    }
                }
                if trial.error.is_none() && parser.leftover() > 0 {
                    trial
                        .flags
                        .push(format!("truncated_frame_{}_bytes", parser.leftover()));
                }
                if trial.error.is_none() && samples.is_empty() {
                    fail(
                        &mut trial,
                        "no_audio",
                        format!("the response carried no audio samples ({})", cfg.url_text),
                    );
                }
            }
        }
    }
    let sr = parser.sample_rate_hz().unwrap_or(cfg.pcm_rate_hz);
    trial.sample_rate_hz = sr;
    trial.samples = samples.len() as u64;
    trial.audio_s = samples.len() as f64 / sr as f64;
    trial.ttfa_ms = chunks.t_ms.first().copied();
    trial.total_ms = last_byte;
    trial.chunks = chunks;
    crate::run::trial::finish(&mut trial, &samples, audible_threshold_dbfs);
    HttpTrialOutput {
        out: TrialOutput {
            trial,
            samples,
            joins,
        },
        headers,
        fatal,
    }
}
