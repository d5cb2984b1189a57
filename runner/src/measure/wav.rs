//! WAV files: written as 16-bit PCM mono (the format every browser's `<audio>` plays), read
//! through the same parser that reads a server's streamed audio ([`AudioParser`]).

use super::pcm::AudioParser;
use anyhow::{bail, Context, Result};
use std::path::Path;

/// Encodes mono float samples (clamped to [−1, 1]) as a 16-bit PCM WAV file.
pub fn encode_pcm16(samples: &[f32], sample_rate_hz: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut b = Vec::with_capacity(44 + data_len as usize);
    b.extend(b"RIFF");
    b.extend((36 + data_len).to_le_bytes());
    b.extend(b"WAVEfmt ");
    b.extend(16u32.to_le_bytes());
    b.extend(1u16.to_le_bytes()); // PCM
    b.extend(1u16.to_le_bytes()); // mono
    b.extend(sample_rate_hz.to_le_bytes());
    b.extend((sample_rate_hz * 2).to_le_bytes());
    b.extend(2u16.to_le_bytes());
    b.extend(16u16.to_le_bytes());
    b.extend(b"data");
    b.extend(data_len.to_le_bytes());
    for &s in samples {
        let v = if s.is_finite() {
            (s.clamp(-1.0, 1.0) * 32767.0).round() as i16
        } else {
            0
        };
        b.extend(v.to_le_bytes());
    }
    b
}

/// Reads a WAV file (PCM 8/16/24/32-bit or float; the first channel).
///
/// # Errors
/// An unreadable file, or one that is not WAV audio, with its path.
pub fn read_wav(path: &Path) -> Result<(Vec<f32>, u32)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut p = AudioParser::new(0, true);
    let samples = p.feed(&bytes);
    if let Some(e) = &p.error {
        bail!("{e} ({})", path.display());
    }
    match p.sample_rate_hz() {
        Some(sr) if sr > 0 && !samples.is_empty() => Ok((samples, sr)),
        _ => bail!("no audio in {}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let dir = std::env::temp_dir().join(format!("kb-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.wav");
        std::fs::write(&path, encode_pcm16(&[0.0, 0.5, -0.5], 24_000)).unwrap();
        let (samples, rate_hz) = read_wav(&path).unwrap();
        assert_eq!(rate_hz, 24_000);
        assert_eq!(samples.len(), 3);
        assert!((samples[1] - 0.5).abs() < 1e-3);
        std::fs::write(&path, b"not audio").unwrap();
        assert!(read_wav(&path).unwrap_err().to_string().contains("a.wav"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn header_and_length() {
        let w = encode_pcm16(&[0.0, 1.0, -1.0, 2.0], 24_000);
        assert_eq!(&w[..4], b"RIFF");
        assert_eq!(u32::from_le_bytes([w[4], w[5], w[6], w[7]]), 36 + 8);
        assert_eq!(u32::from_le_bytes([w[24], w[25], w[26], w[27]]), 24_000);
        assert_eq!(w.len(), 44 + 8);
        assert_eq!(i16::from_le_bytes([w[46], w[47]]), 32767);
        assert_eq!(i16::from_le_bytes([w[50], w[51]]), 32767);
    }
}
