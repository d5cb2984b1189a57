//! The judges suite's section: the shared presentation rows (scores per judged trial, the
//! models and what judging cost, or why the suite was skipped), as the CLI prints them.

use kokoro_bench_bundle::present;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

/// The section, or nothing when the suite did not run.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::judges::section(b), || html! {})
}
