//! The providers suite: the same texts and tokens under several execution providers / session
//! options ("variants"), each with what ONNX Runtime registered, node placement read from an ORT
//! profile, session creation and first-inference time, warm model times, output drift against
//! the reference variant, and session churn ([`measure`]). A variant whose provider is not in
//! this ONNX Runtime build is recorded as skipped with the reason, never run on CPU under another
//! name. On macOS under `sudo`, GPU / Neural Engine activity per variant from `powermetrics`.

pub mod measure;
pub mod variant;

use super::{BuildInput, Suite};
use crate::context::settings::CaseText;
use crate::context::RunCtx;
use crate::engine::g2p::Phonemizer;
use crate::engine::runtime::Runtime;
use crate::engine::vocab::Vocab;
use crate::engine::voices::VoicePack;
use crate::engine::EngineConfig;
use crate::measure::powermetrics::{self, Sampler};
use anyhow::{bail, Result};
use clap::Args;
use kokoro_bench_bundle::schema::{ProvidersResult, SuiteKind};
use measure::{drift, measure_variant, prepare, Inputs, Measured};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
pub use variant::{default_matrix, flag_variants, parse_variant, Variant};

/// Providers-suite flags.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Providers suite (--suite …,providers)")]
pub struct ProvidersArgs {
    /// A variant `NAME:key=value,…` (repeatable; keys provider=cpu|coreml, units, format,
    /// threads, inter, opt, arena=on|off, pattern=on|off, model=PATH). Default: a matrix for this OS.
    #[arg(long)]
    pub variant: Vec<String>,
    /// Create/infer/drop cycles per variant for the session-churn check (0 = off).
    #[arg(long, default_value_t = 3)]
    pub churn_cycles: u32,
    /// Audio SNR against the reference variant below this is flagged as drift, dB.
    #[arg(long, default_value_t = 30.0)]
    pub min_snr_db: f64,
}

/// A providers flag given without the suite.
pub fn stray_flag(a: &super::SuiteArgs) -> Option<&'static str> {
    (!a.providers.variant.is_empty()).then_some("--variant")
}

/// The providers suite.
pub struct Providers {
    cfg: EngineConfig,
    opts: ProvidersOptions,
}

impl Suite for Providers {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Providers
    }

    fn own_sessions(&mut self, ctx: &mut RunCtx) -> Result<()> {
        ctx.mark("providers");
        ctx.progress.say(&format!(
            "providers: measuring {} variant(s) …",
            self.opts.variants.len()
        ));
        let s = &ctx.settings;
        let r = run(&self.cfg, &ctx.cases, &s.voice, s.speed, &self.opts);
        let _ = std::fs::remove_dir_all(&self.opts.scratch);
        ctx.bundle.providers = Some(r?);
        Ok(())
    }
}

/// Builds the suite.
///
/// # Errors
/// A variant that does not parse; a target without an in-process engine.
pub fn build(input: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    let a = &input.args.providers;
    let variants = if a.variant.is_empty() {
        default_matrix()
    } else {
        a.variant
            .iter()
            .map(|v| parse_variant(v))
            .collect::<Result<Vec<_>, _>>()
            .map_err(anyhow::Error::msg)?
    };
    let Some(cfg) = input.target.engine() else {
        bail!("the providers suite needs --target engine");
    };
    if !a.min_snr_db.is_finite() {
        bail!("--min-snr-db must be a number of dB, e.g. 30");
    }
    Ok(Box::new(Providers {
        cfg: cfg.clone(),
        opts: ProvidersOptions {
            variants,
            trials: input.settings.trials,
            churn_cycles: a.churn_cycles,
            min_snr_db: a.min_snr_db,
            scratch: std::env::temp_dir()
                .join(format!("kokoro-bench-profiles-{}", std::process::id())),
        },
    }))
}

/// Settings of the suite.
pub struct ProvidersOptions {
    /// Variants; the first that runs is the reference.
    pub variants: Vec<Variant>,
    /// Warm trials per case and variant.
    pub trials: u32,
    /// Create/infer/drop cycles for the churn check (0 = off).
    pub churn_cycles: u32,
    /// Drift threshold, dB SNR.
    pub min_snr_db: f64,
    /// Folder for ORT profiles (deleted after reading).
    pub scratch: PathBuf,
}

/// Starts `powermetrics` on macOS; on other systems says why there is nothing to record.
fn start_accelerator_sampler(scratch: &Path) -> Result<Sampler, String> {
    if cfg!(target_os = "macos") {
        Sampler::start(Path::new("powermetrics"), scratch, 200)
            .map_err(|e| format!("unavailable: powermetrics {e}"))
    } else {
        Err("not applicable: this OS has no CoreML GPU / Neural Engine path; the ONNX Runtime build lists only CPU-side providers".into())
    }
}

/// Seconds of idle sampled before the first variant, as the baseline.
const IDLE_BASELINE: Duration = Duration::from_millis(1500);

/// Runs the matrix.
///
/// # Errors
/// When the runtime, vocabulary, voices or G2P cannot be set up.
fn run(
    rt_cfg: &EngineConfig,
    texts: &[CaseText],
    voice: &str,
    speed: f32,
    opts: &ProvidersOptions,
) -> Result<ProvidersResult> {
    let rt = Runtime::shared(&rt_cfg.ort_lib)?;
    let vocab = Vocab::load(&rt_cfg.vocab).map_err(anyhow::Error::msg)?;
    let voices = VoicePack::load(&rt_cfg.voices)?;
    let g2p = Phonemizer::new(rt_cfg.lang);
    let prepared = prepare(texts, &vocab, &g2p).map_err(anyhow::Error::msg)?;
    std::fs::create_dir_all(&opts.scratch).ok();
    let mut result = ProvidersResult {
        min_snr_db: opts.min_snr_db,
        ..Default::default()
    };
    let sampler = start_accelerator_sampler(&opts.scratch);
    let idle = sampler.is_ok().then(|| {
        let from = SystemTime::now();
        std::thread::sleep(IDLE_BASELINE);
        (from, SystemTime::now())
    });
    let mut windows = Vec::new();
    let mut reference: Option<Vec<Vec<f32>>> = None;
    for v in &opts.variants {
        let inputs = Inputs {
            rt_cfg,
            rt: &rt,
            prepared: &prepared,
            voices: &voices,
            voice,
            speed,
        };
        let Measured {
            result: mut r,
            audios,
            warm,
        } = measure_variant(&inputs, v, opts);
        windows.push(warm);
        if r.skipped.is_none() {
            match &reference {
                None => {
                    result.reference = r.name.clone();
                    reference = Some(audios);
                }
                Some(refs) => {
                    for (c, (ra, a)) in r.cases.iter_mut().zip(refs.iter().zip(&audios)) {
                        c.drift =
                            Some(drift(ra, a, crate::engine::SAMPLE_RATE_HZ, opts.min_snr_db));
                    }
                }
            }
        }
        result.variants.push(r);
    }
    flag_variants(&mut result.variants);
    match sampler {
        Ok(sampler) => {
            let (samples, note) = sampler.stop();
            result.accelerator_activity = note;
            result.accelerator_idle =
                idle.and_then(|(from, to)| powermetrics::summarise(&samples, from, to));
            for (v, w) in result.variants.iter_mut().zip(windows) {
                v.accelerator =
                    w.and_then(|(from, to)| powermetrics::summarise(&samples, from, to));
            }
        }
        Err(why) => result.accelerator_activity = why,
    }
    Ok(result)
}
