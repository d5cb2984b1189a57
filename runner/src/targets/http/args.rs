//! The HTTP target's flags, and turning them into a checked [`HttpConfig`].

use super::{tls, url, Dialect, HttpConfig, HttpSpec};
use crate::targets::stream::StreamArgs;
use anyhow::{bail, Context, Result};
use clap::Args;
use kokoro_bench_bundle::schema::NonceStyle;
use std::path::PathBuf;

/// `--nonce`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum NonceArg {
    /// Zero-width characters after the text.
    Invisible,
    /// A spoken clause.
    Clause,
    /// No nonce.
    Off,
}

/// `--stream-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StreamFormat {
    /// The audio bytes themselves.
    Audio,
    /// Server-sent events carrying base64 audio.
    Sse,
}

/// `--target http` flags.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "HTTP target (--target http)")]
pub struct HttpArgs {
    /// Endpoint, e.g. http://127.0.0.1:8880/v1/audio/speech.
    #[arg(long)]
    pub url: Option<String>,
    /// Request dialect.
    #[arg(long, value_enum, default_value = "openai")]
    pub dialect: Dialect,
    /// Extra request header 'Name: value' (repeatable). Its value is never written anywhere;
    /// prefer --header-env so it is not in your shell history either.
    #[arg(long)]
    pub header: Vec<String>,
    /// A request header whose value comes from an environment variable, `Name=VAR`
    /// (repeatable), e.g. `Authorization=KOKORO_BENCH_AUTH` with the variable holding
    /// `Bearer …`. kokoro-bench never reads credentials from the environment on its own.
    #[arg(long, value_name = "NAME=VAR")]
    pub header_env: Vec<String>,
    /// Extra JSON fields merged into the payload, e.g. '{"lang": "en-us"}'.
    #[arg(long)]
    pub payload_extra: Option<String>,
    /// Ask for a whole (non-streamed) response.
    #[arg(long)]
    pub no_stream: bool,
    /// Ask for OpenAI's server-sent events (`"stream_format": "sse"`: base64 audio deltas, then
    /// `speech.audio.done` with the usage). A `text/event-stream` response is decoded as such
    /// whether asked or not; every timing is the arrival of the events.
    #[arg(long, value_enum, default_value = "audio", value_name = "FORMAT")]
    pub stream_format: StreamFormat,
    /// Follow `307`/`308` redirects (they keep the POST). Without it a redirect stops the run
    /// with its status and `Location`; `301`/`302`/`303` always do (they would turn the POST
    /// into a GET).
    #[arg(long)]
    pub follow_redirects: bool,
    /// How each request's text is made unique so no cache can answer: `invisible` (zero-width
    /// characters: nothing more is spoken), `clause` (a spoken ` Reference <tag>.`, as older
    /// runs did), or `off` (the same text every trial, to *measure* a cache; repeats are marked
    /// cached). The audio it adds is measured once per run.
    #[arg(long, value_enum, default_value = "invisible")]
    pub nonce: NonceArg,
    /// Same as `--nonce off`.
    #[arg(long, hide = true)]
    pub no_nonce: bool,
    /// Payload field set to true to ask the server not to cache (e.g. no_cache).
    #[arg(long)]
    pub no_cache_field: Option<String>,
    /// Keep connections alive and reuse them across requests, as a pooling client does
    /// (default: a new connection per request, whose set-up is timed).
    #[arg(long)]
    pub keep_alive: bool,
    /// HTTPS: a PEM file with the server's self-signed certificate or private CA (trusted besides
    /// the public web roots).
    #[arg(long)]
    pub ca_cert: Option<PathBuf>,
    /// PID of the server process for memory/CPU (default: found from the URL's port on this machine).
    #[arg(long)]
    pub server_pid: Option<u32>,
}

