//! History: one metric of one case over the runs of one machine and target, read from the run
//! index's per-run summaries alone, with change points and set-up changes. Shared by the CLI
//! (`kokoro-bench history`) and the page.

use crate::index::{IndexEntry, RunIndex};
use crate::metrics::Metric;

/// One point of a history series: one run's summary of the metric for the case.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct HistoryPoint {
    /// Run id.
    pub run: String,
    /// Bundle path relative to the index.
    pub path: String,
    /// SHA-256 of the bundle.
    pub sha256: String,
    /// Start, Unix ms.
    pub t_unix_ms: u64,
    /// Start, RFC 3339.
    pub started_at: String,
    /// Tool commit.
    pub git_commit: Option<String>,
    /// Median over the case's measured trials.
    pub median: f64,
    /// 95 % interval of the median.
    pub ci95: Option<[f64; 2]>,
    /// Samples.
    pub n: u32,
    /// The metric is marked untrusted in this run.
    pub untrusted: bool,
    /// What changed in the set-up since the previous point (strategy, model), if anything.
    pub config_change: Option<String>,
}

/// The newest run of a series against the runs before it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NewestJudged {
    /// Runs of the current level the band is learned from.
    pub runs: usize,
    /// Their level: the median of their medians.
    pub level: f64,
    /// The newest median's change from the level, relative.
    pub change_rel: f64,
    /// Half-width of the band a run of this series falls in 95 % of the time (prediction
    /// interval: Student's t on `runs − 1` degrees of freedom × the robust spread × √(1 + 1/n)),
    /// relative.
    pub band_rel: f64,
    /// Outside the band *and* beyond the metric's practical threshold.
    pub outside: bool,
    /// In words.
    pub says: String,
}

/// Judges the last point against the points before it since their last change point (at least
/// [`crate::compare::noise::MIN_HISTORY`] of them).
fn judge_newest(points: &[HistoryPoint], metric: Metric) -> Option<NewestJudged> {
    let (newest, before) = points.split_last()?;
    let logs: Vec<f64> = before
        .iter()
        .filter(|p| p.median > 0.0 && !p.untrusted)
        .map(|p| p.median.ln())
        .collect();
    // Only the runs since the last step: after a real change the band is learned again once
    // enough runs sit at the new level.
    let since = crate::stats::edivisive::detect(&logs, Default::default())
        .last()
        .map_or(0, |c| c.index);
    let recent = &logs[since..];
    let n = recent.len();
    if n < crate::compare::noise::MIN_HISTORY || newest.median <= 0.0 {
        return None;
    }
    let level_log = crate::stats::median(recent)?;
    let dev: Vec<f64> = recent.iter().map(|x| (x - level_log).abs()).collect();
    let sd = 1.4826 * crate::stats::median(&dev)?;
    let band =
        crate::stats::student::quantile(0.975, (n - 1) as f64) * sd * (1.0 + 1.0 / n as f64).sqrt();
    let change = newest.median.ln() - level_log;
    let practical = match metric.practical() {
        crate::metrics::Practical::Relative(t) => t,
        _ => 0.0,
    };
    let outside = change.abs() > band && change.abs().exp_m1() > practical;
    let rel = change.exp_m1();
    let says = format!(
        "the newest run is {:+.1} % from this series' level over its last {n} runs; runs of it fall within ±{:.1} % 95 % of the time{}",
        rel * 100.0,
        band.exp_m1() * 100.0,
        if outside {
            ": OUTSIDE — a change, not noise"
        } else {
            ": within"
        }
    );
    Some(NewestJudged {
        runs: n,
        level: level_log.exp(),
        change_rel: rel,
        band_rel: band.exp_m1(),
        outside,
        says,
    })
}

/// A history: one metric of one case over the runs of one machine and target.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct History {
    /// Points in time order.
    pub points: Vec<HistoryPoint>,
    /// Indices where a new level starts (E-divisive on the medians, tested by Welch's t, at
    /// least the metric's practical threshold in size).
    pub change_points: Vec<usize>,
    /// The newest run judged against the series' own run-to-run spread (Bencher's idea: a
    /// threshold from the series' recent history), when there is enough history.
    pub newest: Option<NewestJudged>,
    /// Every series (`machine · target · configuration`) in the index, newest run's first.
    pub series: Vec<String>,
    /// The series shown.
    pub selected_series: String,
    /// Case ids present in the selected series, newest run's order first.
    pub cases: Vec<String>,
    /// Runs of the index whose entries carry no summaries (written before they existed).
    pub without_summaries: usize,
    /// Why what is shown differs from what was asked (a case no run of the series has, or a
    /// series picked because it has the case).
    pub note: Option<String>,
}

