//! The run page's run-level sections, one file per suite, registered in [`SECTIONS`]. Each
//! renders the bundle crate's presentation rows for its suite (the CLI prints the same rows) and
//! adds what only a page can show — a chart.

pub mod agent;
pub mod barge;
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

/// A page section: the id of the presentation section it renders, and its renderer.
pub type PageSection = (&'static str, fn(&Bundle) -> Html);

/// Every run-level section, in page order, under the id of the presentation section it renders;
/// each renders nothing when its suite did not run.
pub const SECTIONS: &[PageSection] = &[
    ("target", target::render),
    ("machine", machine::render),
    ("gates", gates::render),
    ("judges", judges::render),
    ("providers", providers::render),
    ("dual", dual::render),
    ("hardware", hardware::render),
    ("soak", soak::render),
    ("agent", agent::render),
    ("barge", barge::render),
    ("capacity", capacity::render),
    ("versus", versus::render),
    ("memory", memory::render),
];

/// Renders a presentation section (if any) with an optional chart under its heading.
pub fn rows(s: Option<Section>, chart: impl FnOnce() -> Html) -> Html {
    match s {
        Some(s) => section(&s, chart()),
        None => html! {},
    }
}

#[cfg(test)]
mod tests {
    use super::SECTIONS;
    use kokoro_bench_bundle::present::{suite_section_ids, RUN_SECTIONS};

    #[test]
    fn every_suite_with_a_section_of_its_own_has_one_on_the_page() {
        for id in suite_section_ids() {
            let n = SECTIONS.iter().filter(|(i, _)| *i == id).count();
            assert_eq!(n, 1, "the page renders suite section {id} {n} times");
        }
        for (id, _) in SECTIONS {
            assert!(
                *id == "target" || RUN_SECTIONS.iter().any(|(r, _)| r == id),
                "page section {id} renders no presentation section"
            );
        }
    }
}
