//! The streaming timeline of one trial: audio delivered (steps, one per chunk) and audio played by
//! a real-time player (the gap is the buffer), stalls shaded.

use kokoro_bench_bundle::schema::Trial;
use yew::prelude::*;

/// The timeline, or nothing when the trial has no playback simulation.
pub fn timeline(t: &Trial) -> Html {
    let (Some(tl), Some(pb)) = (crate::viewmodel::timeline(t), t.playback.as_ref()) else {
        return html! {};
    };
    let (w, h, left, bottom) = (640.0, 150.0, 40.0, 18.0);
    let end = tl.end_ms.max(1.0);
    let top_s = tl.audio_s.max(0.001);
    let x = |ms: f64| left + ms / end * (w - left - 8.0);
    let y = |s: f64| h - bottom - s / top_s * (h - bottom - 10.0);
    let path = |pts: &[(f64, f64)]| -> String {
        pts.iter()
            .enumerate()
            .map(|(i, (ms, v))| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { "L" },
                    x(*ms),
                    y(*v)
                )
            })
            .collect()
    };
    let secs = |ms: f64| format!("{:.1} s", ms / 1000.0);
    html! {
        <div class="timeline">
            <svg width={w.to_string()} height={h.to_string()} viewBox={format!("0 0 {w} {h}")} role="img" aria-label="streaming timeline: audio delivered and played">
                { for tl.stalls_ms.iter().map(|s| html!{ <rect class="stall" x={format!("{:.1}", x(s[0]))} y="4" width={format!("{:.1}", (x(s[1]) - x(s[0])).max(1.0))} height={format!("{:.1}", h - bottom - 4.0)} fill="#fdecea"><title>{ format!("stall {:.0} ms: the player had played everything delivered", s[1] - s[0]) }</title></rect> }) }
                <line x1={format!("{left}")} x2={format!("{:.1}", w - 8.0)} y1={format!("{:.1}", h - bottom)} y2={format!("{:.1}", h - bottom)} stroke="#ccc" />
                <line x1={format!("{:.1}", x(tl.first_audio_ms))} x2={format!("{:.1}", x(tl.first_audio_ms))} y1="4" y2={format!("{:.1}", h - bottom)} stroke="#888" stroke-dasharray="2 3"><title>{ format!("first audio at {:.0} ms", tl.first_audio_ms) }</title></line>
                <path class="delivered" d={path(&tl.delivered)} fill="none" stroke="#3b5bdb" stroke-width="1.5"><title>{"audio delivered"}</title></path>
                <path class="played" d={path(&tl.played)} fill="none" stroke="#1a7f37" stroke-width="1.5"><title>{"audio played by a real-time player"}</title></path>
                { for t.chunks.t_ms.iter().map(|&c| html!{ <line x1={format!("{:.1}", x(c))} x2={format!("{:.1}", x(c))} y1={format!("{:.1}", h - bottom)} y2={format!("{:.1}", h - bottom + 5.0)} stroke="#1d1d1f"><title>{ format!("chunk at {c:.0} ms") }</title></line> }) }
                <text x="0" y="14">{ format!("{:.1} s", tl.audio_s) }</text>
                <text x="0" y={format!("{:.1}", h - bottom)}>{"0"}</text>
                <text x={format!("{left}")} y={format!("{:.1}", h - 2.0)}>{"request"}</text>
                <text x={format!("{:.1}", x(tl.first_audio_ms) + 3.0)} y="14">{ format!("first audio {:.0} ms", tl.first_audio_ms) }</text>
                <text x={format!("{:.1}", w - 8.0)} y={format!("{:.1}", h - 2.0)} text-anchor="end">{ secs(end) }</text>
            </svg>
            <div class="muted">{ format!(
                "Audio delivered (blue steps, one per chunk) and played by a real-time player starting at first audio{} (green); the gap between them is the buffer. {} underrun(s), {:.0} ms stalled (red); a pre-buffer of {:.0} ms would have avoided every stall.",
                if pb.prebuffer_ms > 0.0 { format!(" + {:.0} ms pre-buffer", pb.prebuffer_ms) } else { String::new() },
                pb.underruns, pb.stall_total_ms, pb.min_prebuffer_ms) }</div>
        </div>
    }
}
