//! Small SVG components: distribution strips, waveforms, and the path of a line chart.

use crate::viewmodel::{strip_positions, strip_range, waveform_path};
use kokoro_bench_bundle::schema::AudioRef;
use yew::prelude::*;

/// An SVG path through `(xs, ys)` scaled into `w × h` (y grows upwards; non-finite points skipped).
pub fn polyline(xs: &[f64], ys: &[f64], x_max: f64, y_max: f64, w: f64, h: f64) -> String {
    let mut first = true;
    xs.iter()
        .zip(ys)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| {
            let cmd = if first { "M" } else { "L" };
            first = false;
            format!("{cmd}{:.1},{:.1}", x / x_max * w, h - y / y_max * (h - 6.0))
        })
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
}

/// A dot strip: every trial one dot, the median a bar.
#[function_component(Strip)]
pub fn strip(p: &StripProps) -> Html {
    let all: Vec<f64> = p.values.iter().copied().chain(p.cold).collect();
    let (lo, hi) = p.range.unwrap_or_else(|| strip_range(&all));
    let w = 220.0;
    let xs = strip_positions(&p.values, lo, hi, w);
    let med =
        kokoro_bench_bundle::stats::median(&p.values).map(|m| strip_positions(&[m], lo, hi, w)[0]);
    let cold = p.cold.map(|c| strip_positions(&[c], lo, hi, w)[0]);
    html! {
        <svg width="230" height="18" viewBox="-5 0 230 18" role="img" aria-label="distribution">
            <line x1="0" x2={w.to_string()} y1="9" y2="9" stroke="#e3e3e0" />
            { for xs.iter().map(|x| html!{ <circle cx={format!("{x:.1}")} cy="9" r="3" fill="#3b5bdb" fill-opacity="0.55" /> }) }
            { for med.iter().map(|x| html!{ <line x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="2" y2="16" stroke="#1d1d1f" stroke-width="2" /> }) }
            { for cold.iter().map(|x| html!{ <circle cx={format!("{x:.1}")} cy="9" r="4" fill="none" stroke="#b26a00" stroke-width="1.5"><title>{"cold start"}</title></circle> }) }
        </svg>
    }
}

/// Props of [`Waveform`].
#[derive(Properties, PartialEq)]
pub struct WaveProps {
    /// The audio reference (peaks + path).
    pub audio: AudioRef,
    /// Resolved URL of the WAV, when reachable.
    pub src: Option<String>,
}

/// Waveform from the bundle's precomputed peaks with an `<audio>` player and a playhead.
#[function_component(Waveform)]
pub fn waveform(p: &WaveProps) -> Html {
    let progress = use_state(|| 0.0f64);
    let (w, h) = (600.0, 60.0);
    let d = waveform_path(&p.audio.waveform.min, &p.audio.waveform.max, w, h);
    let ontime = {
        let progress = progress.clone();
        Callback::from(move |e: Event| {
            if let Some(a) = e.target_dyn_into::<web_sys::HtmlMediaElement>() {
                let dur = a.duration();
                if dur.is_finite() && dur > 0.0 {
                    progress.set(a.current_time() / dur);
                }
            }
        })
    };
    let x = *progress * w;
    html! {
        <div class="wave">
            <svg width="600" height="60" viewBox="0 0 600 60" role="img" aria-label="waveform">
                <path d={d} stroke="#3b5bdb" stroke-width="1" />
                <line x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="0" y2="60" stroke="#c62828" />
            </svg>
            <div class="row">
                {
                    match &p.src {
                        Some(src) => html!{ <audio controls=true preload="metadata" src={src.clone()} ontimeupdate={ontime} /> },
                        None => html!{ <span class="muted">{"Audio file not loaded (drop the WAV files with the bundle to listen)."}</span> },
                    }
                }
                <span class="muted">{ format!("{:.2} s · {} Hz · {}", p.audio.duration_s, p.audio.sample_rate_hz, p.audio.path) }</span>
            </div>
        </div>
    }
}
