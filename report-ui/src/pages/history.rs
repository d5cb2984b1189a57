//! One metric of one case across the runs of one machine and target, in time order: medians with
//! their 95 % intervals, change points, set-up changes, and a table linking every run and every
//! step to its comparison. Read from the index's per-run summaries, so no bundle is fetched.

use crate::components::charts::line_path;
use crate::route::{UrlState, View};
use crate::viewmodel::{history, join_url, pct_change};
use kokoro_bench_bundle::index::{RunIndex, HISTORY_METRICS};
use kokoro_bench_bundle::metrics::{Better, Metric};
use yew::prelude::*;

/// Props of [`HistoryView`].
#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    /// The run index.
    pub index: RunIndex,
    /// Where the index was loaded from (bundle paths are relative to it).
    pub index_url: String,
    /// Metric key.
    pub metric: Option<String>,
    /// Case id.
    pub case: Option<String>,
    /// Series, `machine · target · configuration` (the newest series when absent).
    pub series: Option<String>,
}

const W: f64 = 1000.0;
const H: f64 = 220.0;
const LEFT: f64 = 56.0;

/// Links of the history page, with the index they read.
struct Links<'a> {
    index_url: &'a str,
    h: &'a kokoro_bench_bundle::history::History,
}

impl Links<'_> {
    fn view(&self, m: Metric, c: &str, s: &str) -> String {
        UrlState {
            view: View::History,
            index: self.index_url.to_string(),
            case: Some(c.to_string()),
            metric: Some(m.key().to_string()),
            series: Some(s.to_string()),
            ..UrlState::parse("")
        }
        .to_query()
    }

    fn bundles(&self, view: View, points: &[usize]) -> String {
        UrlState {
            view,
            bundles: points
                .iter()
                .map(|&i| join_url(self.index_url, &self.h.points[i].path))
                .collect(),
            shas: points
                .iter()
                .map(|&i| self.h.points[i].sha256.chars().take(16).collect())
                .collect(),
            index: self.index_url.to_string(),
            ..UrlState::parse("")
        }
        .to_query()
    }

    fn run(&self, i: usize) -> String {
        self.bundles(View::Run, &[i])
    }

    fn compare(&self, i: usize) -> String {
        self.bundles(View::Compare, &[i - 1, i])
    }
}

fn date(s: &str) -> String {
    s.get(..16).unwrap_or(s).replace('T', " ")
}

/// The series, metric and case pickers, and what the history says about itself.
fn pickers(
    h: &kokoro_bench_bundle::history::History,
    metric: Metric,
    case: &str,
    links: &Links<'_>,
) -> Html {
    let sel = |on: bool| classes!(on.then_some("selected"));
    html! {
        <>
            if h.series.len() > 1 {
                <div class="row picker">
                    <span class="muted">{"series (machine · target · configuration):"}</span>
                    { for h.series.iter().map(|s| html!{ <a class={sel(*s == h.selected_series)} href={links.view(metric, case, s)}>{ s }</a> }) }
                </div>
            } else {
                <div class="row muted">{ format!("series: {}", h.selected_series) }</div>
            }
            <div class="row picker">
                <span class="muted">{"metric:"}</span>
                { for HISTORY_METRICS.iter().map(|&m| html!{ <a class={sel(m == metric)} href={links.view(m, case, &h.selected_series)}>{ m.label() }</a> }) }
            </div>
            if metric.per_trial() {
                <div class="row picker">
                    <span class="muted">{"case:"}</span>
                    { for h.cases.iter().map(|c| html!{ <a class={sel(c == case)} href={links.view(metric, c, &h.selected_series)}>{ c }</a> }) }
                </div>
            }
            if let Some(n) = &h.note {
                <div class="note" id="history-note">{ n }</div>
            }
            if let Some(j) = &h.newest {
                <div class={classes!(if j.outside { "note" } else { "muted" }, "newest-judged")}>{ &j.says }</div>
            }
            if h.without_summaries > 0 {
                <div class="note">{ format!("{} run(s) in this index carry no summaries (written by an older kokoro-bench) and are not shown; re-run `kokoro-bench publish` to include them.", h.without_summaries) }</div>
            }
        </>
    }
}

