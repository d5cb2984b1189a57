//! The quality suite: for every trial, loudness (BS.1770), true peak, non-finite and clipped
//! samples, DC, silences, the step at every chunk join and a plausible duration for the phoneme
//! count ([`crate::measure::quality`]).

use super::{BuildInput, Suite};
use crate::context::settings::Settings;
use crate::measure::quality;
use crate::targets::TrialOutput;
use anyhow::Result;
use kokoro_bench_bundle::schema::{SuiteKind, Trial};

/// The quality suite.
pub struct Quality;

impl Suite for Quality {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Quality
    }

    fn uses_trials(&self) -> bool {
        true
    }

    fn analyse_trial(&self, trial: &mut Trial, out: &TrialOutput, s: &Settings) {
        if out.samples.is_empty() {
            return;
        }
        trial.quality = Some(quality::analyse(&quality::QualityInput {
            samples: &out.samples,
            sample_rate_hz: trial.sample_rate_hz,
            joins: &out.joins,
            phonemes: trial.phonemes.map(|p| p as usize),
            speed: s.speed as f64,
            audible_threshold_dbfs: s.audible_threshold_dbfs,
        }));
    }
}

/// Builds the suite.
///
/// # Errors
/// None: it has no options of its own.
pub fn build(_: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    Ok(Box::new(Quality))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::testing::settings;

    #[test]
    fn audio_is_analysed_and_a_trial_without_audio_is_left_alone() {
        let mut samples = vec![0.0f32; 4_800]; // 200 ms of silence
        samples.extend((0..24_000).map(|i| 0.1 * (i as f32 * 0.05).sin()));
        let mut trial = Trial {
            sample_rate_hz: 24_000,
            ..Default::default()
        };
        let out = TrialOutput {
            trial: trial.clone(),
            samples,
            joins: vec![12_000],
        };
        Quality.analyse_trial(&mut trial, &out, &settings(1));
        let q = trial.quality.unwrap();
        assert!(
            (q.leading_silence_ms - 200.0).abs() <= 10.0,
            "{}",
            q.leading_silence_ms
        );
        assert_eq!(q.join_steps.len(), 1);
        let mut empty = Trial::default();
        let none = TrialOutput {
            trial: empty.clone(),
            samples: Vec::new(),
            joins: Vec::new(),
        };
        Quality.analyse_trial(&mut empty, &none, &settings(1));
        assert!(empty.quality.is_none());
    }
}
