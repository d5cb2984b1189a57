//! One trial against an HTTP server: request sent, response headers, first body byte, first PCM
//! sample, first audible sample, every read that carried audio (a "chunk"), last byte — within
//! the request's limits (total deadline, idle deadline, Ctrl-C), following a 307/308 redirect only
//! when asked.

use super::error::WireError;
use super::limits::Limits;
use super::response::{Body, Method, Post, Response};
use super::sse::SseAudio;
use super::url::resolve;
use super::{AudioFormat, HttpConfig};
use crate::measure::pcm::AudioParser;
use crate::targets::progress::Progress;
use crate::targets::{finish, Outcome, Request, TrialOutput};
use kokoro_bench_bundle::schema::{ChunkSeries, ErrorKind, Trial, TrialError, TrialFlag};
use std::collections::BTreeMap;
use std::time::Instant;

/// Redirects followed at most (with `--follow-redirects`).
const MAX_REDIRECTS: usize = 5;

fn fail(trial: &mut Trial, kind: ErrorKind, message: String) {
    trial.error = Some(TrialError { kind, message });
}

/// What the body carried: audio pieces on the trial's clock.
#[derive(Default)]
struct Received {
    chunks: ChunkSeries,
    samples: Vec<f32>,
    last_byte_ms: Option<f64>,
}

/// Reads the body piece by piece into the trace; a read failure or a non-audio body becomes the
/// trial's error, what arrived before it is kept.
fn read_audio(
    url: &str,
    body: &mut Body<'_>,
    parser: &mut AudioParser,
    mut sse: Option<&mut SseAudio>,
    trial: &mut Trial,
    (start, progress): (Instant, Option<&Progress>),
) -> Received {
    let ms = |t: Instant| t.duration_since(start).as_secs_f64() * 1000.0;
    let mut got = Received::default();
    loop {
        match body.next_piece() {
            Ok(Some((t, bytes))) => {
                let t_ms = ms(t);
                trial.ttfb_ms.get_or_insert(t_ms);
                got.last_byte_ms = Some(t_ms);
                let bytes = match sse.as_deref_mut() {
                    Some(events) => {
                        let audio = events.feed(&bytes);
                        if let Some(e) = &events.error {
                            fail(trial, ErrorKind::NotAudio, format!("{e} ({url})"));
                            break;
                        }
                        audio
                    }
                    None => bytes,
                };
                let pcm = parser.feed(&bytes);
                if let Some(e) = &parser.error {
                    fail(trial, ErrorKind::NotAudio, format!("{e} ({url})"));
                    break;
                }
                if !pcm.is_empty() {
                    if let Some(rate) = parser.sample_rate_hz() {
                        crate::targets::progress::report(progress, pcm.len(), rate);
                    }
                    // Socket reads are not synthesis joins: no join list for HTTP.
                    got.chunks.t_ms.push(t_ms);
                    got.chunks.samples.push(pcm.len() as u32);
                    got.samples.extend(pcm);
                }
            }
            Ok(None) => {
                if let Some(events) = sse {
                    if let Some(e) = events.finish() {
                        fail(trial, ErrorKind::StreamEndedEarly, format!("{e} ({url})"));
                    }
                    trial.usage = events.done.clone();
                }
                break;
            }
            Err(e) => {
                fail(trial, e.kind(), format!("{e} ({url})"));
                break;
            }
        }
    }
    got
}

/// Sends the POST, following 307/308 redirects when configured; a redirect not followed is an
/// error naming its status and `Location`.
fn post<'a>(
    cfg: &'a HttpConfig,
    payload: &'a [u8],
    limits: Limits<'a>,
) -> Result<Response<'a>, WireError> {
    let mut url = cfg.url.clone();
    for _ in 0..=MAX_REDIRECTS {
        let resp = Post {
            method: Method::Post,
            url: url.clone(),
            tls: cfg.tls.as_ref(),
            headers: &cfg.headers,
            body: payload,
            limits,
            keep_alive: cfg.keep_alive,
        }
        .send_and_read_head()?;
        let status = resp.head.status;
        if !(300..400).contains(&status) {
            return Ok(resp);
        }
        let location = resp.head.header("location").unwrap_or("").to_string();
        let keeps_post = matches!(status, 307 | 308);
        if !(cfg.follow_redirects && keeps_post) || location.is_empty() {
            return Err(WireError::Redirect { status, location });
        }
        url = resolve(&url, &location).map_err(WireError::Protocol)?;
        if url.tls && cfg.tls.is_none() {
            return Err(WireError::Tls(format!(
                "redirected to https:// ({location}) but the run was set up for plain http: pass the https URL with --url"
            )));
        }
    }
    Err(WireError::Protocol(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}

/// Records what the response head says about the connection and the body.
fn note_head(trial: &mut Trial, resp: &Response<'_>) {
    trial.connect_ms = resp.timing.connect_ms;
    trial.tls_handshake_ms = resp.timing.tls_handshake_ms;
    if resp.timing.reused {
        trial.flags.push(TrialFlag::ConnectionReused);
    }
    if resp.timing.retried {
        trial.flags.push(TrialFlag::ConnectionRetried);
    }
    if resp.timing.via_proxy {
        trial.flags.push(TrialFlag::ViaProxy);
    }
    if let Some(enc) = resp.body.encoding() {
        trial.flags.push(TrialFlag::ContentEncoding(enc));
    }
}

/// The message of an error status, and whether it must stop the run (4xx: the request is wrong).
fn error_status(cfg: &HttpConfig, status: u16, body: Body<'_>) -> (ErrorKind, String, bool) {
    // A server may echo what it was sent (a token): scrub before it is written anywhere.
    let msg = crate::redact::scrub(&readable_body(&body.text()));
    let message = format!(
        "HTTP {status}: {} ({})",
        msg.chars().take(500).collect::<String>(),
        cfg.url_text
    );
    if status < 500 {
        let hint = "; the server refused the request: check --dialect, --voice, --speed, --format and --payload-extra against its API";
        (ErrorKind::Http4xx, format!("{message}{hint}"), true)
    } else {
        (ErrorKind::Http5xx, message, false)
    }
}

/// An error body as a person reads it: the message inside a JSON error (`{"detail": …}` from
/// FastAPI, `{"error": {"message": …}}` from OpenAI, also as one server-sent `data:` line) rather
/// than escaped JSON; any other body as sent.
fn readable_body(text: &str) -> String {
    fn message(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Object(o) => ["message", "detail", "error", "msg"]
                .iter()
                .find_map(|k| o.get(*k).and_then(message)),
            // FastAPI's validation errors: a list of {loc, msg}.
            serde_json::Value::Array(a) => {
                let parts: Vec<String> = a.iter().filter_map(message).collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            }
            _ => None,
        }
    }
    let trimmed = text.trim();
    let json = trimmed
        .lines()
        .map(|l| l.trim().strip_prefix("data:").map_or(l.trim(), str::trim))
        .find(|l| l.starts_with('{'))
        .unwrap_or(trimmed);
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .filter(serde_json::Value::is_object)
        .and_then(|v| message(&v))
        .unwrap_or_else(|| text.to_string())
}

