//! An audio player that seeks on any static server, says when a WAV was not kept, and has a
//! name a screen reader reads.
//!
//! It starts on the file's own URL (servers with HTTP ranges, such as `kokoro-bench view`, seek
//! it as they are). When the metadata shows the server cannot seek (no ranges: `python3 -m
//! http.server`, some static hosts), the file is fetched once and played from a Blob URL, which
//! always seeks. A 404 — the site's audio retention removed the WAVs of older runs — is said in
//! words instead of a dead control.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// Props of [`Player`].
#[derive(Properties, PartialEq)]
pub struct PlayerProps {
    /// The WAV's URL (or an object URL of a dropped file).
    pub src: String,
    /// What is playing, for screen readers: `short — baseline`.
    pub label: String,
    /// Extra classes on the audio element (tests select `listen-a`, `listen-b`).
    #[prop_or_default]
    pub class: Classes,
    /// A handle on the audio element, for a chart that seeks it.
    #[prop_or_default]
    pub node: NodeRef,
    /// Called with the playhead (audio seconds) as it moves.
    #[prop_or_default]
    pub ontime: Callback<f64>,
}

#[derive(Clone, PartialEq)]
enum Source {
    /// The file's own URL.
    Direct,
    /// Fetched whole, played from this object URL.
    Blob(String),
    /// The server does not have it.
    Missing,
}

async fn as_blob_url(src: &str) -> Option<String> {
    let window = web_sys::window()?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(src))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !resp.ok() {
        return None;
    }
    let blob: web_sys::Blob = JsFuture::from(resp.blob().ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// The player.
#[function_component(Player)]
pub fn player(p: &PlayerProps) -> Html {
    let source = use_state(|| Source::Direct);
    {
        let source = source.clone();
        use_effect_with(p.src.clone(), move |_| {
            source.set(Source::Direct);
            || ()
        });
    }
    let onloadedmetadata = {
        let (source, src) = (source.clone(), p.src.clone());
        Callback::from(move |e: Event| {
            let Some(a) = e.target_dyn_into::<web_sys::HtmlMediaElement>() else {
                return;
            };
            let seekable = a.seekable();
            let cannot_seek = seekable.length() == 0
                || seekable.end(0).unwrap_or(0.0) <= 0.0
                || src.starts_with("blob:");
            if cannot_seek && *source == Source::Direct && !src.starts_with("blob:") {
                let (source, src) = (source.clone(), src.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Some(url) = as_blob_url(&src).await {
                        source.set(Source::Blob(url));
                    }
                });
            }
        })
    };
    let onerror = {
        let source = source.clone();
        Callback::from(move |_: Event| {
            if *source == Source::Direct {
                source.set(Source::Missing);
            }
        })
    };
    let ontimeupdate = {
        let cb = p.ontime.clone();
        Callback::from(move |e: Event| {
            if let Some(a) = e.target_dyn_into::<web_sys::HtmlMediaElement>() {
                cb.emit(a.current_time());
            }
        })
    };
    let url = match &*source {
        Source::Direct => p.src.clone(),
        Source::Blob(u) => u.clone(),
        Source::Missing => {
            return html! { <span class="muted audio-missing">{ format!("{}: the audio was not kept (the site keeps WAVs for its newest runs of each series)", p.label) }</span> };
        }
    };
    html! {
        <audio ref={p.node.clone()} class={p.class.clone()} controls=true preload="metadata" src={url}
            aria-label={p.label.clone()} title={p.label.clone()}
            onloadedmetadata={onloadedmetadata} onerror={onerror} ontimeupdate={ontimeupdate} />
    }
}
