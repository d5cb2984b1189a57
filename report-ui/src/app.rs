//! The application: reads the URL, loads what it names, shows the page; drop zone for files.

use crate::load::{bundle_from_file, bundle_from_url, index_from_url, Source};
use crate::viewmodel::{hash_matches, UrlState, View};
use crate::views::{compare::CompareView, history::HistoryView, run::RunView, runs::Runs};
use kokoro_bench_bundle::index::RunIndex;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[derive(Clone, Default)]
struct Loaded {
    index: Option<Result<RunIndex, String>>,
    sources: Vec<Source>,
    errors: Vec<String>,
    warnings: Vec<String>,
    pending: usize,
    rendered_ms: Option<f64>,
}

async fn load_files(files: Vec<web_sys::File>) -> Loaded {
    let mut out = Loaded::default();
    let wavs = crate::load::local_wavs(&files);
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

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let url = use_memo(query, |q| UrlState::parse(q));
    let state = use_state(Loaded::default);
    let over = use_state(|| false);

    {
        let state = state.clone();
        let url = (*url).clone();
        use_effect_with(url, move |url| {
            let url = url.clone();
            let started = now_ms();
            state.set(Loaded {
                pending: url.bundles.len()
                    + usize::from(url.view == View::Runs || url.view == View::History),
                ..Default::default()
            });
            spawn_local(async move {
                let mut out = Loaded::default();
                let mut urls: Vec<(String, String)> = url
                    .bundles
                    .iter()
                    .cloned()
                    .zip(
                        url.shas
                            .iter()
                            .cloned()
                            .chain(std::iter::repeat(String::new())),
                    )
                    .collect();
                if url.view == View::Runs || url.view == View::History {
                    // The history reads the index's per-run summaries: no bundle is fetched.
                    if url.view == View::History {
                        urls.clear();
                    }
                    out.index = Some(index_from_url(&url.index).await);
                }
                for (b, expected) in &urls {
                    match bundle_from_url(b).await {
                        Ok(s) => {
                            if hash_matches(expected, &s.sha256) == Some(false) {
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
                state.set(out);
            });
            || ()
        });
    }

    let ondrop = {
        let state = state.clone();
        let over = over.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(false);
            let Some(files) = e.data_transfer().and_then(|d| d.files()) else {
                return;
            };
            let state = state.clone();
            let files: Vec<web_sys::File> =
                (0..files.length()).filter_map(|i| files.get(i)).collect();
            spawn_local(async move { state.set(load_files(files).await) });
        })
    };
    let onpick = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let Some(files) = input.files() else { return };
            let files: Vec<web_sys::File> =
                (0..files.length()).filter_map(|i| files.get(i)).collect();
            let state = state.clone();
            spawn_local(async move { state.set(load_files(files).await) });
        })
    };
    let ondragover = {
        let over = over.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(true);
        })
    };
    let ondragleave = {
        let over = over.clone();
        Callback::from(move |_: DragEvent| over.set(false))
    };

    {
        // For measurement: milliseconds from navigation start until the loaded data is on screen.
        let ready = state.rendered_ms.is_some();
        use_effect_with(ready, move |ready| {
            if *ready {
                if let Some(w) = web_sys::window() {
                    let _ = js_sys::Reflect::set(&w, &"__kb_ready_ms".into(), &now_ms().into());
                }
            }
            || ()
        });
    }
    let s = &*state;
    let share = (!s.sources.is_empty()
        && s.sources.iter().all(|x| x.base.is_some())
        && url.view != View::History)
        .then(|| {
            let st = UrlState {
                view: if s.sources.len() >= 2 {
                    View::Compare
                } else {
                    View::Run
                },
                bundles: s.sources.iter().map(|x| x.name.clone()).collect(),
                shas: s
                    .sources
                    .iter()
                    .map(|x| x.sha256[..16].to_string())
                    .collect(),
                ..(*url).clone()
            };
            st.to_query()
        });
    let body = if s.pending > 0 && s.sources.is_empty() && s.errors.is_empty() && s.index.is_none()
    {
        html! { <div class="muted">{"Loading…"}</div> }
    } else if url.view == View::History {
        match &s.index {
            Some(Ok(index)) => html! {
                <HistoryView index={index.clone()} index_url={url.index.clone()} metric={url.metric.clone()} case={url.case.clone()} series={url.series.clone()} />
            },
            Some(Err(e)) => {
                html! { <div class="error">{ format!("No run index, so no history: {e}. Publish runs with `kokoro-bench publish`.") }</div> }
            }
            None => html! {},
        }
    } else if s.sources.len() >= 2 {
        html! { <CompareView sources={s.sources.clone()} /> }
    } else if let Some(src) = s.sources.first() {
        html! { <RunView source={src.clone()} /> }
    } else {
        match &s.index {
            Some(Ok(index)) => {
                html! { <Runs index={index.clone()} index_url={url.index.clone()} /> }
            }
            Some(Err(e)) => {
                html! { <div class="error">{ format!("No run index: {e}. Open a bundle with ?bundle=URL or drop bundle.json files here.") }</div> }
            }
            None => html! {},
        }
    };
    html! {
        <>
            <header>
                <h1>{"kokoro-bench"}</h1>
                <a href="?view=runs">{"runs"}</a>
                <a href="?view=history">{"history"}</a>
                if let Some(q) = &share { <a id="share" href={q.clone()} title="a link that reopens exactly this view, with content hashes">{"share link"}</a> }
                <span class="muted">{ s.rendered_ms.map(|ms| format!("loaded in {ms:.0} ms")).unwrap_or_default() }</span>
            </header>
            <main ondrop={ondrop} ondragover={ondragover} ondragleave={ondragleave}>
                { for s.errors.iter().map(|e| html!{ <div class="error load-error">{ e }</div> }) }
                { for s.warnings.iter().map(|w| html!{ <div class="note load-warning">{ w }</div> }) }
                { body }
                <div class={classes!("drop", over.then_some("over"))}>
                    {"Drop bundle.json files here to open or compare them (first = baseline), or "}
                    <input type="file" accept=".json,application/json" multiple=true onchange={onpick} />
                </div>
            </main>
        </>
    }
}
