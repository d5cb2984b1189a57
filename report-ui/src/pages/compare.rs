//! Runs against a baseline, with the bundle crate's verdicts, and A/B listening per case.

use crate::components::charts::Strip;
use crate::load::Source;
use kokoro_bench_bundle::compare::{compare_with, Comparison, Options, Verdict};
use yew::prelude::*;

/// Props of [`CompareView`].
#[derive(Properties)]
pub struct CompareProps {
    /// Baseline first.
    pub sources: Vec<Source>,
    /// Give verdicts although the runs are not like for like.
    #[prop_or_default]
    pub allow_different: bool,
    /// The current URL state (for the "judge anyway" link).
    #[prop_or_default]
    pub url: Option<crate::route::UrlState>,
}

impl PartialEq for CompareProps {
    fn eq(&self, o: &Self) -> bool {
        self.allow_different == o.allow_different
            && self.sources.len() == o.sources.len()
            && self
                .sources
                .iter()
                .zip(&o.sources)
                .all(|(a, b)| std::rc::Rc::ptr_eq(&a.loaded, &b.loaded))
    }
}

fn verdict_class(v: Verdict) -> &'static str {
    v.class()
}

/// The banner of a comparison of runs that are not like for like, with the way to judge anyway.
fn likeness(c: &Comparison, url: Option<&crate::route::UrlState>) -> Html {
    if c.not_like_for_like.is_empty() {
        return html! {};
    }
    let anyway = url.filter(|_| !c.judged_anyway).map(|u| {
        crate::route::UrlState {
            allow_different: true,
            ..u.clone()
        }
        .to_query()
    });
    html! {
        <div class="note not-like-for-like">
            { if c.judged_anyway { "Not like for like — judged anyway: " } else { "Not like for like, so no verdicts: " } }
            { c.not_like_for_like.join("; ") }
            if let Some(q) = anyway { {" "}<a href={q}>{"judge anyway"}</a> }
        </div>
    }
}

