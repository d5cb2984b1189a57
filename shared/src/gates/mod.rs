//! Gates: declarative bands a run must stay within, evaluated identically by the CLI and the page.
//!
//! Two file formats are read: the seed project's `expected_bands.json` ([`seed`]) as is, and our
//! own richer format ([`file`]) with per-metric, per-case rules, levels and aggregation. Both become
//! a list of [`GateRule`]s; [`evaluate`] turns rules plus a bundle into [`GateOutcome`]s that carry
//! the value, the threshold and the samples behind every verdict. A gate over zero samples is
//! *no data*, never *pass*.

pub mod file;
pub mod seed;

mod eval;

pub use eval::evaluate;

use crate::metrics::Metric;
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

impl Stat {
    /// Label, e.g. `p95`.
    pub fn label(self) -> &'static str {
        match self {
            Stat::Min => "min",
            Stat::Median => "median",
            Stat::Mean => "mean",
            Stat::P90 => "p90",
            Stat::P95 => "p95",
            Stat::Max => "max",
            Stat::Value => "value",
        }
    }

    /// Computes the statistic.
    pub fn of(self, values: &[f64]) -> Option<f64> {
        let s = crate::stats::Summary::of(values)?;
        Some(match self {
            Stat::Min => s.min,
            Stat::Median => s.median,
            Stat::Mean => s.mean,
            Stat::P90 => s.p90,
            Stat::P95 => s.p95,
            Stat::Max | Stat::Value => s.max,
        })
    }
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

impl Bound {
    /// Whether `v` satisfies the bound.
    pub fn holds(self, v: f64) -> bool {
        match self {
            Bound::AtMost(m) => v <= m,
            Bound::AtLeast(m) => v >= m,
            Bound::Within { target, tolerance } => (v - target).abs() <= tolerance,
        }
    }

    /// Human text, e.g. `≤ 800 ms`.
    pub fn describe(self, metric: Metric) -> String {
        match self {
            Bound::AtMost(m) => format!("≤ {}", metric.format(m)),
            Bound::AtLeast(m) => format!("≥ {}", metric.format(m)),
            Bound::Within { target, tolerance } => {
                format!("{} ± {tolerance}", metric.format(target))
            }
        }
    }
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

impl CaseFilter {
    /// Whether a case matches.
    pub fn matches(&self, id: &str, chars: u32) -> bool {
        (self.ids.is_empty() || self.ids.iter().any(|i| i == id))
            && self.min_chars.is_none_or(|m| chars >= m)
            && self.max_chars.is_none_or(|m| chars <= m)
    }
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

/// Reading a gates file failed.
#[derive(Debug, thiserror::Error)]
pub enum GatesError {
    /// Not JSON, or not of either format.
    #[error("gates file is not valid: {0}")]
    Invalid(String),
    /// An unknown metric key.
    #[error("unknown metric `{0}` in gates file; known metrics: {1}")]
    UnknownMetric(String, String),
}

/// Parses a gates file of either format (detected by its top-level keys).
///
/// # Errors
/// [`GatesError`] when the bytes are not JSON, match neither format, or name an unknown metric.
pub fn parse(bytes: &[u8]) -> Result<Vec<GateRule>, GatesError> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| GatesError::Invalid(e.to_string()))?;
    if v.get("performance_gates").is_some() {
        seed::parse(&v)
    } else if v.get("gates").is_some() {
        file::parse(&v)
    } else {
        Err(GatesError::Invalid(
            "expected a seed `expected_bands.json` (top-level `performance_gates`) or a kokoro-bench gates file (top-level `gates`)"
                .into(),
        ))
    }
}
