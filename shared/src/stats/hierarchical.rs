//! The two-stage (hierarchical) bootstrap for trials measured in rounds.
//!
//! The trials of one round share the machine's state (its speed, the other tenants of a VM, what
//! the engine's adaptive schedule has learned), so they are not independent evidence: resampling
//! them as if they were gives intervals that are too narrow, and two runs of the same build
//! minutes apart then "differ significantly". The unit of evidence is the round. Each resample
//! here draws the rounds with replacement, then the trials inside each drawn round with
//! replacement, and computes the statistic on the pooled draw (Davison & Hinkley 1997, §3.8;
//! Saravanan, Berman & Sober 2020, "Application of the hierarchical bootstrap to multi-level data
//! in neuroscience"). Resampling both levels slightly overstates the variance — the cautious
//! side for a verdict. With one round it is the ordinary bootstrap, draw for draw, so bundles
//! written before rounds existed keep their intervals.

use super::bootstrap::{Bootstrap, Interval};
use super::{percentile, SplitMix64};

/// Trials grouped by round: one inner vector per round (empty rounds are ignored).
pub type Rounds = [Vec<f64>];

/// A statistic's bootstrap distribution: the estimate on the data and every resample's value.
#[derive(Clone, Debug, PartialEq)]
pub struct Resampled {
    /// The statistic on the original data.
    pub estimate: f64,
    /// The statistic on each resample (finite values only), sorted.
    pub draws: Vec<f64>,
}

impl Resampled {
    fn new(estimate: f64, mut draws: Vec<f64>) -> Option<Resampled> {
        draws.retain(|x| x.is_finite());
        if draws.is_empty() || !estimate.is_finite() {
            return None;
        }
        draws.sort_by(f64::total_cmp);
        Some(Resampled { estimate, draws })
    }

    /// The percentile interval at `level` (e.g. 0.95).
    pub fn interval(&self, level: f64) -> Interval {
        let tail = (1.0 - level) / 2.0 * 100.0;
        Interval {
            estimate: self.estimate,
            lo: percentile(&self.draws, tail).unwrap_or(self.estimate),
            hi: percentile(&self.draws, 100.0 - tail).unwrap_or(self.estimate),
        }
    }

    /// Two-sided bootstrap p-value of "the statistic is `null`": twice the share of draws on the
    /// far side of `null` from the estimate, at most 1 (Efron & Tibshirani 1993, §16.4; with
    /// 2,000 draws the smallest value is 0.001).
    pub fn p_value(&self, null: f64) -> f64 {
        let n = self.draws.len() as f64;
        let below = self.draws.iter().filter(|&&d| d <= null).count() as f64;
        let above = self.draws.iter().filter(|&&d| d >= null).count() as f64;
        let tail = below.min(above).max(1.0);
        (2.0 * tail / n).min(1.0)
    }
}

fn non_empty(rounds: &Rounds) -> Vec<&[f64]> {
    rounds
        .iter()
        .filter(|r| !r.is_empty())
        .map(Vec::as_slice)
        .collect()
}

fn pooled(rounds: &[&[f64]]) -> Vec<f64> {
    rounds.iter().flat_map(|r| r.iter().copied()).collect()
}

/// One two-stage draw into `buf`. A single round is resampled exactly as the one-level bootstrap
/// does (no draw is spent choosing the round).
fn draw(rng: &mut SplitMix64, rounds: &[&[f64]], buf: &mut Vec<f64>) {
    buf.clear();
    if let [only] = rounds {
        buf.extend((0..only.len()).map(|_| only[rng.below(only.len())]));
        return;
    }
    for _ in 0..rounds.len() {
        let r = rounds[rng.below(rounds.len())];
        buf.extend((0..r.len()).map(|_| r[rng.below(r.len())]));
    }
}

impl Bootstrap {
    /// The distribution of `stat` over two-stage resamples of `rounds`; `None` without data.
    pub fn rounds(
        &self,
        rounds: &Rounds,
        stat: impl Fn(&[f64]) -> Option<f64>,
    ) -> Option<Resampled> {
        let rounds = non_empty(rounds);
        let estimate = stat(&pooled(&rounds))?;
        let mut rng = SplitMix64::new(self.seed);
        let mut buf = Vec::new();
        let draws = (0..self.resamples)
            .filter_map(|_| {
                draw(&mut rng, &rounds, &mut buf);
                stat(&buf)
            })
            .collect();
        Resampled::new(estimate, draws)
    }

