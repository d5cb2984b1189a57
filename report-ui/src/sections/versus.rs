//! The versus suite's section: every target side by side with verdicts against the run's own,
//! the shared presentation rows as the CLI prints them.

use kokoro_bench_bundle::present;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

/// The section, or nothing when the suite did not run.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::versus::section(b), || html! {})
}
