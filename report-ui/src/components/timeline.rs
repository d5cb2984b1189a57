//! One trial on one time axis (ms since the request): audio delivered (steps, one per chunk) and
//! audio played by a real-time player (the gap is the buffer), stalls shaded, and below it the
//! waveform drawn where the listener hears each moment of it — so leading silence, joins and
//! stalls line up with the chunks that caused them. The player's playhead moves on the same axis.

use crate::components::charts::line_path;
use crate::viewmodel::{heard_at_ms, ticks, Timeline};
use kokoro_bench_bundle::schema::{AudioRef, Playback, Trial};
use wasm_bindgen::JsCast;
use yew::prelude::*;

const W: f64 = 1000.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
/// Top of the delivery panel and its height.
const TOP: f64 = 8.0;
const PANEL_H: f64 = 150.0;
/// The waveform band under it.
const WAVE_H: f64 = 64.0;
const GAP: f64 = 10.0;
/// Room for the time axis labels.
const AXIS_H: f64 = 30.0;

/// Props of [`TrialTimeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The trial.
    pub trial: Trial,
    /// Resolved URL of its WAV, when reachable.
    #[prop_or_default]
    pub src: Option<String>,
}

/// A click on a chart seeks the player: `to_audio_s` maps the click's place (0–1 across the
/// plot) to audio seconds.
fn seek_on_click(
    node: NodeRef,
    to_audio_s: std::rc::Rc<dyn Fn(f64) -> Option<f64>>,
) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| {
        let Some(svg) = e
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let width = svg.client_width().max(1) as f64;
        let xv = e.offset_x() as f64 / width * W;
        let frac = (xv - LEFT) / (W - LEFT - RIGHT);
        if let (Some(a), Some(s)) = (
            node.cast::<web_sys::HtmlMediaElement>(),
            to_audio_s(frac.clamp(0.0, 1.0)),
        ) {
            a.set_current_time(s);
        }
    })
}

