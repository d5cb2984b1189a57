//! One run: provenance, notes, gate board, per-case distributions, streaming timeline, audio.

use super::charts::{Strip, Waveform};
use crate::load::Source;
use crate::viewmodel::case_rows;
use kokoro_bench_bundle::gates::GateStatus;
use kokoro_bench_bundle::schema::Trial;
use yew::prelude::*;

/// Props of [`RunView`].
#[derive(Properties)]
pub struct RunProps {
    /// The bundle.
    pub source: Source,
}

impl PartialEq for RunProps {
    fn eq(&self, o: &Self) -> bool {
        self.source.name == o.source.name
            && std::rc::Rc::ptr_eq(&self.source.loaded, &o.source.loaded)
    }
}

/// CSS class of a gate status.
pub fn status_class(s: GateStatus) -> &'static str {
    match s {
        GateStatus::Pass => "pass",
        GateStatus::Warn => "warn",
        GateStatus::Fail => "fail",
        GateStatus::NoData => "no_data",
        GateStatus::Off => "off",
    }
}

fn timeline(t: &Trial) -> Html {
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

/// The run page.
#[function_component(RunView)]
pub fn run_view(p: &RunProps) -> Html {
    let b = &p.source.loaded.bundle;
    let prov = &b.provenance;
    let session = prov.session.as_ref();
    let runtime = prov.runtime.as_ref();
    html! {
        <div id="run">
            <section>
                <h2>{ format!("Run {}", b.run.id) }</h2>
                <div class="muted">{ format!(
                    "{} · {} · {} cores · {} · started {} · {:?}",
                    b.machine.cpu_model, b.machine.os_version, b.machine.logical_cores, b.run.tool, b.run.started_at, b.run.status) }</div>
                <div class="muted">{ format!(
                    "model {} ({}) · voice {} · strategy {} · ONNX Runtime {} · providers {} · {} intra-op threads · optimisation {}",
                    prov.model.as_ref().map(|m| m.name.as_str()).unwrap_or("—"),
                    prov.model.as_ref().map(|m| &m.sha256[..m.sha256.len().min(12)]).unwrap_or("—"),
                    prov.voice_id, b.plan.strategy,
                    runtime.map(|r| r.ort_version.as_str()).unwrap_or("—"),
                    runtime.map(|r| r.registered_providers.join(", ")).unwrap_or_default(),
                    session.map(|s| s.intra_op_threads).unwrap_or(0),
                    session.map(|s| s.graph_optimization_level.as_str()).unwrap_or("—")) }</div>
                if let Some(m) = &p.source.loaded.migrations.first() { <div class="note">{ format!("Migrated on load: {m}") }</div> }
                { for b.notes.iter().map(|n| html!{ <div class={classes!("note", (n.level == kokoro_bench_bundle::schema::NoteLevel::Info).then_some("info"))} title={n.code.clone()}>{ &n.message }</div> }) }
                { for b.caveats.iter().map(|c| html!{ <div class="note">{ format!("{}: {}", c.metric, c.message) }</div> }) }
            </section>
            <section>
                <h2>{"Gates"}</h2>
                if b.gates.is_empty() {
                    <div class="muted">{"No gates were evaluated for this run (run with --gates FILE)."}</div>
                } else {
                    <table id="gates">
                        <thead><tr><th>{"status"}</th><th>{"gate"}</th><th>{"case"}</th><th>{"value"}</th><th>{"band"}</th><th>{"n"}</th><th>{"why"}</th></tr></thead>
                        <tbody>
                        { for b.gates.iter().map(|g| html!{
                            <tr>
                                <td><span class={classes!("badge", status_class(g.status))}>{ format!("{:?}", g.status) }</span></td>
                                <td>{ &g.rule.id }<div class="muted">{ g.rule.note.clone().unwrap_or_default() }</div></td>
                                <td>{ g.case.clone().unwrap_or_else(|| "all".into()) }</td>
                                <td class="num">{ g.value.map(|v| g.rule.metric.format(v)).unwrap_or("—".into()) }</td>
                                <td class="num">{ g.rule.bound.describe(g.rule.metric) }</td>
                                <td class="num">{ g.samples }</td>
                                <td>{ &g.reason }</td>
                            </tr>
                        }) }
                        </tbody>
                    </table>
                }
            </section>
            if let Some(pr) = &b.providers { { super::extras::providers(pr) } }
            if let Some(d) = &b.dual { { super::extras::dual(d) } }
            if let Some(sk) = &b.soak { { super::extras::soak(sk) } }
            if let Some(m) = &b.memory { { super::extras::memory(m) } }
            { for b.cases.iter().map(|c| {
                let rows = case_rows(b, &c.id);
                let example = c.measured().find(|t| t.audio.is_some()).or_else(|| c.measured().next());
                html! {
                    <div class="case" id={format!("case-{}", c.id)}>
                        <h3>{ format!("{} — {} chars, {} phonemes, {} warm trial(s), {} failed", c.id, c.chars, c.phonemes.unwrap_or(0), c.measured().count(), c.failed().count()) }</h3>
                        <table>
                            <thead><tr><th>{"metric"}</th><th>{"median"}</th><th>{"p95"}</th><th>{"n"}</th><th>{"trials (● warm, ○ cold)"}</th></tr></thead>
                            <tbody>
                            { for rows.iter().map(|r| html!{
                                <tr>
                                    <td>{ r.metric.label() }</td>
                                    <td class="num">{ r.summary.as_ref().map(|s| r.metric.format(s.median)).unwrap_or("—".into()) }</td>
                                    <td class="num">{ r.summary.as_ref().map(|s| r.metric.format(s.p95)).unwrap_or("—".into()) }</td>
                                    <td class="num">{ r.summary.as_ref().map(|s| s.n).unwrap_or(0) }</td>
                                    <td><Strip values={r.values.clone()} cold={r.cold} /></td>
                                </tr>
                            }) }
                            </tbody>
                        </table>
                        { for c.failed().map(|t| html!{ <div class="error">{ format!("trial {} failed: {}", t.index, t.error.as_ref().map(|e| e.message.as_str()).unwrap_or("")) }</div> }) }
                        if let Some(t) = example {
                            <h3>{ format!("Trial {}: streaming timeline and audio", t.index) }</h3>
                            { timeline(t) }
                            if let Some(a) = &t.audio {
                                <Waveform audio={a.clone()} src={p.source.artifact_url(&a.path)} />
                            }
                            if let Some(q) = &t.quality {
                                <div class="muted">{ format!(
                                    "Loudness {} · true peak {:.1} dBTP · sample peak {:.1} dBFS · leading silence {:.0} ms · longest pause {:.0} ms{}",
                                    q.integrated_lufs.map(|l| format!("{:.1} LUFS", l.0)).unwrap_or_else(|| q.loudness_undefined_reason.clone().unwrap_or("—".into())),
                                    q.true_peak_dbtp.0, q.sample_peak_dbfs.0, q.leading_silence_ms, q.longest_internal_silence_ms,
                                    if q.problems.is_empty() { String::new() } else { format!(" · problems: {}", q.problems.join("; ")) }) }</div>
                            }
                        }
                    </div>
                }
            }) }
        </div>
    }
}
