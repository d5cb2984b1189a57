//! The streaming suite's per-trial result: what a simulated real-time player experienced.

use serde::{Deserialize, Serialize};

/// Result of the simulation for one trial.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Playback {
    /// Pre-buffer used, ms of wall clock after the first audio.
    pub prebuffer_ms: f64,
    /// Number of stalls.
    pub underruns: u32,
    /// Total stall time, ms.
    pub stall_total_ms: f64,
    /// Longest stall, ms.
    pub stall_max_ms: f64,
    /// Underruns per 10 minutes of audio.
    pub underruns_per_10min: f64,
    /// Smallest pre-buffer that would have avoided every stall, ms.
    pub min_prebuffer_ms: f64,
    /// Stalls as `[start, end]`, ms from the request start.
    pub stalls_ms: Vec<[f64; 2]>,
    /// Buffer level series: times, ms from the request start.
    pub buffer_t_ms: Vec<f64>,
    /// Buffer level series: audio buffered and not yet played, ms.
    pub buffer_ms: Vec<f64>,
}
