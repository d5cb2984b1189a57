//! Runs against a baseline, with the bundle crate's verdicts, and A/B listening per case.
//!
//! Each comparison says first what it rests on (how many rounds and trials, which run-to-run
//! noise the intervals allow for, whether the machine or the chunk plans changed), then the
//! verdicts. A reason shared by many rows is said once above the table; on a phone the table
//! scrolls inside its own box with the verdict column first.

use crate::components::charts::Strip;
use crate::components::player::Player;
use crate::load::Source;
use kokoro_bench_bundle::compare::{compare_with, Comparison, Options, Row, Verdict};
use kokoro_bench_bundle::index::RunIndex;
use kokoro_bench_bundle::Bundle;
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
    /// The site's run index, when it loaded: the runs' series history sets the run-to-run noise,
    /// as `kokoro-bench compare` does beside an index.
    #[prop_or_default]
    pub index: Option<std::rc::Rc<RunIndex>>,
}

impl PartialEq for CompareProps {
    fn eq(&self, o: &Self) -> bool {
        self.allow_different == o.allow_different
            && self.index.is_some() == o.index.is_some()
            && self.sources.len() == o.sources.len()
            && self
                .sources
                .iter()
                .zip(&o.sources)
                .all(|(a, b)| std::rc::Rc::ptr_eq(&a.loaded, &b.loaded))
    }
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
fn no_common_case(b: &Bundle, n: &Bundle) -> Html {
    if b.cases.is_empty() || n.cases.is_empty() || n.cases.iter().any(|c| b.case(&c.id).is_some()) {
        return html! {};
    }
    let ids = |x: &Bundle| {
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

/// What the comparison rests on: rounds and trials, the run-to-run noise, plans, the machine.
fn grounds(c: &Comparison, b: &Bundle, n: &Bundle) -> Html {
    let rounds = |x: &Bundle| {
        let trials: usize = x.cases.iter().map(|c| c.measured().count()).sum();
        format!(
            "{} case(s), {trials} measured trial(s) in {} round(s)",
            x.cases.len(),
            x.rounds()
        )
    };
    html! {
        <div class="grounds">
            <div class="muted">{ format!("Baseline: {}; new: {}.", rounds(b), rounds(n)) }</div>
            if let Some(src) = &c.noise_source { <div class="muted noise-source">{ format!("Run-to-run noise: {src}.") }</div> }
            { for c.plan_changes.iter().map(|p| html!{ <div class="note plan-change">{ format!("Plans: {p}") }</div> }) }
        </div>
    }
}

/// `+143 ms (+12.3 %) [+5.1 %, +19.0 %]`: the change in the metric's unit, relative, and the
/// interval the verdict used.
pub fn change_text(r: &Row) -> String {
    let abs = r.change_abs.map(|d| {
        let sign = if d >= 0.0 { "+" } else { "−" };
        format!("{sign}{}", r.metric.format(d.abs()))
    });
    let rel = r.change_rel.map(|x| format!("{:+.1} %", x * 100.0));
    let ci = r.ci.map(|ci| {
        if r.relative {
            format!("[{:+.1} %, {:+.1} %]", ci.lo * 100.0, ci.hi * 100.0)
        } else {
            format!("[{:+.2}, {:+.2}]", ci.lo, ci.hi)
        }
    });
    match (abs, rel, ci) {
        (Some(a), Some(r), Some(c)) => format!("{a} ({r}) {c}"),
        (Some(a), Some(r), None) => format!("{a} ({r})"),
        (Some(a), None, c) => format!("{a} {}", c.unwrap_or_default()),
        _ => "—".into(),
    }
}

/// The reason most rows share (said once above the table), when at least three do.
pub fn common_reason(rows: &[Row]) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for r in rows {
        match counts.iter_mut().find(|(t, _)| *t == r.reason) {
            Some(c) => c.1 += 1,
            None => counts.push((&r.reason, 1)),
        }
    }
    counts
        .into_iter()
        .filter(|(t, k)| *k >= 3 && !t.is_empty())
        .max_by_key(|(_, k)| *k)
        .map(|(t, _)| t.to_string())
}

fn row_html(r: &Row, b: &Bundle, n: &Bundle, common: Option<&str>) -> Html {
    let vals = |bb: &Bundle| {
        r.case
            .as_ref()
            .and_then(|id| bb.case(id))
            .map(|cs| r.metric.case_values(cs))
            .unwrap_or_default()
    };
    let (bv, nv) = (vals(b), vals(n));
    let all: Vec<f64> = bv.iter().chain(&nv).copied().collect();
    let range = crate::viewmodel::strip_range(&all);
    let cell = |s: &Option<kokoro_bench_bundle::stats::Summary>| {
        s.as_ref()
            .map(|s| format!("{} (n={})", r.metric.format(s.median), s.n))
            .unwrap_or("—".into())
    };
    let why = if Some(r.reason.as_str()) == common {
        html! { <span class="muted">{"as above"}</span> }
    } else {
        html! { { &r.reason } }
    };
    html! {
        <tr class={classes!("verdict-row", r.verdict.class())}>
            <td data-label="verdict"><span class={classes!("badge", r.verdict.class())}>{ r.verdict.label() }</span></td>
            <td data-label="metric"><abbr class="metric" title={r.metric.definition()}>{ r.metric.label() }</abbr>{ format!(" · {}", r.case.clone().unwrap_or_else(|| "run".into())) }</td>
            <td data-label="change" class="num">{ change_text(r) }</td>
            <td data-label="baseline" class="num">{ cell(&r.base) }<br/><Strip values={bv} range={Some(range)} format={r.metric} /></td>
            <td data-label="new" class="num">{ cell(&r.new) }<br/><Strip values={nv} range={Some(range)} format={r.metric} /></td>
            <td data-label="why" class="why">{ why }</td>
        </tr>
    }
}

/// The verdict table, the reason most rows share said once above it.
fn table(c: &Comparison, b: &Bundle, n: &Bundle) -> Html {
    let common = common_reason(&c.rows);
    html! {
        <>
            if let Some(t) = &common { <div class="muted common-reason">{ format!("Why, for the rows marked \"as above\": {t}") }</div> }
            <div class="table-scroll">
                <table class="comparison">
                    <caption class="visually-hidden">{ format!("Verdicts per metric and case, {} → {}", c.base_id, c.new_id) }</caption>
                    <thead><tr><th>{"verdict"}</th><th>{"metric · case"}</th><th>{"change [95 % CI]"}</th><th>{"baseline"}</th><th>{"new"}</th><th>{"why"}</th></tr></thead>
                    <tbody>{ for c.rows.iter().map(|r| row_html(r, b, n, common.as_deref())) }</tbody>
                </table>
            </div>
        </>
    }
}

fn setup_table(c: &Comparison) -> Html {
    let diffs = c.setup.iter().filter(|l| l.differs()).count();
    html! {
        <details class="setup" open={diffs > 0}>
            <summary>{ format!("Set-up side by side ({diffs} difference(s))") }</summary>
            <div class="table-scroll"><table>
                <thead><tr><th></th><th>{"baseline"}</th><th>{"new"}</th></tr></thead>
                <tbody>
                { for c.setup.iter().map(|l| html!{
                    <tr class={classes!(l.differs().then_some("differs"))}><th>{ &l.label }</th><td>{ &l.base }</td><td>{ &l.new }</td></tr>
                }) }
                </tbody>
            </table></div>
        </details>
    }
}

fn listen(base: &Source, o: &Source) -> Html {
    let (b, n) = (&base.loaded.bundle, &o.loaded.bundle);
    html! {
        <>
            <h3>{"Listen: the same case in both runs"}</h3>
            { for n.cases.iter().filter_map(|cs| {
                let a = b.case(&cs.id)?.measured().find_map(|t| t.audio.clone());
                let z = cs.measured().find_map(|t| t.audio.clone());
                let player = |src: Option<String>, class: &'static str, who: &str| match src {
                    Some(s) => html!{ <Player src={s} class={class} label={format!("{} — {who}", cs.id)} /> },
                    None => html!{ <span class="muted">{"no audio kept"}</span> },
                };
                Some(html!{
                    <div class="row listen">
                        <strong>{ &cs.id }</strong>
                        <span>{"A"}</span>
                        { player(a.and_then(|a| base.artifact_url(&a.path)), "listen-a", "baseline") }
                        <span>{"B"}</span>
                        { player(z.and_then(|z| o.artifact_url(&z.path)), "listen-b", "new run") }
                    </div>
                })
            }) }
        </>
    }
}

/// One comparison: what it rests on, warnings, the verdict counts and table, listening.
fn comparison(
    c: &Comparison,
    base: &Source,
    o: &Source,
    url: Option<&crate::route::UrlState>,
) -> Html {
    let (b, n) = (&base.loaded.bundle, &o.loaded.bundle);
    html! {
        <section class="one-comparison">
            <h2>{ format!("{} (baseline) → {}", c.base_id, c.new_id) }</h2>
            { likeness(c, url) }
            { no_common_case(b, n) }
            { grounds(c, b, n) }
            { for c.warnings.iter().map(|w| html!{ <div class="note">{ w }</div> }) }
            { for c.tradeoffs().iter().map(|t| html!{ <div class="error tradeoff">{ format!("Faster but worse — {t}") }</div> }) }
            { heard(c) }
            <div class="verdict-counts">
                { for c.verdict_counts().iter().filter(|(_, k)| *k > 0).map(|(v, k)| html!{ <span><span class={classes!("badge", v.class())}>{ k }</span>{" "}{ v.label() }</span> }) }
            </div>
            { setup_table(c) }
            { table(c, b, n) }
            { listen(base, o) }
        </section>
    }
}

/// With several runs against one baseline: one line each, before the details.
fn overall(all: &[Comparison]) -> Html {
    if all.len() < 2 {
        return html! {};
    }
    html! {
        <div class="overall" id="overall">
            <strong>{ format!("{} runs against the baseline {}:", all.len(), all[0].base_id) }</strong>
            <ul>
            { for all.iter().map(|c| {
                let counts: Vec<String> = c.verdict_counts().iter().filter(|(_, k)| *k > 0).map(|(v, k)| format!("{k} {}", v.label())).collect();
                let worst = if c.regressed() { "regressed" } else if c.rows.iter().any(|r| r.verdict == Verdict::Improved) { "improved" } else { "unchanged" };
                html!{ <li><span class={classes!("badge", worst)}>{ worst }</span>{ format!(" {} — {}", c.new_id, counts.join(" · ")) }</li> }
            }) }
            </ul>
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
    let all: Vec<Comparison> = others
        .iter()
        .map(|o| {
            compare_with(
                b,
                &o.loaded.bundle,
                Options {
                    allow_different: p.allow_different,
                    history: p.index.as_deref(),
                    floor: None,
                },
            )
        })
        .collect();
    html! {
        <div id="compare">
            { overall(&all) }
            { for all.iter().zip(others).map(|(c, o)| comparison(c, base, o, p.url.as_ref())) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(reason: &str) -> Row {
        Row {
            metric: kokoro_bench_bundle::metrics::Metric::HeardMs,
            case: Some("short".into()),
            base: None,
            new: None,
            change_abs: Some(143.54),
            change_rel: Some(0.1234),
            ci: Some(kokoro_bench_bundle::stats::bootstrap::Interval {
                estimate: 0.1234,
                lo: 0.051,
                hi: 0.19,
            }),
            relative: true,
            p_value: None,
            hl_shift: None,
            rounds: [3, 3],
            run_noise_pct: None,
            verdict: Verdict::Inconclusive,
            reason: reason.into(),
        }
    }

    #[test]
    fn changes_carry_units_and_a_shared_reason_is_said_once() {
        assert_eq!(change_text(&row("")), "+144 ms (+12.3 %) [+5.1 %, +19.0 %]");
        let rows = vec![
            row("too few trials"),
            row("too few trials"),
            row("x"),
            row("too few trials"),
        ];
        assert_eq!(common_reason(&rows).as_deref(), Some("too few trials"));
        assert_eq!(
            common_reason(&rows[..2]),
            None,
            "two rows are not worth a line"
        );
    }
}