/// The trial's timeline with its waveform and player, or the waveform alone when the trial has
/// no playback simulation, or nothing. A click on the chart plays from the moment clicked.
#[function_component(TrialTimeline)]
pub fn trial_timeline(p: &TimelineProps) -> Html {
    let playhead_s = use_state(|| None::<f64>);
    let node = use_node_ref();
    let ontime = {
        let playhead_s = playhead_s.clone();
        Callback::from(move |s: f64| playhead_s.set(Some(s)))
    };
    let audio = p.trial.audio.as_ref();
    let tl = crate::viewmodel::timeline(&p.trial);
    let onclick = match &tl {
        Some(tl) => {
            let (played, end_ms) = (tl.played.clone(), tl.end_ms);
            seek_on_click(
                node.clone(),
                std::rc::Rc::new(move |f| crate::viewmodel::played_at_s(&played, f * end_ms)),
            )
        }
        None => {
            let dur = audio.map_or(0.0, |a| a.duration_s);
            seek_on_click(node.clone(), std::rc::Rc::new(move |f| Some(f * dur)))
        }
    };
    let chart = match (&tl, p.trial.playback.as_ref()) {
        (Some(tl), Some(pb)) => chart(&p.trial, tl, pb, audio, *playhead_s, onclick.clone()),
        _ => html! {},
    };
    let label = format!("trial {} audio", p.trial.index);
    html! {
        <div class="timeline">
            { chart }
            if let Some(a) = audio {
                if tl.is_none() { { wave_alone(a, *playhead_s, onclick) } }
                <div class="row">
                    {
                        match &p.src {
                            Some(src) => html!{ <crate::components::player::Player src={src.clone()} label={label} node={node.clone()} ontime={ontime} /> },
                            None => html!{ <span class="muted">{"Audio file not loaded (drop the WAV files with the bundle to listen)."}</span> },
                        }
                    }
                    <span class="muted">{ format!("{:.2} s · {} Hz · {}", a.duration_s, a.sample_rate_hz, a.path) }</span>
                </div>
            }
        </div>
    }
}

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// The delivery panel, the waveform band and the shared time axis.
fn chart(
    t: &Trial,
    tl: &Timeline,
    pb: &Playback,
    audio: Option<&AudioRef>,
    playhead_s: Option<f64>,
    onclick: Callback<MouseEvent>,
) -> Html {
    let end_ms = tl.end_ms.max(1.0);
    let top_s = tl.audio_s.max(0.001);
    let x = |ms: f64| LEFT + ms / end_ms * (W - LEFT - RIGHT);
    let y = |s: f64| TOP + PANEL_H - s / top_s * PANEL_H;
    let wave_top = TOP + PANEL_H + GAP;
    let bottom = if audio.is_some() {
        wave_top + WAVE_H
    } else {
        TOP + PANEL_H
    };
    let h = bottom + AXIS_H;
    let path = |pts: &[(f64, f64)]| line_path(pts.iter().map(|&(ms, v)| (x(ms), y(v))));
    let rate = t.sample_rate_hz.max(1) as f64;
    let mut delivered_s = 0.0;
    let chunks: Vec<(f64, f64, f64)> = t
        .chunks
        .t_ms
        .iter()
        .zip(&t.chunks.samples)
        .map(|(&ms, &n)| {
            delivered_s += n as f64 / rate;
            (ms, n as f64 / rate, delivered_s)
        })
        .collect();
    let playhead = playhead_s
        .and_then(|s| heard_at_ms(&tl.played, s))
        .map(|ms| html! { <line class="playhead" x1={f1(x(ms))} x2={f1(x(ms))} y1={f1(TOP)} y2={f1(bottom)} stroke="#c62828" /> });
    let label = format!(
        "streaming timeline over {:.1} s: audio delivered and played{}",
        end_ms / 1000.0,
        if audio.is_some() {
            ", waveform as heard"
        } else {
            ""
        }
    );
    html! {
        <>
        <svg class="chart seekable" viewBox={format!("0 0 {W} {h:.0}")} role="img" aria-label={label} onclick={onclick}>
            { for tl.stalls_ms.iter().map(|s| html!{ <rect class="stall" x={f1(x(s[0]))} y={f1(TOP)} width={f1((x(s[1]) - x(s[0])).max(1.0))} height={f1(bottom - TOP)} fill="#fdecea"><title>{ format!("stall {:.0}–{:.0} ms ({:.0} ms): the player had played everything delivered", s[0], s[1], s[1] - s[0]) }</title></rect> }) }
            { y_axis(top_s, &y) }
            { x_axis(end_ms, &x, bottom, "time since the request (s)") }
            <line x1={f1(x(tl.first_audio_ms))} x2={f1(x(tl.first_audio_ms))} y1={f1(TOP)} y2={f1(bottom)} stroke="#888" stroke-dasharray="2 3"><title>{ format!("first audio at {:.0} ms", tl.first_audio_ms) }</title></line>
            <text x={f1(x(tl.first_audio_ms) + 3.0)} y={f1(TOP + 10.0)}>{ format!("first audio {:.0} ms", tl.first_audio_ms) }</text>
            <path class="delivered" d={path(&tl.delivered)} fill="none" stroke="#3b5bdb" stroke-width="1.5"><title>{"audio delivered"}</title></path>
            <path class="played" d={path(&tl.played)} fill="none" stroke="#1a7f37" stroke-width="1.5"><title>{"audio played by a real-time player"}</title></path>
            { for chunks.iter().enumerate().map(|(i, &(ms, secs, total))| html!{
                <circle class="chunk" cx={f1(x(ms))} cy={f1(y(total))} r="3" fill="#3b5bdb"><title>{ format!("chunk {} at {ms:.0} ms: +{:.0} ms of audio, {:.2} s delivered", i + 1, secs * 1000.0, total) }</title></circle>
            }) }
            if let Some(a) = audio { { wave_heard(a, tl, wave_top, &x) } }
            { for playhead }
        </svg>
        <div class="muted">{ format!(
            "Audio delivered (blue steps, a dot per chunk) and played by a real-time player starting at first audio{} (green); the gap between them is the buffer. {} underrun(s), {:.0} ms stalled (red); a pre-buffer of {:.0} ms would have avoided every stall.{}",
            if pb.prebuffer_ms > 0.0 { format!(" + {:.0} ms pre-buffer", pb.prebuffer_ms) } else { String::new() },
            pb.underruns, pb.stall_total_ms, pb.min_prebuffer_ms,
            if audio.is_some() { " Below: the waveform placed when it is heard (a stall is a gap); click anywhere to play from that moment." } else { "" }) }</div>
        </>
    }
}

