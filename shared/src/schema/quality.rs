//! The quality suite's per-trial result: audio correctness and loudness.

use crate::Real;
use serde::{Deserialize, Serialize};

/// Audio correctness and loudness of one trial's audio.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Quality {
    /// Integrated loudness (ITU-R BS.1770-4 / EBU R128), LUFS; absent when undefined (< 0.4 s).
    #[serde(default)]
    pub integrated_lufs: Option<Real>,
    /// Loudness range (EBU Tech 3342), LU; absent when undefined.
    #[serde(default)]
    pub loudness_range_lu: Option<Real>,
    /// Why loudness is absent, when it is.
    #[serde(default)]
    pub loudness_undefined_reason: Option<String>,
    /// Sample peak, dBFS.
    pub sample_peak_dbfs: Real,
    /// True peak (4× oversampled, BS.1770-4 Annex 2), dBTP.
    pub true_peak_dbtp: Real,
    /// NaN or infinite samples.
    pub nonfinite_samples: u64,
    /// Samples with |x| ≥ 1.0.
    pub clipped_samples: u64,
    /// Mean sample value.
    pub dc_offset: f64,
    /// Silence before the first audible window, ms.
    pub leading_silence_ms: f64,
    /// Silence after the last audible window, ms.
    pub trailing_silence_ms: f64,
    /// Longest run of inaudible windows between audible ones, ms.
    pub longest_internal_silence_ms: f64,
    /// Absolute sample step at each chunk join.
    #[serde(default)]
    pub join_steps: Vec<f64>,
    /// Median absolute sample-to-sample step of the whole signal (for judging joins).
    #[serde(default)]
    pub median_abs_step: f64,
    /// Plausible duration range for the phoneme count, seconds.
    #[serde(default)]
    pub expected_duration_s: Option<[f64; 2]>,
    /// Problems found (empty when the audio passed every check).
    #[serde(default)]
    pub problems: Vec<String>,
}
