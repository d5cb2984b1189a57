//! Percentile bootstrap confidence intervals (Efron & Tibshirani 1993, ch. 13).
//!
//! Resampling is seeded ([`SplitMix64`]) so the same data always give the same interval, natively
//! and in the browser. The default is 2,000 resamples at 95 %.

use super::{percentile, SplitMix64};

/// A point estimate with a confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Interval {
    /// The statistic on the original data.
    pub estimate: f64,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// Bootstrap settings.
#[derive(Clone, Copy, Debug)]
pub struct Bootstrap {
    /// Number of resamples.
    pub resamples: usize,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// Seed of the generator.
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap {
            resamples: 2000,
            level: 0.95,
            seed: 0x6b6f_6b6f_726f,
        }
    }
}

fn resample(rng: &mut SplitMix64, data: &[f64], buf: &mut Vec<f64>) {
    buf.clear();
    buf.extend((0..data.len()).map(|_| data[rng.below(data.len())]));
}

fn interval(estimate: f64, mut stats: Vec<f64>, level: f64) -> Option<Interval> {
    stats.retain(|x| x.is_finite());
    if stats.is_empty() || !estimate.is_finite() {
        return None;
    }
    let tail = (1.0 - level) / 2.0 * 100.0;
    Some(Interval {
        estimate,
        lo: percentile(&stats, tail)?,
        hi: percentile(&stats, 100.0 - tail)?,
    })
}

impl Bootstrap {
    /// Interval for `stat` of one sample; `None` for an empty sample.
    pub fn one(&self, data: &[f64], stat: impl Fn(&[f64]) -> Option<f64>) -> Option<Interval> {
        if data.is_empty() {
            return None;
        }
        let estimate = stat(data)?;
        let mut rng = SplitMix64::new(self.seed);
        let mut buf = Vec::with_capacity(data.len());
        let stats = (0..self.resamples)
            .filter_map(|_| {
                resample(&mut rng, data, &mut buf);
                stat(&buf)
            })
            .collect();
        interval(estimate, stats, self.level)
    }

    /// Interval for `combine(stat(new), stat(base))` with both samples resampled independently,
    /// e.g. the difference or ratio of medians.
    pub fn two(
        &self,
        base: &[f64],
        new: &[f64],
        stat: impl Fn(&[f64]) -> Option<f64>,
        combine: impl Fn(f64, f64) -> Option<f64>,
    ) -> Option<Interval> {
        if base.is_empty() || new.is_empty() {
            return None;
        }
        let estimate = combine(stat(new)?, stat(base)?)?;
        let mut rng = SplitMix64::new(self.seed);
        let (mut b, mut n) = (
            Vec::with_capacity(base.len()),
            Vec::with_capacity(new.len()),
        );
        let stats = (0..self.resamples)
            .filter_map(|_| {
                resample(&mut rng, base, &mut b);
                resample(&mut rng, new, &mut n);
                combine(stat(&n)?, stat(&b)?)
            })
            .collect();
        interval(estimate, stats, self.level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{mean, median};

    fn normalish(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
        // Irwin–Hall sum of 12 uniforms − 6: mean 0, variance 1.
        (0..n)
            .map(|_| (0..12).map(|_| rng.unit()).sum::<f64>() - 6.0)
            .collect()
    }

    /// Known answer: for the mean, the bootstrap interval approaches x̄ ± 1.96·s/√n.
    #[test]
    fn mean_interval_matches_the_normal_theory_interval() {
        let mut rng = SplitMix64::new(42);
        let data: Vec<f64> = normalish(&mut rng, 400)
            .into_iter()
            .map(|x| 10.0 + 2.0 * x)
            .collect();
        let ci = Bootstrap::default().one(&data, mean).unwrap();
        let m = mean(&data).unwrap();
        let sd = (data.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 399.0).sqrt();
        let half = 1.96 * sd / 20.0;
        assert!(
            ((ci.hi - ci.lo) / 2.0 - half).abs() / half < 0.1,
            "{ci:?} vs ±{half}"
        );
        assert!((ci.estimate - m).abs() < 1e-12);
    }

    /// Property: the interval contains the estimate and reproduces with the same seed.
    #[test]
    fn interval_contains_estimate_and_is_reproducible() {
        let mut rng = SplitMix64::new(3);
        for _ in 0..50 {
            let n = 3 + rng.below(30);
            let d: Vec<f64> = (0..n).map(|_| rng.unit() * 50.0).collect();
            let a = Bootstrap::default().one(&d, median).unwrap();
            assert!(a.lo <= a.estimate && a.estimate <= a.hi, "{a:?}");
            assert_eq!(a, Bootstrap::default().one(&d, median).unwrap());
        }
    }

    #[test]
    fn difference_of_identical_samples_straddles_zero() {
        let d = [10.0, 11.0, 12.0, 10.5, 11.5, 13.0, 9.5];
        let ci = Bootstrap::default()
            .two(&d, &d, median, |a, b| Some(a - b))
            .unwrap();
        assert_eq!(ci.estimate, 0.0);
        assert!(ci.lo <= 0.0 && ci.hi >= 0.0);
    }
}
