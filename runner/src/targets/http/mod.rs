//! The HTTP target: any OpenAI- or Kokoro-compatible `/v1/audio/speech` server, measured with
//! the same per-trial trace as the in-process engine.
//!
//! The client is written for measurement ([`response`]): every socket read is timestamped, the
//! framing and any compression are undone here and reported. [`url`] parses endpoints, [`conn`]
//! opens (and with keep-alive, pools) connections, [`trial`]
//! turns one request into a trial, [`server_pid`] finds the process to sample.

pub mod args;
pub mod conn;
pub mod decode;
pub mod error;
pub mod framing;
pub mod limits;
pub mod proxy;
pub mod response;
pub mod server_pid;
pub mod sse;
pub mod tls;
pub mod trial;
pub mod url;

use super::{CachePolicy, Outcome, Request, Sampled, Target, TargetSpec};
use anyhow::Result;
use clap::ValueEnum;
use kokoro_bench_bundle::schema::{
    HttpTarget, NonceStyle, NoteCode, NoteLevel, Provenance, TargetKind,
};
use std::time::Duration;

/// Request dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Dialect {
    /// OpenAI: `input`, `voice`, `response_format`, `speed`, `stream`.
    Openai,
    /// Kokoro servers of the seed's generation: `text`, `voice`, `format`, `lang`, `speed`, `stream`.
    Kokoro,
}

impl Dialect {
    /// Name recorded in bundles.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Openai => "openai",
            Dialect::Kokoro => "kokoro",
        }
    }
}

/// Audio format requested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AudioFormat {
    /// Raw 16-bit little-endian PCM.
    Pcm,
    /// WAV (streamed headers with placeholder sizes are fine).
    Wav,
}

/// Everything about the server and how to talk to it.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Endpoint.
    pub url: url::Url,
    /// The URL as given.
    pub url_text: String,
    /// Dialect.
    pub dialect: Dialect,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Extra JSON fields merged into the payload.
    pub payload_extra: serde_json::Map<String, serde_json::Value>,
    /// Audio format.
    pub format: AudioFormat,
    /// Sample rate of raw PCM.
    pub pcm_rate_hz: u32,
    /// Sample format of raw PCM.
    pub pcm_format: crate::measure::pcm::SampleFormat,
    /// Ask for a streamed response.
    pub stream: bool,
    /// Ask for server-sent events (`"stream_format": "sse"`, OpenAI dialect).
    pub sse: bool,
    /// Language field (kokoro dialect; openai when given).
    pub lang: Option<String>,
    /// The longest wait for the next byte (`--idle-timeout`).
    pub idle: Duration,
    /// Follow 307/308 redirects (other redirects would turn the POST into a GET: never).
    pub follow_redirects: bool,
    /// How every request's text is made unique (defeats caches); `None`: the same text each time.
    pub nonce: Option<NonceStyle>,
    /// A payload field set to `true` to ask the server not to cache.
    pub no_cache_field: Option<String>,
    /// TLS settings for `https://` URLs.
    pub tls: Option<tls::TlsConfig>,
    /// Reuse each client thread's connection across requests (`Connection: keep-alive`).
    pub keep_alive: bool,
}

impl HttpConfig {
    /// The audio format's name as the request carries it.
    pub fn format_name(&self) -> &'static str {
        match self.format {
            AudioFormat::Pcm => "pcm",
            AudioFormat::Wav => "wav",
        }
    }

    /// The JSON payload for a text.
    pub fn payload(&self, text: &str, voice: &str, speed: f32) -> serde_json::Value {
        let fmt = self.format_name();
        let mut m = serde_json::Map::new();
        match self.dialect {
            Dialect::Openai => {
                m.insert("model".into(), "kokoro".into());
                m.insert("input".into(), text.into());
                m.insert("response_format".into(), fmt.into());
            }
            Dialect::Kokoro => {
                m.insert("text".into(), text.into());
                m.insert("format".into(), fmt.into());
            }
        }
        m.insert("voice".into(), voice.into());
        m.insert("speed".into(), serde_json::json!(speed));
        m.insert("stream".into(), self.stream.into());
        if self.sse {
            m.insert("stream_format".into(), "sse".into());
        }
        if let Some(l) = &self.lang {
            m.insert("lang".into(), l.clone().into());
        }
        if let Some(f) = &self.no_cache_field {
            m.insert(f.clone(), true.into());
        }
        for (k, v) in &self.payload_extra {
            m.insert(k.clone(), v.clone());
        }
        serde_json::Value::Object(m)
    }
}

