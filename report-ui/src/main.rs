//! Entry point of the report site (wasm).

#[cfg(target_arch = "wasm32")]
fn main() {
    // The static shell in index.html (header, "loading", the file:// hint) is for the moments
    // before this runs; the page draws the same header in its place.
    if let Some(shell) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("static-shell"))
    {
        shell.remove();
    }
    yew::Renderer::<kokoro_bench_report::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kokoro-bench-report is a web page: build it with `trunk build` in report-ui/");
}
