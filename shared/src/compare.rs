//! Comparing runs: per metric and case, both distributions, the change with a confidence interval,
//! and a verdict that only says *regressed* or *improved* when the change is both statistically
//! supported and larger than the metric's practical threshold ([`Metric::practical`]).
//!
//! Verdict rule, with `δ` the change of the median in the "worse" direction (relative or absolute,
//! per metric) and `[lo, hi]` its 95 % bootstrap interval:
//! * fewer than 3 samples on either side → *inconclusive*;
//! * `lo > τ` and Mann–Whitney p < 0.05 → *regressed*; `hi < −τ` and p < 0.05 → *improved*;
//! * `−τ ≤ lo` and `hi ≤ τ` → *unchanged*; anything else → *inconclusive*.
//!
//! Count metrics (underruns) additionally treat any underrun where the baseline had none in any
//! trial as *regressed*: a new stall is news however small. A bundle compared with itself can
//! therefore never regress: its interval always contains 0.

use crate::metrics::{Better, Metric, Practical};
use crate::schema::Bundle;
use crate::stats::bootstrap::{Bootstrap, Interval};
use crate::stats::{mann_whitney, median, Summary};
use serde::{Deserialize, Serialize};

/// A comparison verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Better beyond the practical threshold, statistically supported.
    Improved,
    /// Worse beyond the practical threshold, statistically supported.
    Regressed,
    /// Any change is within the practical threshold.
    Unchanged,
    /// The data cannot tell.
    Inconclusive,
}

impl Verdict {
    /// Lower-case label.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Regressed => "regressed",
            Verdict::Unchanged => "unchanged",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// One metric of one case, compared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Row {
    /// Metric.
    pub metric: Metric,
    /// Case id (`None` for run-level metrics).
    pub case: Option<String>,
    /// Baseline summary.
    pub base: Option<Summary>,
    /// New summary.
    pub new: Option<Summary>,
    /// Median change, new − base, in the metric's unit.
    pub change_abs: Option<f64>,
    /// Median change relative to the baseline median.
    pub change_rel: Option<f64>,
    /// 95 % interval of the change used for the verdict (relative or absolute, see `relative`).
    pub ci: Option<Interval>,
    /// Whether `ci` is relative (fraction) or absolute (metric unit).
    pub relative: bool,
    /// Mann–Whitney two-sided p-value.
    pub p_value: Option<f64>,
    /// Hodges–Lehmann shift new − base.
    pub hl_shift: Option<f64>,
    /// Verdict.
    pub verdict: Verdict,
    /// Why, in words.
    pub reason: String,
}

/// A comparison of one run against a baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Comparison {
    /// Baseline run id.
    pub base_id: String,
    /// New run id.
    pub new_id: String,
    /// Differences that make the comparison questionable (machine, model, texts, …).
    pub warnings: Vec<String>,
    /// The two runs' set-ups side by side.
    #[serde(default)]
    pub setup: Vec<SetupLine>,
    /// Rows, by metric then case.
    pub rows: Vec<Row>,
}

/// One line of two runs' set-ups side by side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetupLine {
    /// What the line is, e.g. `ONNX Runtime`.
    pub label: String,
    /// The baseline's value (`—` when it has none).
    pub base: String,
    /// The new run's value.
    pub new: String,
}

impl SetupLine {
    /// Whether the two runs differ here.
    pub fn differs(&self) -> bool {
        self.base != self.new
    }
}

impl Comparison {
    /// Whether any row regressed.
    pub fn regressed(&self) -> bool {
        self.rows.iter().any(|r| r.verdict == Verdict::Regressed)
    }

    /// How many rows got each verdict, in the order regressed, improved, unchanged,
    /// inconclusive.
    pub fn verdict_counts(&self) -> [(Verdict, usize); 4] {
        [
            Verdict::Regressed,
            Verdict::Improved,
            Verdict::Unchanged,
            Verdict::Inconclusive,
        ]
        .map(|v| (v, self.rows.iter().filter(|r| r.verdict == v).count()))
    }
}

