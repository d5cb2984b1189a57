//! Incremental audio parsing of a byte stream (an HTTP body, a program's stdout): WAV (including
//! streamed headers whose sizes are placeholders such as 0xFFFFFFFF — the sizes are ignored) or
//! raw little-endian PCM, 16-bit integer or 32-bit float.
//! Audio length always comes from counted samples, never from a header.

/// What the body turned out to be.
#[derive(Clone, Debug, PartialEq)]
pub enum Detected {
    /// Not enough bytes yet.
    Unknown,
    /// A WAV stream.
    Wav {
        /// Sample rate from the `fmt ` chunk.
        sample_rate_hz: u32,
        /// Channels (only the first is kept).
        channels: u16,
        /// Bits per sample.
        bits: u16,
        /// 1 = integer PCM, 3 = IEEE float.
        format: u16,
    },
    /// Raw PCM (mono) at the configured rate and sample format.
    RawPcm,
}

/// The sample format of raw PCM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    /// 16-bit signed integers, little-endian.
    S16le,
    /// 32-bit IEEE floats, little-endian.
    F32le,
}

impl SampleFormat {
    /// The name written in bundles.
    pub fn name(self) -> &'static str {
        match self {
            SampleFormat::S16le => "s16le",
            SampleFormat::F32le => "f32le",
        }
    }
}

/// Feeds body bytes, yields samples as they become complete.
pub struct AudioParser {
    buf: Vec<u8>,
    /// What the stream is.
    pub detected: Detected,
    in_data: bool,
    raw_rate_hz: u32,
    raw_format: SampleFormat,
    expect_wav: bool,
    /// A problem that makes the body "not audio".
    pub error: Option<String>,
}

impl AudioParser {
    /// A parser; `raw_rate_hz` is used for raw PCM, `expect_wav` when the request asked for WAV.
    pub fn new(raw_rate_hz: u32, expect_wav: bool) -> AudioParser {
        AudioParser {
            buf: Vec::new(),
            detected: Detected::Unknown,
            in_data: false,
            raw_rate_hz,
            raw_format: SampleFormat::S16le,
            expect_wav,
            error: None,
        }
    }

    /// A parser for raw PCM in `format` at `rate_hz` (a stream that starts with a WAV header
    /// is still read as WAV).
    pub fn raw(rate_hz: u32, format: SampleFormat) -> AudioParser {
        AudioParser {
            raw_format: format,
            ..AudioParser::new(rate_hz, false)
        }
    }

    /// Sample rate, once known.
    pub fn sample_rate_hz(&self) -> Option<u32> {
        match self.detected {
            Detected::Wav { sample_rate_hz, .. } => Some(sample_rate_hz),
            Detected::RawPcm => Some(self.raw_rate_hz),
            Detected::Unknown => None,
        }
    }

    /// Feeds bytes; returns the samples (first channel, as f32) completed by them.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<f32> {
        if self.error.is_some() {
            return Vec::new();
        }
        self.buf.extend_from_slice(bytes);
        if self.detected == Detected::Unknown {
            if self.buf.len() < 12 {
                return Vec::new();
            }
            if &self.buf[..4] == b"RIFF" && &self.buf[8..12] == b"WAVE" {
                self.buf.drain(..12);
                self.detected = Detected::Wav {
                    sample_rate_hz: 0,
                    channels: 0,
                    bits: 0,
                    format: 0,
                };
            } else if self.expect_wav || looks_like_text(&self.buf) {
                self.error = Some(format!("not audio: starts with {:?}", preview(&self.buf)));
                return Vec::new();
            } else {
                self.detected = Detected::RawPcm;
                self.in_data = true;
            }
        }
        if !self.in_data && !self.read_wav_chunks() {
            return Vec::new();
        }
        self.take_samples()
    }

    /// Walks WAV chunks until `data`; true once in the data chunk.
    fn read_wav_chunks(&mut self) -> bool {
        loop {
            if self.buf.len() < 8 {
                return false;
            }
            let id = [self.buf[0], self.buf[1], self.buf[2], self.buf[3]];
            let size =
                u32::from_le_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]) as usize;
            if &id == b"data" {
                self.buf.drain(..8);
                self.in_data = true;
                if let Detected::Wav {
                    sample_rate_hz: 0, ..
                } = self.detected
                {
                    self.error = Some("WAV `data` chunk before a `fmt ` chunk".into());
                    return false;
                }
                return true;
            }
            let padded = size + (size & 1);
            if self.buf.len() < 8 + padded {
                if size > 1 << 20 {
                    self.error = Some(format!(
                        "WAV chunk {:?} claims {size} bytes before the audio",
                        String::from_utf8_lossy(&id)
                    ));
                }
                return false;
            }
            if &id == b"fmt " && size >= 16 {
                let f = &self.buf[8..8 + size];
                let format = u16::from_le_bytes([f[0], f[1]]);
                let channels = u16::from_le_bytes([f[2], f[3]]);
                let sample_rate_hz = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
                let bits = u16::from_le_bytes([f[14], f[15]]);
                let format = if format == 0xFFFE && size >= 26 {
                    u16::from_le_bytes([f[24], f[25]])
                } else {
                    format
                };
                if !matches!((format, bits), (1, 16) | (3, 32)) || channels == 0 {
                    self.error = Some(format!("unsupported WAV format {format} with {bits} bits and {channels} channel(s)"));
                    return false;
                }
                self.detected = Detected::Wav {
                    sample_rate_hz,
                    channels,
                    bits,
                    format,
                };
            }
            self.buf.drain(..8 + padded);
        }
    }

    fn take_samples(&mut self) -> Vec<f32> {
        let (bytes_per, channels, float) = match self.detected {
            Detected::Wav {
                channels,
                bits,
                format,
                ..
            } => ((bits / 8) as usize, channels as usize, format == 3),
            Detected::RawPcm => match self.raw_format {
                SampleFormat::S16le => (2, 1, false),
                SampleFormat::F32le => (4, 1, true),
            },
            Detected::Unknown => return Vec::new(),
        };
        let frame = bytes_per * channels;
        let frames = self.buf.len() / frame;
        let out = (0..frames)
            .map(|i| {
                let b = &self.buf[i * frame..i * frame + bytes_per];
                if float {
                    f32::from_le_bytes([b[0], b[1], b[2], b[3]])
                } else {
                    i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0
                }
            })
            .collect();
        self.buf.drain(..frames * frame);
        out
    }

    /// Bytes left over that do not make a whole frame (a truncated stream).
    pub fn leftover(&self) -> usize {
        self.buf.len()
    }
}

