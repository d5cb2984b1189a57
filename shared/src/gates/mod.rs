//! Gates: declarative bands a run must stay within, evaluated identically by the CLI and the page.
//!
//! Two file formats are read: the seed project's `expected_bands.json` ([`seed`]) as is, and our
//! own richer format ([`file`]) with per-metric, per-case rules, levels and aggregation. Both become
//! a list of [`GateRule`]s; [`evaluate`] turns rules plus a bundle into [`GateOutcome`]s that carry
//! the value, the threshold and the samples behind every verdict. A gate over zero samples is
//! *no data*, never *pass*.

pub mod file;
pub mod relative;
pub mod seed;

mod eval;

pub use eval::evaluate;

use crate::schema::Metric;
pub use crate::schema::{
    Aggregate, Bound, CaseFilter, GateOutcome, GateRule, GateStatus, Level, Stat,
};

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

impl CaseFilter {
    /// Whether a case matches.
    pub fn matches(&self, id: &str, chars: u32) -> bool {
        (self.ids.is_empty() || self.ids.iter().any(|i| i == id))
            && self.min_chars.is_none_or(|m| chars >= m)
            && self.max_chars.is_none_or(|m| chars <= m)
    }
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

/// Parses a gates file of either format (detected by its top-level keys); rules relative to a
/// baseline stay unresolved in [`file::GatesFile::relative`].
///
/// # Errors
/// [`GatesError`] when the bytes are not JSON, match neither format, or name an unknown metric.
pub fn read(bytes: &[u8]) -> Result<file::GatesFile, GatesError> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| GatesError::Invalid(e.to_string()))?;
    if v.get("performance_gates").is_some() {
        Ok(file::GatesFile {
            rules: seed::parse(&v)?,
            ..file::GatesFile::default()
        })
    } else if v.get("gates").is_some() {
        file::parse(&v)
    } else {
        Err(GatesError::Invalid(
            "expected a seed `expected_bands.json` (top-level `performance_gates`) or a kokoro-bench gates file (top-level `gates`)"
                .into(),
        ))
    }
}

/// Parses a gates file whose bounds are all absolute.
///
/// # Errors
/// As [`read`], and when a rule is relative to a baseline (use [`read`] and
/// [`relative::resolve`]).
pub fn parse(bytes: &[u8]) -> Result<Vec<GateRule>, GatesError> {
    let f = read(bytes)?;
    if let Some(r) = f.relative.first() {
        return Err(GatesError::Invalid(format!(
            "gate `{}` is relative to a baseline, which must be read first",
            r.rule.id
        )));
    }
    Ok(f.rules)
}
