//! The panel: every judging model loaded once, scoring one clip at a time, and what it is made
//! of (for the bundle's provenance).

use super::assets::{self, PinnedPackage, DISTILLMOS, RESEMBLYZER, SPEECHMOS, WHISPER};
use super::distillmos::{self, DistillMos};
use super::dnsmos::{self, Dnsmos};
use super::ge2e::{self, cosine, Ge2e};
use super::resample::resample;
use super::voiceprint::{self, Voiceprint};
use super::whisper::Whisper;
use crate::engine::runtime::Runtime;
use crate::target::pcm::AudioParser;
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::schema::{AsrScores, JudgeModel, TrialJudges};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// One clip to judge.
pub struct Clip<'a> {
    /// Mono samples.
    pub samples: &'a [f32],
    /// Their rate.
    pub sample_rate_hz: u32,
    /// The text it should say: the transcript is scored against it.
    pub spoken: Option<&'a str>,
    /// Samples in each streamed piece, in order, when the clip is their concatenation: each join
    /// is judged for a change of voice.
    pub pieces: Option<&'a [u32]>,
}

/// The judging models, loaded.
pub struct Panel {
    dnsmos: Dnsmos,
    distillmos: DistillMos,
    ge2e: Ge2e,
    whisper: Whisper,
    rt: Arc<Runtime>,
    dir: PathBuf,
    audible_dbfs: f64,
    /// The reference print speaker similarity is measured against, once a voice is set.
    pub voiceprint: Option<Voiceprint>,
    /// Every model file, as the bundle records it.
    pub models: Vec<JudgeModel>,
    /// Loading the models, ms.
    pub load_ms: f64,
}

fn provenance(pkg: &PinnedPackage, runtime: &str) -> Vec<JudgeModel> {
    pkg.files
        .iter()
        .map(|f| JudgeModel {
            name: f.name.into(),
            package: pkg.requirement.into(),
            package_sha256: pkg.wheel_sha256.into(),
            file: f.member.into(),
            sha256: f.cached_sha256().into(),
            runtime: runtime.into(),
        })
        .collect()
}

