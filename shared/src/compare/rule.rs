//! The verdict rule — one for every metric, continuous or count.
//!
//! With `δ` the change of the metric's statistic (the median; the mean for counts such as
//! underruns, whose median hides a stall in one trial of five) in the "worse" direction,
//! relative or absolute per metric, `[lo, hi]` its 95 % bootstrap interval, `τ` the practical
//! threshold and `p` the two-sided Mann–Whitney p-value:
//!
//! * fewer trials than can ever reach p < 0.05 (the exact test's smallest p with these sample
//!   sizes, [`crate::stats::mann_whitney::min_p_value`]) → *inconclusive*, "too few trials",
//!   saying how many are needed;
//! * `lo > τ` and `p < 0.05` → *regressed*; `hi < −τ` and `p < 0.05` → *improved*;
//! * `−τ ≤ lo` and `hi ≤ τ` → *unchanged*;
//! * beyond `τ` but `p ≥ 0.05` → *inconclusive*, saying plainly "likely worse/better, not
//!   significant";
//! * anything else → *inconclusive*, the interval crosses `τ`.
//!
//! Timing thresholds widen by how much slower or faster the machine itself ran (its CPU
//! calibration), because a shared machine's run-to-run noise is not in either run's interval.

use super::{Row, Verdict};
use crate::metrics::{Better, Metric, Practical};
use crate::stats::bootstrap::Bootstrap;
use crate::stats::{mann_whitney, mean, median, Summary};

/// Significance level.
pub const ALPHA: f64 = 0.05;

/// What the rule needs besides the two samples.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Judging {
    /// New run's machine speed over the baseline's (calibration medians; `1.2` = 20 % slower).
    pub machine_slowdown: Option<f64>,
}

fn is_count(metric: Metric) -> bool {
    matches!(metric.practical(), Practical::Count(_))
}

fn statistic(metric: Metric) -> fn(&[f64]) -> Option<f64> {
    if is_count(metric) {
        mean
    } else {
        median
    }
}

/// Smallest `k` such that `k` trials on the smaller side (the other side as it is, or `k`) could
/// reach significance.
fn trials_needed(other: usize) -> usize {
    (2..=50)
        .find(|&k| mann_whitney::min_p_value(k, other.max(k)) < ALPHA)
        .unwrap_or(50)
}

/// The threshold in the interval's units, widened for timing metrics by the machine's slowdown.
fn tau(metric: Metric, relative: bool, base_stat: f64, j: Judging) -> f64 {
    let widen = match (metric.is_timing(), j.machine_slowdown) {
        (true, Some(s)) => (s - 1.0).abs(),
        _ => 0.0,
    };
    match metric.practical() {
        Practical::Relative(t) if relative => t + widen,
        Practical::Relative(t) => (t + widen) * base_stat.abs(),
        Practical::Absolute(a) | Practical::Count(a) => a,
    }
}

fn blank(metric: Metric, case: Option<String>, b: &[f64], n: &[f64]) -> Row {
    let stat = statistic(metric);
    let (sb, sn) = (stat(b), stat(n));
    Row {
        metric,
        case,
        base: Summary::of(b),
        new: Summary::of(n),
        change_abs: sb.zip(sn).map(|(x, y)| y - x),
        change_rel: sb
            .zip(sn)
            .filter(|(x, _)| *x != 0.0)
            .map(|(x, y)| y / x - 1.0),
        ci: None,
        relative: matches!(metric.practical(), Practical::Relative(_)),
        p_value: None,
        hl_shift: mann_whitney::hodges_lehmann(b, n),
        verdict: Verdict::Inconclusive,
        reason: String::new(),
    }
}

/// Run-level metrics (one value per run) and values fixed by the input (see
/// [`Metric::deterministic`]): judged by the practical threshold alone, with `why` as the reason.
fn by_threshold(mut r: Row, j: Judging, why: &str) -> Row {
    let Some(d) = r.change_abs else {
        r.reason = "measured in only one of the runs".into();
        return r;
    };
    let base = r.base.as_ref().map(|s| s.median).unwrap_or(0.0);
    let t = tau(r.metric, false, base, j);
    // Positive = worse.
    let worse = if r.metric.better() == Better::Higher {
        -d
    } else {
        d
    };
    r.verdict = if worse.abs() <= t {
        Verdict::Unchanged
    } else if worse > 0.0 {
        Verdict::Regressed
    } else {
        Verdict::Improved
    };
    r.reason = why.into();
    r
}

