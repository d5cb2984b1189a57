//! Components rendered natively with Yew's server renderer and compared with committed snapshots
//! (bless with `KOKORO_BENCH_BLESS=1`). The fixture is a real runner bundle; a hostile copy checks
//! that bundle strings are rendered as text.

use kokoro_bench_bundle::read_bundle;
use kokoro_bench_report::load::Source;
use kokoro_bench_report::views::run::{RunProps, RunView};
use std::path::Path;
use std::rc::Rc;

fn fixture() -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/v1/engine-progressive-3cases.json"),
    )
    .unwrap()
}

fn source(bytes: &[u8]) -> Source {
    Source {
        name: "bundle.json".into(),
        base: None,
        loaded: Rc::new(read_bundle(bytes).unwrap()),
        sha256: "0".repeat(64),
        local_audio: Default::default(),
    }
}

async fn render(src: Source) -> String {
    yew::LocalServerRenderer::<RunView>::with_props(RunProps { source: src })
        .hydratable(false)
        .render()
        .await
}

fn check_snapshot(name: &str, html: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("KOKORO_BENCH_BLESS").is_some() {
        std::fs::write(&path, html).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == html,
        "{} differs from the rendering; review and bless with KOKORO_BENCH_BLESS=1",
        path.display()
    );
}

#[tokio::test(flavor = "current_thread")]
async fn run_view_renders_the_fixture() {
    let html = render(source(&fixture())).await;
    for needle in [
        "Run 20261123T223746Z-ca7641",
        "short — 61 chars",
        "medium — 138 chars",
        "TTFA (first sample)",
        "Memory and CPU",
        "Drop the WAV files",
    ] {
        let found = html.contains(needle)
            || (needle == "Drop the WAV files" && html.contains("drop the WAV files"));
        assert!(found, "missing {needle:?}");
    }
    check_snapshot("run_view.html", &html);
}

#[tokio::test(flavor = "current_thread")]
async fn bundle_strings_are_rendered_as_text() {
    let mut v: serde_json::Value = serde_json::from_slice(&fixture()).unwrap();
    v["run"]["id"] = "<img src=x onerror=alert(1)>".into();
    v["provenance"]["voice_id"] = "<script>alert(2)</script>".into();
    let html = render(source(&serde_json::to_vec(&v).unwrap())).await;
    assert!(
        !html.contains("<img src=x") && !html.contains("<script>alert"),
        "markup from a bundle was rendered"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}