/// The set-ups of two runs side by side: what was measured where, with what (the facts of
/// [`crate::describe::facts`], lined up by label).
pub fn setup_lines(base: &Bundle, new: &Bundle) -> Vec<SetupLine> {
    let describe = crate::describe::facts;
    describe(base)
        .into_iter()
        .zip(describe(new))
        .map(|((label, b), (_, n))| SetupLine {
            label: label.into(),
            base: b,
            new: n,
        })
        .collect()
}

const ALPHA: f64 = 0.05;
const MIN_N: usize = 3;

/// Compares `new` against `base` over every metric and case present in either.
pub fn compare(base: &Bundle, new: &Bundle) -> Comparison {
    let mut rows = Vec::new();
    for metric in Metric::ALL {
        if metric.per_trial() {
            for case in &new.cases {
                let Some(bc) = base.case(&case.id) else {
                    continue;
                };
                let (b, n) = (metric.case_values(bc), metric.case_values(case));
                if b.is_empty() && n.is_empty() {
                    continue;
                }
                rows.push(row(base, new, metric, Some(case.id.clone()), &b, &n));
            }
        } else {
            let (b, n) = (metric.run_value(base), metric.run_value(new));
            if b.is_none() && n.is_none() {
                continue;
            }
            let (b, n): (Vec<f64>, Vec<f64>) = (b.into_iter().collect(), n.into_iter().collect());
            rows.push(row(base, new, metric, None, &b, &n));
        }
    }
    Comparison {
        base_id: base.run.id.clone(),
        new_id: new.run.id.clone(),
        warnings: warnings(base, new),
        setup: setup_lines(base, new),
        rows,
    }
}

/// Compares each of `others` against `baseline`.
pub fn compare_many(baseline: &Bundle, others: &[&Bundle]) -> Vec<Comparison> {
    others.iter().map(|o| compare(baseline, o)).collect()
}

fn row(
    base_b: &Bundle,
    new_b: &Bundle,
    metric: Metric,
    case: Option<String>,
    b: &[f64],
    n: &[f64],
) -> Row {
    if let Some(c) = base_b
        .untrusted(metric.key())
        .or_else(|| new_b.untrusted(metric.key()))
    {
        let mut r = compare_samples(metric, case, &[], &[]);
        (r.base, r.new) = (Summary::of(b), Summary::of(n));
        r.reason = format!("not comparable: {}", c.message);
        return r;
    }
    compare_samples(metric, case, b, n)
}

/// One variant of a providers run compared with the reference variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VariantComparison {
    /// Variant name.
    pub variant: String,
    /// Rows per case: first-chunk and whole-text model time.
    pub rows: Vec<Row>,
}

/// Lines up the variants of one providers run against its reference variant (same texts, same
/// tokens), with the same verdict rule as run-to-run comparisons.
pub fn compare_variants(p: &crate::schema::ProvidersResult) -> Vec<VariantComparison> {
    let Some(reference) = p
        .variants
        .iter()
        .find(|v| v.name == p.reference && v.skipped.is_none())
    else {
        return Vec::new();
    };
    p.variants
        .iter()
        .filter(|v| v.name != p.reference && v.skipped.is_none())
        .map(|v| {
            let mut rows = Vec::new();
            for c in &v.cases {
                let Some(rc) = reference.cases.iter().find(|r| r.case == c.case) else {
                    continue;
                };
                rows.push(compare_samples(
                    Metric::FirstChunkModelMs,
                    Some(c.case.clone()),
                    &rc.first_chunk_ms,
                    &c.first_chunk_ms,
                ));
                rows.push(compare_samples(
                    Metric::WholeModelMs,
                    Some(c.case.clone()),
                    &rc.whole_ms,
                    &c.whole_ms,
                ));
            }
            VariantComparison {
                variant: v.name.clone(),
                rows,
            }
        })
        .collect()
}

