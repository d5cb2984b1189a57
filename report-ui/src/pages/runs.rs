//! The run list from `index.json`: per run its series label, a headline number and a health badge
//! derived from what happened; a picker (tick 2–6 runs → compare, the oldest as baseline) and a
//! "vs previous" link to the run before it in its series. On a phone each run is a card.

use crate::viewmodel::{join_url as join, SortKey};
use kokoro_bench_bundle::history::series_key;
use kokoro_bench_bundle::index::{IndexEntry, RunIndex};
use yew::prelude::*;

/// Props of [`Runs`].
#[derive(Properties, PartialEq)]
pub struct RunsProps {
    /// The index.
    pub index: RunIndex,
    /// URL of the index (bundle paths are relative to it).
    pub index_url: String,
}

/// Most runs the picker compares at once.
pub const MAX_PICKED: usize = 6;

/// The health badge: the status when the run did not complete, else what went wrong in it.
pub fn health_badge(r: &IndexEntry) -> (&'static str, String) {
    match r.status.as_str() {
        "failed" => return ("fail", "failed: nothing measured".into()),
        "degraded" => return ("fail", "degraded: a case measured nothing".into()),
        "interrupted" => return ("no_data", "interrupted".into()),
        // A published run is finished: still "in progress" means its process died before the
        // final write (what was measured up to then is in the bundle).
        "in_progress" => {
            return (
                "warn",
                "abandoned: the process died before its final write".into(),
            )
        }
        _ => {}
    }
    match &r.health {
        Some(h) if !h.clean() => ("warn", h.problems().join("; ")),
        Some(_) => ("pass", "healthy".into()),
        None => ("no_data", "completed".into()),
    }
}

/// `heard 640 · 651 · 924 ms`: the run's heard-speech medians, case by case (TTFA where there
/// is no heard speech).
pub fn headline(r: &IndexEntry) -> String {
    let Some(s) = &r.summaries else {
        return "—".into();
    };
    for (key, label) in [("heard_ms", "heard"), ("ttfa_ms", "TTFA")] {
        let values: Vec<String> = r
            .cases
            .iter()
            .filter_map(|c| {
                s.iter()
                    .find(|v| v.metric == key && v.case.as_deref() == Some(c))
                    .map(|v| format!("{:.0}", v.median))
            })
            .take(4)
            .collect();
        if !values.is_empty() {
            return format!("{label} {} ms", values.join(" · "));
        }
    }
    "—".into()
}

/// The run before `r` in its series, if any.
pub fn previous<'a>(index: &'a RunIndex, r: &IndexEntry) -> Option<&'a IndexEntry> {
    let key = series_key(r);
    index
        .runs
        .iter()
        .filter(|e| e.id != r.id && e.started_unix_ms < r.started_unix_ms && series_key(e) == key)
        .max_by_key(|e| e.started_unix_ms)
}

/// A compare link for runs (oldest first is the baseline), with their content hashes.
pub fn compare_link(index_url: &str, runs: &[&IndexEntry]) -> String {
    let mut sorted: Vec<&IndexEntry> = runs.to_vec();
    sorted.sort_by_key(|r| r.started_unix_ms);
    crate::route::UrlState {
        view: crate::route::View::Compare,
        bundles: sorted.iter().map(|r| join(index_url, &r.path)).collect(),
        shas: sorted
            .iter()
            .map(|r| r.sha256.get(..16).unwrap_or("").to_string())
            .collect(),
        ..crate::route::UrlState::parse("")
    }
    .to_query()
}

fn picker_bar(index: &RunIndex, url: &str, picked: &[String]) -> Html {
    let runs: Vec<&IndexEntry> = index
        .runs
        .iter()
        .filter(|r| picked.contains(&r.id))
        .collect();
    let series: std::collections::BTreeSet<String> = runs.iter().map(|r| series_key(r)).collect();
    let n = runs.len();
    html! {
        <div class="picker-bar" role="region" aria-label="runs picked for comparison">
            <span>{ format!("{n} picked") }</span>
            if (2..=MAX_PICKED).contains(&n) {
                <a class="button" id="compare-picked" href={compare_link(url, &runs)}>{ format!("compare {n} runs →") }</a>
            } else if n > MAX_PICKED {
                <span class="muted">{ format!("at most {MAX_PICKED}") }</span>
            } else {
                <span class="muted">{"tick 2 to 6 runs to compare them (the oldest is the baseline)"}</span>
            }
            if series.len() > 1 {
                <span class="note inline">{ format!("not like for like: {} series", series.len()) }</span>
            }
        </div>
    }
}