pub use crate::index::series_key;

/// The history of `metric` for `case` in `series` (default: the newest run's series), read from
/// the index's per-run summaries alone.
pub fn history(
    index: &RunIndex,
    metric: Metric,
    case: Option<&str>,
    series: Option<&str>,
) -> History {
    let mut runs: Vec<&IndexEntry> = index.runs.iter().collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.started_unix_ms));
    let mut all_series: Vec<String> = Vec::new();
    for r in &runs {
        let k = series_key(r);
        if !all_series.contains(&k) {
            all_series.push(k);
        }
    }
    // A case asked for without a series: the newest series that has it.
    let wanted = case.filter(|_| metric.per_trial());
    // A series "has" a case when one of its runs measured the metric for it (a failed run lists
    // the case but has no value).
    let has_values = |s: &str, c: &str| {
        runs.iter().any(|r| {
            series_key(r) == s
                && r.summaries
                    .iter()
                    .flatten()
                    .any(|v| v.metric == metric.key() && v.case.as_deref() == Some(c))
        })
    };
    let asked_series = series.filter(|s| all_series.iter().any(|x| x == s));
    let with_case = wanted.and_then(|c| all_series.iter().find(|s| has_values(s, c)));
    let selected = asked_series
        .map(String::from)
        .or_else(|| with_case.cloned())
        .or_else(|| all_series.first().cloned())
        .unwrap_or_default();
    let mut note = None;
    if let (Some(c), None, Some(newest)) = (wanted, asked_series, all_series.first()) {
        note = match with_case {
            Some(s) if s != newest => Some(format!(
                "the newest series ({newest}) has no {} values for case `{c}`: showing {s}, the newest series that has them",
                metric.label()
            )),
            Some(_) => None,
            None => Some(format!(
                "no run in this index has {} values for case `{c}`",
                metric.label()
            )),
        };
    }
    runs.retain(|r| series_key(r) == selected);
    // Oldest first.
    runs.reverse();
    // Cases in the newest run's order (presets run short → long), then any older ones.
    let mut cases: Vec<String> = Vec::new();
    for c in runs.iter().rev().flat_map(|r| r.cases.iter()) {
        if !cases.contains(c) {
            cases.push(c.clone());
        }
    }
    let shown = case
        .map(String::from)
        .filter(|c| cases.contains(c))
        .or_else(|| cases.first().cloned())
        .unwrap_or_default();
    if let Some(c) = wanted.filter(|c| *c != shown) {
        let head = note
            .take()
            .unwrap_or_else(|| format!("no run of {selected} has case `{c}`"));
        note = Some(format!(
            "{head} (this series has {}): showing `{shown}`",
            if cases.is_empty() {
                "none".to_string()
            } else {
                cases.join(", ")
            }
        ));
    }
    let case = shown;
    let want_case = metric.per_trial().then_some(case.as_str());
    let mut points: Vec<HistoryPoint> = Vec::new();
    let mut previous: Option<&IndexEntry> = None;
    for r in &runs {
        let Some(v) = r.summaries.as_ref().and_then(|s| {
            s.iter()
                .find(|v| v.metric == metric.key() && v.case.as_deref() == want_case)
        }) else {
            continue;
        };
        let config_change = previous.and_then(|p| {
            let mut changes = Vec::new();
            if p.strategy != r.strategy {
                changes.push(format!("strategy {} → {}", p.strategy, r.strategy));
            }
            if p.model != r.model {
                changes.push(format!("model {} → {}", p.model, r.model));
            }
            if p.session != r.session && !p.session.is_empty() && !r.session.is_empty() {
                changes.push(session_change(&p.session, &r.session));
            }
            // Inside one machine label, the machine itself may change (a hosted runner's CPU).
            if p.machine != r.machine {
                changes.push(format!("CPU {} → {}", p.machine, r.machine));
            }
            if p.os != r.os && !p.os.is_empty() && !r.os.is_empty() {
                changes.push(format!("OS {} → {}", p.os, r.os));
            }
            (!changes.is_empty()).then(|| changes.join(", "))
        });
        previous = Some(r);
        points.push(HistoryPoint {
            run: r.id.clone(),
            path: r.path.clone(),
            sha256: r.sha256.clone(),
            t_unix_ms: r.started_unix_ms,
            started_at: r.started_at.clone(),
            git_commit: r.git_commit.clone(),
            median: v.median,
            ci95: v.ci95,
            n: v.n,
            untrusted: v.untrusted,
            config_change,
        });
    }
    let medians: Vec<f64> = points.iter().map(|p| p.median).collect();
    let min_magnitude = match metric.practical() {
        crate::metrics::Practical::Relative(t) => t,
        _ => 0.0,
    };
    let opts = crate::stats::edivisive::Options {
        min_magnitude,
        ..Default::default()
    };
    History {
        change_points: crate::stats::edivisive::detect(&medians, opts)
            .iter()
            .map(|c| c.index)
            .collect(),
        newest: judge_newest(&points, metric),
        points,
        series: all_series,
        selected_series: selected,
        cases,
        without_summaries: index.runs.iter().filter(|r| r.summaries.is_none()).count(),
        note,
    }
}

