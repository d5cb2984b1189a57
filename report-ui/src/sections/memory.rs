//! The memory suite's section: RSS and CPU over the run with trial marks, and the shared rows.

use crate::components::charts::polyline;
use kokoro_bench_bundle::present;
use kokoro_bench_bundle::schema::MemorySeries;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

fn chart(m: &MemorySeries) -> Html {
    if m.t_ms.is_empty() {
        return html! {};
    }
    let t_max = m.t_ms.last().copied().unwrap_or(1.0).max(1.0);
    let rss: Vec<f64> = m.rss_bytes.iter().map(|&b| b as f64 / 1e6).collect();
    let rss_max = rss.iter().copied().fold(1.0, f64::max);
    let cpu: Vec<f64> = m.cpu_percent.iter().map(|&c| c as f64).collect();
    let cpu_max = cpu.iter().copied().fold(100.0, f64::max);
    let (w, h) = (760.0, 120.0);
    let x = |t: f64| format!("{:.1}", t / t_max * w);
    html! {
        <>
            <svg width="760" height="130" viewBox="0 0 760 130" role="img" aria-label="memory and cpu">
                { for m.mark_t_ms.iter().zip(&m.mark_label).map(|(t, l)| html!{ <line x1={x(*t)} x2={x(*t)} y1="0" y2="120" stroke="#e3e3e0"><title>{ l.clone() }</title></line> }) }
                if let Some(end) = m.peak_window_end_ms.filter(|&e| e < t_max - 2.0 * m.interval_ms) {
                    <line x1={x(end)} x2={x(end)} y1="0" y2="120" stroke="#6b6b70" stroke-dasharray="4 3"><title>{"end of the measured trials: the peak is taken before this line"}</title></line>
                }
                <path d={polyline(&m.t_ms, &cpu, t_max, cpu_max, w, h)} fill="none" stroke="#b26a00" stroke-width="1" />
                <path d={polyline(&m.t_ms, &rss, t_max, rss_max, w, h)} fill="none" stroke="#3b5bdb" stroke-width="1.5" />
            </svg>
            <div class="muted">{ format!("RSS (blue, up to {rss_max:.0} MB), CPU % of one core (orange, up to {cpu_max:.0} %), trial starts (grey), over {:.1} s.", t_max / 1000.0) }</div>
        </>
    }
}

/// The section, or nothing when memory was not sampled.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::memory::section(b), || {
        b.memory.as_ref().map(chart).unwrap_or_default()
    })
}
