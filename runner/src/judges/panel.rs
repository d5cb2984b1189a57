//! The panel: every judge in the [registry](super::contract::REGISTRY) loaded once, scoring one
//! clip at a time, and what it is made of (for the bundle's provenance). A judge whose files are
//! missing or do not match their pins is skipped by name; the others still score.

pub use super::contract::Clip;
use super::contract::{self, Heard, Judge, Setting};
use super::ge2e;
use super::registry::REGISTRY;
use super::resample::resample;
use crate::engine::runtime::Runtime;
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::schema::{JudgeModel, TrialJudges};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The judging models, loaded.
pub struct Panel {
    judges: Vec<Box<dyn Judge>>,
    rt: Arc<Runtime>,
    dir: PathBuf,
    audible_dbfs: f64,
    /// The reference speaker similarity is measured against, in words, once a voice is set.
    pub voiceprint: Option<String>,
    /// Judges that could not be loaded, each as `name: why`.
    pub skipped: Vec<String>,
    /// Loading the models, ms.
    pub load_ms: f64,
}

impl Panel {
    /// Loads every registered judge whose files are under `judges_dir`, on the ONNX Runtime at
    /// `ort_lib`; a judge that cannot be loaded is listed in [`Panel::skipped`].
    ///
    /// # Errors
    /// ONNX Runtime not loading, or no judge at all loading (the message names each one's reason
    /// and says to run `kokoro-bench setup --judges`).
    pub fn load(judges_dir: &Path, ort_lib: &Path, audible_dbfs: f64) -> Result<Panel> {
        let t = Instant::now();
        let rt = Runtime::shared(ort_lib)?;
        let setting = Setting {
            dir: judges_dir,
            rt: &rt,
            audible_dbfs,
        };
        let mut judges = Vec::new();
        let mut skipped = Vec::new();
        for entry in REGISTRY {
            match contract::load(entry, &setting) {
                Ok(j) => judges.push(j),
                Err(e) => skipped.push(format!("{}: {e:#}", entry.name)),
            }
        }
        if judges.is_empty() {
            bail!(
                "no judge could be loaded from {}:\n  {}",
                judges_dir.display(),
                skipped.join("\n  ")
            );
        }
        Ok(Panel {
            judges,
            rt,
            dir: judges_dir.to_path_buf(),
            audible_dbfs,
            voiceprint: None,
            skipped,
            load_ms: t.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// Every loaded model file, as the bundle records it.
    pub fn models(&self) -> Vec<JudgeModel> {
        self.judges.iter().flat_map(|j| j.models()).collect()
    }

    /// Sets the voice judges that need a reference measure against (the speaker print is made
    /// from the clean set-up model the first time, then cached).
    ///
    /// # Errors
    /// No clean model set up, or a voice its pack lacks: similarity is then not judged.
    pub fn set_voice(&mut self, voice: &str) -> Result<()> {
        let setting = Setting {
            dir: &self.dir,
            rt: &self.rt,
            audible_dbfs: self.audible_dbfs,
        };
        for j in &mut self.judges {
            let name = j.name();
            if let Some(words) = j
                .set_voice(voice, &setting)
                .with_context(|| format!("{name}: no reference for voice {voice}"))?
            {
                self.voiceprint = Some(words);
            }
        }
        Ok(())
    }

    /// How many hypotheses a transcribing judge keeps (1: greedy); recorded in the models'
    /// provenance.
    pub fn set_asr_beam(&mut self, beam: usize) {
        for j in &mut self.judges {
            j.set_asr_beam(beam.max(1));
        }
    }

    /// Judges one clip; with `spoken`, the text it should say, its transcript is scored too.
    /// Returns the scores and what the transcribing judge heard. A judge that fails leaves its
    /// error, by name, on the result; the others still score.
    pub fn judge(&mut self, clip: &Clip<'_>) -> (TrialJudges, Option<String>) {
        let t = Instant::now();
        let mut out = TrialJudges::default();
        let audio = match resample(clip.samples, clip.sample_rate_hz, ge2e::SAMPLE_RATE_HZ) {
            Ok(a) => a,
            Err(e) => {
                out.error = Some(format!("{e:#}"));
                return (out, None);
            }
        };
        let heard = Heard {
            audio: &audio,
            clip,
        };
        let mut errors = Vec::new();
        let mut transcript = None;
        for j in &mut self.judges {
            if let Err(e) = j.judge(&heard, &mut out) {
                errors.push(format!("{}: {e:#}", j.name()));
            }
            transcript = transcript.or_else(|| j.transcript());
        }
        if !errors.is_empty() {
            out.error = Some(errors.join("; "));
        }
        out.judge_ms = t.elapsed().as_secs_f64() * 1000.0;
        (out, transcript)
    }
}
