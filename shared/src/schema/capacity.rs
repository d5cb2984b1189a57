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
    /// The load generator's own CPU over the level, % of one core (targets outside the runner's
    /// process only): a client near its cores' limit adds latency of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cpu_percent: Option<f64>,
    /// The load generator's own CPU per request sent during the level (warm-up and load
    /// included), ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cpu_ms_per_request: Option<f64>,
    /// When the level started on this runner's wall clock, Unix ms (requests' `start_ms` count
    /// from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_unix_ms: Option<f64>,
    /// First measured start and last measured end on this runner's wall clock, Unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_unix_ms: Option<[f64; 2]>,
    /// A shard's part of the level (its listeners or rate); `level` is the whole sweep's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_level: Option<f64>,
    /// A shard's level that began after its slot had started (the previous level overran), ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_ms: Option<f64>,
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
    /// This run is one shard of a sweep driven from several runners (`--shard i/N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardPlan>,
    /// This result merges the shards listed (`kokoro-bench merge`): every level holds their raw
    /// requests together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<ShardOrigin>,
}

/// One shard's part in a sweep shared by several runners: levels run in lockstep on a wall-clock
/// schedule all shards share (no coordinator), each carrying its share of every level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShardPlan {
    /// This shard, 1-based.
    pub index: u32,
    /// Shards in the sweep.
    pub of: u32,
    /// When level 1 starts on every shard, Unix ms (`--start-at`).
    pub start_at_unix_ms: f64,
    /// Each level's slot, s: level k starts at `start_at + (k − 1) × slot_s` (twice the level
    /// budget: measured requests start in its first half, load is kept up to three quarters).
    pub slot_s: f64,
    /// The levels of the whole sweep, in order (listeners or requests per second).
    pub levels: Vec<f64>,
    /// Measured requests per level over all shards.
    pub level_requests: u32,
    /// This runner's clock minus the server's (its `Date` header), ms: an interval, since the
    /// header counts whole seconds; `None` when the server sent no usable `Date`.
    #[serde(default)]
    pub clock_offset_ms: Option<[f64; 2]>,
}

/// A shard a merged result came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShardOrigin {
    /// The shard's run id.
    pub run_id: String,
    /// Its index, 1-based.
    pub index: u32,
    /// The machine it ran on (label or host name).
    pub machine: String,
    /// Its clock minus the server's, ms (see [`ShardPlan::clock_offset_ms`]).
    #[serde(default)]
    pub clock_offset_ms: Option<[f64; 2]>,
    /// Levels it started late, with how late, ms.
    #[serde(default)]
    pub late_ms_max: Option<f64>,
}
