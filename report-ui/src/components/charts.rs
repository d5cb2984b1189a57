//! Distribution strips: every trial a dot with its value on hover, the median a bar.

use crate::viewmodel::{strip_positions, strip_range};
use kokoro_bench_bundle::metrics::Metric;
use yew::prelude::*;

/// An SVG path (`M x,y L x,y …`) through points already in SVG coordinates: every line chart
/// of the page draws with it.
pub fn line_path(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    points
        .into_iter()
        .enumerate()
        .map(|(i, (x, y))| format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" }))
        .collect()
}

/// Props of [`Strip`].
#[derive(Properties, PartialEq)]
pub struct StripProps {
    /// Warm values.
    pub values: Vec<f64>,
    /// Cold value (drawn hollow).
    #[prop_or_default]
    pub cold: Option<f64>,
    /// Shared scale, when several strips are compared.
    #[prop_or_default]
    pub range: Option<(f64, f64)>,
    /// How a value reads on hover (its metric).
    #[prop_or(Metric::TtfaMs)]
    pub format: Metric,
}

/// A dot strip: every trial one dot, the median a bar, the scale's ends labelled below.
#[function_component(Strip)]
pub fn strip(p: &StripProps) -> Html {
    let all: Vec<f64> = p.values.iter().copied().chain(p.cold).collect();
    let (lo, hi) = p.range.unwrap_or_else(|| strip_range(&all));
    let w = 220.0;
    let xs = strip_positions(&p.values, lo, hi, w);
    let median = kokoro_bench_bundle::stats::median(&p.values);
    let med = median.map(|m| strip_positions(&[m], lo, hi, w)[0]);
    let cold = p.cold.map(|c| strip_positions(&[c], lo, hi, w)[0]);
    // Every value the same: an axis around it would only print rounding (`-0 ms … 0 ms`).
    let flat = all.windows(2).all(|w| w[0] == w[1]);
    let label = match (median, p.values.len()) {
        (Some(m), n) => format!(
            "{n} trial(s) from {} to {}, median {}",
            p.format
                .format(p.values.iter().copied().fold(f64::INFINITY, f64::min)),
            p.format
                .format(p.values.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            p.format.format(m)
        ),
        (None, _) => "no warm trial".into(),
    };
    html! {
        <svg class="strip" width="230" height="28" viewBox="-5 0 230 28" role="img" aria-label={label}>
            <line x1="0" x2={w.to_string()} y1="9" y2="9" stroke="#e3e3e0" />
            if !flat {
                <line x1="0" x2="0" y1="6" y2="12" stroke="#bbb" />
                <line x1={w.to_string()} x2={w.to_string()} y1="6" y2="12" stroke="#bbb" />
                <text x="0" y="25" text-anchor="start">{ p.format.format(lo) }</text>
                <text x={w.to_string()} y="25" text-anchor="end">{ p.format.format(hi) }</text>
            }
            { for xs.iter().zip(&p.values).enumerate().map(|(i, (x, v))| html!{ <circle class="trial" cx={format!("{x:.1}")} cy="9" r="3" fill="#3b5bdb" fill-opacity="0.55"><title>{ format!("warm trial {}: {}", i + 1, p.format.format(*v)) }</title></circle> }) }
            { for med.iter().zip(&median).map(|(x, m)| html!{ <line x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="2" y2="16" stroke="#1d1d1f" stroke-width="2"><title>{ format!("median {}", p.format.format(*m)) }</title></line> }) }
            { for cold.iter().zip(&p.cold).map(|(x, v)| html!{ <circle class="trial" cx={format!("{x:.1}")} cy="9" r="4" fill="none" stroke="#b26a00" stroke-width="1.5"><title>{ format!("cold start: {}", p.format.format(*v)) }</title></circle> }) }
        </svg>
    }
}
