//! Provider/variant matrix results: the same texts and tokens under different execution
//! providers and session options, with what ONNX Runtime actually registered and the audio's
//! drift from the reference variant.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The providers suite.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProvidersResult {
    /// Name of the reference variant (drift is measured against it).
    pub reference: String,
    /// Drift threshold: a variant whose SNR against the reference is below this is flagged, dB.
    pub min_snr_db: f64,
    /// Every variant, in the order run.
    pub variants: Vec<VariantResult>,
    /// How GPU / Neural Engine activity was recorded, or why it is unavailable (never guessed).
    #[serde(default)]
    pub accelerator_activity: String,
    /// Accelerator activity while the machine idled for a moment before the first variant (the
    /// baseline the variants' activity is read against), when it was recorded.
    #[serde(default)]
    pub accelerator_idle: Option<AcceleratorActivity>,
}

/// System-wide GPU / Neural Engine / CPU activity over a window, from macOS `powermetrics`
/// samples (`cpu_power,gpu_power` samplers). System-wide: other processes count too, which is
/// why an idle baseline is recorded beside it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AcceleratorActivity {
    /// Samples whose interval midpoint fell in the window.
    pub samples: u32,
    /// Seconds those samples cover.
    pub sampled_s: f64,
    /// Fraction of time the GPU was active (1 − idle ratio), time-weighted, 0–1.
    #[serde(default)]
    pub gpu_active_ratio: Option<f64>,
    /// Mean GPU frequency while sampled, MHz.
    #[serde(default)]
    pub gpu_freq_mhz: Option<f64>,
    /// GPU power (energy over time), mW.
    #[serde(default)]
    pub gpu_power_mw: Option<f64>,
    /// Neural Engine power (energy over time), mW.
    #[serde(default)]
    pub ane_power_mw: Option<f64>,
    /// CPU power (energy over time), mW.
    #[serde(default)]
    pub cpu_power_mw: Option<f64>,
}

/// One variant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VariantResult {
    /// Name, e.g. `cpu-2t`, `coreml-ane`.
    pub name: String,
    /// Requested settings, `key=value` (provider, threads, optimisation, arena, …).
    pub requested: BTreeMap<String, String>,
    /// Why the variant did not run (provider unavailable, load failed); `None` when it ran.
    #[serde(default)]
    pub skipped: Option<String>,
    /// Providers registered on the session, in order.
    #[serde(default)]
    pub registered_providers: Vec<String>,
    /// Nodes per provider, from an ONNX Runtime profile of one inference (when readable).
    #[serde(default)]
    pub node_placement: BTreeMap<String, u32>,
    /// Session creation time, ms.
    #[serde(default)]
    pub session_create_ms: Option<f64>,
    /// First inference after creation, ms.
    #[serde(default)]
    pub first_inference_ms: Option<f64>,
    /// Warm measurements per case.
    #[serde(default)]
    pub cases: Vec<VariantCase>,
    /// Session churn: RSS after each create → infer → drop cycle.
    #[serde(default)]
    pub churn: Option<Churn>,
    /// Problems (inference errors) met while measuring.
    #[serde(default)]
    pub errors: Vec<String>,
    /// GPU / Neural Engine activity during the warm trials, when it was recorded.
    #[serde(default)]
    pub accelerator: Option<AcceleratorActivity>,
    /// Reasons to doubt what this variant measured: the same effective settings as another
    /// variant, or a requested provider that took no node.
    #[serde(default)]
    pub flags: Vec<String>,
}

/// Warm measurements of one variant on one case (same tokens for every variant).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VariantCase {
    /// Case id.
    pub case: String,
    /// Phoneme tokens of the first progressive chunk.
    pub first_chunk_phonemes: u32,
    /// Model time of the first progressive chunk per trial, ms (the model part of TTFA).
    pub first_chunk_ms: Vec<f64>,
    /// Phoneme tokens of the whole text.
    pub phonemes: u32,
    /// Model time of the whole text per trial, ms.
    pub whole_ms: Vec<f64>,
    /// Audio seconds of the whole text.
    pub audio_s: f64,
    /// Drift of the whole-text audio against the reference variant.
    #[serde(default)]
    pub drift: Option<Drift>,
}

/// Output difference against the reference variant for the same tokens.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Drift {
    /// Duration difference (this − reference), ms.
    pub duration_diff_ms: f64,
    /// Largest absolute sample difference over the common length.
    pub max_abs_diff: f64,
    /// Pearson correlation over the common length (NaN when either signal is constant).
    pub correlation: crate::Real,
    /// Signal-to-noise ratio of the reference against the difference, dB (∞ when identical,
    /// written as a large finite cap of 200 dB).
    pub snr_db: f64,
    /// Whether the drift passes the run's threshold.
    pub within_threshold: bool,
}

/// Session churn.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Churn {
    /// RSS after each cycle, MB.
    pub rss_mb: Vec<f64>,
    /// Theil–Sen slope, MB per session (needs at least two cycles).
    pub mb_per_session: Option<f64>,
}
