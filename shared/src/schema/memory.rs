//! The memory suite's result: RSS and CPU of the synthesising process over the run, and the
//! leak estimate over its steady state.

use serde::{Deserialize, Serialize};

/// RSS and CPU of the process that synthesises, sampled through the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MemorySeries {
    /// PID sampled.
    pub pid: u32,
    /// Which process that is and why, e.g. `runner (in-process engine)`.
    pub process: String,
    /// The sampled process's executable name, as the OS reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_name: Option<String>,
    /// Its command line (anything secret-looking redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_command: Option<String>,
    /// Every process whose memory and CPU were summed: the sampled one and its descendants (a
    /// server's workers), as last seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tree_pids: Vec<u32>,
    /// Requested sampling interval, ms.
    pub interval_ms: f64,
    /// Sample times, ms since the run started.
    pub t_ms: Vec<f64>,
    /// Resident set size, bytes.
    pub rss_bytes: Vec<u64>,
    /// CPU use since the previous sample, percent of one core.
    pub cpu_percent: Vec<f32>,
    /// Physical footprint per sample, bytes (macOS: what Activity Monitor shows; with
    /// memory-mapped models it can be several times RSS). Empty elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub footprint_bytes: Vec<u64>,
    /// Trial boundaries: start times, ms since the run started.
    pub mark_t_ms: Vec<f64>,
    /// Trial boundary labels, `case#index`.
    pub mark_label: Vec<String>,
    /// RSS after the model was loaded, before the first trial, bytes.
    #[serde(default)]
    pub baseline_rss_bytes: Option<u64>,
    /// Largest RSS seen, bytes — up to `peak_window_end_ms` when that is set.
    #[serde(default)]
    pub peak_rss_bytes: Option<u64>,
    /// Largest physical footprint seen (macOS), bytes, over the same window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_footprint_bytes: Option<u64>,
    /// The peak covers samples up to here, ms since the run started: the measured trials and the
    /// soak, not the providers / dual / hardware suites that load extra sessions (their samples
    /// stay in the series, after their marks). `None`: the peak covers every sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_window_end_ms: Option<f64>,
    /// Leak analysis over the steady state, when there were enough trials.
    #[serde(default)]
    pub leak: Option<LeakEstimate>,
    /// Mean time one sample took to take, µs (the sampler's own cost).
    #[serde(default)]
    pub sample_cost_us: Option<f64>,
}

/// RSS growth per request after the arena has seen the largest input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LeakEstimate {
    /// Trials in the steady-state fit.
    pub trials: u32,
    /// Slope, MB per 100 requests (Theil–Sen).
    pub mb_per_100_requests: f64,
    /// 95 % bootstrap interval of the slope.
    pub ci95: [f64; 2],
    /// `leak`, `no_leak` or `inconclusive`.
    pub verdict: String,
    /// RSS growth before the steady state (arena warming), MB.
    pub arena_growth_mb: f64,
}
