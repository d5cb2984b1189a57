//! Components every page shares: charts, the streaming timeline, and the renderer of the bundle
//! crate's presentation sections (the same rows the CLI prints as Markdown).

pub mod charts;
pub mod player;
pub mod section;
pub mod timeline;

/// Runs `f` once the browser has painted (a zero timeout), so a page can show its first part
/// before it builds the next. Natively (tests, SSR) it runs nothing.
pub fn later(f: impl FnOnce() + 'static) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let cb = Closure::once_into_js(f);
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 0);
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    drop(f);
}
