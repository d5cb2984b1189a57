//! Descriptive statistics with one stated percentile definition.

use serde::{Deserialize, Serialize};

/// Percentile `p` (0–100) of `values` by Hyndman & Fan definition 7: with the sorted sample
/// `x_1..x_n`, `h = (n − 1)·p/100`, the result is `x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋)`
/// (0-based). Non-finite values are ignored. `None` for an empty sample.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(percentile_sorted(&v, p))
}

/// [`percentile`] on an already sorted, finite, non-empty slice.
pub(crate) fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * (p.clamp(0.0, 100.0) / 100.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Median (percentile 50).
pub fn median(values: &[f64]) -> Option<f64> {
    percentile(values, 50.0)
}

/// Arithmetic mean of the finite values.
pub fn mean(values: &[f64]) -> Option<f64> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Summary of one sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary {
    /// Number of finite values.
    pub n: usize,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator; 0 for n = 1).
    pub std_dev: f64,
    /// Median.
    pub median: f64,
    /// 90th percentile (definition 7).
    pub p90: f64,
    /// 95th percentile (definition 7).
    pub p95: f64,
    /// Median absolute deviation from the median (unscaled).
    pub mad: f64,
}

impl Summary {
    /// Summarises the finite values; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let mean = v.iter().sum::<f64>() / n as f64;
        let var = if n > 1 {
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        let med = percentile_sorted(&v, 50.0);
        let mut dev: Vec<f64> = v.iter().map(|x| (x - med).abs()).collect();
        dev.sort_by(f64::total_cmp);
        Some(Summary {
            n,
            min: v[0],
            max: v[n - 1],
            mean,
            std_dev: var.sqrt(),
            median: med,
            p90: percentile_sorted(&v, 90.0),
            p95: percentile_sorted(&v, 95.0),
            mad: percentile_sorted(&dev, 50.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SplitMix64;

    #[test]
    fn definition_7_known_answers() {
        // R: quantile(c(1,2,3,4,5,6,7,8,9,10), c(.5,.9,.95)) = 5.5, 9.1, 9.55
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(5.5));
        assert!((percentile(&v, 90.0).unwrap() - 9.1).abs() < 1e-12);
        assert!((percentile(&v, 95.0).unwrap() - 9.55).abs() < 1e-12);
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[f64::NAN, 3.0], 50.0), Some(3.0));
    }

    #[test]
    fn summary_known_answers() {
        let s = Summary::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(s.n, 8);
        assert_eq!(s.mean, 5.0);
        assert!((s.std_dev - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!(s.median, 4.5);
        assert_eq!(s.mad, 0.5);
    }

    /// Property: for random samples the median lies within [min, max], percentiles are monotone,
    /// and the summary does not depend on the order of the values.
    #[test]
    fn properties_hold_on_random_samples() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..500 {
            let n = 1 + rng.below(40);
            let mut v: Vec<f64> = (0..n).map(|_| rng.unit() * 1000.0 - 200.0).collect();
            let s = Summary::of(&v).unwrap();
            assert!(s.min <= s.median && s.median <= s.max);
            assert!(s.median <= s.p90 && s.p90 <= s.p95 && s.p95 <= s.max);
            assert!(s.mad >= 0.0 && s.std_dev >= 0.0);
            // Fisher–Yates shuffle.
            for i in (1..v.len()).rev() {
                let j = rng.below(i + 1);
                v.swap(i, j);
            }
            assert_eq!(Summary::of(&v).unwrap(), s);
        }
    }
}
