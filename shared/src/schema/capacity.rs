//! The capacity suite's result: how many listeners (or requests per second) a target serves
//! before speech stutters, level by level, against an explicit service-level objective.

use serde::{Deserialize, Serialize};

/// How load is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoadMode {
    /// N listeners, each asking again as soon as its stream ended (closed loop).
    Listeners,
    /// Requests arriving at random (Poisson) at a rate, whether or not earlier ones ended (open
    /// loop: queueing shows).
    Rate,
}

/// What a listener must get for a request to count as served well.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Slo {
    /// As written, e.g. `heard<=1500ms,underruns==0`.
    pub text: String,
    /// Heard-speech latency at most this, ms.
    #[serde(default)]
    pub heard_ms_max: Option<f64>,
    /// First-sample TTFA at most this, ms.
    #[serde(default)]
    pub ttfa_ms_max: Option<f64>,
    /// Underruns of the simulated player at most this many.
    #[serde(default)]
    pub underruns_max: Option<u32>,
    /// Total stall time at most this, ms.
    #[serde(default)]
    pub stall_ms_max: Option<f64>,
    /// Share of requests that must meet it for a level to hold, e.g. 0.95.
    pub hold_fraction: f64,
}

/// One request at one level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CapacityRequest {
    /// Request start, ms since the level started.
    pub start_ms: f64,
    /// Heard-speech latency, ms.
    #[serde(default)]
    pub heard_ms: Option<f64>,
    /// First-sample TTFA, ms.
    #[serde(default)]
    pub ttfa_ms: Option<f64>,
    /// Underruns of a real-time player.
    #[serde(default)]
    pub underruns: Option<u32>,
    /// Stall time, ms.
    #[serde(default)]
    pub stall_ms: Option<f64>,
    /// Real-time factor.
    #[serde(default)]
    pub rtf: Option<f64>,
    /// Audio delivered, seconds.
    pub audio_s: f64,
    /// The error kind, when it failed.
    #[serde(default)]
    pub error: Option<super::ErrorKind>,
    /// Whether it met the SLO (a failed request never does).
    pub met_slo: bool,
}

/// One load level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CapacityLevel {
    /// Listeners (closed loop) or requests per second (open loop).
    pub level: f64,
    /// Requests started (warm-up excluded).
    pub started: u32,
    /// Requests that ended (ok or failed).
    pub finished: u32,
    /// Requests that failed.
    pub failed: u32,
    /// Warm-up requests sent before the measured ones (not in any statistic).
    pub warmup: u32,
    /// Wall time of the measured part, seconds.
    pub wall_s: f64,
    /// Audio seconds delivered per wall second.
    pub audio_s_per_s: f64,
    /// Mean CPU of the serving process during the level, % of one core (when sampled).
    #[serde(default)]
    pub cpu_percent_mean: Option<f64>,
    /// Peak RSS of the serving process during the level, bytes (when sampled).
    #[serde(default)]
    pub peak_rss_bytes: Option<u64>,
    /// Why the level ended early, if it did (time budget, interrupted).
    #[serde(default)]
    pub cut_short: Option<String>,
    /// Ctrl-C ended it: its requests are kept, but it is not judged against the SLO.
    #[serde(default)]
    pub interrupted: bool,
    /// Every measured request, in start order.
    pub requests: Vec<CapacityRequest>,
}

/// The capacity suite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CapacityResult {
    /// Listeners or a request rate.
    pub mode: LoadMode,
    /// The objective every request is judged by.
    pub slo: Slo,
    /// In-process engine: sessions serving the load (1 = every request queues on one session).
    #[serde(default)]
    pub sessions: Option<u32>,
    /// In-process engine: intra-op threads of each session.
    #[serde(default)]
    pub threads_per_session: Option<u32>,
    /// Seed of the arrival schedule (open loop).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Levels in the order run.
    pub levels: Vec<CapacityLevel>,
    /// The highest level at which the observed share of requests meeting the SLO reached the
    /// hold fraction (its Wilson interval is shown beside it); `None` when no level did.
    #[serde(default)]
    pub sustainable_level: Option<f64>,
    /// Listeners the machine could serve in real time if requests shared it perfectly: logical
    /// cores / (RTF × cores busy) at one listener (1 / RTF when the server's CPU is not sampled).
    /// A measured knee well below it is a scheduling problem.
    #[serde(default)]
    pub predicted_ceiling: Option<f64>,
    /// Why the sweep stopped (levels done, the SLO failed twice, the time budget, Ctrl-C).
    pub stopped_because: String,
}
