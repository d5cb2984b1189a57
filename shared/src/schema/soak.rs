//! The soak suite's result: many requests over a duration or a count, cut into windows.

use serde::{Deserialize, Serialize};

/// Endurance results.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SoakResult {
    /// Requested duration, seconds, if duration-bound.
    #[serde(default)]
    pub duration_s: Option<f64>,
    /// Concurrency.
    pub concurrency: u32,
    /// Requests completed (ok + failed).
    pub requests: u64,
    /// Window starts, ms since the soak began.
    pub window_t_ms: Vec<f64>,
    /// Per-window median TTFA, ms.
    pub window_ttfa_p50_ms: Vec<Option<f64>>,
    /// Per-window median RTF.
    pub window_rtf_p50: Vec<Option<f64>>,
    /// Per-window mean RSS, bytes.
    pub window_rss_bytes: Vec<Option<u64>>,
    /// TTFA drift between first and last window, percent (positive = slower).
    #[serde(default)]
    pub ttfa_drift_pct: Option<f64>,
    /// 95 % bootstrap interval of the drift.
    #[serde(default)]
    pub ttfa_drift_ci95: Option<[f64; 2]>,
    /// Change points in the per-request TTFA series (request indices).
    #[serde(default)]
    pub change_points: Vec<usize>,
    /// Per-request TTFA, ms, in completion order.
    pub request_ttfa_ms: Vec<Option<f64>>,
    /// Errors by kind.
    pub errors_by_kind: std::collections::BTreeMap<String, u64>,
}
