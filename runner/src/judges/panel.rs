//! The panel: every judging model loaded once, scoring one clip at a time, and what it is made
//! of (for the bundle's provenance).

use super::assets::{self, PinnedPackage, RESEMBLYZER, SPEECHMOS};
use super::dnsmos::{self, Dnsmos};
use super::ge2e::{self, cosine, Ge2e};
use super::resample::resample;
use super::voiceprint::{self, Voiceprint};
use crate::engine::runtime::Runtime;
use crate::target::pcm::AudioParser;
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::schema::{JudgeModel, TrialJudges};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The judging models, loaded.
pub struct Panel {
    dnsmos: Dnsmos,
    ge2e: Ge2e,
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
        let rt = Runtime::shared(ort_lib)?;
        let ([p835, p808], [weights]) = (files.as_slice(), ge2e_file.as_slice()) else {
            bail!("internal: DNSMOS needs two model files, GE2E one");
        };
        let dnsmos = Dnsmos::load(&rt, p835, p808)?;
        let ge2e = Ge2e::load(weights)?;
        let mut models = provenance(&SPEECHMOS, &format!("ONNX Runtime {}, CPU", rt.version));
        models.extend(provenance(&RESEMBLYZER, "kokoro-bench (Rust LSTM, f32)"));
        Ok(Panel {
            dnsmos,
            ge2e,
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

    /// Judges one clip. A judge that fails leaves its error on the result; the others still
    /// score.
    pub fn judge(&mut self, samples: &[f32], sample_rate_hz: u32) -> TrialJudges {
        let t = Instant::now();
        let mut out = TrialJudges::default();
        let mut errors = Vec::new();
        // Both models hear 16 kHz.
        debug_assert_eq!(dnsmos::SAMPLE_RATE_HZ, ge2e::SAMPLE_RATE_HZ);
        let audio = match resample(samples, sample_rate_hz, dnsmos::SAMPLE_RATE_HZ) {
            Ok(a) => a,
            Err(e) => {
                out.error = Some(format!("{e:#}"));
                return out;
            }
        };
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
        if !errors.is_empty() {
            out.error = Some(errors.join("; "));
        }
        out.judge_ms = t.elapsed().as_secs_f64() * 1000.0;
        out
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
