//! The panel: every judging model loaded once, scoring one clip at a time, and what it is made
//! of (for the bundle's provenance).

use super::assets::{self, SPEECHMOS};
use super::dnsmos::{self, Dnsmos};
use super::resample::resample;
use crate::engine::runtime::Runtime;
use crate::target::pcm::AudioParser;
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::schema::{JudgeModel, TrialJudges};
use std::path::Path;
use std::time::Instant;

/// The judging models, loaded.
pub struct Panel {
    dnsmos: Dnsmos,
    /// Every model file, as the bundle records it.
    pub models: Vec<JudgeModel>,
    /// Loading the models, ms.
    pub load_ms: f64,
}

impl Panel {
    /// Loads every judge whose files are under `judges_dir`, on the ONNX Runtime at `ort_lib`.
    ///
    /// # Errors
    /// A model missing or not matching its pinned hash (the message says to run
    /// `kokoro-bench setup --judges`), or ONNX Runtime refusing it.
    pub fn load(judges_dir: &Path, ort_lib: &Path) -> Result<Panel> {
        let t = Instant::now();
        let files = assets::locate(judges_dir, &SPEECHMOS)?;
        let rt = Runtime::shared(ort_lib)?;
        let [p835, p808] = files.as_slice() else {
            bail!("internal: DNSMOS needs two model files");
        };
        let dnsmos = Dnsmos::load(&rt, p835, p808)?;
        let package_sha256 = SPEECHMOS.wheel_sha256.to_string();
        let models = SPEECHMOS
            .files
            .iter()
            .map(|f| JudgeModel {
                name: f.name.into(),
                package: SPEECHMOS.requirement.into(),
                package_sha256: package_sha256.clone(),
                file: f.member.into(),
                sha256: f.sha256.into(),
                runtime: format!("ONNX Runtime {}, CPU", rt.version),
            })
            .collect();
        Ok(Panel {
            dnsmos,
            models,
            load_ms: t.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// Judges one clip. A judge that fails leaves its error on the result; the others still
    /// score.
    pub fn judge(&mut self, samples: &[f32], sample_rate_hz: u32) -> TrialJudges {
        let t = Instant::now();
        let mut out = TrialJudges::default();
        match resample(samples, sample_rate_hz, dnsmos::SAMPLE_RATE_HZ)
            .and_then(|a| self.dnsmos.score(&a))
        {
            Ok(s) => out.dnsmos = Some(s),
            Err(e) => out.error = Some(format!("DNSMOS: {e:#}")),
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
