//! Mann–Whitney U test (Mann & Whitney 1947) and the Hodges–Lehmann shift (Hodges & Lehmann 1963).
//!
//! Exact two-sided p-value by counting rank-sum arrangements when there are no ties and
//! `n1 + n2 ≤ 50`; otherwise the normal approximation with tie correction and continuity
//! correction (as SciPy's `mannwhitneyu(method="asymptotic", use_continuity=True)`).

use super::median;

/// Result of a two-sided Mann–Whitney U test.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MannWhitney {
    /// U statistic of the first sample (pairs where x > y, ties counted ½).
    pub u1: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Whether the p-value is exact.
    pub exact: bool,
    /// Common-language effect size: P(x > y) + ½·P(x = y) = U1 / (n1·n2).
    pub prob_superiority: f64,
}

/// The smallest two-sided p-value the exact test can reach with samples of `n1` and `n2`
/// (complete separation, no ties): `2 / C(n1 + n2, n1)`. When it is not below α, no data of this
/// size can show a significant change — say "too few trials" rather than give a verdict.
pub fn min_p_value(n1: usize, n2: usize) -> f64 {
    let (n, k) = (n1 + n2, n1.min(n2));
    let mut c = 1.0f64;
    for i in 0..k {
        c = c * (n - i) as f64 / (i + 1) as f64;
    }
    (2.0 / c).min(1.0)
}

/// Two-sided Mann–Whitney U test of `x` against `y`; `None` if either sample is empty.
pub fn test(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let mut all: Vec<(f64, usize)> = x
        .iter()
        .map(|&v| (v, 0))
        .chain(y.iter().map(|&v| (v, 1)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Mid-ranks and tie groups.
    let n = all.len();
    let mut rank_sum_x = 0.0;
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        tie_term += t * t * t - t;
        rank_sum_x += all[i..=j].iter().filter(|e| e.1 == 0).count() as f64 * rank;
        i = j + 1;
    }
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = rank_sum_x - f1 * (f1 + 1.0) / 2.0;
    let prob_superiority = u1 / (f1 * f2);
    if tie_term == 0.0 && n1 + n2 <= 50 {
        let p = exact_two_sided(u1 as usize, n1, n2);
        return Some(MannWhitney {
            u1,
            p_value: p,
            exact: true,
            prob_superiority,
        });
    }
    let mu = f1 * f2 / 2.0;
    let nf = f1 + f2;
    let var = f1 * f2 / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)));
    let p = if var <= 0.0 {
        1.0
    } else {
        let z = ((u1 - mu).abs() - 0.5).max(0.0) / var.sqrt();
        (2.0 * normal_sf(z)).min(1.0)
    };
    Some(MannWhitney {
        u1,
        p_value: p,
        exact: false,
        prob_superiority,
    })
}

/// Exact two-sided p: 2·min(P(U ≤ u), P(U ≥ u)) under H0, from the count of arrangements.
fn exact_two_sided(u: usize, n1: usize, n2: usize) -> f64 {
    // counts[k][u]: arrangements of k x's among the first positions... use the classic recurrence
    // f(n1, n2, u) = f(n1−1, n2, u−n2) + f(n1, n2−1, u) over a rolling table.
    let max_u = n1 * n2;
    // table[i][j] = distribution vector for (i, j)
    let mut prev: Vec<Vec<f64>> = vec![vec![1.0]; n2 + 1]; // i = 0: only U = 0
    for i in 1..=n1 {
        let mut cur: Vec<Vec<f64>> = Vec::with_capacity(n2 + 1);
        cur.push(vec![1.0]); // j = 0
        for j in 1..=n2 {
            let mut dist = vec![0.0; i * j + 1];
            for (k, &c) in prev[j].iter().enumerate() {
                dist[k + j] += c; // last element is an x, larger than all j y's
            }
            for (k, &c) in cur[j - 1].iter().enumerate() {
                dist[k] += c; // last element is a y
            }
            cur.push(dist);
        }
        prev = cur;
    }
    let dist = &prev[n2];
    let total: f64 = dist.iter().sum();
    let lower: f64 = dist[..=u.min(max_u)].iter().sum();
    let upper: f64 = dist[u.min(max_u)..].iter().sum();
    (2.0 * lower.min(upper) / total).min(1.0)
}

