//! The HTTP target: any OpenAI- or Kokoro-compatible `/v1/audio/speech` server, measured with
//! the same per-trial trace as the in-process engine.

pub mod pcm;
pub mod server_pid;
pub mod tls;
pub mod trial;
pub mod wire;

use clap::ValueEnum;
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
    pub url: wire::Url,
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
    /// Ask for a streamed response.
    pub stream: bool,
    /// Language field (kokoro dialect; openai when given).
    pub lang: Option<String>,
    /// Per-read timeout.
    pub timeout: Duration,
    /// Add a unique nonce clause to every trial's text (defeats caches).
    pub nonce: bool,
    /// A payload field set to `true` to ask the server not to cache.
    pub no_cache_field: Option<String>,
    /// TLS settings for `https://` URLs.
    pub tls: Option<tls::TlsConfig>,
    /// Reuse each client thread's connection across requests (`Connection: keep-alive`).
    pub keep_alive: bool,
}

impl HttpConfig {
    /// The JSON payload for a text.
    pub fn payload(&self, text: &str, voice: &str, speed: f32) -> serde_json::Value {
        let fmt = match self.format {
            AudioFormat::Pcm => "pcm",
            AudioFormat::Wav => "wav",
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(dialect: Dialect) -> HttpConfig {
        HttpConfig {
            url: wire::parse_url("http://127.0.0.1:1/x").unwrap(),
            url_text: "http://127.0.0.1:1/x".into(),
            dialect,
            headers: vec![],
            payload_extra: serde_json::from_str(r#"{"seed": 7}"#).unwrap(),
            format: AudioFormat::Wav,
            pcm_rate_hz: 24_000,
            stream: true,
            lang: Some("en-us".into()),
            timeout: Duration::from_secs(5),
            nonce: true,
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
