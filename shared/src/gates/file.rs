//! kokoro-bench's own gates file.
//!
//! ```json
//! { "gates": [
//!     { "id": "ttfa", "metric": "ttfa_ms", "stat": "p95", "max": 800, "level": "error" },
//!     { "metric": "rtf", "stat": "median", "max": 0.7, "cases": ["long"], "level": "warn" },
//!     { "metric": "integrated_lufs", "stat": "median", "target": -23, "tolerance": 3,
//!       "min_chars": 100, "aggregate": "pooled", "level": "off" } ],
//!   "min_samples": 5 }
//! ```
//!
//! Exactly one of `max`, `min`, `target` + `tolerance`, or — relative to a baseline run —
//! `max_increase` or `max_decrease` per gate. `stat` defaults to `p95` (`value` for run-level
//! metrics), `level` to `error`, `aggregate` to `per_case`. Relative gates need `"baseline"`, a
//! bundle path (relative paths are read from the gates file's folder):
//!
//! ```json
//! { "baseline": "baseline/bundle.json",
//!   "gates": [
//!     { "metric": "mos", "stat": "mean", "aggregate": "pooled", "max_decrease": 0.5 },
//!     { "metric": "wer", "stat": "mean", "aggregate": "pooled", "max_increase": 0.05 } ],
//!   "min_samples": 1 }
//! ```

use super::relative::{Change, RelativeRule};
use super::{Aggregate, Bound, CaseFilter, GateRule, GatesError, Level, Stat};
use crate::metrics::Metric;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRule {
    id: Option<String>,
    metric: String,
    stat: Option<Stat>,
    max: Option<f64>,
    min: Option<f64>,
    target: Option<f64>,
    tolerance: Option<f64>,
    max_increase: Option<f64>,
    max_decrease: Option<f64>,
    #[serde(default)]
    cases: Vec<String>,
    min_chars: Option<u32>,
    max_chars: Option<u32>,
    #[serde(default)]
    aggregate: Aggregate,
    #[serde(default)]
    level: Level,
    min_samples: Option<u32>,
}

#[derive(Deserialize)]
struct File {
    gates: Vec<FileRule>,
    min_samples: Option<u32>,
    baseline: Option<String>,
}

/// A gates file: its absolute rules, the rules relative to a baseline (resolved with
/// [`super::relative::resolve`] once the baseline is read) and the baseline's path as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GatesFile {
    /// Rules with absolute bounds.
    pub rules: Vec<GateRule>,
    /// Rules bounded relative to the baseline.
    pub relative: Vec<RelativeRule>,
    /// The baseline bundle's path, as the file gives it.
    pub baseline: Option<String>,
}

/// Converts a parsed gates file into rules.
///
/// # Errors
/// [`GatesError`] on unknown metrics, unknown fields, an ambiguous band, or a relative bound
/// without a baseline.
pub fn parse(v: &Value) -> Result<GatesFile, GatesError> {
    let f: File = serde_path_to_error::deserialize(v.clone())
        .map_err(|e| GatesError::Invalid(format!("at `{}`: {}", e.path(), e.inner())))?;
    let mut out = GatesFile {
        baseline: f.baseline.clone(),
        ..GatesFile::default()
    };
    for (i, r) in f.gates.into_iter().enumerate() {
        let (rule, change) = rule(i, r, f.min_samples)?;
        match change {
            None => out.rules.push(rule),
            Some(_) if out.baseline.is_none() => {
                return Err(GatesError::Invalid(format!(
                    "gate {i} ({}): `max_increase`/`max_decrease` are relative to a baseline run; add `\"baseline\": \"path/to/bundle.json\"` to the gates file",
                    rule.metric.key()
                )))
            }
            Some(change) => out.relative.push(RelativeRule { rule, change }),
        }
    }
    Ok(out)
}

/// One file rule: the rule and, when its bound is relative, the allowance (the rule's bound is
/// then NaN, which no value satisfies, until [`super::relative::resolve`] sets it).
fn rule(
    i: usize,
    r: FileRule,
    file_min_samples: Option<u32>,
) -> Result<(GateRule, Option<Change>), GatesError> {
    let metric = Metric::from_key(&r.metric).ok_or_else(|| {
        GatesError::UnknownMetric(
            r.metric.clone(),
            Metric::ALL
                .iter()
                .map(|m| m.key())
                .collect::<Vec<_>>()
                .join(", "),
        )
    })?;
    let (bound, change) = match (
        r.max,
        r.min,
        r.target,
        r.tolerance,
        r.max_increase,
        r.max_decrease,
    ) {
        (Some(m), None, None, None, None, None) => (Bound::AtMost(m), None),
        (None, Some(m), None, None, None, None) => (Bound::AtLeast(m), None),
        (None, None, Some(target), Some(tolerance), None, None) => {
            (Bound::Within { target, tolerance }, None)
        }
        (None, None, None, None, Some(d), None) if d >= 0.0 => {
            (Bound::AtMost(f64::NAN), Some(Change::MaxIncrease(d)))
        }
        (None, None, None, None, None, Some(d)) if d >= 0.0 => {
            (Bound::AtLeast(f64::NAN), Some(Change::MaxDecrease(d)))
        }
        _ => {
            return Err(GatesError::Invalid(format!(
                "gate {i} ({}): give exactly one of `max`, `min`, `target` with `tolerance`, or (relative to the baseline, not negative) `max_increase` or `max_decrease`",
                r.metric
            )))
        }
    };
    let default_stat = if metric.per_trial() {
        Stat::P95
    } else {
        Stat::Value
    };
    let rule = GateRule {
        id: r.id.unwrap_or_else(|| format!("gate{i}.{}", metric.key())),
        source: "gates file".into(),
        metric,
        stat: r.stat.unwrap_or(default_stat),
        bound,
        cases: CaseFilter {
            ids: r.cases,
            min_chars: r.min_chars,
            max_chars: r.max_chars,
        },
        aggregate: r.aggregate,
        level: r.level,
        min_samples: r.min_samples.or(file_min_samples).unwrap_or(3),
        note: None,
    };
    Ok((rule, change))
}
