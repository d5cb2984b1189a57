//! Theil–Sen slope (Theil 1950; Sen 1968): the median of pairwise slopes, robust to outliers —
//! used for memory leak slopes, where one arena resize must not look like a trend.

use super::bootstrap::{Bootstrap, Interval};
use super::{median, SplitMix64};

/// Median of `(y_j − y_i) / (x_j − x_i)` over pairs with `x_j ≠ x_i`.
pub fn slope(x: &[f64], y: &[f64]) -> Option<f64> {
    let mut s = Vec::new();
    for i in 0..x.len().min(y.len()) {
        for j in i + 1..x.len().min(y.len()) {
            if x[j] != x[i] {
                s.push((y[j] - y[i]) / (x[j] - x[i]));
            }
        }
    }
    median(&s)
}

/// Slope with a pairs-bootstrap interval (resampling `(x, y)` points).
pub fn slope_interval(x: &[f64], y: &[f64], settings: Bootstrap) -> Option<Interval> {
    let n = x.len().min(y.len());
    let estimate = slope(&x[..n], &y[..n])?;
    let mut rng = SplitMix64::new(settings.seed);
    let mut stats = Vec::with_capacity(settings.resamples);
    let (mut bx, mut by) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..settings.resamples {
        bx.clear();
        by.clear();
        for _ in 0..n {
            let k = rng.below(n);
            bx.push(x[k]);
            by.push(y[k]);
        }
        if let Some(s) = slope(&bx, &by) {
            stats.push(s);
        }
    }
    let tail = (1.0 - settings.level) / 2.0 * 100.0;
    Some(Interval {
        estimate,
        lo: super::percentile(&stats, tail)?,
        hi: super::percentile(&stats, 100.0 - tail)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line_and_outlier_resistance() {
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let mut y: Vec<f64> = x.iter().map(|v| 3.0 * v + 1.0).collect();
        assert_eq!(slope(&x, &y), Some(3.0));
        y[5] = 1000.0;
        assert!((slope(&x, &y).unwrap() - 3.0).abs() < 0.2);
        let ci = slope_interval(
            &x,
            &y,
            Bootstrap {
                resamples: 300,
                ..Bootstrap::default()
            },
        )
        .unwrap();
        assert!(ci.lo <= 3.0 && ci.hi >= 3.0, "{ci:?}");
    }

    #[test]
    fn flat_series_has_zero_slope() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(slope(&x, &[5.0; 10]), Some(0.0));
        assert_eq!(slope(&[1.0], &[1.0]), None);
    }
}
