//! Bounds relative to a baseline run: "MOS may drop by at most 0.5 from the baseline's", "WER may
//! rise by at most 5 points". A gates file names the baseline bundle (`"baseline"`) and a rule
//! says `max_increase` or `max_decrease` instead of `max`/`min`; before the run is judged each
//! such rule is resolved against the baseline into an ordinary absolute rule — the baseline's
//! value of the same statistic over the same cases, plus or minus the allowance — whose note
//! says where its threshold came from. Per-case rules become one rule per baseline case.

use super::{Aggregate, Bound, CaseFilter, GateRule, GatesError};
use crate::compare::noise::RunNoise;
use crate::metrics::Metric;
use crate::schema::Bundle;

/// How far a metric may move from the baseline's value, in the metric's unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Change {
    /// The value may be at most this much above the baseline's.
    MaxIncrease(f64),
    /// The value may be at most this much below the baseline's.
    MaxDecrease(f64),
}

/// A rule bounded relative to the baseline: [`resolve`] replaces `rule.bound` (NaN until then,
/// so an unresolved rule can never pass) with the baseline's value ± `change`.
#[derive(Clone, Debug, PartialEq)]
pub struct RelativeRule {
    /// Everything but the bound.
    pub rule: GateRule,
    /// The allowance.
    pub change: Change,
}

impl Change {
    fn bound(self, base: f64) -> Bound {
        match self {
            Change::MaxIncrease(d) => Bound::AtMost(base + d),
            Change::MaxDecrease(d) => Bound::AtLeast(base - d),
        }
    }

    fn describe(self) -> String {
        match self {
            Change::MaxIncrease(d) => format!("+ {d}"),
            Change::MaxDecrease(d) => format!("− {d}"),
        }
    }
}

/// Turns relative rules into absolute ones using `baseline` (named `baseline_name` in notes and
/// errors, e.g. its path), without a run-to-run allowance (see [`resolve_with_noise`]).
///
/// # Errors
/// As [`resolve_with_noise`].
pub fn resolve(
    relative: &[RelativeRule],
    baseline: &Bundle,
    baseline_name: &str,
) -> Result<Vec<GateRule>, GatesError> {
    resolve_with_noise(relative, baseline, baseline_name, &|_, _| None)
}

/// How a run-to-run noise is known for a metric and case: `(metric, case) → noise`.
pub type NoiseOf<'a> = dyn Fn(Metric, Option<&str>) -> Option<RunNoise> + 'a;

/// The allowance a change must exceed before a gate fails on it: the rule's own, or — for a
/// timing metric whose run-to-run noise is known — the change two runs of the same build reach
/// one time in twenty (1.96 · √2 · σ_run of the baseline's value), whichever is larger.
fn allowance(
    change: Change,
    base: f64,
    metric: Metric,
    noise: Option<&RunNoise>,
) -> (Change, Option<String>) {
    let Some(n) = noise.filter(|_| metric.is_timing()) else {
        return (change, None);
    };
    let floor = 1.96 * std::f64::consts::SQRT_2 * n.rel_sd * base.abs();
    let (d, widen): (f64, fn(f64) -> Change) = match change {
        Change::MaxIncrease(d) => (d, Change::MaxIncrease),
        Change::MaxDecrease(d) => (d, Change::MaxDecrease),
    };
    if floor <= d {
        return (change, None);
    }
    (
        widen(floor),
        Some(format!(
            "; widened from {} to {}: two runs of the same build differ by that much one time in twenty ({})",
            metric.format(d),
            metric.format(floor),
            n.source
        )),
    )
}