/// The parts of two session summaries (`a · b · c`) that differ, as `old → new`.
fn session_change(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.split(" · ").collect(), new.split(" · ").collect());
    if a.len() != b.len() {
        return format!("session {old} → {new}");
    }
    a.iter()
        .zip(&b)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| format!("{x} → {y}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Relative change of `new` against `old`, percent (`None` when `old` is zero).
pub fn pct_change(old: f64, new: f64) -> Option<f64> {
    (old != 0.0 && old.is_finite() && new.is_finite()).then(|| (new - old) / old.abs() * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bundle;

    #[test]
    fn the_newest_run_is_judged_against_the_series_spread() {
        let point = |median: f64| HistoryPoint {
            run: String::new(),
            path: String::new(),
            sha256: String::new(),
            t_unix_ms: 0,
            started_at: String::new(),
            git_commit: None,
            median,
            ci95: None,
            n: 6,
            untrusted: false,
            config_change: None,
        };
        let steady = [700.0, 690.0, 715.0, 705.0, 695.0, 720.0, 698.0, 702.0];
        let mut pts: Vec<HistoryPoint> = steady.iter().map(|&m| point(m)).collect();
        pts.push(point(712.0));
        let j = judge_newest(&pts, Metric::HeardMs).unwrap();
        assert!(!j.outside && j.runs == 8, "{j:?}");
        pts.pop();
        pts.push(point(840.0));
        let j = judge_newest(&pts, Metric::HeardMs).unwrap();
        assert!(j.outside && j.says.contains("OUTSIDE"), "{j:?}");
        assert!((j.change_rel - 0.2).abs() < 0.01);
        assert!(
            judge_newest(&pts[..4], Metric::HeardMs).is_none(),
            "too few runs"
        );
    }

    #[test]
    fn history_reads_the_index_per_series_and_finds_a_step() {
        use crate::schema::{Case, Trial, TrialKind};
        let mk = |i: u64, ttfa: f64, machine: &str, strategy: &str, case: &str| {
            let mut b: Bundle = serde_json::from_str(include_str!(
                "../fixtures/v1/engine-progressive-3cases.json"
            ))
            .unwrap();
            b.run.id = format!("r{i}");
            b.run.started_unix_ms = 3_000 - i * 100; // stored out of order (i ≤ 20)
            b.machine.cpu_model = machine.into();
            b.plan.strategy = strategy.into();
            b.cases = vec![Case {
                id: case.into(),
                chars: 61,
                phonemes: None,
                oov_phoneme_chars: 0,
                trials: (0..3)
                    .map(|k| Trial {
                        kind: TrialKind::Warm,
                        ttfa_ms: Some(ttfa + k as f64),
                        ..Default::default()
                    })
                    .collect(),
            }];
            IndexEntry::of(&b, format!("runs/r{i}/bundle.json"), "ab".repeat(32))
        };
        assert_eq!(
            session_change(
                "ORT 1 · CPU · 2 intra / 1 inter threads",
                "ORT 1 · CPU · 1 intra / 1 inter threads"
            ),
            "2 intra / 1 inter threads → 1 intra / 1 inter threads"
        );
        let mut index = RunIndex::default();
        for i in 0..11 {
            let strategy = if i == 10 { "clause" } else { "progressive" };
            let mut e = mk(
                i,
                if i < 5 { 900.0 } else { 500.0 },
                "CPU A",
                strategy,
                "short",
            );
            if i == 3 {
                e.session = "ORT 1.32.0 · CPUExecutionProvider".into();
            }
            index.upsert(e);
        }
        index.upsert(mk(20, 100.0, "CPU B", "progressive", "short")); // oldest run, another machine
        let h = history(&index, Metric::TtfaMs, Some("short"), None);
        let a = "CPU A · engine · progressive · kokoro-int8.onnx · 2 threads";
        assert_eq!(
            h.series,
            vec![
                a,
                "CPU A · engine · clause · kokoro-int8.onnx · 2 threads",
                "CPU B · engine · progressive · kokoro-int8.onnx · 2 threads"
            ],
            "another strategy is another configuration, so another series"
        );
        assert_eq!(
            h.selected_series, a,
            "the newest run of the asked case's first series"
        );
        assert_eq!(
            h.points.len(),
            10,
            "the other machine's and the other strategy's runs are not lined up"
        );
        assert!(h
            .points
            .windows(2)
            .all(|w| w[0].t_unix_ms <= w[1].t_unix_ms));
        assert_eq!(h.points[0].run, "r9");
        assert_eq!(h.change_points, vec![5]);
        let p = &h.points[0];
        assert_eq!((p.median, p.n), (501.0, 3));
        let [lo, hi] = p.ci95.unwrap();
        assert!(lo <= 501.0 && 501.0 <= hi && hi - lo <= 2.0);
        // r3 ran with another ONNX Runtime: a set-up change inside the series, marked on r3 and
        // on the run after it.
        let changes: Vec<_> = h
            .points
            .iter()
            .filter_map(|p| {
                p.config_change
                    .as_ref()
                    .map(|c| (p.run.as_str(), c.as_str()))
            })
            .collect();
        assert_eq!(
            changes,
            vec![
                ("r3", "session ORT 1.31.1 · CPUExecutionProvider · 2 intra / 1 inter threads · optimisation all · arena on → ORT 1.32.0 · CPUExecutionProvider"),
                ("r2", "session ORT 1.32.0 · CPUExecutionProvider → ORT 1.31.1 · CPUExecutionProvider · 2 intra / 1 inter threads · optimisation all · arena on")
            ]
        );
        let b = history(
            &index,
            Metric::TtfaMs,
            Some("short"),
            Some("CPU B · engine · progressive · kokoro-int8.onnx · 2 threads"),
        );
        assert_eq!(b.points.len(), 1);
        let missing = history(&index, Metric::TtfaMs, Some("nope"), None);
        assert_eq!(missing.cases, vec!["short"]);
        assert!(
            missing.note.as_deref().is_some_and(|n| n
                .contains("no run in this index has TTFA (first sample) values for case `nope`")),
            "{:?}",
            missing.note
        );
        // A case only another series has: that series is shown, and the page says why.
        index.upsert(mk(21, 300.0, "CPU B", "progressive", "medium"));
        let other = history(&index, Metric::TtfaMs, Some("medium"), None);
        assert_eq!(
            other.selected_series,
            "CPU B · engine · progressive · kokoro-int8.onnx · 2 threads"
        );
        assert_eq!(other.points.len(), 1);
        assert!(other
            .note
            .as_deref()
            .is_some_and(|n| n.contains("has no TTFA (first sample) values for case `medium`")));
        assert_eq!(
            history(&index, Metric::TtfaMs, Some("short"), None).note,
            None
        );
        let mut old = index.clone();
        old.runs[0].summaries = None;
        assert_eq!(
            history(&old, Metric::TtfaMs, None, None).without_summaries,
            1
        );
        assert_eq!(pct_change(500.0, 450.0), Some(-10.0));
        assert!(
            h.newest.is_none(),
            "4 runs since the step: too few to judge the newest against"
        );
        assert_eq!(pct_change(0.0, 1.0), None);
    }
}
