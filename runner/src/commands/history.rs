//! `history`: one metric of one case across the runs in `artifacts/index.json`, in time order,
//! with each run's median and 95 % interval, the change against the previous run, change points
//! and set-up changes — the page's history view, computed by the same bundle-crate code.

use super::EXIT_OK;
use crate::cli::HistoryArgs;
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::history::{history, pct_change, History};
use kokoro_bench_bundle::index::{IndexEntry, RunIndex, HISTORY_METRICS};
use kokoro_bench_bundle::metrics::Metric;
use std::fmt::Write;

/// Reads the index and refreshes every entry whose bundle sits beside it (entries written by an
/// older kokoro-bench lack summaries and set-up fields); entries without a readable bundle are kept
/// as they are.
fn load_index(artifacts: &std::path::Path) -> Result<RunIndex> {
    let path = artifacts.join("index.json");
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "no run index to read (run `kokoro-bench run` first, or pass --artifacts): {}",
            path.display()
        )
    })?;
    let mut index: RunIndex = serde_json::from_slice(&bytes)
        .with_context(|| format!("not a kokoro-bench index: {}", path.display()))?;
    for entry in index.runs.iter_mut() {
        let bundle_path = artifacts.join(&entry.path);
        if let Ok(loaded) = std::fs::read(&bundle_path)
            .map_err(|e| e.to_string())
            .and_then(|b| kokoro_bench_bundle::read_bundle(&b).map_err(|e| e.to_string()))
        {
            *entry = IndexEntry::of(&loaded.bundle, entry.path.clone(), entry.sha256.clone());
        }
    }
    Ok(index)
}

/// The history asked for: the metric, its series and the case shown.
///
/// # Errors
/// Unknown metric, series or case (the message lists the choices).
fn select(index: &RunIndex, args: &HistoryArgs) -> Result<(Metric, History, String)> {
    let metric = Metric::from_key(&args.metric)
        .filter(|m| HISTORY_METRICS.contains(m))
        .with_context(|| {
            format!(
                "unknown history metric `{}`; choose from {}",
                args.metric,
                HISTORY_METRICS.map(|m| m.key()).join(", ")
            )
        })?;
    let h = history(index, metric, args.case.as_deref(), args.series.as_deref());
    if let Some(s) = &args.series {
        if *s != h.selected_series {
            bail!(
                "unknown series `{s}`; this index has: {}",
                h.series.join("; ")
            );
        }
    }
    if let Some(c) = &args.case {
        if metric.per_trial() && !h.cases.contains(c) {
            bail!(
                "no case `{c}` in series `{}`; it has: {}",
                h.selected_series,
                h.cases.join(", ")
            );
        }
    }
    let case = if metric.per_trial() {
        args.case
            .clone()
            .or_else(|| h.cases.first().cloned())
            .unwrap_or_default()
    } else {
        "run".into()
    };
    Ok((metric, h, case))
}