fn looks_like_text(b: &[u8]) -> bool {
    let head = &b[..b.len().min(16)];
    head.first()
        .is_some_and(|&c| c == b'{' || c == b'[' || c == b'<')
        && head.iter().all(|c| c.is_ascii())
}

fn preview(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(60)]).into_owned()
}

/// 16-bit little-endian PCM of a 220 Hz tone at −20 dBFS, `ms` long at `rate_hz`: the audio of
/// the scripted servers (tests, `examples/steady_server.rs`), which measure the client, not a
/// model.
pub fn tone_pcm16(ms: u32, rate_hz: u32) -> Vec<u8> {
    let n = u64::from(rate_hz) * u64::from(ms) / 1000;
    (0..n)
        .flat_map(|i| {
            let t = i as f32 / rate_hz as f32;
            ((0.1 * (2.0 * std::f32::consts::PI * 220.0 * t).sin() * 32767.0) as i16).to_le_bytes()
        })
        .collect()
}

/// A WAV header for streaming: placeholder sizes (0xFFFFFFFF), like servers that stream WAV.
pub fn streaming_wav_header(sample_rate_hz: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(44);
    h.extend(b"RIFF");
    h.extend(u32::MAX.to_le_bytes());
    h.extend(b"WAVEfmt ");
    h.extend(16u32.to_le_bytes());
    h.extend(1u16.to_le_bytes());
    h.extend(1u16.to_le_bytes());
    h.extend(sample_rate_hz.to_le_bytes());
    h.extend((sample_rate_hz * 2).to_le_bytes());
    h.extend(2u16.to_le_bytes());
    h.extend(16u16.to_le_bytes());
    h.extend(b"data");
    h.extend(u32::MAX.to_le_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_is_as_long_as_asked_and_at_minus_20_dbfs() {
        let t = tone_pcm16(150, 24_000);
        assert_eq!(t.len(), 3600 * 2);
        let peak = t
            .chunks(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]).unsigned_abs())
            .max()
            .unwrap();
        assert!((3200..=3277).contains(&peak), "{peak}");
    }

    fn pcm(samples: &[i16]) -> Vec<u8> {
        samples.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    #[test]
    fn streamed_wav_with_placeholder_sizes_byte_by_byte() {
        let mut body = streaming_wav_header(24_000);
        body.extend(pcm(&[0, 16384, -16384, 32767]));
        let mut p = AudioParser::new(24_000, true);
        let mut got = Vec::new();
        for b in &body {
            got.extend(p.feed(&[*b]));
        }
        assert_eq!(p.sample_rate_hz(), Some(24_000));
        assert_eq!(got, vec![0.0, 0.5, -0.5, 32767.0 / 32768.0]);
        assert_eq!(p.leftover(), 0);
    }

    #[test]
    fn real_sized_wav_with_extra_chunk_and_raw_pcm() {
        let body = crate::measure::wav::encode_pcm16(&[0.25, -0.25], 16_000);
        let mut with_list = body[..36].to_vec();
        with_list.extend(b"LIST");
        with_list.extend(3u32.to_le_bytes());
        with_list.extend([1, 2, 3, 0]); // odd size + pad byte
        with_list.extend(&body[36..]);
        let mut p = AudioParser::new(24_000, true);
        assert_eq!(p.feed(&with_list).len(), 2);
        assert_eq!(p.sample_rate_hz(), Some(16_000));
        let mut raw = AudioParser::new(22_050, false);
        assert_eq!(raw.feed(&pcm(&[1, 2, 3, 4, 5, 6, 7])).len(), 7);
        assert_eq!(raw.sample_rate_hz(), Some(22_050));
    }

    #[test]
    fn raw_float_pcm_in_odd_pieces() {
        let bytes: Vec<u8> = [0.5f32, -0.25, 1.0, 0.0]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let mut p = AudioParser::raw(22_050, SampleFormat::F32le);
        let mut got = p.feed(&bytes[..13]);
        assert_eq!(p.leftover(), 1, "a partial float waits for its bytes");
        got.extend(p.feed(&bytes[13..]));
        assert_eq!(got, vec![0.5, -0.25, 1.0, 0.0]);
        assert_eq!(p.sample_rate_hz(), Some(22_050));
    }

    #[test]
    fn json_error_body_is_not_audio() {
        let mut p = AudioParser::new(24_000, false);
        p.feed(br#"{"detail": "voice not found"}"#);
        assert!(p.error.as_deref().unwrap().contains("not audio"));
    }
}
