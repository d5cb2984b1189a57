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
//! Exactly one of `max`, `min`, or `target` + `tolerance` per gate. `stat` defaults to `p95`
//! (`value` for run-level metrics), `level` to `error`, `aggregate` to `per_case`.

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
}

/// Converts a parsed gates file into rules.
///
/// # Errors
/// [`GatesError`] on unknown metrics, unknown fields or an ambiguous band.
pub fn parse(v: &Value) -> Result<Vec<GateRule>, GatesError> {
    let f: File = serde_path_to_error::deserialize(v.clone())
        .map_err(|e| GatesError::Invalid(format!("at `{}`: {}", e.path(), e.inner())))?;
    f.gates
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
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
            let bound = match (r.max, r.min, r.target, r.tolerance) {
                (Some(m), None, None, None) => Bound::AtMost(m),
                (None, Some(m), None, None) => Bound::AtLeast(m),
                (None, None, Some(target), Some(tolerance)) => Bound::Within { target, tolerance },
                _ => {
                    return Err(GatesError::Invalid(format!(
                    "gate {i} ({}): give exactly one of `max`, `min`, or `target` with `tolerance`",
                    r.metric
                )))
                }
            };
            let default_stat = if metric.per_trial() {
                Stat::P95
            } else {
                Stat::Value
            };
            Ok(GateRule {
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
                min_samples: r.min_samples.or(f.min_samples).unwrap_or(3),
                note: None,
            })
        })
        .collect()
}