/// The history as JSON for tools: what is shown, every point (median, interval, n, set-up
/// change), the change points and the other series.
fn json(metric: Metric, h: &History, case: &str) -> Result<String> {
    let doc = serde_json::json!({
        "metric": metric.key(),
        "unit": metric.unit(),
        "case": case,
        "history": h,
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

/// Renders the history as a terminal table, Markdown or JSON.
///
/// # Errors
/// Unknown metric or case (the message lists the choices).
pub fn render(index: &RunIndex, args: &HistoryArgs) -> Result<String> {
    let (metric, h, case) = select(index, args)?;
    if args.json {
        return json(metric, &h, &case);
    }
    let md = args.markdown;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}History: {} — {} · {} ({} run(s))",
        if md { "## " } else { "" },
        metric.label(),
        case,
        h.selected_series,
        h.points.len()
    );
    let others: Vec<&String> = h
        .series
        .iter()
        .filter(|s| **s != h.selected_series)
        .collect();
    if !others.is_empty() {
        let _ = writeln!(
            o,
            "other series (--series): {}",
            others
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    if let Some(n) = &h.note {
        let _ = writeln!(o, "note: {n}");
    }
    if h.without_summaries > 0 {
        let _ = writeln!(
            o,
            "{} run(s) could not be summarised (bundle missing or unreadable) and are left out",
            h.without_summaries
        );
    }
    let _ = writeln!(o);
    let header = [
        "started (UTC)",
        "run",
        "commit",
        "median [95 % CI]",
        "n",
        "vs previous",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut notes: Vec<(usize, String)> = Vec::new();
    for (i, p) in h.points.iter().enumerate() {
        if let Some(c) = &p.config_change {
            notes.push((rows.len(), format!("set-up changed: {c}")));
        }
        let delta = (i > 0)
            .then(|| pct_change(h.points[i - 1].median, p.median))
            .flatten()
            .map(|d| format!("{d:+.1} %"))
            .unwrap_or_default();
        rows.push(vec![
            p.started_at
                .get(..16)
                .unwrap_or(&p.started_at)
                .replace('T', " "),
            p.run.clone(),
            p.git_commit.clone().unwrap_or_else(|| "—".into()),
            format!(
                "{}{}{}",
                metric.format(p.median),
                p.ci95
                    .map(|[a, b]| format!(" [{} – {}]", metric.format(a), metric.format(b)))
                    .unwrap_or_default(),
                if p.untrusted { " (untrusted)" } else { "" }
            ),
            p.n.to_string(),
            format!(
                "{delta}{}",
                if h.change_points.contains(&i) {
                    "  ← new level"
                } else {
                    ""
                }
            ),
        ]);
    }
    let table = super::table::layout(&header, &rows, md);
    for line in &table.head {
        let _ = writeln!(o, "{line}");
    }
    for (i, line) in table.rows.iter().enumerate() {
        for (_, n) in notes.iter().filter(|(at, _)| *at == i) {
            if md {
                let _ = writeln!(o, "| ↓ {n} |{}", " |".repeat(header.len() - 1));
            } else {
                let _ = writeln!(o, "  ↓ {n}");
            }
        }
        let _ = writeln!(o, "{line}");
    }
    let _ = writeln!(
        o,
        "\n{} change point(s) (E-divisive on the medians, Welch's t at p ≤ 0.001, at least the metric's practical threshold){}",
        h.change_points.len(),
        if h.points.len() < 6 {
            "; fewer than 6 runs rarely show one"
        } else {
            ""
        }
    );
    match &h.newest {
        Some(n) => {
            let _ = writeln!(o, "{}", n.says);
        }
        None => {
            let _ = writeln!(
                o,
                "the newest run is not judged against this series: fewer than {} runs at its current level",
                kokoro_bench_bundle::compare::noise::MIN_HISTORY
            );
        }
    }
    Ok(o)
}

/// `history`.
///
/// # Errors
/// No index, an unreadable index, an unknown metric, case or series.
pub fn run(args: &HistoryArgs) -> Result<i32> {
    let index = load_index(&args.artifacts)?;
    print!("{}", render(&index, args)?);
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> RunIndex {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/v1/engine-progressive-3cases.json"
        ))
        .unwrap();
        let base = kokoro_bench_bundle::read_bundle(&bytes).unwrap().bundle;
        let mut index = RunIndex::default();
        for i in 0..7u64 {
            let mut b = base.clone();
            b.run.id = format!("run-{i}");
            b.run.started_unix_ms += i * 60_000;
            let scale = if i < 4 { 1.0 } else { 0.8 };
            for c in &mut b.cases {
                for t in &mut c.trials {
                    t.ttfa_ms = t.ttfa_ms.map(|v| v * scale);
                }
            }
            index.upsert(IndexEntry::of(
                &b,
                format!("runs/run-{i}/bundle.json"),
                String::new(),
            ));
        }
        index
    }

    fn args(metric: &str, case: Option<&str>, markdown: bool) -> HistoryArgs {
        HistoryArgs {
            metric: metric.into(),
            case: case.map(String::from),
            series: None,
            artifacts: "unused".into(),
            markdown,
            json: false,
        }
    }

    #[test]
    fn json_carries_every_point_with_its_interval_and_the_change_point() {
        let a = HistoryArgs {
            json: true,
            ..args("ttfa_ms", Some("medium"), false)
        };
        let v: serde_json::Value = serde_json::from_str(&render(&index(), &a).unwrap()).unwrap();
        assert_eq!(
            (v["metric"].as_str(), v["case"].as_str()),
            (Some("ttfa_ms"), Some("medium"))
        );
        let points = v["history"]["points"].as_array().unwrap();
        assert_eq!(points.len(), 7);
        assert!(points[0]["median"].as_f64().unwrap() > points[6]["median"].as_f64().unwrap());
        assert_eq!(v["history"]["change_points"], serde_json::json!([4]));
    }

    #[test]
    fn a_faster_level_is_found_and_marked() {
        let text = render(&index(), &args("ttfa_ms", Some("medium"), false)).unwrap();
        assert!(
            text.contains("History: TTFA (first sample) — medium"),
            "{text}"
        );
        assert!(text.contains("(7 run(s))"), "{text}");
        let marked: Vec<&str> = text.lines().filter(|l| l.contains("← new level")).collect();
        assert_eq!(marked.len(), 1, "{text}");
        assert!(
            marked[0].contains("run-4") && marked[0].contains("-20.0 %"),
            "{text}"
        );
        assert!(text.contains("1 change point(s)"), "{text}");
        let md = render(&index(), &args("rtf", None, true)).unwrap();
        assert!(
            md.starts_with("## History: RTF — short") && md.contains("| started (UTC) |"),
            "{md}"
        );
    }

    #[test]
    fn unknown_metric_and_case_list_the_choices() {
        let e = render(&index(), &args("speed", None, false))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown history metric `speed`") && e.contains("ttfa_ms"),
            "{e}"
        );
        let e = render(&index(), &args("ttfa_ms", Some("huge"), false))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no case `huge`") && e.contains("medium"), "{e}");
        let run_level = render(&index(), &args("peak_rss_mb", Some("huge"), false)).unwrap();
        assert!(run_level.contains("Peak RSS — run"), "{run_level}");
    }
}
