//! The memory suite: RSS and CPU of the process that synthesises (this process for the engine,
//! the server for HTTP — never the client), sampled from before the target starts to the end,
//! with trial marks, a baseline after load, the peak over the measured phases and a leak slope
//! over the steady state ([`super::leak`]).

use super::{BuildInput, Suite};
use crate::context::RunCtx;
use crate::measure::memory::Sampler;
use crate::targets::Sampled;
use anyhow::{bail, Result};
use clap::Args;
use kokoro_bench_bundle::schema::{NoteCode, NoteLevel, SuiteKind};
use std::time::Duration;

/// Memory-suite flags.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Memory suite")]
pub struct MemoryArgs {
    /// Sampling interval, ms.
    #[arg(long, default_value_t = 100)]
    pub memory_interval_ms: u64,
}

/// The memory suite.
pub struct Memory {
    interval: Duration,
}

impl Memory {
    /// Sampling every `interval`.
    pub fn every(interval: Duration) -> Memory {
        Memory { interval }
    }
}

impl Suite for Memory {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Memory
    }

    fn before_target(&mut self, ctx: &mut RunCtx) -> Result<()> {
        match ctx.sampled.clone() {
            Sampled::Process { pid, what, scope } => {
                ctx.sampler = Some(Sampler::start(pid, &what, self.interval, ctx.origin, scope));
            }
            Sampled::NotSampled(why) => ctx.note(NoteLevel::Warn, NoteCode::MemoryNotSampled, why),
        }
        Ok(())
    }

    fn target_started(&mut self, ctx: &mut RunCtx) {
        if let Some(s) = &ctx.sampler {
            s.baseline_now();
        }
    }

    fn finish(&mut self, ctx: &mut RunCtx) {
        if let Some(s) = ctx.sampler.take() {
            let mut series = s.stop();
            series.leak = super::leak::estimate(&ctx.bundle, &series);
            ctx.bundle.memory = Some(series);
        }
    }
}

/// Builds the suite.
///
/// # Errors
/// A zero interval.
pub fn build(input: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    let ms = input.args.memory.memory_interval_ms;
    if ms == 0 {
        bail!("--memory-interval-ms must be at least 1 (100 is the default)");
    }
    Ok(Box::new(Memory {
        interval: Duration::from_millis(ms),
    }))
}
