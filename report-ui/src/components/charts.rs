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

/// A dot strip: every trial one dot, the median a bar.
#[function_component(Strip)]
pub fn strip(p: &StripProps) -> Html {
    let all: Vec<f64> = p.values.iter().copied().chain(p.cold).collect();
    let (lo, hi) = p.range.unwrap_or_else(|| strip_range(&all));
    let w = 220.0;
    let xs = strip_positions(&p.values, lo, hi, w);
    let median = kokoro_bench_bundle::stats::median(&p.values);
    let med = median.map(|m| strip_positions(&[m], lo, hi, w)[0]);
    let cold = p.cold.map(|c| strip_positions(&[c], lo, hi, w)[0]);
    html! {
        <svg width="230" height="18" viewBox="-5 0 230 18" role="img" aria-label="distribution">
            <line x1="0" x2={w.to_string()} y1="9" y2="9" stroke="#e3e3e0" />
            { for xs.iter().zip(&p.values).enumerate().map(|(i, (x, v))| html!{ <circle class="trial" cx={format!("{x:.1}")} cy="9" r="3" fill="#3b5bdb" fill-opacity="0.55"><title>{ format!("warm trial {}: {}", i + 1, p.format.format(*v)) }</title></circle> }) }
            { for med.iter().zip(&median).map(|(x, m)| html!{ <line x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="2" y2="16" stroke="#1d1d1f" stroke-width="2"><title>{ format!("median {}", p.format.format(*m)) }</title></line> }) }
            { for cold.iter().zip(&p.cold).map(|(x, v)| html!{ <circle class="trial" cx={format!("{x:.1}")} cy="9" r="4" fill="none" stroke="#b26a00" stroke-width="1.5"><title>{ format!("cold start: {}", p.format.format(*v)) }</title></circle> }) }
        </svg>
    }
}