/// Audio seconds on the left, with round ticks.
fn y_axis(top_s: f64, y: &dyn Fn(f64) -> f64) -> Html {
    html! {
        <g class="axis">
            { for ticks(top_s, 4).into_iter().map(|s| html!{ <>
                <line x1={f1(LEFT - 4.0)} x2={f1(W - RIGHT)} y1={f1(y(s))} y2={f1(y(s))} stroke="#eee" />
                <text x={f1(LEFT - 6.0)} y={f1(y(s) + 3.0)} text-anchor="end">{ format!("{s} s") }</text>
            </> }) }
            <text x="0" y={f1(TOP + PANEL_H / 2.0)} transform={format!("rotate(-90 8 {:.1})", TOP + PANEL_H / 2.0)} text-anchor="middle">{"audio (s)"}</text>
        </g>
    }
}

/// Seconds along the bottom, shared by both panels.
fn x_axis(end_ms: f64, x: &dyn Fn(f64) -> f64, bottom: f64, label: &str) -> Html {
    html! {
        <g class="axis">
            <line x1={f1(LEFT)} x2={f1(W - RIGHT)} y1={f1(bottom)} y2={f1(bottom)} stroke="#bbb" />
            { for ticks(end_ms / 1000.0, 8).into_iter().map(|s| html!{ <>
                <line x1={f1(x(s * 1000.0))} x2={f1(x(s * 1000.0))} y1={f1(bottom)} y2={f1(bottom + 4.0)} stroke="#888" />
                <text x={f1(x(s * 1000.0))} y={f1(bottom + 14.0)} text-anchor="middle">{ format!("{s} s") }</text>
            </> }) }
            <text x={f1(W - RIGHT)} y={f1(bottom + 27.0)} text-anchor="end">{ label.to_string() }</text>
        </g>
    }
}

/// The waveform, each bucket drawn at the moment the listener hears it.
fn wave_heard(a: &AudioRef, tl: &Timeline, top: f64, x: &dyn Fn(f64) -> f64) -> Html {
    let wf = &a.waveform;
    let n = wf.min.len().min(wf.max.len());
    let per_bucket_s = wf.bucket_samples as f64 / a.sample_rate_hz.max(1) as f64;
    let mid = top + WAVE_H / 2.0;
    let yv = |v: i16| mid - v as f64 / 32768.0 * (WAVE_H / 2.0);
    let mut d = String::new();
    for i in 0..n {
        let Some(ms) = heard_at_ms(&tl.played, (i as f64 + 0.5) * per_bucket_s) else {
            continue;
        };
        d.push_str(&format!(
            "M{:.1},{:.1}V{:.1}",
            x(ms),
            yv(wf.max[i]),
            yv(wf.min[i]).max(yv(wf.max[i]) + 0.5)
        ));
    }
    html! {
        <g class="wave">
            <line x1={f1(LEFT)} x2={f1(W - RIGHT)} y1={f1(mid)} y2={f1(mid)} stroke="#e3e3e0" />
            <path d={d} stroke="#3b5bdb" stroke-width="1"><title>{ format!("waveform of {} ({:.2} s), placed when it is heard", a.path, a.duration_s) }</title></path>
            <text x={f1(LEFT - 6.0)} y={f1(mid + 3.0)} text-anchor="end">{"heard"}</text>
        </g>
    }
}

/// A trial without a playback simulation: the waveform on its own audio-time axis.
fn wave_alone(a: &AudioRef, playhead_s: Option<f64>, onclick: Callback<MouseEvent>) -> Html {
    let dur = a.duration_s.max(0.001);
    let x = |s: f64| LEFT + s / dur * (W - LEFT - RIGHT);
    let wave_top = TOP;
    let bottom = TOP + WAVE_H;
    let tl = Timeline {
        delivered: vec![],
        played: vec![(0.0, 0.0), (dur * 1000.0, dur)],
        stalls_ms: vec![],
        first_audio_ms: 0.0,
        end_ms: dur * 1000.0,
        audio_s: dur,
    };
    let xm = |ms: f64| x(ms / 1000.0);
    html! {
        <svg class="chart seekable" viewBox={format!("0 0 {W} {:.0}", bottom + AXIS_H)} role="img" aria-label={format!("waveform of {} ({:.2} s); click to play from a moment", a.path, a.duration_s)} onclick={onclick}>
            { wave_heard(a, &tl, wave_top, &xm) }
            { x_axis(dur * 1000.0, &xm, bottom, "audio time (s)") }
            if let Some(s) = playhead_s {
                <line class="playhead" x1={f1(x(s))} x2={f1(x(s))} y1={f1(TOP)} y2={f1(bottom)} stroke="#c62828" />
            }
        </svg>
    }
}
