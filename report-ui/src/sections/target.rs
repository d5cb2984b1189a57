//! What the target was and how requests reached it: the HTTP connection set-up, or the
//! command's program, mode, worker start-up and stderr — the shared rows, as the CLI prints them.

use kokoro_bench_bundle::present;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

/// The HTTP or command section, or the engine's joins and schedule.
pub fn render(b: &Bundle) -> Html {
    let http = super::rows(present::cases::http(b), || html! {});
    let command = super::rows(present::command::section(b), || html! {});
    let joins = super::rows(present::cases::joins(b), || html! {});
    html! { <>{ joins }{ command }{ http }</> }
}
