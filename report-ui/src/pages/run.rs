//! One run: header and set-up, notes, the run-level sections (gates and each suite that ran),
//! then per case: distributions, the streaming timeline and the audio.

use crate::components::charts::Strip;
use crate::components::section::blocks;
use crate::components::timeline::TrialTimeline;
use crate::load::Source;
use crate::viewmodel::case_rows;
use kokoro_bench_bundle::present;
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

/// The run's header (the shared rows), its set-up facts, what migration did, and its notes.
fn header(p: &RunProps) -> Html {
    let b = &p.source.loaded.bundle;
    let head = present::header::section(b);
    let facts = kokoro_bench_bundle::describe::facts(b);
    html! {
        <section id="run-header">
            <h2>{ format!("Run {}", b.run.id) }</h2>
            { head.as_ref().map(blocks).unwrap_or_default() }
            <details class="setup">
                <summary>{"Set-up"}</summary>
                <table><tbody>
                { for facts.iter().map(|(label, value)| html!{ <tr><th>{ *label }</th><td>{ value }</td></tr> }) }
                </tbody></table>
            </details>
            if let Some(m) = &p.source.loaded.migrations.first() { <div class="note">{ format!("Migrated on load: {m}") }</div> }
            { present::problems::notes(b).map(|s| blocks(&s)).unwrap_or_default() }
        </section>
    }
}

/// One case: its metrics with every trial drawn, failures, and one trial's timeline and audio.
fn case_view(source: &Source, c: &kokoro_bench_bundle::schema::Case) -> Html {
    let b = &source.loaded.bundle;
    let rows = case_rows(b, &c.id);
    let example = c
        .measured()
        .find(|t| t.audio.is_some())
        .or_else(|| c.measured().next());
    html! {
        <div class="case" id={format!("case-{}", c.id)}>
            <h3>{ format!("{} — {} chars, {} phonemes, {} warm trial(s), {} failed", c.id, c.chars, c.phonemes.unwrap_or(0), c.measured().count(), c.failed().count()) }</h3>
            <table>
                <thead><tr><th>{"metric"}</th><th>{"median"}</th><th>{"p95"}</th><th>{"n"}</th><th>{"trials (● warm, ○ cold)"}</th></tr></thead>
                <tbody>
                { for rows.iter().map(|r| html!{
                    <tr>
                        <td><abbr class="metric" title={r.metric.definition()}>{ r.metric.label() }</abbr></td>
                        <td class="num">{ r.summary.as_ref().map(|s| r.metric.format(s.median)).unwrap_or("—".into()) }</td>
                        <td class="num">{ r.summary.as_ref().map(|s| r.metric.format(s.p95)).unwrap_or("—".into()) }</td>
                        <td class="num">{ r.summary.as_ref().map(|s| s.n).unwrap_or(0) }</td>
                        <td><Strip values={r.values.clone()} cold={r.cold} format={r.metric} /></td>
                    </tr>
                }) }
                </tbody>
            </table>
            { for c.failed().map(|t| html!{ <div class="error">{ format!("trial {} failed ({}): {}", t.index, t.error.as_ref().map(|e| e.kind.as_str()).unwrap_or(""), t.error.as_ref().map(|e| e.message.as_str()).unwrap_or("")) }</div> }) }
            if let Some(t) = example {
                <h3>{ format!("Trial {}: streaming timeline and audio", t.index) }</h3>
                <TrialTimeline trial={t.clone()} src={t.audio.as_ref().and_then(|a| source.artifact_url(&a.path))} />
                if let Some(q) = &t.quality {
                    <div class="muted">{ format!(
                        "Loudness {} · true peak {:.1} dBTP · sample peak {:.1} dBFS · leading silence {:.0} ms · longest pause {:.0} ms{}",
                        q.integrated_lufs.map(|l| format!("{:.1} LUFS", l.0)).unwrap_or_else(|| q.loudness_undefined_reason.clone().unwrap_or("—".into())),
                        q.true_peak_dbtp.0, q.sample_peak_dbfs.0, q.leading_silence_ms, q.longest_internal_silence_ms,
                        if q.problems.is_empty() { String::new() } else { format!(" · problems: {}", q.problems.join("; ")) }) }</div>
                }
                if let Some(j) = &t.judges {
                    <div class="judges muted">{ judged_line(t, j) }</div>
                }
            }
        </div>
    }
}

/// What the judges heard in this trial's audio, in one line.
fn judged_line(
    t: &kokoro_bench_bundle::schema::Trial,
    j: &kokoro_bench_bundle::schema::TrialJudges,
) -> String {
    let scores: Vec<String> = kokoro_bench_bundle::present::judges::COLUMNS
        .into_iter()
        .filter_map(|m| {
            m.trial_value(t)
                .map(|v| format!("{} {}", m.label(), m.format(v)))
        })
        .collect();
    match (&j.error, scores.is_empty()) {
        (Some(e), _) => format!("Judges could not score this audio: {e}"),
        (None, true) => "Judges: no score".into(),
        (None, false) => format!("Judges: {}", scores.join(" · ")),
    }
}

/// The run page.
#[function_component(RunView)]
pub fn run_view(p: &RunProps) -> Html {
    let b = &p.source.loaded.bundle;
    html! {
        <div id="run">
            { header(p) }
            { for crate::sections::SECTIONS.iter().map(|render| render(b)) }
            { for b.cases.iter().map(|c| case_view(&p.source, c)) }
        </div>
    }
}
