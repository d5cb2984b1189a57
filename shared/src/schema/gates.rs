//! Gate rules and outcomes as written in a bundle (evaluation lives in [`crate::gates`]).

use super::Metric;
use serde::{Deserialize, Serialize};

/// Gate severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Shown, not evaluated.
    Off,
    /// A breach is a warning.
    Warn,
    /// A breach fails the run (exit 1).
    #[default]
    Error,
}

/// Which statistic of the sample a gate checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    /// Smallest value.
    Min,
    /// Median.
    Median,
    /// Arithmetic mean.
    Mean,
    /// 90th percentile.
    P90,
    /// 95th percentile.
    P95,
    /// Largest value.
    Max,
    /// The run-level value (for run-level metrics).
    Value,
}

/// The band a statistic must lie in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// `value ≤ max`.
    AtMost(f64),
    /// `value ≥ min`.
    AtLeast(f64),
    /// `|value − target| ≤ tolerance`.
    Within {
        /// Target.
        target: f64,
        /// Allowed deviation.
        tolerance: f64,
    },
}

/// Which cases a gate applies to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaseFilter {
    /// Case ids; empty means every case.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Only texts with at least this many characters.
    #[serde(default)]
    pub min_chars: Option<u32>,
    /// Only texts with at most this many characters.
    #[serde(default)]
    pub max_chars: Option<u32>,
}

/// How per-trial values of several cases are combined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// One outcome per matching case.
    #[default]
    PerCase,
    /// One outcome over the pooled trials of all matching cases.
    Pooled,
}

/// One gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GateRule {
    /// Gate id.
    pub id: String,
    /// Where the rule came from, e.g. `expected_bands.json (seed)`.
    pub source: String,
    /// Metric.
    pub metric: Metric,
    /// Statistic checked.
    pub stat: Stat,
    /// Band.
    pub bound: Bound,
    /// Cases.
    pub cases: CaseFilter,
    /// Aggregation across cases.
    pub aggregate: Aggregate,
    /// Severity.
    pub level: Level,
    /// Fewer samples than this is "no data".
    pub min_samples: u32,
    /// How the rule was derived from its source, when not literal.
    #[serde(default)]
    pub note: Option<String>,
}

/// Result of a gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum GateStatus {
    /// Within the band.
    Pass,
    /// Outside the band, level warn.
    Warn,
    /// Outside the band, level error.
    Fail,
    /// Could not be evaluated: no or too few samples, or an untrusted metric. Never a pass.
    NoData,
    /// Level off: not evaluated.
    Off,
}

/// A gate's outcome, with everything needed to see why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GateOutcome {
    /// The rule.
    pub rule: GateRule,
    /// Case id, or `None` for pooled / run-level outcomes.
    pub case: Option<String>,
    /// The statistic's value.
    pub value: Option<f64>,
    /// Samples the value came from.
    pub samples: u32,
    /// Failed trials in the same cases (not in the sample).
    pub failed_trials: u32,
    /// Verdict.
    pub status: GateStatus,
    /// Why, in words.
    pub reason: String,
}
