//! The agent section: the figures per turn size (shared rows), and a timeline of one turn per
//! case — text arriving, each piece's request and first audio, the audio heard, the stalls
//! between pieces — on the turn's clock (0 = the first token).

use kokoro_bench_bundle::present;
use kokoro_bench_bundle::schema::{Case, Trial, TurnTrace};
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// Cases drawn at most (the rest are in the tables).
const MAX_CASES: usize = 12;

/// The measured trial of a case whose heard speech is its median (the turn a reader should see).
fn typical(case: &Case) -> Option<(&Trial, &TurnTrace)> {
    let mut turns: Vec<(&Trial, &TurnTrace, f64)> = case
        .measured()
        .filter_map(|t| Some((t, t.turn.as_ref()?, t.heard_ms?)))
        .collect();
    turns.sort_by(|a, b| a.2.total_cmp(&b.2));
    turns.get(turns.len() / 2).map(|&(t, u, _)| (t, u))
}

/// One turn as three lanes: text, requests (first audio marked), audio heard.
fn timeline(case: &Case, trial: &Trial, turn: &TurnTrace) -> Html {
    let end = turn
        .pieces
        .iter()
        .filter_map(|p| p.play_until_ms.or(p.done_ms))
        .fold(turn.last_token_ms, f64::max)
        .max(1.0);
    let (w, left, right) = (1000.0, 90.0, 10.0);
    let x = |t: f64| left + t / end * (w - left - right);
    let lanes = [("text", 6.0), ("requests", 24.0), ("heard", 42.0)];
    let label =
        |name: &str, y: f64| html! { <text x="0" y={f1(y + 10.0)}>{ name.to_string() }</text> };
    let heard = trial.heard_ms;
    let summary = format!(
        "{}: {} piece(s); heard {} after the first token, end of turn {} after the last",
        case.id,
        turn.pieces.len(),
        heard.map_or("—".into(), |v| format!("{v:.0} ms")),
        turn.end_of_turn_ms
            .map_or("—".into(), |v| format!("{v:.0} ms"))
    );
    html! {
        <figure class="turn">
            <svg class="chart" viewBox={format!("0 0 {w} 74")} role="img" aria-label={summary.clone()}>
                <g class="axis">{ for lanes.iter().map(|(n, y)| label(n, *y)) }</g>
                <rect x={f1(x(0.0))} y="6" width={f1(x(turn.last_token_ms) - x(0.0)).max("1".into())} height="12" fill="#adb5bd"><title>{ format!("{} tokens over {:.0} ms", turn.tokens, turn.last_token_ms) }</title></rect>
                { for turn.pieces.iter().enumerate().map(|(i, p)| html! { <>
                    <line x1={f1(x(p.ready_ms))} x2={f1(x(p.ready_ms))} y1="4" y2="20" stroke="#495057" />
                    if let Some(done) = p.done_ms {
                        <rect x={f1(x(p.sent_ms))} y="24" width={f1((x(done) - x(p.sent_ms)).max(1.0))} height="12" fill="#74c0fc"><title>{ format!("piece {}: \u{201c}{}\u{201d} sent at {:.0} ms, first audio after {} , done at {done:.0} ms", i + 1, p.text, p.sent_ms, p.ttfa_ms.map_or("—".into(), |v| format!("{v:.0} ms"))) }</title></rect>
                    }
                    if let Some(t) = p.ttfa_ms {
                        <circle cx={f1(x(p.sent_ms + t))} cy="30" r="3" fill="#1864ab" />
                    }
                    if let (Some(a), Some(b)) = (p.play_from_ms, p.play_until_ms) {
                        <rect x={f1(x(a))} y="42" width={f1((x(b) - x(a)).max(1.0))} height="12" fill="#51cf66"><title>{ format!("piece {} heard {a:.0}–{b:.0} ms", i + 1) }</title></rect>
                    }
                </> }) }
                { for turn.pieces.windows(2).filter_map(|w| Some((w[0].play_until_ms?, w[1].play_from_ms?))).filter(|(a, b)| b - a > 1.0).map(|(a, b)| html! {
                    <rect x={f1(x(a))} y="42" width={f1(x(b) - x(a))} height="12" fill="#fa5252"><title>{ format!("stall: {:.0} ms of silence the text did not call for", b - a) }</title></rect>
                }) }
                if let Some(h) = heard {
                    <line x1={f1(x(h))} x2={f1(x(h))} y1="38" y2="58" stroke="#2b8a3e" stroke-width="2" />
                }
                <g class="axis"><text x={f1(w - right)} y="70" text-anchor="end">{ format!("{:.0} ms after the first token", end) }</text></g>
            </svg>
            <figcaption class="muted">{ summary }</figcaption>
        </figure>
    }
}

/// The section, or nothing when text did not arrive.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::agent::section(b), || {
        let shown: Vec<Html> = b
            .cases
            .iter()
            .filter_map(|c| typical(c).map(|(t, u)| timeline(c, t, u)))
            .take(MAX_CASES)
            .collect();
        html! { <>
            { for shown }
            <div class="muted">{ "One turn per case (the one with the median heard speech): grey, text arriving (ticks: a piece released); blue, each piece's request (dot: its first audio); green, the audio heard; red, a stall between pieces; the dark line, the first audible sound. Hover for values." }</div>
        </> }
    })
}
