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

/// A case's metric table: median with its 95 % interval (rounds, then trials), p95, n, and
/// every trial drawn.
fn metric_table(b: &kokoro_bench_bundle::Bundle, case: &str) -> Html {
    let rows = case_rows(b, case);
    html! {
        <div class="table-scroll">
            <table class="case-metrics">
                <thead><tr><th>{"metric"}</th><th>{"median [95 % CI]"}</th><th>{"p95"}</th><th>{"n"}</th><th>{"trials (● warm, ○ cold)"}</th></tr></thead>
                <tbody>
                { for rows.iter().map(|r| html!{
                    <tr>
                        <td><abbr class="metric" title={r.metric.definition()}>{ r.metric.label() }</abbr></td>
                        <td class="num">{ r.summary.as_ref().map(|s| match r.ci {
                            // Every trial the same value: an interval says nothing more.
                            Some(ci) if ci.hi > ci.lo => format!("{} [{} – {}]", r.metric.format(s.median), r.metric.format(ci.lo), r.metric.format(ci.hi)),
                            _ => r.metric.format(s.median),
                        }).unwrap_or("—".into()) }</td>
                        <td class="num">{ r.summary.as_ref().map(|s| r.metric.format(s.p95)).unwrap_or("—".into()) }</td>
                        <td class="num">{ r.summary.as_ref().map(|s| s.n).unwrap_or(0) }</td>
                        <td><Strip values={r.values.clone()} cold={r.cold} format={r.metric} /></td>
                    </tr>
                }) }
                </tbody>
            </table>
        </div>
    }
}

/// Props of [`CaseView`].
#[derive(Properties)]
struct CaseProps {
    source: Source,
    case: String,
}

impl PartialEq for CaseProps {
    fn eq(&self, o: &Self) -> bool {
        self.case == o.case && std::rc::Rc::ptr_eq(&self.source.loaded, &o.source.loaded)
    }
}

/// One case: its metrics with every trial drawn, its failures (each distinct error once), and
/// the timeline and audio of a trial the reader picks (the first kept audio by default).
#[function_component(CaseView)]
fn case_view(p: &CaseProps) -> Html {
    let b = &p.source.loaded.bundle;
    let Some(c) = b.case(&p.case) else {
        return html! {};
    };
    let measured: Vec<&kokoro_bench_bundle::schema::Trial> = c.measured().collect();
    let default = measured.iter().position(|t| t.audio.is_some()).unwrap_or(0);
    let chosen = use_state(|| default);
    let pick = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                chosen.set(s.value().parse().unwrap_or(0));
            }
        })
    };
    let example = measured.get(*chosen).or_else(|| measured.first());
    let prefix = format!("{}: ", c.id);
    let failures: Vec<String> = present::problems::failure_lines(b)
        .into_iter()
        .filter_map(|l| l.strip_prefix(&prefix).map(str::to_string))
        .collect();
    let phonemes = c
        .phonemes
        .map(|n| format!(", {n} phonemes"))
        .unwrap_or_default();
    html! {
        <div class="case" id={format!("case-{}", c.id)}>
            <h3>{ format!("{} — {} chars{phonemes}, {} warm trial(s), {} failed", c.id, c.chars, c.measured().count(), c.failed().count()) }</h3>
            { metric_table(b, &c.id) }
            { for failures.iter().map(|f| html!{ <div class="error">{ format!("failed: {f}") }</div> }) }
            if let Some(t) = example {
                <div class="row trial-pick">
                    <h3>{ format!("Trial {}: streaming timeline and audio", t.index) }</h3>
                    if measured.len() > 1 {
                        <label>{"trial "}
                            <select onchange={pick} aria-label={format!("which trial of {} to show", c.id)}>
                                { for measured.iter().enumerate().map(|(i, t)| html!{
                                    <option value={i.to_string()} selected={i == *chosen}>{ format!("#{}{}{}", t.index, t.round.map(|r| format!(" (round {})", r + 1)).unwrap_or_default(), if t.audio.is_some() { " · audio" } else { "" }) }</option>
                                }) }
                            </select>
                        </label>
                    }
                </div>
                <TrialTimeline trial={(*t).clone()} src={t.audio.as_ref().and_then(|a| p.source.artifact_url(&a.path))} />
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

/// Trials above which a bundle is big: its cases are drawn a few at a time after the header and
/// sections are on screen, so a 60 MB bundle is readable at once instead of after seconds.
const BIG_BUNDLE_TRIALS: usize = 400;

/// The run page: the header and run-level sections first, then the cases — in stages for a big
/// bundle, each stage after the previous one is on screen.
#[function_component(RunView)]
pub fn run_view(p: &RunProps) -> Html {
    let b = &p.source.loaded.bundle;
    let trials: usize = b.cases.iter().map(|c| c.trials.len()).sum();
    let big = trials > BIG_BUNDLE_TRIALS;
    let shown = use_state(|| if big { 0 } else { b.cases.len() });
    {
        let (shown, total) = (shown.clone(), b.cases.len());
        use_effect_with(*shown, move |n| {
            let n = *n;
            if n < total {
                crate::components::later(move || shown.set(n + 1));
            }
            || ()
        });
    }
    html! {
        <div id="run">
            { header(p) }
            { for crate::sections::SECTIONS.iter().map(|(_, render)| render(b)) }
            { for b.cases.iter().take(*shown).map(|c| html!{ <CaseView source={p.source.clone()} case={c.id.clone()} /> }) }
            if *shown < b.cases.len() {
                <div class="muted" id="more-cases">{ format!("Drawing {} more case(s) of this {trials}-trial bundle…", b.cases.len() - *shown) }</div>
            }
        </div>
    }
}
