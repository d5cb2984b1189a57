//! The verdict rule — one for every metric, continuous or count.
//!
//! With `δ` the change of the metric's statistic (the median; the mean for counts such as
//! underruns, whose median hides a stall in one trial of five) in the "worse" direction,
//! relative or absolute per metric, and `τ` the practical threshold:
//!
//! * fewer trials than can ever separate two samples (the exact Mann–Whitney test's smallest p
//!   with these sizes, [`crate::stats::mann_whitney::min_p_value`], not below 0.05) →
//!   *inconclusive*, "too few trials", saying how many are needed;
//! * `[lo, hi]`, the 95 % interval of `δ`: the two-stage bootstrap over each run's rounds and
//!   the trials inside them ([`crate::stats::hierarchical`]), widened in quadrature by the
//!   run-to-run noise `q · √2 · σ_run` ([`super::noise`]: from the series' history, else the A/A
//!   spread measured for this kind of machine) — two separate runs each moved by the machine's
//!   state, which no interval of one run can hold;
//! * `lo > τ` → *regressed*; `hi < −τ` → *improved*; `−τ ≤ lo` and `hi ≤ τ` → *unchanged*;
//! * beyond `τ` but the interval crosses it → *inconclusive*, "likely worse/better";
//! * anything else → *inconclusive*, the interval crosses `τ`;
//! * a *regressed* or *improved* on a case either run measured on a contended machine
//!   ([`crate::contention`]) → *inconclusive*, saying which run and how busy.
//!
//! Timing thresholds widen by how much slower or faster the machine itself ran between the runs
//! (its speed probes, [`super::likeness::machine_speed`]). The reported p-value is the
//! bootstrap's (the share of resampled changes on the far side of zero, doubled); the trials of
//! one run are not independent, so no rank test over them is claimed.

use super::noise::RunNoise;
use super::{Row, Verdict};
use crate::metrics::{Better, Metric, Practical};
use crate::stats::bootstrap::Bootstrap;
use crate::stats::hierarchical::Rounds;
use crate::stats::{mann_whitney, mean, median, student, Summary};

/// Significance level.
pub const ALPHA: f64 = 0.05;

/// What the rule needs besides the two samples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Judging {
    /// New run's machine speed over the baseline's (probe medians; `1.2` = 20 % slower).
    pub machine_slowdown: Option<f64>,
    /// How much a run's median moves between runs beyond its own interval.
    pub noise: Option<RunNoise>,
    /// Why this row's case was measured on a busy machine in either run, if it was.
    pub contended: Option<String>,
}

pub(super) fn is_count(metric: Metric) -> bool {
    matches!(metric.practical(), Practical::Count(_))
}