/// Why a redirect stopped the run, and what to do.
fn redirect_message(cfg: &HttpConfig, status: u16, location: &str) -> String {
    let how = if matches!(status, 307 | 308) {
        "use that URL with --url, or pass --follow-redirects"
    } else {
        "a 301/302/303 would turn the POST into a GET, so it is never followed: use that URL with --url"
    };
    format!(
        "HTTP {status} redirect to `{location}` ({}): {how}",
        cfg.url_text
    )
}

/// Runs one request and measures it.
pub fn run_trial(cfg: &HttpConfig, req: &Request<'_>) -> Outcome {
    let payload =
        serde_json::to_vec(&cfg.payload(req.text, req.voice, req.speed)).unwrap_or_default();
    let start = Instant::now();
    let limits = Limits {
        started: start,
        total: req.timeout,
        idle: cfg.idle,
        cancel: req.cancel,
        poll: crate::targets::limits::poll_for(req),
    };
    let mut trial = Trial {
        index: req.index,
        kind: req.kind,
        start_ms: start.duration_since(req.origin).as_secs_f64() * 1000.0,
        ..Default::default()
    };
    let (mut headers, mut fatal) = (BTreeMap::new(), None);
    let mut parser = match cfg.format {
        AudioFormat::Wav => AudioParser::new(cfg.pcm_rate_hz, true),
        AudioFormat::Pcm => AudioParser::raw(cfg.pcm_rate_hz, cfg.pcm_format),
    };
    let mut received = Received::default();
    match post(cfg, &payload, limits) {
        Err(WireError::Redirect { status, location }) => {
            let message = redirect_message(cfg, status, &location);
            fatal = Some(message.clone());
            fail(&mut trial, ErrorKind::Redirect, message);
        }
        Err(e) => fail(&mut trial, e.kind(), format!("{e} ({})", cfg.url_text)),
        Ok(mut resp) => {
            note_head(&mut trial, &resp);
            headers = resp.head.headers.iter().cloned().collect();
            let status = resp.head.status;
            if status >= 400 {
                let (kind, message, stop) = error_status(cfg, status, resp.body);
                fatal = stop.then(|| message.clone());
                fail(&mut trial, kind, message);
            } else {
                // Server-sent events wrap the audio in base64 deltas, whatever was asked.
                let mut events = super::sse::is_event_stream(resp.head.header("content-type"))
                    .then(SseAudio::default);
                received = read_audio(
                    &cfg.url_text,
                    &mut resp.body,
                    &mut parser,
                    events.as_mut(),
                    &mut trial,
                    (start, req.progress),
                );
                if trial.error.is_none() && parser.leftover() > 0 {
                    trial
                        .flags
                        .push(TrialFlag::TruncatedFrame(parser.leftover() as u64));
                }
                if trial.error.is_none() && received.samples.is_empty() {
                    fail(
                        &mut trial,
                        ErrorKind::NoAudio,
                        format!("the response carried no audio samples ({})", cfg.url_text),
                    );
                }
            }
        }
    }
    let Received {
        chunks,
        samples,
        last_byte_ms,
    } = received;
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

#[cfg(test)]
mod tests {
    use super::readable_body;

    #[test]
    fn json_error_bodies_read_as_their_message() {
        assert_eq!(
            readable_body(r#"{"detail":"voice \"x\" not found"}"#),
            "voice \"x\" not found"
        );
        assert_eq!(
            readable_body(r#"{"error":{"message":"Rate limit","type":"requests"}}"#),
            "Rate limit"
        );
        assert_eq!(
            readable_body("event: error\ndata: {\"error\": {\"message\": \"boom\"}}\n\n"),
            "boom"
        );
        assert_eq!(
            readable_body(r#"{"detail":[{"loc":["body","input"],"msg":"field required"}]}"#),
            "field required"
        );
        assert_eq!(
            readable_body("Internal Server Error"),
            "Internal Server Error"
        );
        assert_eq!(readable_body("[1, 2]"), "[1, 2]");
    }
}
