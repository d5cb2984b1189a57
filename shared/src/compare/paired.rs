//! Paired verdicts for targets measured side by side in one run (`--suite versus`): the k-th trial
//! of each target ran in the same round, minutes apart at most, so the machine's state at that
//! moment moved both. Judging the *differences* of those pairs cancels it — the machine's drift,
//! which two separate runs can only allow for by widening ([`super::noise`]), drops out.
//!
//! With `d_k` the change of pair `k` (log-ratio for relative metrics, difference otherwise): the
//! estimate is the median of `d` (the mean for counts), its 95 % interval a percentile bootstrap
//! over the pairs, the p-value the exact two-sided sign test, and the verdict the same rule as
//! every other comparison ([`super::rule`]) — with one more condition: *regressed* or *improved*
//! also needs the sign test's p < 0.05 (with 6 pairs: all six the same way). Measured on A/A
//! runs, the bootstrap alone called one case of ten regressed at p = 0.22: the median of six
//! values has too few distinct resamples for its interval to be trusted by itself. Fewer than 6 pairs can never reach p < 0.05 with
//! the sign test: *inconclusive*, "too few pairs".

use super::rule::{blank, is_count, tau, verdict, Judging};
use super::{Row, Verdict};
use crate::metrics::Metric;
use crate::stats::bootstrap::{Bootstrap, Interval};
use crate::stats::{mean, median};

/// The fewest pairs the sign test can separate at 5 % (two-sided: 2 · 0.5⁶ = 0.031).
pub const MIN_PAIRS: usize = 6;

/// A change is called only when the sign test's p is below this too.
pub const SIGN_ALPHA: f64 = 0.05;

/// Exact two-sided sign test: the probability of a split at least as uneven as the signs of
/// `d` (zeros dropped) if either sign were equally likely.
pub fn sign_test_p(d: &[f64]) -> f64 {
    let pos = d.iter().filter(|x| **x > 0.0).count();
    let neg = d.iter().filter(|x| **x < 0.0).count();
    let n = pos + neg;
    if n == 0 {
        return 1.0;
    }
    let k = pos.min(neg);
    // P(X ≤ k) for X ~ Binomial(n, ½), by the running binomial coefficient.
    let mut c = 1.0f64;
    let mut tail = 0.0;
    for i in 0..=k {
        if i > 0 {
            c = c * (n - i + 1) as f64 / i as f64;
        }
        tail += c;
    }
    (2.0 * tail / 2f64.powi(n as i32)).min(1.0)
}

