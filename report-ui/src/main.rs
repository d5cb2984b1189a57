//! Entry point of the report site (wasm).

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<kokoro_bench_report::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kokoro-bench-report is a web page: build it with `trunk build` in report-ui/");
}
