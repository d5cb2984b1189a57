//! E-divisive change points (Matteson & James 2014, "A nonparametric approach for multiple
//! change point analysis of multivariate data") with the practical changes of Hunter (Fleming et
//! al. 2023, "Hunter: using change point detection to hunt for performance regressions"), as
//! Apache Otava runs them on CI benchmark series:
//!
//! 1. **Split.** In each segment between the change points found so far, the candidate is the
//!    `τ` (with an end `κ`) that maximises the energy divergence `Q̂` (α = 1) between
//!    `x[start..τ]` and `x[τ..κ]`. The best candidate over all segments is kept when Welch's
//!    t-test between the two sides of its segment gives `p <` a first-pass level (10 × the final
//!    one); then the search repeats. A t-test instead of Matteson & James's permutation test:
//!    deterministic, cheap, and good with few points (Hunter §3.2).
//! 2. **Merge.** The weakest change point (largest p, or when every p passes, smallest relative
//!    change) is dropped while its p is above the final level or its change is below the smallest
//!    change worth reporting; neighbours are re-tested after each drop.
//!
//! Used on a series of run medians (`history`): *when* a level changed, with its p-value and
//! size, instead of an alarm per run.

use super::student::welch_p;

/// A change in level: the first point of the new level.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ChangePoint {
    /// Index of the first point after the change.
    pub index: usize,
    /// Welch's two-sided p-value between the segments on either side.
    pub p_value: f64,
    /// Mean of the segment before.
    pub mean_before: f64,
    /// Mean of the segment after.
    pub mean_after: f64,
}

impl ChangePoint {
    /// `mean_after / mean_before − 1`.
    pub fn rel_change(&self) -> f64 {
        if self.mean_before == 0.0 {
            0.0
        } else {
            self.mean_after / self.mean_before - 1.0
        }
    }

    /// The larger of the forward and backward relative changes (Otava's magnitude).
    fn magnitude(&self) -> f64 {
        let back = if self.mean_after == 0.0 {
            0.0
        } else {
            self.mean_before / self.mean_after - 1.0
        };
        self.rel_change().abs().max(back.abs())
    }
}

/// Detection settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Final significance level (first pass: 10 × this, at most 0.5).
    pub max_p: f64,
    /// Smallest relative change reported (e.g. the metric's practical threshold).
    pub min_magnitude: f64,
    /// Fewest points on each side of a change.
    pub min_segment: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_p: 0.001,
            min_magnitude: 0.0,
            min_segment: 3,
        }
    }
}

/// Sums of `|x_i − x_j|` over rectangles, from a 2-D prefix sum of the distance matrix.
struct Distances {
    n: usize,
    prefix: Vec<f64>,
}

impl Distances {
    fn new(x: &[f64]) -> Distances {
        let n = x.len();
        let w = n + 1;
        let mut prefix = vec![0.0; w * w];
        for i in 0..n {
            for j in 0..n {
                prefix[(i + 1) * w + j + 1] =
                    (x[i] - x[j]).abs() + prefix[i * w + j + 1] + prefix[(i + 1) * w + j]
                        - prefix[i * w + j];
            }
        }
        Distances { n, prefix }
    }

    /// Σ over `i ∈ [a, b)`, `j ∈ [c, d)`.
    fn rect(&self, a: usize, b: usize, c: usize, d: usize) -> f64 {
        let w = self.n + 1;
        self.prefix[b * w + d] - self.prefix[a * w + d] - self.prefix[b * w + c]
            + self.prefix[a * w + c]
    }

    /// Mean distance within `[a, b)` over unordered pairs (0 for fewer than two points).
    fn within(&self, a: usize, b: usize) -> f64 {
        let k = (b - a) as f64;
        if k < 2.0 {
            return 0.0;
        }
        self.rect(a, b, a, b) / (k * (k - 1.0))
    }

    /// Matteson & James's `Q̂` for `x[a..t]` against `x[t..k]`, α = 1.
    fn q(&self, a: usize, t: usize, k: usize) -> f64 {
        let (n1, n2) = ((t - a) as f64, (k - t) as f64);
        let between = self.rect(a, t, t, k) / (n1 * n2);
        n1 * n2 / (n1 + n2) * (2.0 * between - self.within(a, t) - self.within(t, k))
    }
}

fn stats(x: &[f64], start: usize, index: usize, end: usize) -> ChangePoint {
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let (l, r) = (&x[start..index], &x[index..end]);
    ChangePoint {
        index,
        p_value: welch_p(l, r).unwrap_or(1.0),
        mean_before: mean(l),
        mean_after: mean(r),
    }
}

fn bounds(found: &[ChangePoint], n: usize) -> Vec<(usize, usize)> {
    let mut edges = vec![0];
    edges.extend(found.iter().map(|c| c.index));
    edges.push(n);
    edges.windows(2).map(|w| (w[0], w[1])).collect()
}

/// The best split of `[a, b)` by `Q̂`: `(τ, Q̂)`.
fn candidate(d: &Distances, a: usize, b: usize, min: usize) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for t in a + min..=b.saturating_sub(min) {
        for k in t + min..=b {
            let q = d.q(a, t, k);
            if best.is_none_or(|(_, bq)| q > bq) {
                best = Some((t, q));
            }
        }
    }
    best
}

