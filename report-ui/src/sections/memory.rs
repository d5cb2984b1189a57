//! The memory suite's section: RSS and CPU over the run with trial marks, and the shared rows.

use crate::components::charts::line_path;
use crate::viewmodel::ticks;
use kokoro_bench_bundle::present;
use kokoro_bench_bundle::schema::MemorySeries;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// RSS (MB, left axis) and CPU (% of one core, right axis) over seconds of the run, trial marks,
/// the end of the peak window; hovering anywhere shows the sample under the pointer.
fn chart(m: &MemorySeries) -> Html {
    if m.t_ms.len() < 2 {
        return html! {};
    }
    let t_max = m.t_ms.last().copied().unwrap_or(1.0).max(1.0);
    let rss: Vec<f64> = m.rss_bytes.iter().map(|&b| b as f64 / 1e6).collect();
    let rss_max = rss.iter().copied().fold(1.0, f64::max);
    let rss_ticks = ticks(rss_max, 4);
    let rss_top = rss_max * 1.08;
    let cpu: Vec<f64> = m.cpu_percent.iter().map(|&c| c as f64).collect();
    // 100 % per core used, in steps of 50 (two busy cores read 200 %).
    let cpu_top = (cpu.iter().copied().fold(100.0, f64::max) / 50.0).ceil() * 50.0;
    let (w, left, right, top, h) = (1000.0, 56.0, 48.0, 8.0, 160.0);
    let bottom = top + h;
    let x = |t: f64| left + t / t_max * (w - left - right);
    let y_rss = |v: f64| bottom - v / rss_top * h;
    let y_cpu = |v: f64| bottom - v / cpu_top * h;
    let line = |ys: &[f64], y: &dyn Fn(f64) -> f64| {
        line_path(m.t_ms.iter().zip(ys).map(|(&t, &v)| (x(t), y(v))))
    };
    // Hover columns: at most 250, each showing the sample at its centre.
    let stride = m.t_ms.len().div_ceil(250).max(1);
    let col_w = (w - left - right) / m.t_ms.len().div_ceil(stride) as f64;
    html! {
        <>
            <svg class="chart" viewBox={format!("0 0 {w} {:.0}", bottom + 32.0)} role="img" aria-label="memory (MB) and CPU (%) over seconds of the run">
                <g class="axis">
                    { for rss_ticks.iter().map(|&v| html!{ <>
                        <line x1={f1(left)} x2={f1(w - right)} y1={f1(y_rss(v))} y2={f1(y_rss(v))} stroke="#eee" />
                        <text x={f1(left - 6.0)} y={f1(y_rss(v) + 3.0)} text-anchor="end" fill="#3b5bdb">{ format!("{v} MB") }</text>
                    </> }) }
                    { for [0.0, cpu_top / 2.0, cpu_top].into_iter().map(|v| html!{
                        <text x={f1(w - right + 6.0)} y={f1(y_cpu(v) + 3.0)} fill="#b26a00">{ format!("{v:.0} %") }</text>
                    }) }
                    <line x1={f1(left)} x2={f1(w - right)} y1={f1(bottom)} y2={f1(bottom)} stroke="#bbb" />
                    { for ticks(t_max / 1000.0, 8).into_iter().map(|s| html!{
                        <text x={f1(x(s * 1000.0))} y={f1(bottom + 14.0)} text-anchor="middle">{ format!("{s} s") }</text>
                    }) }
                    <text x={f1(w - right)} y={f1(bottom + 28.0)} text-anchor="end">{"seconds since the run started"}</text>
                </g>
                { for m.mark_t_ms.iter().zip(&m.mark_label).map(|(t, l)| html!{ <line x1={f1(x(*t))} x2={f1(x(*t))} y1={f1(top)} y2={f1(bottom)} stroke="#e3e3e0"><title>{ format!("{l} at {:.1} s", t / 1000.0) }</title></line> }) }
                if let Some(end) = m.peak_window_end_ms.filter(|&e| e < t_max - 2.0 * m.interval_ms) {
                    <line x1={f1(x(end))} x2={f1(x(end))} y1={f1(top)} y2={f1(bottom)} stroke="#6b6b70" stroke-dasharray="4 3"><title>{"end of the measured trials: the peak is taken before this line"}</title></line>
                }
                <path d={line(&cpu, &y_cpu)} fill="none" stroke="#b26a00" stroke-width="1" />
                <path d={line(&rss, &y_rss)} fill="none" stroke="#3b5bdb" stroke-width="1.5" />
                { for (0..m.t_ms.len()).step_by(stride).map(|i| html!{
                    <rect class="hover" x={f1(x(m.t_ms[i]) - col_w / 2.0)} y={f1(top)} width={f1(col_w)} height={f1(h)} fill="transparent">
                        <title>{ format!("{:.1} s · RSS {:.0} MB · CPU {:.0} %", m.t_ms[i] / 1000.0, rss.get(i).copied().unwrap_or(f64::NAN), cpu.get(i).copied().unwrap_or(f64::NAN)) }</title>
                    </rect>
                }) }
            </svg>
            <div class="muted">{ format!("RSS in MB (blue, left axis), CPU in % of one core (orange, right axis), trial starts (grey), over {:.1} s; hover for the sample.", t_max / 1000.0) }</div>
        </>
    }
}

/// The section, or nothing when memory was not sampled.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::memory::section(b), || {
        b.memory.as_ref().map(chart).unwrap_or_default()
    })
}
