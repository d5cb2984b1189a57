//! The soak suite's section: median TTFA per window, and the shared rows.

use crate::components::charts::line_path;
use crate::viewmodel::ticks;
use kokoro_bench_bundle::present;
use kokoro_bench_bundle::schema::SoakResult;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// Median TTFA per window against seconds into the soak, with a value on every point.
fn chart(s: &SoakResult) -> Html {
    // (window number, start ms, median TTFA ms) of the windows that have a value.
    let points: Vec<(usize, f64, f64)> = s
        .window_t_ms
        .iter()
        .zip(&s.window_ttfa_p50_ms)
        .enumerate()
        .filter_map(|(i, (t, v))| v.map(|v| (i + 1, *t, v)))
        .filter(|(_, t, v)| t.is_finite() && v.is_finite())
        .collect();
    if points.is_empty() {
        return html! {};
    }
    // Narrow on purpose: read on a phone (390 px), the axis text stays legible.
    let (w, left, right, top, h) = (480.0, 44.0, 20.0, 8.0, 120.0);
    let bottom = top + h;
    let t_max = points.iter().map(|p| p.1).fold(1.0, f64::max);
    let v_max = points.iter().map(|p| p.2).fold(1.0, f64::max) * 1.08;
    let x = |t: f64| left + t / t_max * (w - left - right);
    let y = |v: f64| bottom - v / v_max * h;
    let d = line_path(points.iter().map(|&(_, t, v)| (x(t), y(v))));
    html! {
        <>
            <svg class="chart" viewBox={format!("0 0 {w} {:.0}", bottom + 32.0)} role="img" aria-label="soak: median TTFA (ms) per window over seconds">
                <g class="axis">
                    { for ticks(v_max, 3).into_iter().map(|v| html!{ <>
                        <line x1={f1(left)} x2={f1(w - right)} y1={f1(y(v))} y2={f1(y(v))} stroke="#eee" />
                        <text x={f1(left - 6.0)} y={f1(y(v) + 3.0)} text-anchor="end">{ format!("{v} ms") }</text>
                    </> }) }
                    { for ticks(t_max / 1000.0, 5).into_iter().map(|t| html!{
                        <text x={f1(x(t * 1000.0))} y={f1(bottom + 14.0)} text-anchor="middle">{ format!("{t} s") }</text>
                    }) }
                    <text x={f1(w - right)} y={f1(bottom + 28.0)} text-anchor="end">{"seconds into the soak (window start)"}</text>
                </g>
                <path d={d} fill="none" stroke="#3b5bdb" stroke-width="1.5" />
                { for points.iter().map(|(n, t, v)| html!{
                    <circle class="trial" cx={f1(x(*t))} cy={f1(y(*v))} r="3" fill="#3b5bdb"><title>{ format!("window {n} (from {:.0} s): median TTFA {v:.0} ms", t / 1000.0) }</title></circle>
                }) }
            </svg>
            <div class="muted">{ format!("Median TTFA per window ({} of {} windows had an answer); hover a point for its value.", points.len(), s.window_t_ms.len()) }</div>
        </>
    }
}

/// The section, or nothing when no soak ran.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::soak::section(b), || {
        b.soak.as_ref().map(chart).unwrap_or_default()
    })
}