/// Compares two samples of one metric (the verdict rule in the module docs).
pub fn compare_samples(metric: Metric, case: Option<String>, b: &[f64], n: &[f64]) -> Row {
    let (bs, ns) = (Summary::of(b), Summary::of(n));
    let change_abs = match (&bs, &ns) {
        (Some(x), Some(y)) => Some(y.median - x.median),
        _ => None,
    };
    let change_rel = match (&bs, &ns) {
        (Some(x), Some(y)) if x.median != 0.0 => Some(y.median / x.median - 1.0),
        _ => None,
    };
    let mut r = Row {
        metric,
        case,
        base: bs.clone(),
        new: ns.clone(),
        change_abs,
        change_rel,
        ci: None,
        relative: matches!(metric.practical(), Practical::Relative(_)),
        p_value: None,
        hl_shift: mann_whitney::hodges_lehmann(b, n),
        verdict: Verdict::Inconclusive,
        reason: String::new(),
    };
    if !metric.per_trial() {
        // Run-level: one number each; judge by the practical threshold alone.
        if let Some(d) = change_abs {
            // Every run-level metric is lower-is-better.
            let worse = d;
            let tau = threshold(metric, bs.as_ref().map(|s| s.median).unwrap_or(0.0));
            r.verdict = if worse.abs() <= tau {
                Verdict::Unchanged
            } else if worse > 0.0 {
                Verdict::Regressed
            } else {
                Verdict::Improved
            };
            r.reason = "single run-level value each; judged by the practical threshold only".into();
        } else {
            r.reason = "measured in only one of the runs".into();
        }
        return r;
    }
    if b.len() < MIN_N || n.len() < MIN_N {
        r.reason = format!(
            "too few samples (base {}, new {}; need {MIN_N} each)",
            b.len(),
            n.len()
        );
        return r;
    }
    r.p_value = mann_whitney::test(n, b).map(|m| m.p_value);
    if let Practical::Count(_) = metric.practical() {
        if b.iter().all(|&v| v == 0.0) && n.iter().any(|&v| v > 0.0) {
            r.verdict = Verdict::Regressed;
            r.reason = format!(
                "{} of {} new trials stalled; the baseline never did",
                n.iter().filter(|&&v| v > 0.0).count(),
                n.len()
            );
            return r;
        }
    }
    let boot = Bootstrap::default();
    let ci = if r.relative {
        boot.two(b, n, median, |y, x| (x != 0.0).then(|| y / x - 1.0))
    } else {
        boot.two(b, n, median, |y, x| Some(y - x))
    };
    let Some(ci) = ci else {
        r.reason = "no interval could be computed (baseline median is 0?)".into();
        return r;
    };
    r.ci = Some(ci);
    let base_med = bs.as_ref().map(|s| s.median).unwrap_or(0.0);
    let tau = if r.relative {
        threshold_rel(metric)
    } else {
        threshold(metric, base_med)
    };
    // Orient so that positive = worse.
    let (lo, hi) = match metric.better() {
        Better::Lower => (ci.lo, ci.hi),
        Better::Target => {
            // Closer to the target is not defined without a target: treat any shift as change,
            // and never call it improved or regressed.
            r.verdict = if ci.lo >= -tau && ci.hi <= tau {
                Verdict::Unchanged
            } else {
                Verdict::Inconclusive
            };
            r.reason = "target metric: shifts are reported, not ranked".into();
            return r;
        }
    };
    let p = r.p_value.unwrap_or(1.0);
    let fmt = |v: f64| {
        if r.relative {
            format!("{:+.1} %", v * 100.0)
        } else {
            format!("{v:+.2}")
        }
    };
    let span = format!("[{}, {}]", fmt(lo), fmt(hi));
    let tau_s = if r.relative {
        format!("±{:.0} %", tau * 100.0)
    } else {
        format!("±{tau}")
    };
    (r.verdict, r.reason) = if lo > tau && p < ALPHA {
        (
            Verdict::Regressed,
            format!("worse: 95 % CI {span} beyond {tau_s}, p = {p:.3}"),
        )
    } else if hi < -tau && p < ALPHA {
        (
            Verdict::Improved,
            format!("better: 95 % CI {span} beyond {tau_s}, p = {p:.3}"),
        )
    } else if lo >= -tau && hi <= tau {
        (Verdict::Unchanged, format!("95 % CI {span} within {tau_s}"))
    } else {
        (
            Verdict::Inconclusive,
            format!("95 % CI {span} crosses {tau_s} (p = {p:.3}); more trials would tell"),
        )
    };
    r
}

