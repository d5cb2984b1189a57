//! Run-to-run noise: how much a run's median moves between two runs of the same build on the same
//! machine, beyond what the run's own interval (over its rounds) already holds. A verdict between
//! two separate runs must allow for it, or a CI job comparing a build with itself fails.
//!
//! Where it comes from, best first:
//!
//! 1. **The series' own history** (Bencher's idea: a threshold per branch · testbed · measure,
//!    from that series' recent runs). The medians of the last runs of the same machine label,
//!    target and set-up since their last change point: their robust spread (1.4826 × MAD of the
//!    log medians), less what the runs' own intervals explain, is the run-to-run standard
//!    deviation `σ_run`. It counts with Student's t on `n − 1` degrees of freedom, so five runs
//!    claim less than thirty.
//! 2. **The A/A spread measured for this kind of machine** ([`Floor::builtin`], from
//!    `scripts/aa.sh`, docs/measurements.md; or the user's own, `compare --noise-floor FILE`),
//!    when the series has fewer than [`MIN_HISTORY`] runs: said so in the verdict's reason.
//!
//! The rule ([`super::rule`]) widens the change's interval by `q · √2 · σ_run` (two runs, each
//! moved independently), combined in quadrature with the bootstrap half-width.

use crate::index::series_key;
use crate::index::RunIndex;
use crate::metrics::Metric;
use crate::stats::{edivisive, median};

/// Fewest earlier runs of a series before its own spread is used.
pub const MIN_HISTORY: usize = 5;

/// Most recent runs a series' spread is computed over.
pub const HISTORY_WINDOW: usize = 30;

/// Run-to-run noise of one metric: the standard deviation of a run's median that its interval
/// does not hold, relative (log scale), and where it was learned.
#[derive(Clone, Debug, PartialEq)]
pub struct RunNoise {
    /// Relative standard deviation between runs (0.04 = 4 %).
    pub rel_sd: f64,
    /// Degrees of freedom of the estimate (`None`: a documented constant, counted as normal).
    pub df: Option<f64>,
    /// Where it comes from, in words.
    pub source: String,
}

/// The A/A spread of a kind of machine: per metric, the run-to-run relative standard deviation
/// of a case median beyond its own interval (the largest over the cases measured). The built-in
/// one ([`Floor::builtin`]) was measured here by `scripts/aa.sh`; a user measures their own
/// machine with the same script and passes its file to `compare --noise-floor`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Floor {
    /// Which machines it describes.
    pub machine: String,
    /// How it was measured (command, date, pairs; the table is in docs/measurements.md).
    pub measured: String,
    /// Metric key → relative standard deviation between runs (0.04 = 4 %).
    pub rel_sd: std::collections::BTreeMap<String, f64>,
}

/// The built-in floor's values: `(metric key, relative standard deviation)`, from `bash
/// scripts/aa.sh engine 10` on the development VM (10 A/A pairs of 18-trial runs, 2026-12-06;
/// the largest case's spread beyond its own interval). docs/measurements.md has the table.
const BUILTIN: &[(&str, f64)] = &[
    ("heard_ms", 0.161),
    ("inference_rtf", 0.092),
    ("peak_rss_mb", 0.106),
    ("rtf", 0.091),
    ("total_ms", 0.105),
    ("ttfa_audible_ms", 0.165),
    ("ttfa_ms", 0.165),
];

impl Floor {
    /// The floor measured on this project's development machine (a shared 2-core x86 VM),
    /// used for every machine until one measures its own.
    pub fn builtin() -> Floor {
        Floor {
            machine: "a shared 2-core x86 VM".into(),
            measured: "scripts/aa.sh, 2026-12-06".into(),
            rel_sd: BUILTIN
                .iter()
                .map(|(k, v)| ((*k).to_string(), *v))
                .collect(),
        }
    }

    /// No floor at all (`--noise-floor none`): intervals hold each run's own rounds only.
    pub fn none() -> Floor {
        Floor {
            machine: "none".into(),
            measured: "--noise-floor none".into(),
            rel_sd: Default::default(),
        }
    }

    /// The floor for `metric`, if measured; `virtualized` says whether this machine is of the
    /// kind it was measured on.
    pub fn noise(&self, metric: Metric, virtualized: Option<bool>) -> Option<RunNoise> {
        let sd = *self.rel_sd.get(metric.key())?;
        let kind = match virtualized {
            Some(false) => " (not measured on this kind of machine: run scripts/aa.sh here)",
            _ => "",
        };
        Some(RunNoise {
            rel_sd: sd,
            df: None,
            source: format!(
                "no history of this series yet: the A/A spread measured on {}{kind} ({})",
                self.machine, self.measured
            ),
        })
    }
}

/// Where the run-to-run noise of a comparison's rows came from, said once: each source with the
/// spread it gave each headline metric (`heard speech ±16.1 %, RTF ±9.1 % per run`).
#[derive(Default)]
pub struct Sources(Vec<(String, Vec<Spread>)>);

/// A metric's run-to-run spread from one source: the smallest and largest over its cases, %.
type Spread = (Metric, f64, f64);

impl Sources {
    /// Records the noise one row was judged with.
    pub fn add(&mut self, n: &RunNoise, metric: Metric) {
        let pct = n.rel_sd * 100.0;
        let i = match self.0.iter().position(|(s, _)| *s == n.source) {
            Some(i) => i,
            None => {
                self.0.push((n.source.clone(), Vec::new()));
                self.0.len() - 1
            }
        };
        let metrics = &mut self.0[i].1;
        match metrics.iter_mut().find(|(m, _, _)| *m == metric) {
            Some(m) => {
                m.1 = m.1.min(pct);
                m.2 = m.2.max(pct);
            }
            None => metrics.push((metric, pct, pct)),
        }
    }

