//! The dual suite's result: two engine sessions behind a router against one session with the
//! same total intra-op threads, per concurrency level.

use serde::{Deserialize, Serialize};

/// Dual-session mode against a single session with the same total threads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DualResult {
    /// Routing policy: `round_robin`, `by_length` or `least_busy`.
    pub policy: String,
    /// Character count at or below which `by_length` routes to session 0.
    pub length_threshold_chars: u32,
    /// Intra-op threads of the single session (each dual session gets half).
    pub total_threads: u32,
    /// One entry per (mode, concurrency).
    pub levels: Vec<DualLevel>,
}

/// One load level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DualLevel {
    /// `single` or `dual`.
    pub mode: String,
    /// Concurrent clients.
    pub concurrency: u32,
    /// Wall time of the level, seconds.
    pub wall_s: f64,
    /// Audio seconds produced per wall second.
    pub audio_s_per_s: f64,
    /// Per request: TTFA, ms (None when it failed).
    pub ttfa_ms: Vec<Option<f64>>,
    /// Per request: RTF.
    pub rtf: Vec<Option<f64>>,
    /// Per request: which session served it (0 or 1; always 0 for `single`).
    pub served_by: Vec<u8>,
}