/// Says so when the runs share no case: per-case metrics then have nothing to line up.
fn no_common_case(b: &kokoro_bench_bundle::Bundle, n: &kokoro_bench_bundle::Bundle) -> Html {
    if b.cases.is_empty() || n.cases.is_empty() || n.cases.iter().any(|c| b.case(&c.id).is_some()) {
        return html! {};
    }
    let ids = |x: &kokoro_bench_bundle::Bundle| {
        x.cases
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    html! {
        <div class="note" id="no-common-case">{ format!(
            "No case in common: the baseline ran {}, the new run {}. Per-case metrics cannot be lined up; run both with the same --preset or texts.",
            ids(b), ids(n)) }</div>
    }
}

/// What the recogniser heard in the new run against the baseline's transcript, per case.
fn heard(c: &Comparison) -> Html {
    if c.transcripts.is_empty() {
        return html! {};
    }
    html! {
        <div class="transcripts" id="heard">
            { for c.transcripts.iter().map(|t| if t.diff.is_empty() {
                html!{ <div class="muted">{ format!("{}: heard the same words as in the baseline (WER against the text {:.1} %).", t.case, t.wer_new * 100.0) }</div> }
            } else {
                html!{ <div class="note">{ format!("{}: heard differently — {:.1} % of words differ from the baseline's transcript (WER against the text {:.1} % → {:.1} %): {}", t.case, t.wer_vs_baseline * 100.0, t.wer_base * 100.0, t.wer_new * 100.0, t.diff) }</div> }
            }) }
        </div>
    }
}

/// The comparison page.
#[function_component(CompareView)]
pub fn compare_view(p: &CompareProps) -> Html {
    let Some((base, others)) = p.sources.split_first() else {
        return html! {};
    };
    let b = &base.loaded.bundle;
    html! {
        <div id="compare">
            { for others.iter().map(|o| {
                let n = &o.loaded.bundle;
                let c = compare_with(b, n, Options { allow_different: p.allow_different, ..Default::default() });
                html! {
                    <section>
                        <h2>{ format!("{} (baseline) → {}", c.base_id, c.new_id) }</h2>
                        { likeness(&c, p.url.as_ref()) }
                        { no_common_case(b, n) }
                        { for c.warnings.iter().map(|w| html!{ <div class="note">{ w }</div> }) }
                        { for c.tradeoffs().iter().map(|t| html!{ <div class="error tradeoff">{ format!("Faster but worse — {t}") }</div> }) }
                        { heard(&c) }
                        <div class="verdict-counts">
                            { for c.verdict_counts().iter().filter(|(_, k)| *k > 0).map(|(v, k)| html!{ <span><span class={classes!("badge", verdict_class(*v))}>{ k }</span>{" "}{ v.label() }</span> }) }
                        </div>
                        <details class="setup" open={c.setup.iter().any(|l| l.differs())}>
                            <summary>{ format!("Set-up side by side ({} difference(s))", c.setup.iter().filter(|l| l.differs()).count()) }</summary>
                            <table>
                                <thead><tr><th></th><th>{"baseline"}</th><th>{"new"}</th></tr></thead>
                                <tbody>
                                { for c.setup.iter().map(|l| html!{
                                    <tr class={classes!(l.differs().then_some("differs"))}><th>{ &l.label }</th><td>{ &l.base }</td><td>{ &l.new }</td></tr>
                                }) }
                                </tbody>
                            </table>
                        </details>
                        <table class="comparison">
                            <thead><tr><th>{"metric"}</th><th>{"case"}</th><th>{"baseline"}</th><th>{"new"}</th><th>{"change [95 % CI]"}</th><th>{"verdict"}</th><th>{"why"}</th></tr></thead>
                            <tbody>
                            { for c.rows.iter().map(|r| {
                                let vals = |bb: &kokoro_bench_bundle::Bundle| r.case.as_ref().and_then(|id| bb.case(id)).map(|cs| r.metric.case_values(cs)).unwrap_or_default();
                                let (bv, nv) = (vals(b), vals(n));
                                let all: Vec<f64> = bv.iter().chain(&nv).copied().collect();
                                let range = crate::viewmodel::strip_range(&all);
                                let change = match (r.change_rel, r.ci) {
                                    (Some(rel), Some(ci)) if r.relative => format!("{:+.1} % [{:+.1}, {:+.1}]", rel * 100.0, ci.lo * 100.0, ci.hi * 100.0),
                                    (_, Some(ci)) => format!("{:+.2} [{:+.2}, {:+.2}]", r.change_abs.unwrap_or(0.0), ci.lo, ci.hi),
                                    _ => r.change_abs.map(|d| format!("{d:+.2}")).unwrap_or("—".into()),
                                };
                                html!{
                                    <tr>
                                        <td><abbr class="metric" title={r.metric.definition()}>{ r.metric.label() }</abbr></td>
                                        <td>{ r.case.clone().unwrap_or_else(|| "run".into()) }</td>
                                        <td class="num">{ r.base.as_ref().map(|s| format!("{} (n={})", r.metric.format(s.median), s.n)).unwrap_or("—".into()) }<br/><Strip values={bv} range={Some(range)} format={r.metric} /></td>
                                        <td class="num">{ r.new.as_ref().map(|s| format!("{} (n={})", r.metric.format(s.median), s.n)).unwrap_or("—".into()) }<br/><Strip values={nv} range={Some(range)} format={r.metric} /></td>
                                        <td class="num">{ change }</td>
                                        <td><span class={classes!("badge", verdict_class(r.verdict))}>{ r.verdict.label() }</span></td>
                                        <td>{ &r.reason }</td>
                                    </tr>
                                }
                            }) }
                            </tbody>
                        </table>
                        <h3>{"Listen: the same case in both runs"}</h3>
                        { for n.cases.iter().filter_map(|cs| {
                            let a = b.case(&cs.id)?.measured().find_map(|t| t.audio.clone());
                            let z = cs.measured().find_map(|t| t.audio.clone());
                            Some(html!{
                                <div class="row">
                                    <strong>{ &cs.id }</strong>
                                    <span>{"A"}</span>
                                    { a.and_then(|a| base.artifact_url(&a.path)).map(|s| html!{ <audio class="listen-a" controls=true preload="metadata" src={s} /> }).unwrap_or_else(|| html!{ <span class="muted">{"no audio"}</span> }) }
                                    <span>{"B"}</span>
                                    { z.and_then(|z| o.artifact_url(&z.path)).map(|s| html!{ <audio class="listen-b" controls=true preload="metadata" src={s} /> }).unwrap_or_else(|| html!{ <span class="muted">{"no audio"}</span> }) }
                                </div>
                            })
                        }) }
                    </section>
                }
            }) }
        </div>
    }
}
