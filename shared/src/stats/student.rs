//! Student's t distribution and Welch's two-sample t-test, for change points in a history of run
//! medians (Hunter/Apache Otava test a split with a t-test) and for thresholds learned from a
//! series (Bencher's t-test threshold).
//!
//! The distribution function goes through the regularised incomplete beta function, evaluated by
//! its continued fraction with the modified Lentz method (Press et al., *Numerical Recipes*, 3rd
//! ed., §6.4); `ln Γ` by the Lanczos approximation (g = 7, n = 9).

/// `ln Γ(x)` for `x > 0` (Lanczos; relative error below 1e-13 for the arguments used here).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function `I_x(a, b)`.
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// Two-sided tail probability `P(|T| ≥ |t|)` of Student's t with `df` degrees of freedom.
pub fn two_sided_p(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return if t.is_nan() { 1.0 } else { 0.0 };
    }
    if df <= 0.0 {
        return 1.0;
    }
    incomplete_beta(df / 2.0, 0.5, df / (df + t * t)).clamp(0.0, 1.0)
}

/// The quantile `t` with `P(T ≤ t) = p` (`0.5 ≤ p < 1`), by bisection on [`two_sided_p`].
pub fn quantile(p: f64, df: f64) -> f64 {
    let target = 2.0 * (1.0 - p.clamp(0.5, 1.0 - 1e-12));
    let (mut lo, mut hi) = (0.0f64, 1e3f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if two_sided_p(mid, df) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Welch's two-sample t-test of equal means: the two-sided p-value (`None` with fewer than two
/// values on a side). Equal, noiseless sides give 1; different noiseless sides give 0.
pub fn welch_p(a: &[f64], b: &[f64]) -> Option<f64> {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (ma, mb) = (a.iter().sum::<f64>() / na, b.iter().sum::<f64>() / nb);
    let va = a.iter().map(|x| (x - ma).powi(2)).sum::<f64>() / (na - 1.0);
    let vb = b.iter().map(|x| (x - mb).powi(2)).sum::<f64>() / (nb - 1.0);
    let se2 = va / na + vb / nb;
    if se2 <= 0.0 {
        return Some(if ma == mb { 1.0 } else { 0.0 });
    }
    let t = (ma - mb) / se2.sqrt();
    let df = se2 * se2
        / ((va / na).powi(2) / (na - 1.0) + (vb / nb).powi(2) / (nb - 1.0)).max(f64::MIN_POSITIVE);
    Some(two_sided_p(t, df))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers_from_scipy() {
        // scipy.stats.t.sf(2.0, 5) * 2 = 0.10193948, t.sf(1.0, 1) * 2 = 0.5, t.ppf(0.975, 4) =
        // 2.7764451, t.ppf(0.975, 30) = 2.0422725, t.ppf(0.995, 9) = 3.2498355.
        assert!((two_sided_p(2.0, 5.0) - 0.101_939_48).abs() < 1e-7);
        assert!((two_sided_p(1.0, 1.0) - 0.5).abs() < 1e-9);
        assert!((quantile(0.975, 4.0) - 2.776_445_1).abs() < 1e-6);
        assert!((quantile(0.975, 30.0) - 2.042_272_5).abs() < 1e-6);
        assert!((quantile(0.995, 9.0) - 3.249_835_5).abs() < 1e-6);
        // scipy.special.betainc(2, 3, 0.4) = 0.5248
        assert!((incomplete_beta(2.0, 3.0, 0.4) - 0.5248).abs() < 1e-12);
    }

    #[test]
    fn welch_known_answer_and_edges() {
        // scipy.stats.ttest_ind([1,2,3,4,5], [3,4,5,6,7,8], equal_var=False).pvalue = 0.0398031
        let p = welch_p(&[1.0, 2.0, 3.0, 4.0, 5.0], &[3.0, 4.0, 5.0, 6.0, 7.0, 8.0]).unwrap();
        assert!((p - 0.039_803_08).abs() < 1e-6, "{p}");
        assert_eq!(welch_p(&[1.0], &[2.0, 3.0]), None);
        assert_eq!(welch_p(&[2.0, 2.0], &[2.0, 2.0]), Some(1.0));
        assert_eq!(welch_p(&[2.0, 2.0], &[3.0, 3.0]), Some(0.0));
    }
}