/// Compares two samples of one metric (the rule in the module docs).
pub fn compare_samples(
    metric: Metric,
    case: Option<String>,
    b: &[f64],
    n: &[f64],
    j: Judging,
) -> Row {
    let mut r = blank(metric, case, b, n);
    if !metric.per_trial() {
        return by_threshold(
            r,
            j,
            "one run-level value each: judged by the practical threshold only",
        );
    }
    if metric.deterministic() {
        return by_threshold(
            r,
            j,
            "set by the text and the software, not by chance: judged by the practical threshold only",
        );
    }
    let (nb, nn) = (b.len(), n.len());
    if nb == 0 || nn == 0 || mann_whitney::min_p_value(nb, nn) >= ALPHA {
        let need = trials_needed(nb.max(nn));
        r.reason = format!(
            "too few trials (n = {nb} vs {nn}): even a complete separation gives p = {:.2}; need ≥ {need} on each side for p < {ALPHA}",
            mann_whitney::min_p_value(nb.max(1), nn.max(1))
        );
        return r;
    }
    r.p_value = mann_whitney::test(n, b).map(|m| m.p_value);
    let boot = Bootstrap::default();
    let stat = statistic(metric);
    let ci = if r.relative {
        boot.two(b, n, stat, |y, x| (x != 0.0).then(|| y / x - 1.0))
    } else {
        boot.two(b, n, stat, |y, x| Some(y - x))
    };
    let Some(ci) = ci else {
        r.reason = "no interval could be computed (the baseline's value is 0)".into();
        return r;
    };
    r.ci = Some(ci);
    let base_stat = stat(b).unwrap_or(0.0);
    let t = tau(metric, r.relative, base_stat, j);
    let fmt = |v: f64| {
        if r.relative {
            format!("{:+.1} %", v * 100.0)
        } else {
            format!("{v:+.2}")
        }
    };
    let span = format!("[{}, {}]", fmt(ci.lo), fmt(ci.hi));
    let t_s = if r.relative {
        format!("±{:.0} %", t * 100.0)
    } else {
        format!("±{t}")
    };
    if metric.better() == Better::Target {
        // Closer to a target is not defined without the target: shifts are shown, not ranked.
        r.verdict = if ci.lo >= -t && ci.hi <= t {
            Verdict::Unchanged
        } else {
            Verdict::Inconclusive
        };
        r.reason = format!("target metric: shifts are reported, not ranked (95 % CI {span})");
        return r;
    }
    let p = r.p_value.unwrap_or(1.0);
    // Oriented so that positive = worse.
    let (lo, hi) = if metric.better() == Better::Higher {
        (-ci.hi, -ci.lo)
    } else {
        (ci.lo, ci.hi)
    };
    (r.verdict, r.reason) = if lo > t && p < ALPHA {
        (
            Verdict::Regressed,
            format!("worse: 95 % CI {span} beyond {t_s}, p = {p:.3}"),
        )
    } else if hi < -t && p < ALPHA {
        (
            Verdict::Improved,
            format!("better: 95 % CI {span} beyond {t_s}, p = {p:.3}"),
        )
    } else if lo >= -t && hi <= t {
        (Verdict::Unchanged, format!("95 % CI {span} within {t_s}"))
    } else if lo > t || hi < -t {
        let way = if lo > t { "worse" } else { "better" };
        (
            Verdict::Inconclusive,
            format!("likely {way}: 95 % CI {span} beyond {t_s}, but p = {p:.3} ≥ {ALPHA}: not significant; more trials would confirm"),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!("95 % CI {span} crosses {t_s} (p = {p:.3}); more trials would tell"),
        )
    };
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(m: Metric, b: &[f64], n: &[f64]) -> Row {
        compare_samples(m, None, b, n, Judging::default())
    }

    #[test]
    fn a_value_the_input_fixes_needs_no_test_to_change() {
        // Two trials a side could never reach p < 0.05, but a word the G2P stopped speaking
        // is not chance.
        let r = v(Metric::OovPhonemeChars, &[0.0, 0.0], &[1.0, 1.0]);
        assert_eq!(r.verdict, Verdict::Regressed, "{}", r.reason);
        assert!(r.reason.contains("not by chance"), "{}", r.reason);
        let r = v(Metric::OovPhonemeChars, &[2.0, 2.0], &[0.0]);
        assert_eq!(r.verdict, Verdict::Improved);
        let r = v(Metric::OovPhonemeChars, &[1.0], &[1.0, 1.0]);
        assert_eq!(r.verdict, Verdict::Unchanged);
        assert!(!Metric::Underruns.deterministic(), "a stall is chance");
    }

    #[test]
    fn three_trials_a_side_get_no_verdict_for_any_metric() {
        // TTFA 46 → 1459 ms and underruns 1 → 0 with 3 trials a side: both "too few".
        let t = v(
            Metric::TtfaMs,
            &[46.0, 47.0, 45.0],
            &[1459.0, 1460.0, 1458.0],
        );
        let u = v(Metric::Underruns, &[1.0, 1.0, 1.0], &[0.0, 0.0, 0.0]);
        for r in [&t, &u] {
            assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.reason);
            assert!(
                r.reason.contains("too few trials (n = 3 vs 3)") && r.reason.contains("need ≥ 4"),
                "{}",
                r.reason
            );
        }
    }

    #[test]
    fn counts_are_judged_by_their_mean_under_the_same_rule() {
        // A stall in one of eight trials where the baseline had none: the median hides it, the
        // mean does not — and one stall is not yet significant.
        let zeros = [0.0; 8];
        let one = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let r = v(Metric::Underruns, &zeros, &one);
        assert_eq!(r.change_abs, Some(0.125));
        assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.reason);
        let r = v(
            Metric::Underruns,
            &zeros,
            &[1.0, 2.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0],
        );
        assert_eq!(r.verdict, Verdict::Regressed, "{}", r.reason);
    }

    #[test]
    fn a_large_change_that_is_not_significant_says_so() {
        // A big shift with overlapping, noisy samples: beyond the threshold but p ≥ 0.05.
        let b = [500.0, 900.0, 520.0, 880.0, 510.0];
        let n = [700.0, 1100.0, 720.0, 1080.0, 515.0];
        let r = v(Metric::TtfaMs, &b, &n);
        assert_eq!(r.verdict, Verdict::Inconclusive);
        assert!(
            r.reason.contains("crosses") || r.reason.contains("not significant"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn a_capacity_that_drops_regresses() {
        let r = v(Metric::CapacitySustainableLevel, &[4.0], &[2.0]);
        assert_eq!(r.verdict, Verdict::Regressed, "{}", r.reason);
        assert_eq!(
            v(Metric::CapacitySustainableLevel, &[2.0], &[4.0]).verdict,
            Verdict::Improved
        );
        assert_eq!(
            v(Metric::CapacitySustainableLevel, &[2.0], &[2.0]).verdict,
            Verdict::Unchanged
        );
    }

    #[test]
    fn the_machine_slowing_down_widens_timing_thresholds() {
        let b = [500.0, 505.0, 498.0, 502.0, 510.0, 495.0, 501.0, 503.0];
        let n: Vec<f64> = b.iter().map(|x| x * 1.10).collect();
        assert_eq!(v(Metric::TtfaMs, &b, &n).verdict, Verdict::Regressed);
        let slower = Judging {
            machine_slowdown: Some(1.12),
        };
        let r = compare_samples(Metric::TtfaMs, None, &b, &n, slower);
        assert_ne!(r.verdict, Verdict::Regressed, "{}", r.reason);
        // Loudness is not a timing metric: calibration does not touch it.
        assert!(!Metric::IntegratedLufs.is_timing());
    }
}