fn threshold_rel(metric: Metric) -> f64 {
    match metric.practical() {
        Practical::Relative(t) => t,
        _ => 0.0,
    }
}

fn threshold(metric: Metric, base: f64) -> f64 {
    match metric.practical() {
        Practical::Relative(t) => t * base.abs(),
        Practical::Absolute(a) | Practical::Count(a) => a,
    }
}

fn warnings(base: &Bundle, new: &Bundle) -> Vec<String> {
    let mut w = Vec::new();
    let (bm, nm) = (&base.machine, &new.machine);
    if bm.cpu_model != nm.cpu_model || bm.logical_cores != nm.logical_cores {
        w.push(format!(
            "different machines: {} ({} threads) vs {} ({} threads)",
            bm.cpu_model, bm.logical_cores, nm.cpu_model, nm.logical_cores
        ));
    }
    let sha = |b: &Bundle| b.provenance.model.as_ref().map(|m| m.sha256.clone());
    if sha(base) != sha(new) {
        w.push("different model files (SHA-256 differs)".into());
    }
    for c in &new.provenance.corpus {
        if let Some(bc) = base.provenance.corpus.iter().find(|b| b.id == c.id) {
            if bc.sha256 != c.sha256 {
                w.push(format!("case `{}`: the texts differ", c.id));
            }
        }
    }
    if base.plan.strategy != new.plan.strategy {
        w.push(format!(
            "different strategies: {} vs {}",
            base.plan.strategy, new.plan.strategy
        ));
    }
    let threads = |b: &Bundle| b.provenance.session.as_ref().map(|s| s.intra_op_threads);
    if threads(base) != threads(new) {
        w.push(format!(
            "different intra-op threads: {:?} vs {:?}",
            threads(base),
            threads(new)
        ));
    }
    if base.run.build_profile != new.run.build_profile {
        w.push(format!(
            "different build profiles: {} vs {}",
            base.run.build_profile, new.run.build_profile
        ));
    }
    let suites = |b: &Bundle| -> Vec<String> {
        let mut s: Vec<String> = b.plan.suites.iter().map(|s| s.to_string()).collect();
        s.sort();
        s
    };
    if suites(base) != suites(new) {
        w.push(format!(
            "different suites: {} vs {}",
            suites(base).join(","),
            suites(new).join(",")
        ));
    }
    if base.run.target != new.run.target {
        w.push(format!(
            "different targets: {:?} vs {:?}",
            base.run.target, new.run.target
        ));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::bundle_with_ttfa;

    fn ttfa_row(c: &Comparison) -> &Row {
        c.rows.iter().find(|r| r.metric == Metric::TtfaMs).unwrap()
    }

    #[test]
    fn self_comparison_never_regresses() {
        let b = bundle_with_ttfa(&[500.0, 530.0, 610.0, 480.0, 700.0, 520.0]);
        let c = compare(&b, &b);
        assert!(!c.regressed());
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_ne!(ttfa_row(&c).verdict, Verdict::Improved);
    }

    #[test]
    fn setups_are_lined_up_and_differences_marked() {
        let b = bundle_with_ttfa(&[500.0, 530.0, 610.0]);
        let c = compare(&b, &b);
        assert!(!c.setup.is_empty() && c.setup.iter().all(|l| !l.differs()));
        let mut later = b.clone();
        later.run.started_at = "2030-01-01T00:00:00Z".into();
        assert!(
            compare(&b, &later).setup.iter().all(|l| !l.differs()),
            "time is not set-up"
        );
        let mut n = b.clone();
        n.plan.strategy = "clause".into();
        n.run.git_commit = Some("abc123".into());
        let c = compare(&b, &n);
        let differing: Vec<&str> = c
            .setup
            .iter()
            .filter(|l| l.differs())
            .map(|l| l.label.as_str())
            .collect();
        assert_eq!(differing, ["tool commit", "strategy"]);
        let counts = c.verdict_counts();
        assert_eq!(counts.iter().map(|(_, k)| k).sum::<usize>(), c.rows.len());
    }

    #[test]
    fn clear_slowdown_regresses_and_speedup_improves() {
        let base = bundle_with_ttfa(&[500.0, 505.0, 498.0, 502.0, 510.0, 495.0, 501.0, 503.0]);
        let slow = bundle_with_ttfa(&[700.0, 705.0, 698.0, 702.0, 710.0, 695.0, 701.0, 703.0]);
        assert_eq!(ttfa_row(&compare(&base, &slow)).verdict, Verdict::Regressed);
        assert_eq!(ttfa_row(&compare(&slow, &base)).verdict, Verdict::Improved);
    }

    #[test]
    fn small_change_is_unchanged_and_tiny_samples_inconclusive() {
        let base = bundle_with_ttfa(&[500.0, 505.0, 498.0, 502.0, 510.0, 495.0, 501.0, 503.0]);
        let near = bundle_with_ttfa(&[505.0, 510.0, 503.0, 507.0, 515.0, 500.0, 506.0, 508.0]);
        assert_eq!(ttfa_row(&compare(&base, &near)).verdict, Verdict::Unchanged);
        let tiny = bundle_with_ttfa(&[900.0, 950.0]);
        let r = compare(&base, &tiny);
        assert_eq!(ttfa_row(&r).verdict, Verdict::Inconclusive);
        assert!(ttfa_row(&r).reason.contains("too few"));
    }

    #[test]
    fn variants_line_up_against_the_reference() {
        use crate::schema::{ProvidersResult, VariantCase, VariantResult};
        let case = |first: Vec<f64>| VariantCase {
            case: "short".into(),
            first_chunk_ms: first.clone(),
            whole_ms: first.iter().map(|v| v * 3.0).collect(),
            ..Default::default()
        };
        let v = |name: &str, first: Vec<f64>| VariantResult {
            name: name.into(),
            cases: vec![case(first)],
            ..Default::default()
        };
        let p = ProvidersResult {
            reference: "cpu-2t".into(),
            min_snr_db: 20.0,
            accelerator_activity: String::new(),
            accelerator_idle: None,
            variants: vec![
                v("cpu-2t", vec![500.0, 505.0, 498.0, 502.0, 501.0, 499.0]),
                v("cpu-1t", vec![800.0, 805.0, 798.0, 802.0, 801.0, 799.0]),
                VariantResult {
                    name: "coreml".into(),
                    skipped: Some("not here".into()),
                    ..Default::default()
                },
            ],
        };
        let c = compare_variants(&p);
        assert_eq!(c.len(), 1, "skipped variants are not compared");
        assert_eq!(c[0].variant, "cpu-1t");
        assert!(
            c[0].rows.iter().all(|r| r.verdict == Verdict::Regressed),
            "{:#?}",
            c[0].rows
        );
    }

    #[test]
    fn warns_when_texts_or_machines_differ() {
        let base = bundle_with_ttfa(&[500.0, 505.0, 498.0]);
        let mut new = base.clone();
        new.provenance.corpus[0].sha256 = "other".into();
        new.machine.cpu_model = "Apple M3".into();
        let w = compare(&base, &new).warnings;
        assert!(w.iter().any(|s| s.contains("texts differ")));
        assert!(w.iter().any(|s| s.contains("different machines")));
    }
}