/// Turns relative rules into absolute ones using `baseline`, widening each timing allowance to
/// at least the run-to-run noise `noise` knows for it, so a gate never fails on a change smaller
/// than the A/A spread of this kind of machine (or of the series' history).
///
/// # Errors
/// [`GatesError::Invalid`] when the baseline has no value for a rule's metric over its cases
/// (the rule could never be judged fairly), naming the rule, the metric and the baseline.
pub fn resolve_with_noise(
    relative: &[RelativeRule],
    baseline: &Bundle,
    baseline_name: &str,
    noise: &NoiseOf<'_>,
) -> Result<Vec<GateRule>, GatesError> {
    let mut out = Vec::new();
    for r in relative {
        let rule = &r.rule;
        let m = rule.metric;
        let with = |base: f64, cases: CaseFilter| {
            let case = cases.ids.first().map(String::as_str);
            let (change, widened) = allowance(r.change, base, m, noise(m, case).as_ref());
            GateRule {
                source: format!("{}, relative to the baseline", rule.source),
                bound: change.bound(base),
                note: Some(format!(
                    "the baseline's {} {} {} ({baseline_name}, run {}){}",
                    rule.stat.label(),
                    m.format(base),
                    r.change.describe(),
                    baseline.run.id,
                    widened.unwrap_or_default()
                )),
                cases,
                ..rule.clone()
            }
        };
        let before = out.len();
        if !m.per_trial() {
            if let Some(v) = m.run_value(baseline) {
                out.push(with(v, rule.cases.clone()));
            }
        } else {
            let cases: Vec<_> = baseline
                .cases
                .iter()
                .filter(|c| rule.cases.matches(&c.id, c.chars))
                .collect();
            match rule.aggregate {
                Aggregate::PerCase => {
                    for c in cases {
                        if let Some(v) = rule.stat.of(&m.case_values(c)) {
                            let only = CaseFilter {
                                ids: vec![c.id.clone()],
                                ..CaseFilter::default()
                            };
                            out.push(with(v, only));
                        }
                    }
                }
                Aggregate::Pooled => {
                    let values: Vec<f64> = cases.iter().flat_map(|c| m.case_values(c)).collect();
                    if let Some(v) = rule.stat.of(&values) {
                        out.push(with(v, rule.cases.clone()));
                    }
                }
            }
        }
        if out.len() == before {
            return Err(GatesError::Invalid(format!(
                "gate `{}`: the baseline {baseline_name} has no {} ({}) for its cases, so a bound relative to it cannot be set; run the baseline with the suite that measures it",
                rule.id,
                m.label(),
                m.key()
            )));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::{evaluate, read, GateStatus, Stat};
    use crate::metrics::Metric;
    use crate::testing::bundle_with_ttfa;

    fn file(rules: &str) -> crate::gates::file::GatesFile {
        read(
            format!(r#"{{"baseline": "base.json", "min_samples": 1, "gates": [{rules}]}}"#)
                .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn a_relative_bound_is_the_baselines_value_plus_the_allowance() {
        let base = bundle_with_ttfa(&[400.0, 500.0, 600.0]);
        let f = file(r#"{"metric": "ttfa_ms", "stat": "median", "max_increase": 50}"#);
        assert!(f.rules.is_empty());
        let rules = resolve(&f.relative, &base, "base.json").unwrap();
        assert_eq!(rules.len(), 1, "one per baseline case");
        assert_eq!(rules[0].bound, Bound::AtMost(550.0));
        assert_eq!(rules[0].stat, Stat::Median);
        assert_eq!(rules[0].cases.ids, vec!["medium".to_string()]);
        let note = rules[0].note.as_deref().unwrap();
        assert!(
            note.contains("500 ms + 50") && note.contains("base.json"),
            "{note}"
        );
        let status = |ttfa: &[f64]| evaluate(&bundle_with_ttfa(ttfa), &rules)[0].status;
        assert_eq!(status(&[520.0, 540.0, 560.0]), GateStatus::Pass);
        assert_eq!(status(&[560.0, 580.0, 600.0]), GateStatus::Fail);
    }

    #[test]
    fn an_allowance_smaller_than_the_run_to_run_noise_is_widened_and_says_so() {
        let base = bundle_with_ttfa(&[400.0, 500.0, 600.0]);
        let f = file(r#"{"metric": "ttfa_ms", "stat": "median", "max_increase": 10}"#);
        let noise = |_: Metric, _: Option<&str>| {
            Some(RunNoise {
                rel_sd: 0.05,
                df: None,
                source: "measured A/A".into(),
            })
        };
        let rules = resolve_with_noise(&f.relative, &base, "base.json", &noise).unwrap();
        // 1.96 · √2 · 5 % of 500 ms ≈ 69 ms.
        let Bound::AtMost(b) = rules[0].bound else {
            panic!("{:?}", rules[0].bound)
        };
        assert!((b - 569.3).abs() < 0.5, "{b}");
        let note = rules[0].note.as_deref().unwrap();
        assert!(
            note.contains("widened from 10 ms to 69 ms") && note.contains("measured A/A"),
            "{note}"
        );
        let status = |ttfa: &[f64]| evaluate(&bundle_with_ttfa(ttfa), &rules)[0].status;
        assert_eq!(
            status(&[540.0, 550.0, 560.0]),
            GateStatus::Pass,
            "within the A/A spread"
        );
        assert_eq!(status(&[600.0, 610.0, 620.0]), GateStatus::Fail);
        // A wide allowance stays as written; a metric that is not a timing keeps its own.
        let wide = file(r#"{"metric": "ttfa_ms", "stat": "median", "max_increase": 200}"#);
        let rules = resolve_with_noise(&wide.relative, &base, "base.json", &noise).unwrap();
        assert_eq!(rules[0].bound, Bound::AtMost(700.0));
    }

    #[test]
    fn a_decrease_bounds_from_below_and_pooled_rules_stay_one() {
        let base = bundle_with_ttfa(&[400.0, 500.0, 600.0]);
        let f = file(
            r#"{"metric": "ttfa_ms", "stat": "mean", "aggregate": "pooled", "max_decrease": 100}"#,
        );
        let rules = resolve(&f.relative, &base, "base.json").unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].bound, Bound::AtLeast(400.0));
        assert!(rules[0].cases.ids.is_empty());
    }

    #[test]
    fn a_baseline_without_the_metric_or_a_file_without_a_baseline_is_an_error() {
        let base = bundle_with_ttfa(&[400.0]);
        let f = file(r#"{"id": "mos-drop", "metric": "mos", "max_decrease": 0.5}"#);
        let e = resolve(&f.relative, &base, "base.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("mos-drop") && e.contains(Metric::Mos.key()) && e.contains("base.json"),
            "{e}"
        );
        let e = read(br#"{"gates": [{"metric": "wer", "max_increase": 0.05}]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"baseline\""), "{e}");
        let e =
            read(br#"{"baseline": "b.json", "gates": [{"metric": "wer", "max_increase": -1}]}"#)
                .unwrap_err()
                .to_string();
        assert!(e.contains("not negative"), "{e}");
        let e = crate::gates::parse(
            br#"{"baseline": "b.json", "gates": [{"metric": "wer", "max_increase": 0.1}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("relative to a baseline"), "{e}");
    }
}
