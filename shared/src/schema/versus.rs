//! The versus suite's result: the same cases on several targets, interleaved trial by trial
//! (A B C, then B C A, …) so the machine's drift hits every target alike.

use super::TargetKind;
use serde::{Deserialize, Serialize};

/// Several targets measured side by side in one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VersusResult {
    /// The targets, the run's own first (the reference the others are compared with).
    pub targets: Vec<VersusTarget>,
    /// How requests were ordered, in words.
    pub order: String,
    /// Why the suite ended early (Ctrl-C), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_early: Option<String>,
}

/// One target of a versus run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VersusTarget {
    /// Its label (`--versus NAME=…`, or the target's description).
    pub label: String,
    /// Its kind.
    pub kind: TargetKind,
    /// What it is, in words (URL, command, engine files).
    pub description: String,
    /// Per case.
    pub cases: Vec<VersusCase>,
    /// Why it could not be measured at all (did not start), if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// One case on one target: per measured trial (warm-ups excluded), in request order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VersusCase {
    /// Case id.
    pub case: String,
    /// When each trial started, ms since the run's origin (shows the interleaving).
    pub start_ms: Vec<f64>,
    /// Heard-speech latency of each successful trial, ms.
    pub heard_ms: Vec<f64>,
    /// First sample, ms.
    pub ttfa_ms: Vec<f64>,
    /// Real-time factor.
    pub rtf: Vec<f64>,
    /// Underruns of the simulated player.
    pub underruns: Vec<f64>,
    /// Audio delivered by each successful trial, seconds (HTTP trials include their nonce).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audio_s: Vec<f64>,
    /// Time to the last sample of each successful trial, ms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub total_ms: Vec<f64>,
    /// Engine targets: model time of each successful trial's first chunk, ms (the first sample
    /// can come no earlier).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_inference_ms: Vec<f64>,
    /// `--text-arrival`: the last token → the end of each successful turn's audio heard, ms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_of_turn_ms: Vec<f64>,
    /// Failed trials.
    pub failed: u32,
    /// The first few failures' messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}
