//! Entry point of the report site (wasm).

#[cfg(target_arch = "wasm32")]
fn main() {
    // The static hint in index.html is for pages that cannot run (opened from file://).
    if let Some(hint) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("static-hint"))
    {
        hint.remove();
    }
    yew::Renderer::<kokoro_bench_report::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kokoro-bench-report is a web page: build it with `trunk build` in report-ui/");
}