fn row(r: &IndexEntry, index: &RunIndex, url: &str, picked: &UseStateHandle<Vec<String>>) -> Html {
    let href = join(url, &r.path);
    let [pass, warn, fail, nodata] = r.gates;
    let (class, words) = health_badge(r);
    let id = r.id.clone();
    let checked = picked.contains(&r.id);
    let toggle = {
        let picked = picked.clone();
        Callback::from(move |_: Event| {
            let mut v = (*picked).clone();
            match v.iter().position(|x| *x == id) {
                Some(i) => {
                    v.remove(i);
                }
                None => v.push(id.clone()),
            }
            picked.set(v);
        })
    };
    let prev = previous(index, r).map(|p| compare_link(url, &[p, r]));
    let label = r.label.clone().unwrap_or_else(|| r.machine.clone());
    html! {
        <tr class={classes!("run-row", format!("health-{class}"))}>
            <td data-label="pick"><input type="checkbox" checked={checked} onchange={toggle} aria-label={format!("pick run {} to compare", r.id)} /></td>
            <td data-label="run"><a href={crate::route::run_link(&href)}>{ &r.id }</a>
                <div class="muted small">{ format!("{} UTC", r.started_at.get(..16).unwrap_or(&r.started_at).replace('T', " ")) }</div></td>
            <td data-label="health"><span class={classes!("badge", class)}>{ words }</span></td>
            <td data-label="headline" class="num">{ headline(r) }</td>
            <td data-label="series">{ label }<div class="muted small">{ format!("{} · {}", r.target, if r.config.is_empty() { format!("{} · {}", r.strategy, r.model) } else { r.config.clone() }) }</div></td>
            <td data-label="gates">
                if fail > 0 { <span class="badge fail">{ format!("{fail} fail") }</span>{" "} }
                if warn > 0 { <span class="badge warn">{ format!("{warn} warn") }</span>{" "} }
                if nodata > 0 { <span class="badge no_data">{ format!("{nodata} no data") }</span>{" "} }
                if pass > 0 { <span class="badge pass">{ format!("{pass} pass") }</span> }
                if pass + warn + fail + nodata == 0 { <span class="muted">{"no gates"}</span> }
            </td>
            <td data-label="compare">
                { match prev { Some(q) => html!{ <a class="vs-previous" href={q}>{"vs previous →"}</a> }, None => html!{ <span class="muted">{"first of its series"}</span> } } }
            </td>
        </tr>
    }
}

/// Runs, newest first, with health, headline, gate counts, a picker and links.
#[function_component(Runs)]
pub fn runs(p: &RunsProps) -> Html {
    let filter = use_state(String::new);
    let picked = use_state(Vec::<String>::new);
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                filter.set(i.value());
            }
        })
    };
    let f = filter.to_lowercase();
    let sort = use_state(|| SortKey::Newest);
    let mut rows: Vec<&IndexEntry> = p
        .index
        .runs
        .iter()
        .rev()
        .filter(|r| {
            f.is_empty()
                || format!("{} {} {} {}", r.id, series_key(r), r.status, r.target)
                    .to_lowercase()
                    .contains(&f)
        })
        .collect();
    crate::viewmodel::sort_runs(&mut rows, *sort);
    let sort_by = |label: &'static str, key: SortKey| {
        let sort = sort.clone();
        let active = *sort == key;
        html! { <button type="button" class={classes!("sort", active.then_some("active"))} onclick={Callback::from(move |_: MouseEvent| sort.set(key))}>{ label }</button> }
    };
    html! {
        <section>
            <div class="row">
                <h2>{ format!("Runs ({})", p.index.runs.len()) }</h2>
                <label class="filter">{"Filter "}<input type="search" placeholder="id, machine, target, status" oninput={oninput} /></label>
                <span class="sorts">{"Sort: "}{ sort_by("newest", SortKey::Newest) }{ sort_by("machine", SortKey::Machine) }{ sort_by("model", SortKey::Model) }{ sort_by("failures first", SortKey::Failures) }</span>
            </div>
            { picker_bar(&p.index, &p.index_url, &picked) }
            <div class="table-scroll">
                <table id="runs" class="cards">
                    <thead><tr><th><span class="visually-hidden">{"pick"}</span></th><th>{"run"}</th><th>{"health"}</th><th>{"headline"}</th><th>{"series"}</th><th>{"gates"}</th><th>{"compare"}</th></tr></thead>
                    <tbody>{ for rows.iter().map(|r| row(r, &p.index, &p.index_url, &picked)) }</tbody>
                </table>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kokoro_bench_bundle::index::Health;

    fn entry(id: &str, t: u64, status: &str) -> IndexEntry {
        IndexEntry {
            id: id.into(),
            path: format!("runs/{id}/bundle.json"),
            sha256: "ab".repeat(32),
            started_at: "2026-12-06T05:00:00Z".into(),
            started_unix_ms: t,
            status: status.into(),
            machine: "CPU".into(),
            model: "m.onnx".into(),
            strategy: "adaptive".into(),
            cases: vec!["short".into()],
            gates: [0, 0, 0, 0],
            git_commit: None,
            target: "engine".into(),
            session: String::new(),
            summaries: None,
            label: None,
            config: String::new(),
            os: String::new(),
            audio_pruned: false,
            health: Some(Health::default()),
        }
    }

    #[test]
    fn health_tells_completed_runs_apart_and_links_find_the_previous_run() {
        assert_eq!(health_badge(&entry("a", 1, "completed")).0, "pass");
        assert!(health_badge(&entry("a", 1, "in_progress"))
            .1
            .contains("process died"));
        let mut sick = entry("b", 2, "completed");
        sick.health = Some(Health {
            trials: 3,
            failed: 2,
            stalled: 1,
            measured: 1,
            flags: vec!["content_encoding_gzip".into()],
            contended: vec![],
        });
        let (class, words) = health_badge(&sick);
        assert_eq!(class, "warn");
        assert!(
            words.contains("2 of 3 trials failed") && words.contains("content encoding gzip"),
            "{words}"
        );
        let mut other = entry("c", 3, "completed");
        other.target = "http://127.0.0.1:8880/v1/audio/speech".into();
        let index = RunIndex {
            index_version: 1,
            runs: vec![entry("a", 1, "completed"), sick.clone(), other.clone()],
        };
        assert_eq!(previous(&index, &sick).map(|r| r.id.as_str()), Some("a"));
        assert!(
            previous(&index, &other).is_none(),
            "another target is another series"
        );
        let link = compare_link("data/index.json", &[&sick, &index.runs[0]]);
        assert!(
            link.starts_with("?view=compare&bundle=data/runs/a/bundle.json&sha="),
            "{link}"
        );
    }
}
