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
    /// Its cold start: the first request it answered in this run (the first warm-up of the first
    /// case, before any other), time to first audio, ms. `None` for the run's own target (its
    /// cold request is the case table's) or when that request failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cold_ttfa_ms: Option<f64>,
    /// Its process's memory and CPU while the suite ran, where it is a process of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<VersusUsage>,
}

/// Memory and CPU of one versus target's process during the suite.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VersusUsage {
    /// What was sampled (a server and its workers, a command's processes), or why nothing was.
    pub what: String,
    /// Peak resident memory, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<u64>,
    /// Mean CPU over the suite, % of one core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_mean_pct: Option<f64>,
    /// Highest CPU of one sample, % of one core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_max_pct: Option<f64>,
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
    /// Engine targets, and workers that report their chunks (`kokoro-bench worker` does): how
    /// many chunks each successful trial was spoken in (its chunk plan's length), so a
    /// difference in plans shows beside a difference in latency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chunks: Vec<u32>,
    /// `--text-arrival`: the last token → the end of each successful turn's audio heard, ms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_of_turn_ms: Vec<f64>,
    /// Failed trials.
    pub failed: u32,
    /// The first few failures' messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}