pub(super) fn statistic(metric: Metric) -> fn(&[f64]) -> Option<f64> {
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
pub(super) fn tau(metric: Metric, relative: bool, base_stat: f64, j: &Judging) -> f64 {
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

fn flat(rounds: &Rounds) -> Vec<f64> {
    rounds.iter().flatten().copied().collect()
}

pub(super) fn blank(metric: Metric, case: Option<String>, b: &Rounds, n: &Rounds) -> Row {
    let stat = statistic(metric);
    let (fb, fnew) = (flat(b), flat(n));
    let (sb, sn) = (stat(&fb), stat(&fnew));
    let count = |r: &Rounds| r.iter().filter(|g| !g.is_empty()).count();
    Row {
        metric,
        case,
        base: Summary::of(&fb),
        new: Summary::of(&fnew),
        change_abs: sb.zip(sn).map(|(x, y)| y - x),
        change_rel: sb
            .zip(sn)
            .filter(|(x, _)| *x != 0.0)
            .map(|(x, y)| y / x - 1.0),
        ci: None,
        relative: matches!(metric.practical(), Practical::Relative(_)),
        p_value: None,
        hl_shift: mann_whitney::hodges_lehmann(&fb, &fnew),
        rounds: [count(b), count(n)],
        run_noise_pct: None,
        verdict: Verdict::Inconclusive,
        reason: String::new(),
    }
}

/// Run-level metrics (one value per run) and values fixed by the input (see
/// [`Metric::deterministic`]): judged by the practical threshold alone, with `why` as the reason.
fn by_threshold(mut r: Row, j: &Judging, why: &str) -> Row {
    let Some(d) = r.change_abs else {
        r.reason = "measured in only one of the runs".into();
        return r;
    };
    let base = r.base.as_ref().map(|s| s.median).unwrap_or(0.0);
    // A value that moves from run to run (a run's peak RSS follows its largest chunk) is not
    // news inside that movement.
    let noise_h = j
        .noise
        .as_ref()
        .map_or(0.0, |n| noise_halfwidth(n, false, base));
    let t = tau(r.metric, false, base, j).max(noise_h);
    if let Some(n) = &j.noise {
        r.run_noise_pct = Some(n.rel_sd * 100.0);
    }
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
    r.reason = if noise_h > 0.0 {
        format!(
            "{why}; a change within ±{} is run-to-run noise",
            r.metric.format(noise_h)
        )
    } else {
        why.into()
    };
    r
}

/// Compares two samples of one metric whose values are independent of each other (a run's
/// interleaved targets, providers variants): one round each.
pub fn compare_samples(
    metric: Metric,
    case: Option<String>,
    b: &[f64],
    n: &[f64],
    j: Judging,
) -> Row {
    compare_rounds(metric, case, &[b.to_vec()], &[n.to_vec()], &j)
}

/// The interval `[lo, hi]` around `est` widened in quadrature by `h` on each side.
fn widen(est: f64, lo: f64, hi: f64, h: f64) -> (f64, f64) {
    (
        est - ((est - lo).powi(2) + h * h).sqrt(),
        est + ((hi - est).powi(2) + h * h).sqrt(),
    )
}

/// The run-to-run half-width for this row in the interval's units: `q · √2 · σ_run`.
fn noise_halfwidth(noise: &RunNoise, relative: bool, base_stat: f64) -> f64 {
    let q = noise
        .df
        .map_or(1.96, |df| student::quantile(0.975, df.max(1.0)));
    let h = q * std::f64::consts::SQRT_2 * noise.rel_sd;
    if relative {
        h
    } else {
        h * base_stat.abs()
    }
}

/// Compares two runs' values of one metric, grouped by round (the rule in the module docs).
pub fn compare_rounds(
    metric: Metric,
    case: Option<String>,
    b: &Rounds,
    n: &Rounds,
    j: &Judging,
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
    let (nb, nn) = (flat(b).len(), flat(n).len());
    if nb == 0 || nn == 0 || mann_whitney::min_p_value(nb, nn) >= ALPHA {
        let need = trials_needed(nb.max(nn));
        r.reason = format!(
            "too few trials (n = {nb} vs {nn}): need ≥ {need} on each side before two runs can be told apart"
        );
        return r;
    }
    let stat = statistic(metric);
    let boot = Bootstrap::default();
    let resampled = if r.relative {
        boot.two_rounds(b, n, stat, |y, x| (x != 0.0).then(|| y / x - 1.0))
    } else {
        boot.two_rounds(b, n, stat, |y, x| Some(y - x))
    };
    let Some(resampled) = resampled else {
        r.reason = "no interval could be computed (the baseline's value is 0)".into();
        return r;
    };
    r.p_value = Some(resampled.p_value(0.0));
    let ci = resampled.interval(0.95);
    let base_stat = stat(&flat(b)).unwrap_or(0.0);
    let (lo, hi) = match &j.noise {
        Some(noise) => {
            let h = noise_halfwidth(noise, r.relative, base_stat);
            r.run_noise_pct = Some(noise.rel_sd * 100.0);
            widen(ci.estimate, ci.lo, ci.hi, h)
        }
        None => (ci.lo, ci.hi),
    };
    r.ci = Some(crate::stats::bootstrap::Interval {
        estimate: ci.estimate,
        lo,
        hi,
    });
    let t = tau(metric, r.relative, base_stat, j);
    (r.verdict, r.reason) = verdict(metric, r.relative, (ci.estimate, lo, hi), t);
    if let (Verdict::Regressed | Verdict::Improved, Some(why)) = (r.verdict, &j.contended) {
        r.reason = format!(
            "{} — but {why}: not a verdict on the target (measure again on a quiet machine)",
            r.reason
        );
        r.verdict = Verdict::Inconclusive;
    }
    r
}

/// The verdict and its reason from the (widened) interval and the threshold.
pub(super) fn verdict(
    metric: Metric,
    relative: bool,
    (est_raw, lo_raw, hi_raw): (f64, f64, f64),
    t: f64,
) -> (Verdict, String) {
    let fmt = |v: f64| {
        if relative {
            format!("{:+.1} %", v * 100.0)
        } else {
            format!("{v:+.2}")
        }
    };
    let span = format!("[{}, {}]", fmt(lo_raw), fmt(hi_raw));
    let t_s = if relative {
        format!("±{:.0} %", t * 100.0)
    } else {
        format!("±{t}")
    };
    if metric.better() == Better::Target {
        // Closer to a target is not defined without the target: shifts are shown, not ranked.
        let v = if lo_raw >= -t && hi_raw <= t {
            Verdict::Unchanged
        } else {
            Verdict::Inconclusive
        };
        return (
            v,
            format!("target metric: shifts are reported, not ranked (95 % CI {span})"),
        );
    }
    // Oriented so that positive = worse.
    let (est, lo, hi) = if metric.better() == Better::Higher {
        (-est_raw, -hi_raw, -lo_raw)
    } else {
        (est_raw, lo_raw, hi_raw)
    };
    if lo > t {
        (
            Verdict::Regressed,
            format!("worse: 95 % CI {span} beyond {t_s}"),
        )
    } else if hi < -t {
        (
            Verdict::Improved,
            format!("better: 95 % CI {span} beyond {t_s}"),
        )
    } else if lo >= -t && hi <= t {
        (Verdict::Unchanged, format!("95 % CI {span} within {t_s}"))
    } else if est > t || est < -t {
        let way = if est > t { "worse" } else { "better" };
        (
            Verdict::Inconclusive,
            format!("likely {way}, but the 95 % CI {span} crosses {t_s}: more rounds or runs would tell"),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!("95 % CI {span} crosses {t_s}: more rounds or runs would tell"),
        )
    }
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
            ..Default::default()
        };
        let r = compare_samples(Metric::TtfaMs, None, &b, &n, slower);
        assert_ne!(r.verdict, Verdict::Regressed, "{}", r.reason);
        // Loudness is not a timing metric: calibration does not touch it.
        assert!(!Metric::IntegratedLufs.is_timing());
    }
}
