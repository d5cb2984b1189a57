//! The gate board.

use kokoro_bench_bundle::present;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

/// Gates, or how to get them.
pub fn render(b: &Bundle) -> Html {
    match present::gates::section(b) {
        Some(s) => super::rows(Some(s), || html! {}),
        None => html! {
            <section id="gates-none">
                <h2>{"Gates"}</h2>
                <div class="muted">{"No gates were evaluated for this run (run with --gates FILE)."}</div>
            </section>
        },
    }
}
