//! Components rendered natively with Yew's server renderer and compared with committed snapshots
//! (bless with `KOKORO_BENCH_BLESS=1`). The fixture is a real runner bundle; a hostile copy checks
//! that bundle strings are rendered as text.

use kokoro_bench_bundle::read_bundle;
use kokoro_bench_report::load::Source;
use kokoro_bench_report::pages::run::{RunProps, RunView};
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
async fn the_run_page_explains_its_charts_and_metrics() {
    let html = render(source(&fixture())).await;
    for needle in [
        // Axes with units on the timeline (shared by the waveform) and the memory chart.
        "time since the request (s)",
        "audio (s)",
        "seconds since the run started",
        " MB</text>",
        // Hover values on every point.
        "<title>warm trial 1: ",
        "<title>cold start: ",
        "<title>chunk 1 at ",
        " · RSS ",
        // A definition on every metric.
        "<abbr title=\"Request → a real-time player",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    let chunk_dots = html.matches("class=\"chunk\"").count();
    let chunk_titles = html.matches("<title>chunk ").count();
    assert!(chunk_dots > 0 && chunk_dots == chunk_titles);
    for debug in ["Some(", "None", "Engine vs", "Http"] {
        assert!(
            !html.contains(debug),
            "Rust debug text {debug:?} on the page"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_soak_chart_has_axes_and_a_value_on_every_window() {
    let mut v: serde_json::Value = serde_json::from_slice(&fixture()).unwrap();
    v["plan"]["suites"]
        .as_array_mut()
        .unwrap()
        .push("soak".into());
    v["soak"] = serde_json::json!({
        "duration_s": 30.0, "concurrency": 1, "requests": 12,
        "window_t_ms": [0.0, 10000.0, 20000.0],
        "window_ttfa_p50_ms": [800.0, null, 950.0],
        "window_rtf_p50": [0.5, null, 0.6], "window_rss_bytes": [null, null, null],
        "request_ttfa_ms": [], "errors_by_kind": {}
    });
    let html = render(source(&serde_json::to_vec(&v).unwrap())).await;
    for needle in [
        "seconds into the soak (window start)",
        "<title>window 1 (from 0 s): median TTFA 800 ms</title>",
        "<title>window 3 (from 20 s): median TTFA 950 ms</title>",
        "2 of 3 windows had an answer",
        " ms</text>",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
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

#[tokio::test(flavor = "current_thread")]
async fn accelerator_activity_is_shown_beside_its_idle_baseline() {
    let mut v: serde_json::Value = serde_json::from_slice(&fixture()).unwrap();
    let activity = |gpu: f64, ane: f64| {
        serde_json::json!({"samples": 40, "sampled_s": 8.0, "gpu_active_ratio": gpu,
            "gpu_freq_mhz": 1398.0, "gpu_power_mw": 900.0, "ane_power_mw": ane, "cpu_power_mw": 1200.0})
    };
    v["providers"] = serde_json::json!({
        "reference": "cpu-2t", "min_snr_db": 20.0,
        "accelerator_activity": "recorded by powermetrics (cpu_power, gpu_power samplers, every 200 ms): 48 samples",
        "accelerator_idle": activity(0.02, 0.0),
        "variants": [
            {"name": "cpu-2t", "requested": {}, "accelerator": activity(0.03, 0.0)},
            {"name": "coreml-ane", "requested": {}, "accelerator": activity(0.05, 1834.0)}
        ]
    });
    let html = render(source(&serde_json::to_vec(&v).unwrap())).await;
    for needle in [
        "(idle baseline)",
        "ANE mW",
        "1834",
        "coreml-ane",
        "40 (8.0 s)",
        "48 samples",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    // Without recorded activity there is no table, only the note.
    v["providers"]["accelerator_idle"] = serde_json::Value::Null;
    for variant in v["providers"]["variants"].as_array_mut().unwrap() {
        variant["accelerator"] = serde_json::Value::Null;
    }
    let html = render(source(&serde_json::to_vec(&v).unwrap())).await;
    assert!(!html.contains("ANE mW") && html.contains("48 samples"));
}

#[tokio::test(flavor = "current_thread")]
async fn history_lines_up_runs_from_the_index_alone() {
    use kokoro_bench_bundle::index::{IndexEntry, RunIndex};
    use kokoro_bench_report::pages::history::{HistoryProps, HistoryView};
    let base = read_bundle(&fixture()).unwrap().bundle;
    let mut index = RunIndex::default();
    // Three runs of one series (one machine label, target and configuration); the third on a
    // newer OS and 40 % slower. A fourth with another strategy is a series of its own.
    for (i, (strategy, os_version, scale)) in [
        ("progressive", "12", 1.0),
        ("progressive", "12", 1.0),
        ("progressive", "13", 1.4),
        ("clause", "13", 1.0),
    ]
    .into_iter()
    .enumerate()
    {
        let mut b = base.clone();
        b.run.id = format!("run-{i}");
        b.run.started_unix_ms += i as u64 * 3_600_000;
        b.run.git_commit = Some(format!("{i}abcdef0123456789"));
        b.plan.strategy = strategy.into();
        b.machine.os_version = os_version.into();
        for c in &mut b.cases {
            for t in &mut c.trials {
                t.ttfa_ms = t.ttfa_ms.map(|v| v * scale);
            }
        }
        index.upsert(IndexEntry::of(
            &b,
            format!("runs/run-{i}/bundle.json"),
            format!("{i}").repeat(64),
        ));
    }
    let series = kokoro_bench_bundle::index::series_key(&index.runs[0]);
    let html = yew::LocalServerRenderer::<HistoryView>::with_props(HistoryProps {
        index,
        index_url: "data/index.json".into(),
        metric: Some("ttfa_ms".into()),
        case: Some("medium".into()),
        series: Some(series.clone()),
    })
    .hydratable(false)
    .render()
    .await;
    for needle in [
        "History: TTFA (first sample) — medium",
        "3 run(s) in time order",
        "↑ set-up changed: OS ",
        "?view=run&amp;bundle=data/runs/run-2/bundle.json&amp;sha=2222222222222222",
        "?view=compare&amp;bundle=data/runs/run-1/bundle.json&amp;sha=1111111111111111&amp;bundle=data/runs/run-2/bundle.json",
        "2abcdef012",
        "+40.0 %",
        "class=\"selected\"",
    ] {
        assert!(html.contains(needle), "missing {needle:?} in {html}");
    }
    assert!(
        !html.contains("bundle=data/runs/run-3/"),
        "another configuration is another series"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_turn_run_shows_its_figures_per_turn_size_and_a_timeline_per_case() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/v2/engine-turns-2cases.json"),
    )
    .unwrap();
    let html = render(source(&bytes)).await;
    for needle in [
        "Voice-agent turns",
        "Text arrived at 40 tokens/s",
        "9–20 words",
        "<figure class=\"turn\"",
        "w9-20-flights: 2 piece(s); heard ",
        "<title>piece 2: “The earliest leaves at six fifteen.” sent at ",
        "ms after the first token</text>",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    assert_eq!(
        html.matches("<figure class=\"turn\"").count(),
        2,
        "one turn per case"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_barge_in_run_shows_its_table_and_the_servers_cpu_after_each_interruption() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/v2/http-fastkokoro-barge-2cases.json"),
    )
    .unwrap();
    let html = render(source(&bytes)).await;
    for needle in [
        "Barge-in",
        "interrupted after 1.0 s heard",
        "<figure class=\"barge\"",
        "long — CPU after the interruption",
        "ms after the listener interrupted",
        "released ",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_merged_shard_sweep_says_where_its_requests_came_from() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/v2/http-fastkokoro-capacity-2shards-merged.json"),
    )
    .unwrap();
    let html = render(source(&bytes)).await;
    for needle in [
        "Sustainable: 2 listeners",
        "Merged from 2 shards",
        "The load generator",
        "merged from 2 shards (1: 20261206T192425Z-f784c0",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
}