    /// The interval of `stat` over two-stage resamples of `rounds` at the configured level.
    pub fn one_rounds(
        &self,
        rounds: &Rounds,
        stat: impl Fn(&[f64]) -> Option<f64>,
    ) -> Option<Interval> {
        self.rounds(rounds, stat).map(|r| r.interval(self.level))
    }

    /// The distribution of `combine(stat(new), stat(base))`, each run resampled in two stages
    /// independently (e.g. the relative change of the median).
    pub fn two_rounds(
        &self,
        base: &Rounds,
        new: &Rounds,
        stat: impl Fn(&[f64]) -> Option<f64>,
        combine: impl Fn(f64, f64) -> Option<f64>,
    ) -> Option<Resampled> {
        let (base, new) = (non_empty(base), non_empty(new));
        let estimate = combine(stat(&pooled(&new))?, stat(&pooled(&base))?)?;
        let mut rng = SplitMix64::new(self.seed);
        let (mut b, mut n) = (Vec::new(), Vec::new());
        let draws = (0..self.resamples)
            .filter_map(|_| {
                draw(&mut rng, &base, &mut b);
                draw(&mut rng, &new, &mut n);
                combine(stat(&n)?, stat(&b)?)
            })
            .collect();
        Resampled::new(estimate, draws)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{mean, median};

    #[test]
    fn one_round_is_the_ordinary_bootstrap_draw_for_draw() {
        let d = vec![10.0, 11.0, 12.0, 10.5, 11.5, 13.0, 9.5];
        let boot = Bootstrap::default();
        assert_eq!(
            boot.one_rounds(std::slice::from_ref(&d), median),
            boot.one(&d, median),
            "bundles without rounds keep their intervals"
        );
        let two = boot
            .two_rounds(
                std::slice::from_ref(&d),
                std::slice::from_ref(&d),
                median,
                |y, x| Some(y - x),
            )
            .unwrap()
            .interval(0.95);
        assert_eq!(
            Some(two),
            boot.two(&d, &d, median, |y, x| Some(y - x)),
            "nor their comparisons"
        );
    }

    /// Rounds whose levels differ (the machine moved between them) widen the interval well beyond
    /// what the same values treated as independent trials give.
    #[test]
    fn round_to_round_spread_is_in_the_interval() {
        let rounds = vec![
            vec![100.0, 101.0, 99.0, 100.5],
            vec![112.0, 113.0, 111.0, 112.5],
            vec![94.0, 95.0, 93.5, 94.5],
        ];
        let flat: Vec<f64> = rounds.iter().flatten().copied().collect();
        let boot = Bootstrap::default();
        let grouped = boot.one_rounds(&rounds, mean).unwrap();
        let naive = boot.one(&flat, mean).unwrap();
        assert!(
            grouped.hi - grouped.lo > 1.5 * (naive.hi - naive.lo),
            "{grouped:?} vs {naive:?}"
        );
        assert!(grouped.lo <= grouped.estimate && grouped.estimate <= grouped.hi);
    }

    /// Known answer: with many rounds of one trial each, the two-stage bootstrap of the mean
    /// approaches the normal-theory interval of the round means.
    #[test]
    fn many_single_trial_rounds_match_normal_theory() {
        let mut rng = SplitMix64::new(9);
        let rounds: Vec<Vec<f64>> = (0..400)
            .map(|_| vec![(0..12).map(|_| rng.unit()).sum::<f64>() - 6.0])
            .collect();
        let ci = Bootstrap::default().one_rounds(&rounds, mean).unwrap();
        let half = 1.96 / 20.0;
        assert!(
            ((ci.hi - ci.lo) / 2.0 - half).abs() / half < 0.12,
            "{ci:?} vs ±{half}"
        );
    }

    #[test]
    fn p_value_is_small_only_for_a_clear_shift() {
        let boot = Bootstrap::default();
        let base = vec![vec![100.0, 102.0, 101.0], vec![99.0, 100.0, 101.0]];
        let same = boot
            .two_rounds(&base, &base, median, |y, x| Some(y / x - 1.0))
            .unwrap();
        assert!(same.p_value(0.0) > 0.5, "{}", same.p_value(0.0));
        let slow = vec![vec![130.0, 131.0, 129.0], vec![128.0, 132.0, 130.0]];
        let shifted = boot
            .two_rounds(&base, &slow, median, |y, x| Some(y / x - 1.0))
            .unwrap();
        assert!(shifted.p_value(0.0) <= 0.001, "{}", shifted.p_value(0.0));
        assert!(shifted.interval(0.95).lo > 0.2);
        assert!(boot.rounds(&[Vec::new()], median).is_none());
    }
}