/// Compares `n` against `b` pair by pair (`b[k]` and `n[k]` measured in the same round); `None`
/// when the values do not pair up (different counts, or a relative metric with a value ≤ 0),
/// for the caller to compare them as independent samples instead.
pub fn compare_paired(
    metric: Metric,
    case: Option<String>,
    b: &[f64],
    n: &[f64],
    j: &Judging,
) -> Option<Row> {
    if b.len() != n.len() || b.is_empty() || !metric.per_trial() || metric.deterministic() {
        return None;
    }
    let mut r = blank(metric, case, &[b.to_vec()], &[n.to_vec()]);
    let d: Vec<f64> = if r.relative {
        if b.iter().chain(n).any(|v| *v <= 0.0) {
            return None;
        }
        b.iter().zip(n).map(|(x, y)| (y / x).ln()).collect()
    } else {
        b.iter().zip(n).map(|(x, y)| y - x).collect()
    };
    r.rounds = [b.len(), n.len()];
    if d.len() < MIN_PAIRS {
        r.reason = format!(
            "too few pairs (n = {}): need ≥ {MIN_PAIRS} trials of each target, interleaved, before a sign test can tell them apart",
            d.len()
        );
        return Some(r);
    }
    let stat = if is_count(metric) { mean } else { median };
    let ci = Bootstrap::default().one(&d, stat)?;
    let to_change = |v: f64| if r.relative { v.exp() - 1.0 } else { v };
    let ci = Interval {
        estimate: to_change(ci.estimate),
        lo: to_change(ci.lo),
        hi: to_change(ci.hi),
    };
    let p = sign_test_p(&d);
    r.p_value = Some(p);
    r.ci = Some(ci);
    let base_stat = stat(b).unwrap_or(0.0);
    let t = tau(metric, r.relative, base_stat, j);
    let (v, why) = verdict(metric, r.relative, (ci.estimate, ci.lo, ci.hi), t);
    r.verdict = v;
    r.reason = format!("{} pairs interleaved in one run: {why}", d.len());
    // A bootstrap interval over a handful of pairs is too narrow (the median of 6 values has
    // few distinct resamples); a change is called only when the pairs also agree in sign.
    if matches!(v, Verdict::Regressed | Verdict::Improved) && p >= SIGN_ALPHA {
        r.verdict = Verdict::Inconclusive;
        r.reason = format!(
            "{} pairs interleaved in one run: {why}, but the pairs disagree ({} of {} the same way, sign test p = {p:.2}): measure more trials",
            d.len(),
            d.iter().filter(|x| (**x > 0.0) == (ci.estimate > 0.0) && **x != 0.0).count(),
            d.len()
        );
    }
    if let (Verdict::Regressed | Verdict::Improved, Some(why)) = (r.verdict, &j.contended) {
        r.reason = format!("{} — but {why}: measure again on a quiet machine", r.reason);
        r.verdict = Verdict::Inconclusive;
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SplitMix64;

    #[test]
    fn the_sign_test_matches_the_binomial() {
        // 6 of 6 the same way: 2 · (1/64).
        assert!((sign_test_p(&[1.0; 6]) - 2.0 / 64.0).abs() < 1e-12);
        // 5 of 6: 2 · 7/64.
        let d = [1.0, 1.0, 1.0, 1.0, 1.0, -1.0];
        assert!((sign_test_p(&d) - 14.0 / 64.0).abs() < 1e-12);
        assert_eq!(sign_test_p(&[0.0, 0.0]), 1.0);
        assert_eq!(sign_test_p(&[1.0, -1.0]), 1.0);
    }

    /// Each pair shares a machine state that moves ±30 %; one target is 15 % slower throughout.
    /// Unpaired, the drift hides it; paired, it is regressed. Equal targets stay quiet.
    #[test]
    fn pairing_cancels_the_machines_drift() {
        let mut rng = SplitMix64::new(7);
        let mut b = Vec::new();
        let mut slow = Vec::new();
        let mut same = Vec::new();
        for _ in 0..8 {
            let state = 1.0 + 0.6 * (rng.unit() - 0.5);
            let jitter = |rng: &mut SplitMix64| 1.0 + 0.02 * (rng.unit() - 0.5);
            b.push(800.0 * state * jitter(&mut rng));
            slow.push(920.0 * state * jitter(&mut rng));
            same.push(800.0 * state * jitter(&mut rng));
        }
        let j = Judging::default();
        let paired = compare_paired(Metric::HeardMs, None, &b, &slow, &j).unwrap();
        assert_eq!(paired.verdict, Verdict::Regressed, "{}", paired.reason);
        let unpaired = super::super::compare_samples(Metric::HeardMs, None, &b, &slow, j.clone());
        assert_ne!(unpaired.verdict, Verdict::Regressed, "{}", unpaired.reason);
        let aa = compare_paired(Metric::HeardMs, None, &b, &same, &j).unwrap();
        assert!(
            matches!(aa.verdict, Verdict::Unchanged | Verdict::Inconclusive),
            "{}",
            aa.reason
        );
        assert!(compare_paired(Metric::HeardMs, None, &b, &same[..7], &j).is_none());
        let few = compare_paired(Metric::HeardMs, None, &b[..3], &slow[..3], &j).unwrap();
        assert!(few.reason.contains("too few pairs"), "{}", few.reason);
        // The A/A run that taught this: one pair faster, five much slower (another chunk plan
        // in one instance): the interval says worse, the signs do not (p = 0.22).
        let base = [593.0, 559.0, 582.0, 571.0, 588.0, 558.0];
        let other = [546.0, 805.0, 774.0, 799.0, 777.0, 797.0];
        let split = compare_paired(Metric::HeardMs, None, &base, &other, &j).unwrap();
        assert_eq!(split.verdict, Verdict::Inconclusive, "{}", split.reason);
        assert!(split.reason.contains("5 of 6"), "{}", split.reason);
    }
}
