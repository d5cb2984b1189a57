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
    let Some(pb) = &t.playback else {
        return html! {};
    };
    let end = pb.buffer_t_ms.last().copied().unwrap_or(1.0).max(1.0);
    let max_buf = pb.buffer_ms.iter().copied().fold(1.0, f64::max);
    let (w, h) = (600.0, 70.0);
    let x = |ms: f64| ms / end * w;
    let y = |b: f64| h - b / max_buf * (h - 10.0);
    let mut path = String::new();
    for (i, (&tm, &b)) in pb.buffer_t_ms.iter().zip(&pb.buffer_ms).enumerate() {
        path.push_str(&format!(
            "{}{:.1},{:.1}",
            if i == 0 { "M" } else { "L" },
            x(tm),
            y(b)
        ));
    }
    html! {
        <div>
            <svg width="600" height="80" viewBox="0 0 600 80" role="img" aria-label="streaming timeline">
                { for pb.stalls_ms.iter().map(|s| html!{ <rect x={format!("{:.1}", x(s[0]))} y="0" width={format!("{:.1}", (x(s[1]) - x(s[0])).max(1.0))} height="70" fill="#fdecea"><title>{ format!("stall {:.0} ms", s[1] - s[0]) }</title></rect> }) }
                <path d={path} fill="none" stroke="#1a7f37" stroke-width="1.5" />
                { for t.chunks.t_ms.iter().map(|&c| html!{ <line x1={format!("{:.1}", x(c))} x2={format!("{:.1}", x(c))} y1="70" y2="78" stroke="#1d1d1f"><title>{ format!("chunk at {c:.0} ms") }</title></line> }) }
            </svg>
            <div class="muted">{ format!(
                "Buffer level (green, peak {:.1} s), chunk arrivals (ticks), stalls (red). {} underrun(s), {:.0} ms stalled; a pre-buffer of {:.0} ms would have avoided every stall.",
                max_buf / 1000.0, pb.underruns, pb.stall_total_ms, pb.min_prebuffer_ms) }</div>
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
                { for b.notes.iter().map(|n| html!{ <div class="note">{ &n.message }</div> }) }
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