/// Medians with their intervals over time, change points and set-up changes.
fn chart(h: &kokoro_bench_bundle::history::History, metric: Metric, links: &Links<'_>) -> Html {
    // Scale: medians and interval bounds.
    let bounds: Vec<f64> = h
        .points
        .iter()
        .flat_map(|pt| {
            let [lo, hi] = pt.ci95.unwrap_or([pt.median, pt.median]);
            [pt.median, lo, hi]
        })
        .filter(|v| v.is_finite())
        .collect();
    let lo = bounds.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = bounds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo {
        hi - lo
    } else {
        lo.abs().max(1.0) * 0.1
    };
    let (lo, hi) = (lo - span * 0.05, hi + span * 0.05);
    let n = h.points.len();
    let x = |i: usize| {
        if n <= 1 {
            LEFT + (W - LEFT) / 2.0
        } else {
            LEFT + 10.0 + i as f64 * (W - LEFT - 20.0) / (n - 1) as f64
        }
    };
    let y = |v: f64| H - 24.0 - (v - lo) / (hi - lo) * (H - 40.0);
    let step = if n > 1 { x(1) - x(0) } else { 0.0 };
    let path = line_path(
        h.points
            .iter()
            .enumerate()
            .map(|(i, pt)| (x(i), y(pt.median))),
    );
    let better = match metric.better() {
        Better::Lower => "lower is better",
        Better::Higher => "higher is better",
        Better::Target => "a target, not ranked",
    };

    html! {
        <>
                <svg class="chart" viewBox={format!("0 0 {W} {H}")} role="img" aria-label={format!("history of {} in {}", metric.label(), metric.unit())}>
                    <line x1={LEFT.to_string()} x2={W.to_string()} y1={format!("{:.1}", y(lo))} y2={format!("{:.1}", y(lo))} stroke="#ccc" />
                    <text x="0" y={format!("{:.1}", y(hi) + 4.0)} class="axis">{ metric.format(hi) }</text>
                    <text x="0" y={format!("{:.1}", y(lo))} class="axis">{ metric.format(lo) }</text>
                    { for h.change_points.iter().map(|&i| { let cx = x(i) - step / 2.0; html!{
                        <line class="change-point" x1={format!("{cx:.1}")} x2={format!("{cx:.1}")} y1="0" y2={format!("{:.1}", H - 20.0)} stroke="#c62828" stroke-dasharray="4 3"><title>{ format!("change point: a new level starts at {}", h.points[i].run) }</title></line>
                    } }) }
                    { for h.points.iter().enumerate().filter(|(_, pt)| pt.config_change.is_some()).map(|(i, pt)| { let cx = x(i) - step / 2.0; html!{
                        <line class="config-change" x1={format!("{cx:.1}")} x2={format!("{cx:.1}")} y1="0" y2={format!("{:.1}", H - 20.0)} stroke="#888" stroke-dasharray="1 3"><title>{ pt.config_change.clone().unwrap_or_default() }</title></line>
                    } }) }
                    <path d={path} fill="none" stroke="#3b5bdb" stroke-width="1.5" />
                    { for h.points.iter().enumerate().map(|(i, pt)| {
                        let whisker = pt.ci95.map(|[a, b]| html!{ <line x1={format!("{:.1}", x(i))} x2={format!("{:.1}", x(i))} y1={format!("{:.1}", y(a))} y2={format!("{:.1}", y(b))} stroke="#3b5bdb" stroke-width="1" /> });
                        let title = format!("{} · {} · {}{} (n = {}){}", date(&pt.started_at), pt.run,
                            metric.format(pt.median),
                            pt.ci95.map(|[a, b]| format!(" [{} – {}]", metric.format(a), metric.format(b))).unwrap_or_default(),
                            pt.n, if pt.untrusted { " · untrusted" } else { "" });
                        html!{ <a href={links.run(i)}>
                            { for whisker }
                            <circle class={classes!("point", pt.untrusted.then_some("untrusted"))} cx={format!("{:.1}", x(i))} cy={format!("{:.1}", y(pt.median))} r="4"
                                fill={if pt.untrusted { "#fff" } else { "#3b5bdb" }} stroke="#3b5bdb"><title>{ title }</title></circle>
                        </a> }
                    }) }
                    <text x={format!("{:.1}", x(0))} y={(H - 4.0).to_string()} class="axis" text-anchor="start">{ date(&h.points[0].started_at) }</text>
                    if n > 1 {
                        <text x={format!("{:.1}", x(n - 1))} y={(H - 4.0).to_string()} class="axis" text-anchor="end">{ date(&h.points[n - 1].started_at) }</text>
                    }
                </svg>
                <div class="muted">{ format!("{} run(s) in time order ({better}); bars: 95 % interval of each run's median; {} change point(s) (E-divisive, dashed red); dotted grey: the set-up changed. Click a point to open its run.", n, h.change_points.len()) }</div>
        </>
    }
}

