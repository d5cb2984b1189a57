//! The application: reads the URL, loads what it names, shows the page; drop zone for files.

use crate::load::{bundle_from_file, bundle_from_url, index_from_url, Source};
use crate::viewmodel::{UrlState, View};
use crate::views::{compare::CompareView, run::RunView, runs::Runs};
use kokoro_bench_bundle::index::RunIndex;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[derive(Clone, Default)]
struct Loaded {
    index: Option<Result<RunIndex, String>>,
    sources: Vec<Source>,
    errors: Vec<String>,
    pending: usize,
    rendered_ms: Option<f64>,
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
                pending: url.bundles.len() + usize::from(url.view == View::Runs),
                ..Default::default()
            });
            spawn_local(async move {
                let mut out = Loaded::default();
                if url.view == View::Runs {
                    out.index = Some(index_from_url(&url.index).await);
                }
                for b in &url.bundles {
                    match bundle_from_url(b).await {
                        Ok(s) => out.sources.push(s),
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
            spawn_local(async move {
                let mut out = Loaded::default();
                for f in files.into_iter().filter(|f| f.name().ends_with(".json")) {
                    match bundle_from_file(f).await {
                        Ok(s) => out.sources.push(s),
                        Err(e) => out.errors.push(e),
                    }
                }
                state.set(out);
            });
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

    let s = &*state;
    let body = if s.pending > 0 && s.sources.is_empty() && s.errors.is_empty() && s.index.is_none()
    {
        html! { <div class="muted">{"Loading…"}</div> }
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
                <span class="muted">{ s.rendered_ms.map(|ms| format!("loaded in {ms:.0} ms")).unwrap_or_default() }</span>
            </header>
            <main ondrop={ondrop} ondragover={ondragover} ondragleave={ondragleave}>
                { for s.errors.iter().map(|e| html!{ <div class="error load-error">{ e }</div> }) }
                { body }
                <div class={classes!("drop", over.then_some("over"))}>{"Drop bundle.json files here to open or compare them (first = baseline)."}</div>
            </main>
        </>
    }
}