/// Sends a `GET` of `url_text` and reads the answer's head: the response and the URL as it may
/// be shown (redacted), for the errors of the callers.
fn get_head<'a>(
    url_text: &str,
    tls: Option<&'a tls::TlsConfig>,
    limits: limits::Limits<'a>,
) -> Result<(response::Response<'a>, String)> {
    let shown = crate::redact::url(url_text);
    let url = url::parse_url(url_text).map_err(|e| anyhow::anyhow!(crate::redact::scrub(&e)))?;
    let resp = response::Post {
        method: response::Method::Get,
        url,
        tls,
        headers: &[],
        body: &[],
        limits,
        keep_alive: false,
    }
    .send_and_read_head()
    .map_err(|e| anyhow::anyhow!("{e} ({shown})"))?;
    Ok((resp, shown))
}

/// Fetches `url` with a `GET` (bounded to `max_bytes`), for reading published sites.
///
/// # Errors
/// A bad URL, connect or read errors, a non-2xx status, or a body over `max_bytes`, all naming the
/// URL.
pub fn get(url_text: &str, tls: Option<&tls::TlsConfig>, max_bytes: usize) -> Result<Vec<u8>> {
    let limits = limits::Limits::new(Duration::from_secs(120), Duration::from_secs(30));
    let (mut resp, shown) = get_head(url_text, tls, limits)?;
    if !(200..300).contains(&resp.head.status) {
        anyhow::bail!("HTTP {} ({shown})", resp.head.status);
    }
    let mut out = Vec::new();
    while let Some((_, piece)) = resp
        .body
        .next_piece()
        .map_err(|e| anyhow::anyhow!("{e} ({shown})"))?
    {
        out.extend(piece);
        if out.len() > max_bytes {
            anyhow::bail!("more than {max_bytes} bytes ({shown})");
        }
    }
    Ok(out)
}

/// The server's `Date` header on a `GET` of `url_text` (whatever the status: a `405` from a
/// POST-only endpoint still carries the server's clock), for the clock check of sharded sweeps.
///
/// # Errors
/// A bad URL, connect or read errors, naming the URL.
pub fn server_date(url_text: &str, tls: Option<&tls::TlsConfig>) -> Result<Option<String>> {
    let limits = limits::Limits::new(Duration::from_secs(5), Duration::from_secs(5));
    let (resp, _) = get_head(url_text, tls, limits)?;
    Ok(resp.head.header("date").map(str::to_string))
}

/// Parses `K: V`.
///
/// # Errors
/// A message when there is no colon.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once(':')
        .ok_or_else(|| format!("--header `{s}`: write it as 'Name: value'"))?;
    if k.trim().is_empty() {
        return Err(format!("--header `{s}`: the name is empty"));
    }
    Ok((k.trim().to_string(), v.trim().to_string()))
}

/// The server as configured: how to reach it, and which process to sample.
pub struct HttpSpec {
    /// How to talk to it.
    pub cfg: HttpConfig,
    /// The server's PID when given (`--server-pid`); otherwise found from the port.
    pub server_pid: Option<u32>,
}

impl TargetSpec for HttpSpec {
    fn kind(&self) -> TargetKind {
        TargetKind::Http
    }

    fn sampled_process(&self) -> Sampled {
        let url = &self.cfg.url;
        if self.server_pid.is_none() && !server_pid::is_local_host(&url.host) {
            return Sampled::NotSampled(format!(
                "memory/CPU not sampled: {} is not this machine (run kokoro-bench beside the server to sample it)",
                url.host
            ));
        }
        let given = self.server_pid.is_some();
        match self.server_pid.or_else(|| server_pid::find_listener(url.port)) {
            Some(pid) => {
                let who = crate::measure::process::describe(pid);
                if let Some(w) = who.as_ref().filter(|w| w.is_port_forwarder() && !given) {
                    return Sampled::NotSampled(format!(
                        "memory/CPU not sampled: port {} belongs to `{}` (pid {}), which forwards it to a server elsewhere (a container or VM): its memory is not the server's. Pass --server-pid with the server's own PID (e.g. from `docker top <container>`), or run kokoro-bench where the server runs",
                        url.port, w.name, w.pid
                    ));
                }
                let what = match (&who, given) {
                    (Some(w), true) => format!("`{}` (pid {pid}, --server-pid) and its child processes", w.name),
                    (Some(w), false) => format!("`{}` listening on port {}, and its child processes", w.name, url.port),
                    (None, _) => format!("server pid {pid}"),
                };
                Sampled::Process { pid, what, scope: crate::measure::memory::Scope::Tree }
            }
            None => Sampled::NotSampled(format!(
                "memory/CPU not sampled: no process on this machine listens on port {}; pass --server-pid",
                url.port
            )),
        }
    }

