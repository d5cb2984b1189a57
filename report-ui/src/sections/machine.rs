//! The machine while the run measured: other processes' CPU and steal per case (contended cases
//! in red), the speed probes through the run, the quiet check — beside the numbers they qualify.

use kokoro_bench_bundle::present;
use kokoro_bench_bundle::Bundle;
use yew::prelude::*;

/// The machine section, when the bundle recorded the machine's load or probes.
pub fn render(b: &Bundle) -> Html {
    super::rows(present::machine::section(b), || html! {})
}