impl Panel {
    /// Loads every judge whose files are under `judges_dir`, on the ONNX Runtime at `ort_lib`.
    ///
    /// # Errors
    /// A model missing or not matching its pinned hash (the message says to run
    /// `kokoro-bench setup --judges`), or ONNX Runtime refusing it.
    pub fn load(judges_dir: &Path, ort_lib: &Path, audible_dbfs: f64) -> Result<Panel> {
        let t = Instant::now();
        let files = assets::locate(judges_dir, &SPEECHMOS)?;
        let ge2e_file = assets::locate(judges_dir, &RESEMBLYZER)?;
        let whisper_files = assets::locate(judges_dir, &WHISPER)?;
        let mos_file = assets::locate(judges_dir, &DISTILLMOS)?;
        let rt = Runtime::shared(ort_lib)?;
        let ([p835, p808], [weights], [asr, vocabulary, config], [mos_weights]) = (
            files.as_slice(),
            ge2e_file.as_slice(),
            whisper_files.as_slice(),
            mos_file.as_slice(),
        ) else {
            bail!(
                "internal: DNSMOS needs two model files, GE2E one, Whisper three, DistillMOS one"
            );
        };
        let dnsmos = Dnsmos::load(&rt, p835, p808)?;
        let distillmos = DistillMos::load(mos_weights)?;
        let ge2e = Ge2e::load(weights)?;
        let whisper = Whisper::load(asr, vocabulary, config)?;
        let mut models = provenance(&SPEECHMOS, &format!("ONNX Runtime {}, CPU", rt.version));
        models.extend(provenance(&RESEMBLYZER, "kokoro-bench (Rust LSTM, f32)"));
        models.extend(provenance(&WHISPER, &whisper_runtime(whisper.beam_size)));
        models.extend(provenance(
            &DISTILLMOS,
            "kokoro-bench (Rust CNN + transformer, f32)",
        ));
        Ok(Panel {
            dnsmos,
            distillmos,
            ge2e,
            whisper,
            rt,
            dir: judges_dir.to_path_buf(),
            audible_dbfs,
            voiceprint: None,
            models,
            load_ms: t.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// Sets the voice whose reference print speaker similarity is measured against (made from
    /// the clean set-up model the first time, then cached).
    ///
    /// # Errors
    /// No clean model set up, or a voice its pack lacks: similarity is then not judged.
    pub fn set_voice(&mut self, voice: &str) -> Result<()> {
        self.voiceprint = Some(voiceprint::load_or_make(
            &self.ge2e,
            &self.dir,
            &self.rt,
            voice,
            self.audible_dbfs,
        )?);
        Ok(())
    }

    /// Judges one clip; with `spoken`, the text it should say, its transcript is scored too.
    /// Returns the scores and what Whisper heard. A judge that fails leaves its error on the
    /// result; the others still score.
    pub fn judge(&mut self, clip: &Clip<'_>) -> (TrialJudges, Option<String>) {
        let (samples, sample_rate_hz, spoken) = (clip.samples, clip.sample_rate_hz, clip.spoken);
        let t = Instant::now();
        let mut out = TrialJudges::default();
        let mut errors = Vec::new();
        // Every model hears 16 kHz.
        debug_assert_eq!(dnsmos::SAMPLE_RATE_HZ, ge2e::SAMPLE_RATE_HZ);
        debug_assert_eq!(distillmos::SAMPLE_RATE_HZ, ge2e::SAMPLE_RATE_HZ);
        let audio = match resample(samples, sample_rate_hz, dnsmos::SAMPLE_RATE_HZ) {
            Ok(a) => a,
            Err(e) => {
                out.error = Some(format!("{e:#}"));
                return (out, None);
            }
        };
        out.mos = Some(self.distillmos.score(&audio));
        match self.dnsmos.score(&audio) {
            Ok(s) => out.dnsmos = Some(s),
            Err(e) => errors.push(format!("DNSMOS: {e:#}")),
        }
        if let Some(print) = &self.voiceprint {
            match self.ge2e.embed(&audio, self.audible_dbfs) {
                Ok(Some(e)) => out.speaker_similarity = Some(cosine(&e, &print.embedding)),
                // Nothing audible: no voice at all, the least similar it can be.
                Ok(None) => out.speaker_similarity = Some(0.0),
                Err(e) => errors.push(format!("speaker embedding: {e:#}")),
            }
        }
        if let Some(pieces) = clip.pieces {
            match self.join_similarity(&audio, pieces, sample_rate_hz) {
                Ok(s) => out.join_similarity = s,
                Err(e) => errors.push(format!("join similarity: {e:#}")),
            }
        }
        let heard = match self.whisper.transcribe(&audio) {
            Ok(transcript) => {
                out.asr = spoken.map(|reference| {
                    let s = kokoro_bench_bundle::transcript::score(reference, &transcript);
                    AsrScores {
                        reference: reference.to_string(),
                        transcript: transcript.clone(),
                        wer: s.wer,
                        cer: s.cer,
                        reference_words: s.reference_words as u32,
                    }
                });
                Some(transcript)
            }
            Err(e) => {
                errors.push(format!("Whisper: {e:#}"));
                None
            }
        };
        if !errors.is_empty() {
            out.error = Some(errors.join("; "));
        }
        out.judge_ms = t.elapsed().as_secs_f64() * 1000.0;
        (out, heard)
    }
}

/// How Whisper ran, for the provenance.
fn whisper_runtime(beam: usize) -> String {
    let decoding = if beam <= 1 {
        "greedy".to_string()
    } else {
        format!("beam search, {beam} hypotheses")
    };
    format!("kokoro-bench (Rust transformer, f32 from fp16; {decoding}, no timestamps)")
}

impl Panel {
    /// How many hypotheses Whisper keeps while transcribing (1: greedy); recorded in the
    /// models' provenance.
    pub fn set_asr_beam(&mut self, beam: usize) {
        self.whisper.beam_size = beam.max(1);
        for m in &mut self.models {
            if m.package == WHISPER.requirement {
                m.runtime = whisper_runtime(self.whisper.beam_size);
            }
        }
    }
}

/// The shortest piece a join is judged by: one GE2E partial, 1.6 s at 16 kHz.
const MIN_PIECE_SAMPLES_16K: usize = 25_600;

impl Panel {
    /// Speaker similarity of each streamed piece to the next (`None` where either is shorter
    /// than 1.6 s or has nothing audible). `pieces` count samples at
    /// `sample_rate_hz`; `audio` is the clip at 16 kHz.
    fn join_similarity(
        &self,
        audio: &[f32],
        pieces: &[u32],
        sample_rate_hz: u32,
    ) -> Result<Vec<Option<f64>>> {
        let total: u64 = pieces.iter().map(|&n| u64::from(n)).sum();
        let at_16k = |n: u64| {
            (n as f64 * f64::from(ge2e::SAMPLE_RATE_HZ) / f64::from(sample_rate_hz)).round()
                as usize
        };
        if at_16k(total).abs_diff(audio.len()) > 16 {
            bail!(
                "the pieces hold {total} samples, the saved audio {} at 16 kHz",
                audio.len()
            );
        }
        let mut embeddings = Vec::new();
        let mut start = 0u64;
        for &n in pieces {
            let (a, b) = (
                at_16k(start).min(audio.len()),
                at_16k(start + u64::from(n)).min(audio.len()),
            );
            start += u64::from(n);
            // Shorter than one GE2E partial, a piece embeds too loosely to judge a join by
            // (measured: 0.7–1 s pieces of the clean model score 0.69–0.84 to their neighbours).
            let long_enough = b - a >= MIN_PIECE_SAMPLES_16K;
            embeddings.push(if long_enough {
                self.ge2e.embed(&audio[a..b], self.audible_dbfs)?
            } else {
                None
            });
        }
        Ok(embeddings
            .windows(2)
            .map(|w| match (&w[0], &w[1]) {
                (Some(x), Some(y)) => Some(cosine(x, y)),
                _ => None,
            })
            .collect())
    }
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