    fn voice(&self, given: Option<&str>) -> Result<String> {
        Ok(given.unwrap_or("af_heart").to_string())
    }

    fn start(&self) -> Result<Box<dyn Target>> {
        let h = &self.cfg;
        conn::connect(&h.url, h.tls.as_ref(), h.idle).map_err(|e| {
            let hint = match e {
                error::WireError::Tls(_) => "",
                _ => ". Is the server running?",
            };
            anyhow::anyhow!("{e}{hint} ({})", h.url_text)
        })?;
        Ok(Box::new(HttpTargetStarted(h.clone())))
    }
}

/// The server, reachable.
pub struct HttpTargetStarted(HttpConfig);

impl Target for HttpTargetStarted {
    fn request(&self, req: &Request<'_>) -> Outcome {
        trial::run_trial(&self.0, req)
    }

    fn provenance(&self, voice: &str) -> Result<Provenance> {
        let h = &self.0;
        Ok(Provenance {
            voice_id: voice.to_string(),
            http: Some(HttpTarget {
                url: h.url_text.clone(),
                dialect: h.dialect.name().into(),
                response_headers: Default::default(),
                keep_alive: h.keep_alive,
                format: Some(h.format_name().into()),
            }),
            ..Default::default()
        })
    }

    fn notes(&self) -> Vec<(NoteLevel, NoteCode, String)> {
        match proxy::for_url(&self.0.url) {
            Ok(Some(p)) => vec![(
                NoteLevel::Warn,
                NoteCode::ViaProxy,
                format!(
                    "every request went through the proxy {}:{} (from the environment's {}): its latency is inside every number; add the host to NO_PROXY to measure directly",
                    p.host,
                    p.port,
                    if self.0.url.tls { "https_proxy" } else { "http_proxy" }
                ),
            )],
            _ => Vec::new(),
        }
    }

    fn cache(&self) -> CachePolicy {
        match self.0.nonce {
            Some(style) => CachePolicy::Defeated(style),
            None => CachePolicy::Exposed,
        }
    }

    fn server_date(&self) -> Option<String> {
        server_date(&self.0.url_text, self.0.tls.as_ref())
            .ok()
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(dialect: Dialect) -> HttpConfig {
        HttpConfig {
            url: url::parse_url("http://127.0.0.1:1/x").unwrap(),
            url_text: "http://127.0.0.1:1/x".into(),
            dialect,
            headers: vec![],
            payload_extra: serde_json::from_str(r#"{"seed": 7}"#).unwrap(),
            format: AudioFormat::Wav,
            pcm_rate_hz: 24_000,
            pcm_format: crate::measure::pcm::SampleFormat::S16le,
            stream: true,
            sse: false,
            lang: Some("en-us".into()),
            idle: Duration::from_secs(5),
            follow_redirects: false,
            nonce: Some(NonceStyle::Invisible),
            no_cache_field: Some("no_cache".into()),
            tls: None,
            keep_alive: false,
        }
    }

    #[test]
    fn dialects_build_their_payloads() {
        let o = cfg(Dialect::Openai).payload("hi", "af", 1.0);
        assert_eq!(o["input"], "hi");
        assert_eq!(o["response_format"], "wav");
        assert!(o.get("text").is_none());
        assert_eq!(o["no_cache"], true);
        assert_eq!(o["seed"], 7);
        let k = cfg(Dialect::Kokoro).payload("hi", "af", 1.0);
        assert_eq!(k["text"], "hi");
        assert_eq!(k["format"], "wav");
        assert_eq!(k["lang"], "en-us");
        assert!(parse_header("X-Key: abc").is_ok());
        assert!(parse_header("nocolon").is_err());
    }
}