/// Upper tail of the standard normal.
fn normal_sf(z: f64) -> f64 {
    super::erf::erfc(z / std::f64::consts::SQRT_2) / 2.0
}

/// Hodges–Lehmann estimate of the shift `new − base`: the median of all pairwise differences.
pub fn hodges_lehmann(base: &[f64], new: &[f64]) -> Option<f64> {
    let diffs: Vec<f64> = new
        .iter()
        .flat_map(|&y| base.iter().map(move |&x| y - x))
        .collect();
    median(&diffs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_reachable_p_value_depends_on_the_sample_sizes() {
        assert!((min_p_value(3, 3) - 0.1).abs() < 1e-12, "2 / C(6,3) = 2/20");
        assert!((min_p_value(4, 4) - 2.0 / 70.0).abs() < 1e-12);
        assert!(min_p_value(3, 3) >= 0.05 && min_p_value(4, 4) < 0.05);
        assert_eq!(min_p_value(1, 1), 1.0);
        // And the exact test reaches it on complete separation.
        let t = test(&[1.0, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0]).unwrap();
        assert!(
            (t.p_value - min_p_value(4, 4)).abs() < 1e-12,
            "{}",
            t.p_value
        );
    }

    /// SciPy documentation example (Mann & Whitney's data): males vs females, U1 = 17,
    /// exact two-sided p = 0.1111.
    #[test]
    fn scipy_docs_example() {
        let males = [19.0, 22.0, 16.0, 29.0, 24.0];
        let females = [20.0, 11.0, 17.0, 12.0];
        let r = test(&males, &females).unwrap();
        assert_eq!(r.u1, 17.0);
        assert!(r.exact);
        assert!((r.p_value - 0.111_111_111).abs() < 1e-6, "{r:?}");
    }

    /// Completely separated samples of 5: exact p = 2 / C(10, 5) = 2/252.
    #[test]
    fn complete_separation() {
        let r = test(&[1.0, 2.0, 3.0, 4.0, 5.0], &[6.0, 7.0, 8.0, 9.0, 10.0]).unwrap();
        assert_eq!(r.u1, 0.0);
        assert!((r.p_value - 2.0 / 252.0).abs() < 1e-12);
        assert_eq!(r.prob_superiority, 0.0);
    }

    /// Normal approximation with ties, continuity-corrected. SciPy 1.x:
    /// `mannwhitneyu([1,2,2,3,3,3,4,4,5,5], [4,5,5,6,6,6,7,7,8,9], method="asymptotic")`
    /// → statistic 5.0, p = 0.000687159641.
    #[test]
    fn asymptotic_with_ties_matches_scipy() {
        let x = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0];
        let y = [4.0, 5.0, 5.0, 6.0, 6.0, 6.0, 7.0, 7.0, 8.0, 9.0];
        let r = test(&x, &y).unwrap();
        assert!(!r.exact);
        assert_eq!(r.u1, 5.0);
        assert!((r.p_value - 0.000_687_159_641).abs() < 1e-7, "{r:?}");
        let same = test(&x, &x).unwrap();
        assert!((same.p_value - 1.0).abs() < 1e-9);
        assert_eq!(same.prob_superiority, 0.5);
    }

    #[test]
    fn normal_tail_known_values() {
        assert!((normal_sf(1.959_964) - 0.025).abs() < 1e-6);
        assert!((normal_sf(0.0) - 0.5).abs() < 1e-7);
    }

    #[test]
    fn hodges_lehmann_shift() {
        let base = [1.0, 2.0, 3.0];
        let new = [11.0, 12.0, 13.0];
        assert_eq!(hodges_lehmann(&base, &new), Some(10.0));
    }
}