    /// In words, one clause per source.
    pub fn words(&self) -> String {
        if self.0.is_empty() {
            return "no run-to-run noise is known for these metrics: intervals hold each run's own rounds only".into();
        }
        self.0
            .iter()
            .map(|(source, metrics)| {
                let spreads: Vec<String> = metrics
                    .iter()
                    .map(|(m, lo, hi)| {
                        if hi - lo < 0.05 {
                            format!("{} ±{hi:.1} %", m.label())
                        } else {
                            format!("{} ±{lo:.1}–{hi:.1} %", m.label())
                        }
                    })
                    .collect();
                format!("{source}: {} per run", spreads.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Robust standard deviation: 1.4826 × the median absolute deviation.
fn robust_sd(v: &[f64]) -> Option<f64> {
    let m = median(v)?;
    let dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    median(&dev).map(|mad| 1.4826 * mad)
}

/// The run-to-run noise of `metric` for `case` in the history of `series` (a
/// [`crate::history::series_key`]), leaving out the runs being compared; `None` with fewer than
/// [`MIN_HISTORY`] usable runs.
pub fn from_history(
    index: &RunIndex,
    series: &str,
    metric: Metric,
    case: Option<&str>,
    exclude: &[&str],
) -> Option<RunNoise> {
    let mut runs: Vec<_> = index
        .runs
        .iter()
        .filter(|r| series_key(r) == series && !exclude.contains(&r.id.as_str()))
        .filter_map(|r| {
            let v =
                r.summaries.as_ref()?.iter().find(|v| {
                    v.metric == metric.key() && v.case.as_deref() == case && !v.untrusted
                })?;
            (v.median > 0.0).then_some((r.started_unix_ms, v.median, v.ci95))
        })
        .collect();
    runs.sort_by_key(|r| r.0);
    let logs: Vec<f64> = runs.iter().map(|r| r.1.ln()).collect();
    // Only the current level: a step in the series is a change, not noise. A level counts once
    // it has lasted as many runs as the spread needs.
    let opts = edivisive::Options {
        min_segment: MIN_HISTORY,
        ..Default::default()
    };
    let since = edivisive::detect(&logs, opts).last().map_or(0, |c| c.index);
    let recent = &runs[since.max(runs.len().saturating_sub(HISTORY_WINDOW))..];
    if recent.len() < MIN_HISTORY {
        return None;
    }
    let logs: Vec<f64> = recent.iter().map(|r| r.1.ln()).collect();
    let total = robust_sd(&logs)?;
    // What each run's own interval already holds (σ ≈ log-width / 3.92).
    let within: Vec<f64> = recent
        .iter()
        .filter_map(|r| r.2)
        .filter(|[lo, hi]| *lo > 0.0 && hi > lo)
        .map(|[lo, hi]| ((hi.ln() - lo.ln()) / 3.92).powi(2))
        .collect();
    let within_var = if within.is_empty() {
        0.0
    } else {
        within.iter().sum::<f64>() / within.len() as f64
    };
    let rel_sd = (total * total - within_var).max(0.0).sqrt();
    Some(RunNoise {
        rel_sd,
        df: Some((recent.len() - 1) as f64),
        source: format!(
            "this series' last {} runs, beyond their own intervals",
            recent.len()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexEntry;
    use crate::stats::SplitMix64;

    fn index_of(medians: &[f64]) -> RunIndex {
        let mut index = RunIndex::default();
        for (i, m) in medians.iter().enumerate() {
            let mut b = crate::testing::bundle_with_ttfa(&[*m, m * 1.001, m * 0.999]);
            b.run.id = format!("r{i}");
            b.run.started_unix_ms = 1_000 + i as u64;
            index.upsert(IndexEntry::of(
                &b,
                format!("runs/r{i}/bundle.json"),
                String::new(),
            ));
        }
        index
    }

    #[test]
    fn a_series_spread_is_learned_from_its_history_and_excludes_the_compared_runs() {
        let mut rng = SplitMix64::new(4);
        let medians: Vec<f64> = (0..12)
            .map(|_| 500.0 * (1.0 + 0.04 * ((0..12).map(|_| rng.unit()).sum::<f64>() - 6.0)))
            .collect();
        let index = index_of(&medians);
        let series = series_key(&index.runs[0]);
        let n = from_history(
            &index,
            &series,
            Metric::TtfaMs,
            Some("medium"),
            &["r0", "r1"],
        )
        .expect("ten runs of history");
        assert!((0.02..0.08).contains(&n.rel_sd), "{n:?}");
        assert_eq!(n.df, Some(9.0));
        assert!(n.source.contains("last 10 runs"), "{}", n.source);
        let short = index_of(&medians[..4]);
        assert!(from_history(&short, &series, Metric::TtfaMs, Some("medium"), &[]).is_none());
        assert!(from_history(
            &index,
            "another series",
            Metric::TtfaMs,
            Some("medium"),
            &[]
        )
        .is_none());
    }

    #[test]
    fn only_the_level_since_the_last_change_counts() {
        let mut m = vec![500.0, 505.0, 495.0, 502.0, 498.0, 501.0, 499.0, 503.0];
        m.extend([700.0, 705.0, 695.0, 702.0, 698.0, 701.0]);
        let index = index_of(&m);
        let series = series_key(&index.runs[0]);
        let n = from_history(&index, &series, Metric::TtfaMs, Some("medium"), &[]).unwrap();
        assert!(n.rel_sd < 0.02, "the step is not noise: {n:?}");
        assert!(n.source.contains("last 6 runs"), "{}", n.source);
    }
}