/// `Name=VAR` → the header `Name: <value of VAR>`.
///
/// # Errors
/// A spec without `=`, or a variable that is not set.
pub fn header_from_env(spec: &str) -> Result<(String, String)> {
    let (name, var) = spec
        .split_once('=')
        .filter(|(n, v)| !n.trim().is_empty() && !v.trim().is_empty())
        .with_context(|| format!("--header-env `{spec}`: write it as Name=VARIABLE, e.g. Authorization=KOKORO_BENCH_AUTH"))?;
    let value = std::env::var(var.trim()).with_context(|| {
        format!("--header-env {spec}: the environment variable `{}` is not set (export it, e.g. export {}='Bearer …')", var.trim(), var.trim())
    })?;
    Ok((name.trim().to_string(), value.trim().to_string()))
}

impl HttpArgs {
    /// Whether any HTTP-only flag was given (they make no sense for another target).
    pub fn given(&self) -> Option<&'static str> {
        if self.url.is_some() {
            Some("--url")
        } else if !self.header.is_empty() {
            Some("--header")
        } else if self.payload_extra.is_some() {
            Some("--payload-extra")
        } else if self.ca_cert.is_some() {
            Some("--ca-cert")
        } else if self.server_pid.is_some() {
            Some("--server-pid")
        } else if self.keep_alive {
            Some("--keep-alive")
        } else if !self.header_env.is_empty() {
            Some("--header-env")
        } else if self.stream_format == StreamFormat::Sse {
            Some("--stream-format")
        } else {
            None
        }
    }

    /// Checks the flags and builds the target.
    ///
    /// # Errors
    /// A missing or malformed URL, headers without a colon, a payload that is not a JSON object,
    /// a CA file that cannot be read, `--ca-cert` on plain http.
    pub fn spec(&self, stream: &StreamArgs) -> Result<HttpSpec> {
        let given = self
            .url
            .clone()
            .context("--target http needs --url, e.g. http://127.0.0.1:8880/v1/audio/speech")?;
        let url = url::parse_url(&given).map_err(|e| anyhow::anyhow!(crate::redact::scrub(&e)))?;
        // The URL as it may be shown and written: user-info and token-like parameters redacted.
        let url_text = crate::redact::url(&given);
        let tls = match (url.tls, &self.ca_cert) {
            (true, ca) => Some(tls::client_config(ca.as_deref()).map_err(anyhow::Error::msg)?),
            (false, Some(_)) => bail!("--ca-cert is for https:// URLs; {url_text} is plain http"),
            (false, None) => None,
        };
        let mut headers = self
            .header
            .iter()
            .map(|h| super::parse_header(h))
            .collect::<Result<Vec<_>, _>>()
            .map_err(anyhow::Error::msg)?;
        for spec in &self.header_env {
            headers.push(header_from_env(spec)?);
        }
        if self.stream_format == StreamFormat::Sse && self.dialect != super::Dialect::Openai {
            bail!("--stream-format sse is OpenAI's: use it with --dialect openai (the default)");
        }
        let payload_extra = match &self.payload_extra {
            Some(j) => match serde_json::from_str::<serde_json::Value>(j) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => bail!(
                    "--payload-extra must be a JSON object, e.g. '{{\"lang\": \"en-us\"}}'; got {}",
                    crate::redact::scrub(j)
                ),
            },
            None => Default::default(),
        };
        Ok(HttpSpec {
            cfg: HttpConfig {
                url,
                url_text,
                dialect: self.dialect,
                headers,
                payload_extra,
                format: stream.format,
                pcm_rate_hz: stream.pcm_rate_hz,
                pcm_format: stream.sample_format,
                stream: !self.no_stream,
                sse: self.stream_format == StreamFormat::Sse,
                lang: None,
                idle: stream.idle_timeout,
                follow_redirects: self.follow_redirects,
                nonce: match (self.no_nonce, self.nonce) {
                    (true, _) | (_, NonceArg::Off) => None,
                    (_, NonceArg::Invisible) => Some(NonceStyle::Invisible),
                    (_, NonceArg::Clause) => Some(NonceStyle::Clause),
                },
                no_cache_field: self.no_cache_field.clone(),
                tls,
                keep_alive: self.keep_alive,
            },
            server_pid: self.server_pid,
        })
    }
}
