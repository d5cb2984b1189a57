//! The soak suite's section: median TTFA per window, and the shared rows.

use crate::components::charts::polyline;
use kokoro_bench_bundle::present;
use kokoro_bench_bundle::schema::SoakResult;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

fn chart(s: &SoakResult) -> Html {
    let vals: Vec<f64> = s
        .window_ttfa_p50_ms
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    let max = vals
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max);
    let xs: Vec<f64> = (0..vals.len()).map(|i| i as f64).collect();
    html! {
        <>
            <svg width="760" height="100" viewBox="0 0 760 100" role="img" aria-label="soak windows">
                <path d={polyline(&xs, &vals, (vals.len().max(2) - 1) as f64, max, 740.0, 90.0)} fill="none" stroke="#3b5bdb" stroke-width="1.5" />
            </svg>
            <div class="muted">{ format!("Median TTFA per window (up to {max:.0} ms), {} windows.", vals.len()) }</div>
        </>
    }
}

/// The section, or nothing when no soak ran.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::soak::section(b), || {
        b.soak.as_ref().map(chart).unwrap_or_default()
    })
}