fn split(x: &[f64], d: &Distances, opts: Options, first_p: f64) -> Vec<ChangePoint> {
    let mut found: Vec<ChangePoint> = Vec::new();
    loop {
        let best = bounds(&found, x.len())
            .into_iter()
            .filter_map(|(a, b)| candidate(d, a, b, opts.min_segment).map(|(t, q)| (a, t, b, q)))
            .max_by(|p, q| p.3.total_cmp(&q.3));
        let Some((a, t, b, _)) = best else {
            return found;
        };
        let cp = stats(x, a, t, b);
        if cp.p_value >= first_p {
            return found;
        }
        found.push(cp);
        found.sort_by_key(|c| c.index);
    }
}

fn merge(x: &[f64], mut found: Vec<ChangePoint>, opts: Options) -> Vec<ChangePoint> {
    loop {
        let spans = bounds(&found, x.len());
        for (i, c) in found.iter_mut().enumerate() {
            *c = stats(x, spans[i].0, c.index, spans[i + 1].1);
        }
        let Some(weakest) = found
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.p_value.total_cmp(&b.1.p_value))
            .map(|(i, c)| (i, c.p_value))
        else {
            return found;
        };
        let drop = if weakest.1 >= opts.max_p {
            weakest.0
        } else {
            let (i, c) = found
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.magnitude().total_cmp(&b.1.magnitude()))
                .expect("non-empty: a weakest point exists");
            if c.magnitude() > opts.min_magnitude {
                return found;
            }
            i
        };
        found.remove(drop);
    }
}

/// Change points of `series` (sorted by index); empty for a steady series, one shorter than two
/// segments, or one with a non-finite value.
pub fn detect(series: &[f64], opts: Options) -> Vec<ChangePoint> {
    let min = opts.min_segment.max(2);
    if series.len() < 2 * min || series.iter().any(|v| !v.is_finite()) {
        return Vec::new();
    }
    let opts = Options {
        min_segment: min,
        ..opts
    };
    let first_p = if opts.max_p < 0.05 {
        opts.max_p * 10.0
    } else {
        (opts.max_p * 2.0).min(0.5)
    };
    let d = Distances::new(series);
    merge(series, split(series, &d, opts, first_p), opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SplitMix64;

    fn noise(rng: &mut SplitMix64, n: usize, level: f64, sd: f64) -> Vec<f64> {
        (0..n)
            .map(|_| level + ((0..12).map(|_| rng.unit()).sum::<f64>() - 6.0) * sd)
            .collect()
    }

    #[test]
    fn q_matches_the_definition_on_a_small_example() {
        // x = [0, 0, 4, 4]: between mean 4, within 0 → Q = 2·2/4 · 8 = 8.
        let d = Distances::new(&[0.0, 0.0, 4.0, 4.0]);
        assert!((d.q(0, 2, 4) - 8.0).abs() < 1e-12);
        assert!(d.q(0, 1, 4) < d.q(0, 2, 4));
    }

    #[test]
    fn finds_one_step_with_its_size_and_p() {
        let mut rng = SplitMix64::new(5);
        let mut s = noise(&mut rng, 12, 700.0, 10.0);
        s.extend(noise(&mut rng, 12, 820.0, 10.0));
        let cps = detect(&s, Options::default());
        assert_eq!(cps.len(), 1, "{cps:?}");
        assert_eq!(cps[0].index, 12);
        assert!(cps[0].p_value < 1e-6 && (cps[0].rel_change() - 0.17).abs() < 0.03);
    }

    #[test]
    fn finds_two_steps_and_drops_changes_below_the_smallest_size() {
        let mut rng = SplitMix64::new(8);
        let mut s = noise(&mut rng, 8, 100.0, 1.0);
        s.extend(noise(&mut rng, 8, 130.0, 1.0));
        s.extend(noise(&mut rng, 8, 104.0, 1.0));
        let all = detect(&s, Options::default());
        assert_eq!(all.iter().map(|c| c.index).collect::<Vec<_>>(), [8, 16]);
        // A 2 % step is real but smaller than a 5 % threshold.
        let mut small = noise(&mut rng, 10, 100.0, 0.2);
        small.extend(noise(&mut rng, 10, 102.0, 0.2));
        assert_eq!(detect(&small, Options::default()).len(), 1);
        let gated = Options {
            min_magnitude: 0.05,
            ..Options::default()
        };
        assert!(detect(&small, gated).is_empty());
    }

    /// False alarms on steady noise (3 % spread): the best of every split is tested, so at
    /// p ≤ 0.001 about 3 % of 30-point series show one; with the history's smallest reported
    /// change (the 5 % practical threshold) almost none do.
    #[test]
    fn steady_series_rarely_have_change_points() {
        let alarms = |opts: Options| {
            (0..300)
                .filter(|&seed| {
                    let mut rng = SplitMix64::new(1000 + seed);
                    !detect(&noise(&mut rng, 30, 500.0, 15.0), opts).is_empty()
                })
                .count()
        };
        let plain = alarms(Options::default());
        assert!(plain <= 12, "{plain} of 300");
        let gated = alarms(Options {
            min_magnitude: 0.05,
            ..Options::default()
        });
        assert!(gated <= 3, "{gated} of 300");
        assert!(detect(&[1.0, 2.0, 3.0], Options::default()).is_empty());
        assert!(detect(&[1.0, 1.0, 1.0, f64::NAN, 1.0, 1.0], Options::default()).is_empty());
    }
}
