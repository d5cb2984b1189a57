//! Comparing runs: per metric and case, both distributions, the change with a confidence interval,
//! and a verdict that only says *regressed* or *improved* when the change is both statistically
//! supported and larger than the metric's practical threshold ([`Metric::practical`]). The rule,
//! one for every metric, is in [`rule`]; whether two runs can be compared at all is
//! [`likeness`]; providers variants against their reference are [`variants`].
//!
//! A bundle compared with itself never regresses or improves: every interval contains 0.

pub mod likeness;
pub mod rule;
pub mod tradeoff;
pub mod transcripts;
pub mod variants;

use crate::metrics::Metric;
use crate::schema::Bundle;
use crate::stats::bootstrap::Interval;
use crate::stats::Summary;
use serde::{Deserialize, Serialize};

pub use rule::{compare_samples, Judging};
pub use variants::{compare_variants, VariantComparison};

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
    /// The data cannot tell (too few trials, an interval that crosses the threshold, a change
    /// that is large but not significant: the reason says which).
    Inconclusive,
    /// The runs differ in what was measured (target, model, machine, strategy, texts, build, or
    /// an untrusted metric): no verdict unless explicitly allowed.
    NotComparable,
}

impl Verdict {
    /// Lower-case label.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Regressed => "regressed",
            Verdict::Unchanged => "unchanged",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotComparable => "not comparable",
        }
    }

    /// The CSS/badge class (snake case).
    pub fn class(self) -> &'static str {
        match self {
            Verdict::NotComparable => "not_comparable",
            v => v.label(),
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
    /// Change of the compared statistic (median; mean for counts), new − base, in the metric's
    /// unit.
    pub change_abs: Option<f64>,
    /// The same change relative to the baseline's statistic.
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
    /// Why the runs are not like for like (different target, model, machine, strategy, texts or
    /// build); empty when they are. Unless allowed, every row is then `not_comparable`.
    #[serde(default)]
    pub not_like_for_like: Vec<String>,
    /// Verdicts were given although the runs are not like for like (`--allow-different`).
    #[serde(default)]
    pub judged_anyway: bool,
    /// The two runs' set-ups side by side.
    #[serde(default)]
    pub setup: Vec<SetupLine>,
    /// Rows, by metric then case.
    pub rows: Vec<Row>,
    /// Per case both runs transcribed (judges suite): the new transcript against the
    /// baseline's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcripts: Vec<transcripts::TranscriptChange>,
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
    /// inconclusive, not comparable.
    pub fn verdict_counts(&self) -> [(Verdict, usize); 5] {
        [
            Verdict::Regressed,
            Verdict::Improved,
            Verdict::Unchanged,
            Verdict::Inconclusive,
            Verdict::NotComparable,
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

/// How a comparison is made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Give verdicts even when the runs are not like for like (`--allow-different`).
    pub allow_different: bool,
}

/// Compares `new` against `base` over every metric and case present in either.
pub fn compare(base: &Bundle, new: &Bundle) -> Comparison {
    compare_with(base, new, Options::default())
}

/// Compares with options (see [`Options`]).
pub fn compare_with(base: &Bundle, new: &Bundle, opts: Options) -> Comparison {
    let like = likeness::differences(base, new);
    let judging = Judging {
        machine_slowdown: likeness::machine_slowdown(base, new),
    };
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
                let mut r = compare_samples(metric, Some(case.id.clone()), &b, &n, judging);
                if let Some(why) = likeness::case_differs(base, new, &case.id) {
                    not_comparable(&mut r, &why);
                }
                rows.push(r);
            }
        } else {
            let (b, n) = (metric.run_value(base), metric.run_value(new));
            if b.is_none() && n.is_none() {
                continue;
            }
            let (b, n): (Vec<f64>, Vec<f64>) = (b.into_iter().collect(), n.into_iter().collect());
            rows.push(compare_samples(metric, None, &b, &n, judging));
        }
    }
    for r in &mut rows {
        if let Some(c) = base
            .untrusted(r.metric.key())
            .or_else(|| new.untrusted(r.metric.key()))
        {
            not_comparable(r, &c.message);
        } else if !like.is_empty() && !opts.allow_different {
            // The reasons are said once, above the rows (`not_like_for_like`).
            not_comparable(
                r,
                "the runs are not like for like (why: above the table); --allow-different judges anyway",
            );
        }
    }
    let mut warnings = likeness::warnings(base, new);
    if let Some(s) = judging
        .machine_slowdown
        .filter(|s| (s - 1.0).abs() > likeness::SLOWDOWN_NOTED)
    {
        warnings.push(format!(
            "the machine itself ran {:+.0} % {} during the new run (CPU calibration): latency thresholds are widened by that much",
            (s - 1.0).abs() * 100.0,
            if s > 1.0 { "slower" } else { "faster" }
        ));
    }
    Comparison {
        base_id: base.run.id.clone(),
        new_id: new.run.id.clone(),
        warnings,
        judged_anyway: !like.is_empty() && opts.allow_different,
        not_like_for_like: like,
        setup: setup_lines(base, new),
        rows,
        transcripts: transcripts::transcript_changes(base, new),
    }
}

fn not_comparable(r: &mut Row, why: &str) {
    r.verdict = Verdict::NotComparable;
    r.reason = format!("not comparable: {why}");
}

/// Compares each of `others` against `baseline`.
pub fn compare_many(baseline: &Bundle, others: &[&Bundle], opts: Options) -> Vec<Comparison> {
    others
        .iter()
        .map(|o| compare_with(baseline, o, opts))
        .collect()
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
        let tiny = bundle_with_ttfa(&[900.0]);
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
    fn different_machines_or_texts_are_not_like_for_like_unless_allowed() {
        let base = bundle_with_ttfa(&[500.0, 505.0, 498.0, 502.0, 510.0]);
        let mut new = bundle_with_ttfa(&[900.0, 905.0, 898.0, 902.0, 910.0]);
        new.machine.cpu_model = "Apple M3".into();
        let c = compare(&base, &new);
        assert!(c
            .not_like_for_like
            .iter()
            .any(|s| s.contains("different machines")));
        assert!(c.rows.iter().all(|r| r.verdict == Verdict::NotComparable));
        assert!(!c.regressed(), "no red badge across machines");
        let judged = compare_with(
            &base,
            &new,
            Options {
                allow_different: true,
            },
        );
        assert!(judged.judged_anyway && judged.regressed());
        let mut other_text = base.clone();
        other_text.provenance.corpus[0].sha256 = "other".into();
        let c = compare_with(
            &base,
            &other_text,
            Options {
                allow_different: true,
            },
        );
        let r = ttfa_row(&c);
        assert_eq!(r.verdict, Verdict::NotComparable);
        assert!(r.reason.contains("texts differ"), "{}", r.reason);
    }
}
