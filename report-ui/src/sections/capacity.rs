//! The capacity suite's section: heard-speech latency (p50, p95) and goodput against load, the
//! SLO's latency limit as a line and the sustainable level marked; every point has its values on
//! hover. Then the shared rows.

use kokoro_bench_bundle::capacity::{summarise, Estimate, LevelSummary};
use kokoro_bench_bundle::present;
use kokoro_bench_bundle::present::capacity::level_label;
use kokoro_bench_bundle::schema::{CapacityLevel, CapacityResult, LoadMode};
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

/// Narrow on purpose: read on a phone (390 px), the axis text stays legible.
const W: f64 = 480.0;
const PLOT_H: f64 = 150.0;
const BARS_H: f64 = 60.0;
const LEFT: f64 = 48.0;

fn value(e: &Estimate) -> Option<f64> {
    e.as_ref().ok().map(|(v, _)| *v)
}

fn said(e: &Estimate) -> String {
    match e {
        Ok((v, Some(ci))) => format!("{v:.0} ms [{:.0}, {:.0}]", ci.lo, ci.hi),
        Ok((v, None)) => format!("{v:.0} ms"),
        Err(why) => why.clone(),
    }
}

fn hover(c: &CapacityResult, l: &CapacityLevel, s: &LevelSummary) -> String {
    format!(
        "{}: heard p50 {}, p95 {}; {}/{} met the SLO; goodput {:.1}/min; {} failed",
        level_label(c.mode, l.level),
        said(&s.heard.p50),
        said(&s.heard.p95),
        s.met,
        s.judged,
        s.goodput_per_min,
        l.failed
    )
}

/// What the level numbers under the chart count.
fn axis_unit(mode: LoadMode) -> &'static str {
    match mode {
        LoadMode::Listeners => "listeners",
        LoadMode::Rate => "req/s",
    }
}

/// A polyline through the points that have a value.
fn path(points: &[(f64, Option<f64>)]) -> String {
    let mut out = String::new();
    for (x, y) in points {
        if let Some(y) = y {
            let cmd = if out.is_empty() { 'M' } else { 'L' };
            out.push_str(&format!("{cmd}{x:.1},{y:.1} "));
        }
    }
    out
}

fn chart(c: &CapacityResult) -> Html {
    let mut levels: Vec<(&CapacityLevel, LevelSummary)> =
        c.levels.iter().map(|l| (l, summarise(&c.slo, l))).collect();
    levels.sort_by(|a, b| a.0.level.total_cmp(&b.0.level));
    if levels.is_empty() {
        return html! {};
    }
    let step = (W - LEFT - 20.0) / levels.len() as f64;
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
    let y_max = levels
        .iter()
        .flat_map(|(_, s)| [value(&s.heard.p50), value(&s.heard.p95)])
        .flatten()
        .chain(c.slo.heard_ms_max)
        .fold(1.0, f64::max)
        * 1.1;
    let y = |v: f64| PLOT_H - v / y_max * (PLOT_H - 10.0);
    let goodput_max = levels
        .iter()
        .map(|(_, s)| s.goodput_per_min)
        .fold(1.0, f64::max);
    let p50: Vec<(f64, Option<f64>)> = levels
        .iter()
        .enumerate()
        .map(|(i, (_, s))| (x(i), value(&s.heard.p50).map(y)))
        .collect();
    let p95: Vec<(f64, Option<f64>)> = levels
        .iter()
        .enumerate()
        .map(|(i, (_, s))| (x(i), value(&s.heard.p95).map(y)))
        .collect();
    let knee = levels
        .iter()
        .position(|(l, _)| Some(l.level) == c.sustainable_level);
    let total_h = PLOT_H + BARS_H + 30.0;
    html! {
        <>
            <svg class="chart" viewBox={format!("0 0 {W} {total_h}")} role="img" aria-label="capacity: latency and goodput against load">
                <text x="0" y="10">{ format!("{y_max:.0} ms") }</text>
                <text x="0" y={PLOT_H.to_string()}>{"0"}</text>
                <text x="0" y={(total_h - 4.0).to_string()}>{ axis_unit(c.mode) }</text>
                if let Some(k) = knee {
                    <rect class="knee" x={format!("{:.1}", x(k) - step / 2.0)} y="0" width={format!("{step:.1}")} height={(PLOT_H + BARS_H + 12.0).to_string()} fill="#1a7f37" fill-opacity="0.08">
                        <title>{ format!("sustainable: {}", level_label(c.mode, levels[k].0.level)) }</title>
                    </rect>
                }
                if let Some(limit) = c.slo.heard_ms_max {
                    <line class="slo" x1={LEFT.to_string()} x2={(W - 10.0).to_string()} y1={format!("{:.1}", y(limit))} y2={format!("{:.1}", y(limit))} stroke="#c62828" stroke-dasharray="5 4">
                        <title>{ format!("SLO: heard ≤ {limit:.0} ms") }</title>
                    </line>
                }
                <path d={path(&p50)} fill="none" stroke="#3b5bdb" stroke-width="1.5" />
                <path d={path(&p95)} fill="none" stroke="#3b5bdb" stroke-width="1" stroke-dasharray="3 3" />
                { for levels.iter().enumerate().map(|(i, (l, s))| {
                    let tip = hover(c, l, s);
                    let bar_h = s.goodput_per_min / goodput_max * (BARS_H - 4.0);
                    html! {
                        <g class="level">
                            <title>{ tip }</title>
                            { for p50[i].1.iter().map(|py| html!{ <circle class="point" cx={format!("{:.1}", x(i))} cy={format!("{py:.1}")} r="4" fill={if s.held { "#1a7f37" } else { "#c62828" }} /> }) }
                            { for p95[i].1.iter().map(|py| html!{ <circle cx={format!("{:.1}", x(i))} cy={format!("{py:.1}")} r="3" fill="none" stroke="#3b5bdb" /> }) }
                            <rect x={format!("{:.1}", x(i) - step * 0.3)} y={format!("{:.1}", PLOT_H + 10.0 + BARS_H - bar_h)} width={format!("{:.1}", step * 0.6)} height={format!("{bar_h:.1}")} fill="#3b5bdb" fill-opacity="0.35" />
                            <text x={format!("{:.1}", x(i))} y={(total_h - 4.0).to_string()} text-anchor="middle">{ l.level.to_string() }</text>
                        </g>
                    }
                }) }
            </svg>
            <div class="muted">{ format!(
                "Heard-speech latency p50 (dots: green held the SLO, red did not) and p95 (dashed, where 20 requests allow it), up to {y_max:.0} ms; the SLO limit (red dashed); goodput per level (bars, up to {goodput_max:.0} requests/min that met the SLO); the sustainable level shaded. Hover a level for its numbers."
            ) }</div>
        </>
    }
}

/// The section, or nothing when the capacity suite did not run.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::capacity::section(b), || {
        b.capacity.as_ref().map(chart).unwrap_or_default()
    })
}
