//! The hardware suite: a fixed workload (the `medium` preset as one model call, after a warm-up,
//! on the run's session settings), so machines can be lined up beside the CPU calibration and
//! the OS's power/thermal hints recorded with every run.

use super::{BuildInput, Suite};
use crate::context::presets;
use crate::context::RunCtx;
use crate::engine::g2p::Phonemizer;
use crate::engine::model::KokoroModel;
use crate::engine::runtime::Runtime;
use crate::engine::vocab::Vocab;
use crate::engine::voices::VoicePack;
use crate::engine::EngineConfig;
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::schema::{HardwareResult, SuiteKind};
use std::time::Instant;

/// Repetitions of the workload.
pub const REPETITIONS: u32 = 5;

/// The workload.
///
/// # Errors
/// When the model cannot be loaded or run.
pub fn workload(cfg: &EngineConfig, voice: &str, repetitions: u32) -> Result<HardwareResult> {
    let text = presets::find("medium")
        .map(|p| p.text)
        .context("internal: the medium preset is missing")?;
    let rt = Runtime::shared(&cfg.ort_lib)?;
    let vocab = Vocab::load(&cfg.vocab).map_err(anyhow::Error::msg)?;
    let voices = VoicePack::load(&cfg.voices)?;
    let g2p = Phonemizer::new(cfg.lang);
    let ids = vocab
        .encode(&g2p.phonemize(text).map_err(anyhow::Error::msg)?)
        .ids;
    let mut model = KokoroModel::load(&rt, &cfg.model, &cfg.session)?;
    let style = voices.style_row(voice, ids.len())?.to_vec();
    model.infer(&ids, &style, 1.0)?; // warm-up
    let mut out = HardwareResult {
        workload: format!(
            "`medium` preset as one call ({} phonemes), {} intra-op threads, after one warm-up",
            ids.len(),
            cfg.session.intra_threads
        ),
        ..Default::default()
    };
    for _ in 0..repetitions {
        let t = Instant::now();
        let a = model.infer(&ids, &style, 1.0)?;
        out.inference_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        out.audio_s = a.len() as f64 / crate::engine::SAMPLE_RATE_HZ as f64;
    }
    Ok(out)
}

/// The hardware suite.
pub struct Hardware {
    cfg: EngineConfig,
}

impl Suite for Hardware {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Hardware
    }

    fn own_sessions(&mut self, ctx: &mut RunCtx) -> Result<()> {
        ctx.mark("hardware");
        ctx.bundle.hardware = Some(workload(&self.cfg, &ctx.settings.voice, REPETITIONS)?);
        Ok(())
    }
}

/// Builds the suite.
///
/// # Errors
/// A target without an in-process engine.
pub fn build(input: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    let Some(cfg) = input.target.engine() else {
        bail!("the hardware suite needs --target engine");
    };
    Ok(Box::new(Hardware { cfg: cfg.clone() }))
}
