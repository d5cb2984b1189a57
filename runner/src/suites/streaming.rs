//! The streaming suite: for every trial, a real-time player simulated over the chunk arrivals
//! (underruns, stall time, the minimum pre-buffer that would have avoided every stall). The
//! simulation itself lives in the bundle crate, so the page can recompute it.

use super::{BuildInput, Suite};
use crate::context::settings::Settings;
use crate::targets::TrialOutput;
use anyhow::Result;
use kokoro_bench_bundle::playback::simulate;
use kokoro_bench_bundle::schema::{SuiteKind, Trial};

/// The streaming suite.
pub struct Streaming;

impl Suite for Streaming {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Streaming
    }

    fn uses_trials(&self) -> bool {
        true
    }

    fn analyse_trial(&self, trial: &mut Trial, _out: &TrialOutput, s: &Settings) {
        trial.playback = simulate(
            &trial.chunks.t_ms,
            &trial.chunks.samples,
            trial.sample_rate_hz,
            s.prebuffer_ms,
        );
    }
}

/// Builds the suite.
///
/// # Errors
/// None: its one option (`--prebuffer-ms`) is checked with the shared settings.
pub fn build(_: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    Ok(Box::new(Streaming))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::testing::settings;
    use kokoro_bench_bundle::schema::ChunkSeries;

    #[test]
    fn a_late_chunk_stalls_the_simulated_player() {
        let mut trial = Trial {
            sample_rate_hz: 24_000,
            chunks: ChunkSeries {
                t_ms: vec![100.0, 1100.0],
                samples: vec![12_000, 24_000],
                ..Default::default()
            },
            ..Default::default()
        };
        let out = TrialOutput {
            trial: trial.clone(),
            samples: Vec::new(),
            joins: Vec::new(),
        };
        let mut s = settings(1);
        Streaming.analyse_trial(&mut trial, &out, &s);
        let p = trial.playback.clone().unwrap();
        assert_eq!(p.underruns, 1);
        assert!(
            (p.stall_total_ms - 500.0).abs() < 1e-6,
            "{}",
            p.stall_total_ms
        );
        s.prebuffer_ms = 500.0;
        Streaming.analyse_trial(&mut trial, &out, &s);
        assert_eq!(
            trial.playback.unwrap().underruns,
            0,
            "the pre-buffer covers the gap"
        );
    }
}
