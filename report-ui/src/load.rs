//! Loading bundles and the index from URLs and dropped files (browser only). Everything loaded is
//! untrusted: size-bounded, parsed by the bundle crate, rendered as text.

use kokoro_bench_bundle::index::RunIndex;
use kokoro_bench_bundle::read::MAX_BUNDLE_BYTES;
use kokoro_bench_bundle::{read_bundle, Loaded};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A bundle as loaded, with where it came from.
#[derive(Clone)]
pub struct Source {
    /// URL or file name.
    pub name: String,
    /// Base URL for its audio files (`None` for dropped files without their WAVs).
    pub base: Option<String>,
    /// The bundle and what migration did.
    pub loaded: std::rc::Rc<Loaded>,
    /// SHA-256 of the bytes as loaded (hex).
    pub sha256: String,
    /// Object URLs of WAV files dropped together with the bundle, by the files' SHA-256 (so two
    /// runs' `short-t1.wav` each play under their own bundle).
    pub local_audio: std::collections::BTreeMap<String, String>,
}

impl Source {
    /// Where an artifact of this bundle can be fetched: beside the bundle's URL, or among the
    /// files dropped with it — the one whose SHA-256 the bundle recorded for that path, never
    /// another run's file of the same name.
    pub fn artifact_url(&self, rel: &str) -> Option<String> {
        match &self.base {
            Some(_) => resolve(&self.base, rel),
            None => {
                let sha = self
                    .loaded
                    .bundle
                    .cases
                    .iter()
                    .flat_map(|c| &c.trials)
                    .filter_map(|t| t.audio.as_ref())
                    .find(|a| a.path == rel)
                    .map(|a| a.sha256.to_lowercase())?;
                self.local_audio.get(&sha).cloned()
            }
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn js_err(e: wasm_bindgen::JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "unknown error".into())
}

/// Fetches a URL as text (bounded).
///
/// # Errors
/// Network errors, HTTP errors and oversize bodies, with the URL.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("cannot fetch {url}: {}", js_err(e)))?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| format!("not a response: {url}"))?;
    if !resp.ok() {
        return Err(format!(
            "HTTP {} {} for {url}",
            resp.status(),
            resp.status_text()
        ));
    }
    if let Ok(Some(len)) = resp.headers().get("content-length") {
        if len.parse::<usize>().unwrap_or(0) > MAX_BUNDLE_BYTES {
            return Err(format!(
                "{url} is {len} bytes; bundles over {MAX_BUNDLE_BYTES} bytes are refused"
            ));
        }
    }
    let text = JsFuture::from(resp.text().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    text.as_string()
        .ok_or_else(|| format!("{url}: body is not text"))
}

/// Loads a bundle from a URL.
///
/// # Errors
/// Fetch and read errors, naming the URL.
pub async fn bundle_from_url(url: &str) -> Result<Source, String> {
    let text = fetch_text(url).await?;
    let loaded = read_bundle(text.as_bytes()).map_err(|e| format!("{e} ({url})"))?;
    let base = web_sys::Url::new_with_base(
        url,
        &web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default(),
    )
    .ok()
    .map(|u| u.href());
    Ok(Source {
        name: url.to_string(),
        base,
        loaded: std::rc::Rc::new(loaded),
        sha256: sha256_hex(text.as_bytes()),
        local_audio: Default::default(),
    })
}

/// Loads the run index.
///
/// # Errors
/// Fetch errors and malformed JSON, naming the URL.
pub async fn index_from_url(url: &str) -> Result<RunIndex, String> {
    let text = fetch_text(url).await?;
    serde_json::from_str(&text).map_err(|e| format!("not a kokoro-bench index: {e} ({url})"))
}

/// Reads a dropped or picked file as a bundle.
///
/// # Errors
/// Oversize files and read errors, naming the file.
pub async fn bundle_from_file(file: web_sys::File) -> Result<Source, String> {
    let name = file.name();
    if file.size() > MAX_BUNDLE_BYTES as f64 {
        return Err(format!(
            "{name} is {} bytes; bundles over {MAX_BUNDLE_BYTES} bytes are refused",
            file.size()
        ));
    }
    let text = JsFuture::from(file.text())
        .await
        .map_err(js_err)?
        .as_string()
        .unwrap_or_default();
    let loaded = read_bundle(text.as_bytes()).map_err(|e| format!("{e} ({name})"))?;
    Ok(Source {
        name,
        base: None,
        loaded: std::rc::Rc::new(loaded),
        sha256: sha256_hex(text.as_bytes()),
        local_audio: Default::default(),
    })
}

/// Object URLs for dropped WAV files, by the SHA-256 of their bytes (bundles record it for
/// every WAV they keep). Files over the bundle size bound are skipped.
pub async fn local_wavs(files: &[web_sys::File]) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for f in files
        .iter()
        .filter(|f| f.name().to_lowercase().ends_with(".wav"))
        .filter(|f| f.size() <= MAX_BUNDLE_BYTES as f64)
    {
        let Ok(buf) = JsFuture::from(f.array_buffer()).await else {
            continue;
        };
        let bytes = js_sys::Uint8Array::new(&buf).to_vec();
        if let Ok(url) = web_sys::Url::create_object_url_with_blob(f) {
            out.insert(sha256_hex(&bytes), url);
        }
    }
    out
}

/// Resolves an artifact path against a bundle's URL.
pub fn resolve(base: &Option<String>, rel: &str) -> Option<String> {
    web_sys::Url::new_with_base(rel, base.as_deref()?)
        .ok()
        .map(|u| u.href())
}
