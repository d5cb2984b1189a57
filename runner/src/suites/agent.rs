//! The agent suite: every case spoken as a voice-agent turn (text arriving like a language
//! model's output, at `--text-arrival` or 40 tokens/s, cut into pieces by the client-side
//! aggregator; [`crate::turns`]), reported per turn size. The trial loop does the work — a turn
//! is a trial, so rounds, intervals, `compare`, gates and side-by-side verdicts all apply; this
//! suite makes sure each turn's player is simulated (stalls between pieces) even without the
//! streaming suite, and with `--preset turns` speaks agent-sized turns.

use super::{BuildInput, Suite};
use crate::context::settings::Settings;
use crate::targets::TrialOutput;
use anyhow::{bail, Result};
use kokoro_bench_bundle::playback::simulate;
use kokoro_bench_bundle::schema::{SuiteKind, Trial};

/// The agent suite.
pub struct Agent;

impl Suite for Agent {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Agent
    }

    fn uses_trials(&self) -> bool {
        true
    }

    fn analyse_trial(&self, trial: &mut Trial, _out: &TrialOutput, s: &Settings) {
        if trial.playback.is_none() {
            trial.playback = simulate(
                &trial.chunks.t_ms,
                &trial.chunks.samples,
                trial.sample_rate_hz,
                s.prebuffer_ms,
            );
        }
    }
}

/// Builds the suite.
///
/// # Errors
/// When the run does not speak turns (the plan gives the suite a default pace, so only a
/// caller that skipped the plan meets this).
pub fn build(input: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    if input.settings.turns.is_none() {
        bail!("the agent suite needs text that arrives: add --text-arrival (e.g. 40tok/s)");
    }
    Ok(Box::new(Agent))
}
