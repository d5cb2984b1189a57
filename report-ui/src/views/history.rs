//! One metric of one case across every run in the index, in time order, with change points.

use crate::load::Source;
use crate::viewmodel::history;
use kokoro_bench_bundle::metrics::Metric;
use yew::prelude::*;

/// Props of [`HistoryView`].
#[derive(Properties)]
pub struct HistoryProps {
    /// Every bundle of the index.
    pub sources: Vec<Source>,
    /// Metric key.
    pub metric: Option<String>,
    /// Case id.
    pub case: Option<String>,
}

impl PartialEq for HistoryProps {
    fn eq(&self, o: &Self) -> bool {
        self.metric == o.metric && self.case == o.case && self.sources.len() == o.sources.len()
    }
}

/// The history page.
#[function_component(HistoryView)]
pub fn history_view(p: &HistoryProps) -> Html {
    let metric = p
        .metric
        .as_deref()
        .and_then(Metric::from_key)
        .unwrap_or(Metric::TtfaMs);
    let bundles: Vec<&kokoro_bench_bundle::Bundle> =
        p.sources.iter().map(|s| &s.loaded.bundle).collect();
    let mut cases: Vec<String> = bundles
        .iter()
        .flat_map(|b| b.cases.iter().map(|c| c.id.clone()))
        .collect();
    cases.sort();
    cases.dedup();
    let case = p
        .case
        .clone()
        .or_else(|| cases.first().cloned())
        .unwrap_or_default();
    let (pts, cps) = history(&bundles, metric, &case);
    let (w, h) = (760.0, 180.0);
    let lo = pts.iter().map(|p| p.median).fold(f64::INFINITY, f64::min);
    let hi = pts
        .iter()
        .map(|p| p.median)
        .fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let x = |i: usize| 30.0 + i as f64 * (w - 40.0) / (pts.len().max(2) - 1) as f64;
    let y = |v: f64| h - 20.0 - (v - lo) / span * (h - 40.0);
    let path: String = pts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { "L" },
                x(i),
                y(p.median)
            )
        })
        .collect();
    let link = |m: Metric, c: &str| format!("?view=history&metric={}&case={c}", m.key());
    html! {
        <section id="history">
            <h2>{ format!("History: {} — {}", metric.label(), case) }</h2>
            <div class="row">
                <span class="muted">{"metric:"}</span>
                { for [Metric::TtfaMs, Metric::TtfaAudibleMs, Metric::Rtf, Metric::Underruns, Metric::IntegratedLufs, Metric::PeakRssMb].iter().map(|&m| html!{ <a href={link(m, &case)}>{ m.label() }</a> }) }
            </div>
            <div class="row">
                <span class="muted">{"case:"}</span>
                { for cases.iter().map(|c| html!{ <a href={link(metric, c)}>{ c }</a> }) }
            </div>
            if pts.is_empty() {
                <div class="muted">{"No run has this metric for this case."}</div>
            } else {
                <svg width="780" height="190" viewBox="0 0 780 190" role="img" aria-label="history">
                    { for cps.iter().map(|&i| html!{ <line x1={format!("{:.1}", x(i) - (x(1) - x(0)) / 2.0)} x2={format!("{:.1}", x(i) - (x(1) - x(0)) / 2.0)} y1="0" y2="170" stroke="#c62828" stroke-dasharray="4 3"><title>{"change point"}</title></line> }) }
                    <path d={path} fill="none" stroke="#3b5bdb" stroke-width="1.5" />
                    { for pts.iter().enumerate().map(|(i, p)| html!{ <circle cx={format!("{:.1}", x(i))} cy={format!("{:.1}", y(p.median))} r="3.5" fill="#3b5bdb"><title>{ format!("{} · {} (n = {})", p.run, metric.format(p.median), p.n) }</title></circle> }) }
                    <text x="0" y="14">{ metric.format(hi) }</text>
                    <text x="0" y="176">{ metric.format(lo) }</text>
                </svg>
                <div class="muted">{ format!("{} run(s) in time order; {} change point(s) (binary segmentation, dashed red).", pts.len(), cps.len()) }</div>
            }
        </section>
    }
}
