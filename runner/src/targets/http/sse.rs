//! OpenAI's server-sent-events speech stream (`"stream_format": "sse"`, a `text/event-stream`
//! response): `speech.audio.delta` events whose `audio` is base64 of the requested format's
//! bytes (WAV or PCM here), then one `speech.audio.done` with the token usage. Decoded here into
//! the bytes the PCM parser reads; the trial's clock stays the socket's, so every chunk's time
//! is the arrival of the read that completed its event.
//!
//! Anything else ends the trial with a message naming the event: a `data:` that is not JSON, a
//! delta without audio or with bad base64, an `error` event (its message), and — checked at the
//! end of the body — a stream that stopped before `speech.audio.done`.

use base64::Engine as _;
use kokoro_bench_bundle::schema::TokenUsage;

/// The decoder's state over one response body.
#[derive(Debug, Default)]
pub struct SseAudio {
    line: Vec<u8>,
    data: String,
    events: u32,
    /// The `speech.audio.done` event's usage, once it came (`Some(default)` without usage).
    pub done: Option<TokenUsage>,
    /// Why the stream is not a speech stream; nothing more is decoded after it.
    pub error: Option<String>,
}

impl SseAudio {
    /// Feeds body bytes; returns the audio bytes of every event they completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut audio = Vec::new();
        for &b in bytes {
            if self.error.is_some() {
                break;
            }
            if b != b'\n' {
                self.line.push(b);
                continue;
            }
            let line = std::mem::take(&mut self.line);
            let line =
                String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(&line)).into_owned();
            if line.is_empty() {
                self.dispatch(&mut audio);
            } else if let Some(v) = line.strip_prefix("data:") {
                if !self.data.is_empty() {
                    self.data.push('\n');
                }
                self.data.push_str(v.strip_prefix(' ').unwrap_or(v));
            }
            // `event:`, `id:`, `retry:` and `:` comments carry nothing we need.
        }
        audio
    }

    /// At the end of the body: an event not closed by a blank line is still an event, and a
    /// stream without `speech.audio.done` ended early.
    pub fn finish(&mut self) -> Option<String> {
        let mut rest = Vec::new();
        if !self.line.is_empty() {
            self.feed(b"\n");
        }
        self.dispatch(&mut rest);
        if self.error.is_none() && self.done.is_none() {
            self.error = Some(format!(
                "the event stream ended after {} event(s) without `speech.audio.done`",
                self.events
            ));
        }
        self.error.clone()
    }

    fn dispatch(&mut self, audio: &mut Vec<u8>) {
        let data = std::mem::take(&mut self.data);
        if data.is_empty() || self.error.is_some() {
            return;
        }
        self.events += 1;
        let n = self.events;
        if data.trim() == "[DONE]" {
            self.done.get_or_insert_with(TokenUsage::default);
            return;
        }
        let v: serde_json::Value = match serde_json::from_str(&data) {
            Ok(v) => v,
            Err(e) => {
                let head: String = data.chars().take(80).collect();
                self.error = Some(format!("event {n} is not JSON ({e}): `{head}`"));
                return;
            }
        };
        match v.get("type").and_then(|t| t.as_str()) {
            Some("speech.audio.delta") => match v.get("audio").and_then(|a| a.as_str()) {
                Some(b64) => match base64::engine::general_purpose::STANDARD.decode(b64.trim()) {
                    Ok(bytes) => audio.extend(bytes),
                    Err(e) => {
                        self.error = Some(format!("event {n}: its audio is not base64 ({e})"));
                    }
                },
                None => {
                    self.error = Some(format!("event {n}: a speech.audio.delta without `audio`"))
                }
            },
            Some("speech.audio.done") => {
                let u = v.get("usage");
                let get = |k: &str| u.and_then(|u| u.get(k)).and_then(serde_json::Value::as_u64);
                self.done = Some(TokenUsage {
                    input_tokens: get("input_tokens"),
                    output_tokens: get("output_tokens"),
                    total_tokens: get("total_tokens"),
                });
            }
            Some("error") | None if v.get("error").is_some() => {
                let e = &v["error"];
                let msg = e
                    .get("message")
                    .and_then(|m| m.as_str())
                    .map_or_else(|| e.to_string(), str::to_string);
                self.error = Some(format!("the server sent an error event: {msg}"));
            }
            // Other events (timestamps, transcripts) are not audio: skipped.
            _ => {}
        }
    }
}

/// Whether a response's `Content-Type` is an event stream.
pub fn is_event_stream(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        c.trim()
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, extra: &str) -> String {
        format!("data: {{\"type\":\"{kind}\"{extra}}}\n\n")
    }

    #[test]
    fn deltas_decode_in_any_split_and_done_keeps_the_usage() {
        let body = format!(
            ": keep-alive\n{}event: x\r\n{}{}",
            event("speech.audio.delta", ",\"audio\":\"AAEC\""),
            event("speech.audio.delta", ",\"audio\":\"AwQ=\""),
            event(
                "speech.audio.done",
                ",\"usage\":{\"input_tokens\":5,\"output_tokens\":40,\"total_tokens\":45}"
            )
        );
        for split in [1, 3, 7, body.len()] {
            let mut s = SseAudio::default();
            let mut got = Vec::new();
            for piece in body.as_bytes().chunks(split) {
                got.extend(s.feed(piece));
            }
            assert_eq!(s.finish(), None);
            assert_eq!(got, [0, 1, 2, 3, 4], "split {split}");
            assert_eq!(s.done.as_ref().unwrap().total_tokens, Some(45));
        }
    }

    #[test]
    fn malformed_events_and_early_ends_say_which_event() {
        let check = |body: &str, expect: &str| {
            let mut s = SseAudio::default();
            s.feed(body.as_bytes());
            let e = s.finish().unwrap();
            assert!(e.contains(expect), "{e}");
        };
        check("data: {oops\n\n", "event 1 is not JSON");
        check(
            &event("speech.audio.delta", ",\"audio\":\"***\""),
            "event 1: its audio is not base64",
        );
        check(&event("speech.audio.delta", ""), "without `audio`");
        check(
            &format!(
                "{}data: {{\"type\":\"error\",\"error\":{{\"message\":\"overloaded\"}}}}\n\n",
                event("speech.audio.delta", ",\"audio\":\"AA==\"")
            ),
            "error event: overloaded",
        );
        check(
            &event("speech.audio.delta", ",\"audio\":\"AA==\""),
            "ended after 1 event(s) without `speech.audio.done`",
        );
        assert!(is_event_stream(Some("text/event-stream; charset=utf-8")));
        assert!(!is_event_stream(Some("audio/wav")));
    }
}
