//! The worker protocol (version 1), spoken by a long-lived program that loads its model once
//! (`--worker`); `docs/worker-protocol.md` is the reference for adapter authors.
//!
//! - kokoro-bench writes one JSON line per request to the worker's stdin:
//!   `{"id": 3, "text": "…", "voice": "af_heart", "speed": 1.0, "lang": "en-us"}`.
//! - The worker writes binary frames to stdout: one type byte, a 4-byte little-endian payload
//!   length, the payload. `H` hello (JSON, once, when ready), `A` audio (mono PCM in the hello's
//!   format), `E` end of the request (JSON, may be `{}`), `X` error for the request (UTF-8
//!   message; the worker stays ready).
//! - Stderr is free text, kept (bounded) for the bundle. Closing stdin asks the worker to exit.

use crate::measure::pcm::SampleFormat;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The protocol version this build speaks.
pub const VERSION: u32 = 1;

/// Largest payload accepted: a longer one means the stream is not speaking the protocol.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024 * 1024;

/// One request line.
#[derive(Clone, Debug, Serialize)]
pub struct RequestLine<'a> {
    /// Request number, echoed by nothing (it helps a worker's logs).
    pub id: u64,
    /// Text to speak.
    pub text: &'a str,
    /// Voice id.
    pub voice: &'a str,
    /// Speed factor.
    pub speed: f32,
    /// Language code.
    pub lang: &'a str,
}

/// A frame's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// `H`: the worker is ready, and what it is.
    Hello,
    /// `A`: audio samples.
    Audio,
    /// `E`: the request is done.
    End,
    /// `X`: the request failed.
    Error,
}

impl FrameKind {
    fn from_byte(b: u8) -> Option<FrameKind> {
        Some(match b {
            b'H' => FrameKind::Hello,
            b'A' => FrameKind::Audio,
            b'E' => FrameKind::End,
            b'X' => FrameKind::Error,
            _ => return None,
        })
    }

    /// The type byte.
    pub fn byte(self) -> u8 {
        match self {
            FrameKind::Hello => b'H',
            FrameKind::Audio => b'A',
            FrameKind::End => b'E',
            FrameKind::Error => b'X',
        }
    }
}

/// One frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Its type.
    pub kind: FrameKind,
    /// Its payload.
    pub payload: Vec<u8>,
}

/// Encodes a frame (for tests and fakes of the protocol).
pub fn encode(kind: FrameKind, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![kind.byte()];
    out.extend((payload.len() as u32).to_le_bytes());
    out.extend(payload);
    out
}

/// Splits a byte stream into frames as bytes arrive.
#[derive(Default)]
pub struct FrameReader {
    buf: Vec<u8>,
}

impl FrameReader {
    /// Feeds bytes; returns the frames they completed.
    ///
    /// # Errors
    /// An unknown type byte or an oversized length: the stream is not the protocol (the
    /// message shows how it starts, e.g. a Python traceback printed to stdout).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<Frame>, String> {
        self.buf.extend_from_slice(bytes);
        let mut frames = Vec::new();
        loop {
            if self.buf.len() < 5 {
                return Ok(frames);
            }
            let kind = FrameKind::from_byte(self.buf[0]).ok_or_else(|| self.garbage())?;
            let len =
                u32::from_le_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]) as usize;
            if len > MAX_PAYLOAD_BYTES {
                return Err(self.garbage());
            }
            if self.buf.len() < 5 + len {
                return Ok(frames);
            }
            let payload = self.buf[5..5 + len].to_vec();
            self.buf.drain(..5 + len);
            frames.push(Frame { kind, payload });
        }
    }

    fn garbage(&self) -> String {
        let head = String::from_utf8_lossy(&self.buf[..self.buf.len().min(120)]);
        format!(
            "the worker's stdout is not the worker protocol (frames of a type byte H/A/E/X and a length); it starts with {head:?}. Logs belong on stderr"
        )
    }
}

/// What a worker says when it is ready.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Hello {
    /// Protocol version.
    pub protocol: u32,
    /// Sample rate of its audio frames, Hz.
    pub sample_rate_hz: u32,
    /// `s16le` or `f32le`.
    pub sample_format: String,
    /// Anything else it says about itself (engine, versions, model): kept as text.
    #[serde(flatten)]
    pub reported: BTreeMap<String, serde_json::Value>,
}

impl Hello {
    /// Parses a hello payload.
    ///
    /// # Errors
    /// Not JSON, missing fields, another protocol version, an unknown sample format.
    pub fn parse(payload: &[u8]) -> Result<(Hello, SampleFormat), String> {
        let h: Hello = serde_json::from_slice(payload).map_err(|e| {
            format!("the worker's hello frame is not the expected JSON ({e}): it needs protocol, sample_rate_hz and sample_format")
        })?;
        if h.protocol != VERSION {
            return Err(format!(
                "the worker speaks protocol {} but this kokoro-bench speaks {VERSION}",
                h.protocol
            ));
        }
        if h.sample_rate_hz == 0 {
            return Err("the worker's hello says sample_rate_hz 0".into());
        }
        let format = match h.sample_format.as_str() {
            "s16le" => SampleFormat::S16le,
            "f32le" => SampleFormat::F32le,
            other => {
                return Err(format!(
                    "the worker's hello says sample_format {other:?}; use \"s16le\" or \"f32le\""
                ))
            }
        };
        Ok((h, format))
    }

    /// What it reported, as text (nested values as JSON), secrets scrubbed.
    pub fn reported_text(&self) -> BTreeMap<String, String> {
        self.reported
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), crate::redact::scrub(&text))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_anywhere_reassemble() {
        let mut stream = encode(
            FrameKind::Hello,
            br#"{"protocol":1,"sample_rate_hz":24000,"sample_format":"f32le","engine":"x","versions":{"numpy":"2.0"}}"#,
        );
        stream.extend(encode(FrameKind::Audio, &[1, 2, 3, 4]));
        stream.extend(encode(FrameKind::End, b"{}"));
        let mut r = FrameReader::default();
        let mut frames = Vec::new();
        for b in stream.chunks(3) {
            frames.extend(r.feed(b).unwrap());
        }
        let kinds: Vec<FrameKind> = frames.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [FrameKind::Hello, FrameKind::Audio, FrameKind::End]);
        let (hello, format) = Hello::parse(&frames[0].payload).unwrap();
        assert_eq!(
            (hello.sample_rate_hz, format),
            (24_000, SampleFormat::F32le)
        );
        let said = hello.reported_text();
        assert_eq!(said["engine"], "x");
        assert_eq!(said["versions"], r#"{"numpy":"2.0"}"#);
    }

    #[test]
    fn text_on_stdout_and_bad_hellos_are_named() {
        let e = FrameReader::default()
            .feed(b"Traceback (most recent call last):\n")
            .unwrap_err();
        assert!(e.contains("Traceback") && e.contains("stderr"), "{e}");
        let e = Hello::parse(br#"{"protocol":2,"sample_rate_hz":1,"sample_format":"f32le"}"#)
            .unwrap_err();
        assert!(e.contains("protocol 2"), "{e}");
        let e = Hello::parse(br#"{"protocol":1,"sample_rate_hz":24000,"sample_format":"u8"}"#)
            .unwrap_err();
        assert!(e.contains("u8"), "{e}");
    }
}
