//! The application: reads the URL, loads what it names, shows the page; drop zone for files.

use crate::load::{bundle_from_file, bundle_from_url, index_from_url};
use crate::pages::{compare::CompareView, history::HistoryView, run::RunView, runs::Runs};
use crate::route::{UrlState, View};
use crate::state::{Action, AppState, Loaded};
use crate::viewmodel::hash_matches;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

async fn load_files(files: Vec<web_sys::File>) -> Loaded {
    let mut out = Loaded::default();
    let wavs = crate::load::local_wavs(&files).await;
    for f in files.into_iter().filter(|f| f.name().ends_with(".json")) {
        match bundle_from_file(f).await {
            Ok(mut s) => {
                s.local_audio = wavs.clone();
                out.sources.push(s)
            }
            Err(e) => out.errors.push(e),
        }
    }
    if out.sources.is_empty() && out.errors.is_empty() {
        out.errors
            .push("no .json file among the dropped or picked files".into());
    }
    out
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Loads what the URL names: the index (run list, history) and the bundles, checking each
/// bundle against the hash its share link carried.
/// The origin of `url` when it is not the page's own.
fn foreign_origin(url: &str) -> Option<String> {
    let page = web_sys::window()?.location();
    let here = page.origin().ok()?;
    let u = web_sys::Url::new_with_base(url, &page.href().ok()?).ok()?;
    let there = u.origin();
    (there != here).then_some(there)
}

async fn load_url(url: UrlState) -> Loaded {
    let started = now_ms();
    let mut out = Loaded::default();
    let wants_index = url.view == View::Runs || url.view == View::History;
    if wants_index {
        out.index = Some(index_from_url(&url.index).await);
    } else if url.bundles.len() >= 2 {
        // A comparison reads the series' history from the site's index when there is one (the
        // run-to-run noise, as `kokoro-bench compare` beside an index); without it, it says so.
        out.index = Some(index_from_url(&url.index).await);
    }
    // The history reads the index's per-run summaries: no bundle is fetched.
    let bundles = if url.view == View::History {
        Vec::new()
    } else {
        url.bundles.clone()
    };
    for (i, b) in bundles.iter().enumerate() {
        if let Some(o) = foreign_origin(b).filter(|o| !out.foreign.contains(o)) {
            out.foreign.push(o);
        }
        let expected = url.shas.get(i).cloned().unwrap_or_default();
        match bundle_from_url(b).await {
            Ok(s) => {
                if hash_matches(&expected, &s.sha256) == Some(false) {
                    out.warnings.push(format!(
                        "{b} changed since this link was made: expected SHA-256 {expected}…, found {}…",
                        &s.sha256[..12]
                    ));
                }
                if let kokoro_bench_bundle::Origin::OlderSchema(v) = s.loaded.origin {
                    out.warnings
                        .push(format!("{b}: schema {v} migrated on load"));
                }
                if s.loaded.origin == kokoro_bench_bundle::Origin::LegacyRunBench {
                    out.warnings.push(format!("{b}: converted from the legacy run_bench.py format on load; its numbers are marked untrusted"));
                }
                out.sources.push(s)
            }
            Err(e) => out.errors.push(e),
        }
    }
    out.rendered_ms = Some(now_ms() - started);
    out
}

/// A link that reopens what is on screen, with the bundles' content hashes.
fn share_link(loaded: &Loaded, url: &UrlState) -> Option<String> {
    let s = &loaded.sources;
    (!s.is_empty() && s.iter().all(|x| x.base.is_some()) && url.view != View::History).then(|| {
        UrlState {
            view: if s.len() >= 2 {
                View::Compare
            } else {
                View::Run
            },
            bundles: s.iter().map(|x| x.name.clone()).collect(),
            shas: s.iter().map(|x| x.sha256[..16].to_string()).collect(),
            ..url.clone()
        }
        .to_query()
    })
}

/// The page for the URL and what was loaded.
fn body(state: &AppState, url: &UrlState) -> Html {
    let l = &state.loaded;
    if state.waiting() {
        return html! { <div class="muted">{"Loading…"}</div> };
    }
    if url.view == View::History {
        return match &l.index {
            Some(Ok(index)) => html! {
                <HistoryView index={index.clone()} index_url={url.index.clone()} metric={url.metric.clone()} case={url.case.clone()} series={url.series.clone()} />
            },
            Some(Err(e)) => {
                html! { <div class="error">{ format!("No run index, so no history: {e}. Publish runs with `kokoro-bench publish`.") }</div> }
            }
            None => html! {},
        };
    }
    if l.sources.len() >= 2 {
        let index = match &l.index {
            Some(Ok(ix)) => Some(std::rc::Rc::new(ix.clone())),
            _ => None,
        };
        return html! { <CompareView sources={l.sources.clone()} allow_different={url.allow_different} url={Some(url.clone())} index={index} /> };
    }
    if let Some(src) = l.sources.first() {
        return html! { <RunView source={src.clone()} /> };
    }
    match &l.index {
        Some(Ok(index)) => html! { <Runs index={index.clone()} index_url={url.index.clone()} /> },
        Some(Err(e)) => {
            html! { <div class="error">{ format!("No run index: {e}. Open a bundle with ?bundle=URL or drop bundle.json files here.") }</div> }
        }
        None => html! {},
    }
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|f| (0..f.length()).filter_map(|i| f.get(i)).collect())
        .unwrap_or_default()
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let url = use_memo(query, |q| UrlState::parse(q));
    let state = use_reducer(AppState::default);
    {
        let state = state.clone();
        use_effect_with((*url).clone(), move |url| {
            let url = url.clone();
            let pending = url.bundles.len()
                + usize::from(url.view == View::Runs || url.view == View::History);
            state.dispatch(Action::Loading(pending));
            spawn_local(async move { state.dispatch(Action::Loaded(load_url(url).await)) });
            || ()
        });
    }
    let load = {
        let state = state.clone();
        move |files: Vec<web_sys::File>| {
            let state = state.clone();
            spawn_local(async move { state.dispatch(Action::Loaded(load_files(files).await)) });
        }
    };
    let ondrop = {
        let (state, load) = (state.clone(), load.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            state.dispatch(Action::DragOver(false));
            load(files_of(e.data_transfer().and_then(|d| d.files())));
        })
    };
    let onpick = Callback::from(move |e: Event| {
        if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            load(files_of(input.files()));
        }
    });
    let ondragover = {
        let state = state.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            state.dispatch(Action::DragOver(true));
        })
    };
    let ondragleave = {
        let state = state.clone();
        Callback::from(move |_: DragEvent| state.dispatch(Action::DragOver(false)))
    };
    {
        // For measurement: milliseconds from navigation start until the loaded data is on screen.
        let ready = state.loaded.rendered_ms.is_some();
        use_effect_with(ready, move |ready| {
            if *ready {
                if let Some(w) = web_sys::window() {
                    let _ = js_sys::Reflect::set(&w, &"__kb_ready_ms".into(), &now_ms().into());
                }
            }
            || ()
        });
    }
    let l = &state.loaded;
    let share = share_link(l, &url);
    html! {
        <>
            <header>
                <h1>{"kokoro-bench"}</h1>
                <a href="?view=runs">{"runs"}</a>
                <a href="?view=history">{"history"}</a>
                // Always in the layout (hidden until there is a link), so the page below does
                // not move when it appears (cumulative layout shift).
                <a id="share" href={share.clone().unwrap_or_default()} class={classes!(share.is_none().then_some("invisible"))} aria-hidden={share.is_none().then_some("true")} tabindex={share.is_none().then_some("-1")} title="a link that reopens exactly this view, with content hashes">{"share link"}</a>
            </header>
            <main ondrop={ondrop} ondragover={ondragover} ondragleave={ondragleave}>
                if !l.foreign.is_empty() {
                    <div class="error origin-banner" id="origin-banner" role="alert">{ format!(
                        "Not from this site: these numbers were loaded from {} — anyone can publish a bundle and link to it from here. Check who made them before you trust them.",
                        l.foreign.join(", ")) }</div>
                }
                { for l.errors.iter().map(|e| html!{ <div class="error load-error">{ e }</div> }) }
                { for l.warnings.iter().map(|w| html!{ <div class="note load-warning">{ w }</div> }) }
                { body(&state, &url) }
                // Below the content, so it appears only once the content is there: drawn while
                // loading, it would be pushed down the screen by what arrives (layout shift).
                if !state.waiting() {
                    <div class={classes!("drop", state.drag_over.then_some("over"))}>
                        <label for="pick-files">{"Drop bundle.json files (with their WAVs, to listen) here to open or compare them (first = baseline), or pick them: "}</label>
                        <input id="pick-files" type="file" accept=".json,application/json,.wav,audio/wav" multiple=true onchange={onpick} />
                    </div>
                    <footer class="muted">{ l.rendered_ms.map(|ms| format!("loaded in {ms:.0} ms")).unwrap_or_default() }</footer>
                }
            </main>
        </>
    }
}
