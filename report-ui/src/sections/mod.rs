//! The run page's run-level sections, one file per suite, registered in [`SECTIONS`]. Each
//! renders the bundle crate's presentation rows for its suite (the CLI prints the same rows) and
//! adds what only a page can show — a chart.

pub mod agent;
pub mod capacity;
pub mod dual;
pub mod gates;
pub mod hardware;
pub mod judges;
pub mod machine;
pub mod memory;
pub mod providers;
pub mod soak;
pub mod target;
pub mod versus;

use crate::components::section::section;
use kokoro_bench_bundle::present::Section;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

/// Every run-level section, in page order; each renders nothing when its suite did not run.
pub const SECTIONS: &[fn(&Bundle) -> Html] = &[
    target::render,
    machine::render,
    gates::render,
    judges::render,
    providers::render,
    dual::render,
    hardware::render,
    soak::render,
    agent::render,
    capacity::render,
    versus::render,
    memory::render,
];

/// Renders a presentation section (if any) with an optional chart under its heading.
pub fn rows(s: Option<Section>, chart: impl FnOnce() -> Html) -> Html {
    match s {
        Some(s) => section(&s, chart()),
        None => html! {},
    }
}
