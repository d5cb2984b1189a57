//! Barge-in (`--interrupt-after`): the shared rows, and for each case the serving process's CPU
//! after each watched interruption falling (or not) to its idle level.

use crate::components::charts::line_path;
use crate::viewmodel::ticks;
use kokoro_bench_bundle::present;
use kokoro_bench_bundle::schema::{BargeTrace, Case};
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// Line colours, one per trial of a case.
const COLOURS: [&str; 4] = ["#3b5bdb", "#e8590c", "#2b8a3e", "#862e9c"];

/// The watched interruptions of a case: (trial index, trace).
fn watched(c: &Case) -> Vec<(u32, &BargeTrace)> {
    c.measured()
        .filter_map(|t| t.barge.as_ref().map(|b| (t.index, b)))
        .filter(|(_, b)| !b.cpu_pct.is_empty())
        .collect()
}

/// CPU (% of one core) against ms after the interruption, one line per watched trial, with the
/// idle level and each release marked.
fn chart(c: &Case, idle_pct: f64) -> Html {
    let lines = watched(c);
    if lines.is_empty() {
        return html! {};
    }
    // Narrow on purpose: read on a phone (390 px), the axis text stays legible.
    let (w, left, right, top, h) = (480.0, 44.0, 20.0, 8.0, 150.0);
    let bottom = top + h;
    let t_max = lines
        .iter()
        .flat_map(|(_, b)| b.cpu_t_ms.iter().copied())
        .fold(200.0, f64::max);
    let v_max = lines
        .iter()
        .flat_map(|(_, b)| b.cpu_pct.iter().copied())
        .fold(100.0, f64::max)
        * 1.08;
    let x = |t: f64| left + t / t_max * (w - left - right);
    let y = |v: f64| bottom - v.min(v_max) / v_max * h;
    let label = format!(
        "{}: serving process CPU (% of one core) after each interruption, over ms",
        c.id
    );
    html! {
        <figure class="barge">
            <figcaption>{ format!("{} — CPU after the interruption", c.id) }</figcaption>
            <svg class="chart" viewBox={format!("0 0 {w} {:.0}", bottom + 32.0)} role="img" aria-label={label}>
                <g class="axis">
                    { for ticks(v_max, 3).into_iter().map(|v| html!{ <>
                        <line x1={f1(left)} x2={f1(w - right)} y1={f1(y(v))} y2={f1(y(v))} stroke="#eee" />
                        <text x={f1(left - 6.0)} y={f1(y(v) + 3.0)} text-anchor="end">{ format!("{v} %") }</text>
                    </> }) }
                    { for ticks(t_max, 4).into_iter().map(|t| html!{
                        <text x={f1(x(t))} y={f1(bottom + 14.0)} text-anchor="middle">{ format!("{t} ms") }</text>
                    }) }
                    <text x={f1(w - right)} y={f1(bottom + 28.0)} text-anchor="end">{"ms after the listener interrupted (100 ms windows)"}</text>
                </g>
                <line x1={f1(left)} x2={f1(w - right)} y1={f1(y(idle_pct))} y2={f1(y(idle_pct))} stroke="#868e96" stroke-dasharray="4 3"><title>{ format!("idle: {idle_pct:.0} %") }</title></line>
                { for lines.iter().enumerate().map(|(k, (i, b))| {
                    let colour = COLOURS[k % COLOURS.len()];
                    let d = line_path(b.cpu_t_ms.iter().zip(&b.cpu_pct).map(|(t, v)| (x(*t), y(*v))));
                    html!{ <g>
                        <path d={d} fill="none" stroke={colour} stroke-width="1.5"><title>{ format!("trial {i}") }</title></path>
                        { for b.release_ms.map(|r| html!{
                            <circle cx={f1(x(r))} cy={f1(y(idle_pct))} r="3.5" fill={colour}><title>{ format!("trial {i}: released {r:.0} ms after the interruption") }</title></circle>
                        }) }
                    </g> }
                }) }
            </svg>
        </figure>
    }
}

/// The section, or nothing when no listener interrupted.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::barge::section(b), || {
        let idle = b
            .cases
            .iter()
            .flat_map(|c| c.measured())
            .find_map(|t| t.barge.as_ref().and_then(|x| x.idle_cpu_pct))
            .unwrap_or(0.0);
        html! { <>{ for b.cases.iter().map(|c| chart(c, idle)) }</> }
    })
}
