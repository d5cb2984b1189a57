//! A providers run's variants against its reference variant (same texts, same tokens, same
//! machine and run), with the same rule as run-to-run comparisons.

use super::rule::{compare_samples, Judging};
use super::Row;
use crate::metrics::Metric;
use crate::schema::ProvidersResult;
use serde::{Deserialize, Serialize};

/// One variant of a providers run compared with the reference variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VariantComparison {
    /// Variant name.
    pub variant: String,
    /// Rows per case: first-chunk and whole-text model time.
    pub rows: Vec<Row>,
}

/// Lines up the variants of one providers run against its reference variant.
pub fn compare_variants(p: &ProvidersResult) -> Vec<VariantComparison> {
    let Some(reference) = p
        .variants
        .iter()
        .find(|v| v.name == p.reference && v.skipped.is_none())
    else {
        return Vec::new();
    };
    let j = Judging::default();
    p.variants
        .iter()
        .filter(|v| v.name != p.reference && v.skipped.is_none())
        .map(|v| {
            let mut rows = Vec::new();
            for c in &v.cases {
                let Some(rc) = reference.cases.iter().find(|r| r.case == c.case) else {
                    continue;
                };
                let case = Some(c.case.clone());
                rows.push(compare_samples(
                    Metric::FirstChunkModelMs,
                    case.clone(),
                    &rc.first_chunk_ms,
                    &c.first_chunk_ms,
                    j.clone(),
                ));
                rows.push(compare_samples(
                    Metric::WholeModelMs,
                    case,
                    &rc.whole_ms,
                    &c.whole_ms,
                    j.clone(),
                ));
            }
            VariantComparison {
                variant: v.name.clone(),
                rows,
            }
        })
        .collect()
}

/// The metrics every versus run compares.
pub const VERSUS_METRICS: [Metric; 4] = [
    Metric::HeardMs,
    Metric::TtfaMs,
    Metric::Rtf,
    Metric::Underruns,
];

/// The metrics this versus run compares: [`VERSUS_METRICS`], and the end of turn when text
/// arrived (`--text-arrival`).
pub fn versus_metrics(v: &crate::schema::VersusResult) -> Vec<Metric> {
    let turns = v
        .targets
        .iter()
        .any(|t| t.cases.iter().any(|c| !c.end_of_turn_ms.is_empty()));
    let mut m = VERSUS_METRICS.to_vec();
    if turns {
        m.push(Metric::EndOfTurnMs);
    }
    m
}

/// The values of one metric in one versus case.
pub fn versus_values(c: &crate::schema::VersusCase, m: Metric) -> &[f64] {
    match m {
        Metric::HeardMs => &c.heard_ms,
        Metric::TtfaMs => &c.ttfa_ms,
        Metric::Rtf => &c.rtf,
        Metric::Underruns => &c.underruns,
        Metric::EndOfTurnMs => &c.end_of_turn_ms,
        _ => &[],
    }
}

/// Lines up every other target of a versus run against the run's own (the first), per case and
/// metric, pair by pair where the trials pair up ([`super::paired`]), else with the rule
/// run-to-run comparisons use: these targets were measured side by side on purpose, so
/// "different targets" is the question, not a reason to withhold verdicts.
pub fn compare_targets(v: &crate::schema::VersusResult) -> Vec<VariantComparison> {
    let Some(reference) = v.targets.first().filter(|t| t.skipped.is_none()) else {
        return Vec::new();
    };
    let j = Judging::default();
    let metrics = versus_metrics(v);
    v.targets
        .iter()
        .skip(1)
        .filter(|t| t.skipped.is_none())
        .map(|t| {
            let mut rows = Vec::new();
            for c in &t.cases {
                let Some(rc) = reference.cases.iter().find(|r| r.case == c.case) else {
                    continue;
                };
                for &m in &metrics {
                    let (b, n) = (versus_values(rc, m), versus_values(c, m));
                    // Trial k of each target ran in round k: judged as pairs when every trial
                    // of both succeeded (a failure breaks the pairing: independent samples then).
                    let paired = (rc.failed == 0 && c.failed == 0)
                        .then(|| super::paired::compare_paired(m, Some(c.case.clone()), b, n, &j))
                        .flatten();
                    rows.push(paired.unwrap_or_else(|| {
                        compare_samples(m, Some(c.case.clone()), b, n, j.clone())
                    }));
                }
            }
            VariantComparison {
                variant: t.label.clone(),
                rows,
            }
        })
        .collect()
}