/// Every run of the series, newest first, each step linked to its comparison.
fn table(h: &kokoro_bench_bundle::history::History, metric: Metric, links: &Links<'_>) -> Html {
    html! {
                <table class="history-table">
                    <thead><tr><th>{"started (UTC)"}</th><th>{"run"}</th><th>{"commit"}</th><th>{"median [95 % CI]"}</th><th>{"n"}</th><th>{"vs previous"}</th><th></th></tr></thead>
                    <tbody>
                    { for h.points.iter().enumerate().rev().map(|(i, pt)| {
                        let delta = (i > 0).then(|| pct_change(h.points[i - 1].median, pt.median)).flatten();
                        html!{ <>
                            <tr class={classes!(h.change_points.contains(&i).then_some("level-start"))}>
                                <td>{ date(&pt.started_at) }</td>
                                <td><a href={links.run(i)}>{ &pt.run }</a></td>
                                <td class="mono">{ pt.git_commit.as_deref().map(|c| c.chars().take(18).collect::<String>()).unwrap_or_else(|| "—".into()) }</td>
                                <td class="num">{ format!("{}{}", metric.format(pt.median), pt.ci95.map(|[a, b]| format!(" [{} – {}]", metric.format(a), metric.format(b))).unwrap_or_default()) }
                                    if pt.untrusted { {" "}<span class="badge no_data">{"untrusted"}</span> }</td>
                                <td class="num">{ pt.n }</td>
                                <td class="num">{ delta.map(|d| format!("{d:+.1} %")).unwrap_or_default() }
                                    if h.change_points.contains(&i) { {" "}<span class="badge warn">{"new level"}</span> }</td>
                                <td>if i > 0 { <a href={links.compare(i)}>{"compare with previous"}</a> }</td>
                            </tr>
                            if let Some(c) = &pt.config_change {
                                <tr class="config-change-row"><td colspan="7" class="muted">{ format!("↑ set-up changed: {c}") }</td></tr>
                            }
                        </> }
                    }) }
                    </tbody>
                </table>
    }
}

/// The history page. An unknown `metric=` is refused with the list (it never silently shows
/// another metric); the default is heard speech of the newest series.
#[function_component(HistoryView)]
pub fn history_view(p: &HistoryProps) -> Html {
    let asked = p.metric.as_deref();
    let Some(metric) = asked
        .map_or(Some(Metric::HeardMs), Metric::from_key)
        .filter(|m| HISTORY_METRICS.contains(m))
    else {
        return html! {
            <section id="history">
                <div class="error" id="unknown-metric">{ format!(
                    "Unknown history metric `{}`: choose one of {}.",
                    asked.unwrap_or_default(),
                    HISTORY_METRICS.iter().map(|m| m.key()).collect::<Vec<_>>().join(", ")
                ) }</div>
            </section>
        };
    };
    let h = history(&p.index, metric, p.case.as_deref(), p.series.as_deref());
    let case = p
        .case
        .clone()
        .filter(|c| h.cases.contains(c))
        .or_else(|| h.cases.first().cloned())
        .unwrap_or_default();
    let links = Links {
        index_url: &p.index_url,
        h: &h,
    };
    html! {
        <section id="history">
            <h2>{ format!("History: {} — {}", metric.label(), if metric.per_trial() { case.as_str() } else { "run" }) }</h2>
            { pickers(&h, metric, &case, &links) }
            if h.points.is_empty() {
                <div class="muted">{"No run of this series has this metric for this case."}</div>
            } else {
                { chart(&h, metric, &links) }
                { table(&h, metric, &links) }
            }
        </section>
    }
}
