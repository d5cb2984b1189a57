//! Every committed fixture loads (or fails) as documented. Fixtures are never regenerated: they
//! are what older tools wrote, and readers must keep reading them.

use kokoro_bench_bundle::gates::{self, GateStatus};
use kokoro_bench_bundle::{read_bundle, Origin, ReadError, SCHEMA_VERSION};
use std::path::Path;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel),
    )
    .unwrap()
}

#[test]
fn every_versioned_fixture_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut seen = 0;
    for v in 1..=SCHEMA_VERSION {
        for e in std::fs::read_dir(dir.join(format!("v{v}"))).unwrap() {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            let l = read_bundle(&bytes).unwrap();
            assert_eq!(l.bundle.schema_version, SCHEMA_VERSION);
            assert!(!l.bundle.cases.is_empty() || l.bundle.capacity.is_some());
            seen += 1;
        }
    }
    assert!(
        seen >= SCHEMA_VERSION as usize,
        "every schema version needs a fixture"
    );
}

/// A real barge-in run against fastkokoro 0.7.0 (`--interrupt-after 1s`, `short` and `long`, 2
/// trials each): `short` had all arrived when the listener stopped; `long` was still streaming,
/// and the server went on synthesising it for seconds after the stream closed.
#[test]
fn a_real_barge_in_run_reads_with_its_release_and_next_request() {
    use kokoro_bench_bundle::metrics::Metric;
    use kokoro_bench_bundle::present;
    let b = read_bundle(&fixture("v2/http-fastkokoro-barge-2cases.json"))
        .unwrap()
        .bundle;
    assert_eq!(b.plan.interrupt.as_ref().unwrap().spec, "1s");
    let long = b.cases.iter().find(|c| c.id == "long").unwrap();
    let released: Vec<f64> = Metric::BargeReleaseMs.case_values(long);
    assert_eq!(released.len(), 1, "even trials watch the CPU");
    assert!(released[0] > 1000.0, "{released:?}");
    let next = Metric::BargeNextTtfaMs.case_values(long);
    let fresh = long
        .measured()
        .find_map(|t| t.barge.as_ref()?.fresh_next_ttfa_ms);
    assert!(next[0] > fresh.unwrap() * 2.0);
    let short = b.cases.iter().find(|c| c.id == "short").unwrap();
    assert!(short.measured().all(|t| !t.barge.as_ref().unwrap().sending));
    let text = present::markdown::render(&present::run_sections(&b));
    assert!(
        text.contains("## Barge-in") && text.contains("| long | 2 × after 1.0 s |"),
        "{text}"
    );
}

/// A real capacity sweep of fastkokoro 0.7.0 driven by two runner processes as shards
/// (`--shard 1/2` and `2/2`, levels 2, 4, 8 listeners, 20 measured requests each over both,
/// `heard<=6000ms`) and joined by `kokoro-bench merge`: every level holds both shards' raw
/// requests and is judged once from them.
#[test]
fn a_real_merged_shard_sweep_reads_with_one_knee_from_both_shards() {
    use kokoro_bench_bundle::capacity::{summarise, sustainable};
    use kokoro_bench_bundle::present;
    let b = read_bundle(&fixture("v2/http-fastkokoro-capacity-2shards-merged.json"))
        .unwrap()
        .bundle;
    let c = b.capacity.as_ref().unwrap();
    assert_eq!(c.merged_from.len(), 2);
    assert!(c.shard.is_none());
    assert!(c.merged_from.iter().all(|o| o.clock_offset_ms.is_some()));
    let met: Vec<(u32, u32)> = c
        .levels
        .iter()
        .map(|l| {
            let s = summarise(&c.slo, l);
            (s.met, s.judged)
        })
        .collect();
    assert_eq!(met, vec![(20, 20), (12, 20), (0, 20)]);
    assert_eq!(sustainable(c), Some(2.0));
    assert_eq!(c.sustainable_level, Some(2.0));
    let text = present::markdown::render(&present::run_sections(&b));
    assert!(text.contains("Merged from 2 shards"), "{text}");
    assert!(text.contains("Sustainable: 2 listeners"), "{text}");
}

/// A real agent-suite run on the engine (text at 40 tokens/s, sentence pieces), trimmed to two
/// of its nine cases (`w1-3-sure`: one piece; `w9-20-flights`: two) with their audio references.
#[test]
fn a_real_turn_run_reads_with_its_pieces_and_the_agent_section() {
    use kokoro_bench_bundle::metrics::Metric;
    use kokoro_bench_bundle::present;
    let b = read_bundle(&fixture("v2/engine-turns-2cases.json"))
        .unwrap()
        .bundle;
    assert_eq!(b.plan.text_arrival.as_ref().unwrap().spec, "40tok/s");
    let two = b.cases.iter().find(|c| c.id == "w9-20-flights").unwrap();
    for t in two.measured() {
        let u = t.turn.as_ref().unwrap();
        assert_eq!(u.pieces.len(), 2);
        assert!(Metric::EndOfTurnMs.trial_value(t).unwrap() > 0.0);
        assert_eq!(Metric::TurnPieces.trial_value(t), Some(2.0));
        assert!(Metric::PieceTtfaMs.trial_value(t).unwrap() < t.heard_ms.unwrap());
    }
    let text = present::markdown::render(&present::run_sections(&b));
    assert!(
        text.contains("## Voice-agent turns")
            && text.contains("| 1–3 words | 1 |")
            && text.contains("| 9–20 words | 1 |"),
        "{text}"
    );
}

#[test]
fn a_real_capacity_sweep_reads_summarises_and_gates() {
    use kokoro_bench_bundle::capacity::{ceiling, summarise};
    use kokoro_bench_bundle::present;
    let b = read_bundle(&fixture("v2/engine-capacity-2sessions.json"))
        .unwrap()
        .bundle;
    let c = b.capacity.as_ref().unwrap();
    assert_eq!((c.sessions, c.threads_per_session), (Some(2), Some(1)));
    assert_eq!(c.levels.len(), 2);
    assert!(c.levels.iter().all(|l| l.requests.len() == 20));
    // Recomputed from the requests, the levels say what the runner said.
    assert_eq!(
        kokoro_bench_bundle::capacity::sustainable(c),
        c.sustainable_level
    );
    let two = summarise(&c.slo, &c.levels[1]);
    assert!(
        two.heard.p95.is_ok() && two.heard.p99.is_err(),
        "20 requests: p95, no p99"
    );
    let predicted = ceiling(c, b.machine.logical_cores).unwrap();
    assert!((predicted.streams - c.predicted_ceiling.unwrap()).abs() < 1e-9);
    let text = present::markdown::render(&present::run_sections(&b));
    assert!(text.contains("## Capacity") && text.contains("2 sessions of 1 intra-op threads"));
    assert!(
        !text.contains("measured trials per case"),
        "no trial loop ran"
    );
    let rules = gates::parse(br#"{"gates": [{"metric": "capacity.sustainable_level", "min": 1}]}"#)
        .unwrap();
    let g = &gates::evaluate(&b, &rules)[0];
    assert_eq!(
        g.status,
        GateStatus::Fail,
        "no level held: 0 < 1 ({})",
        g.reason
    );
}

#[test]
fn v1_fixture_migrates_with_heard_speech_latency_on_the_playback_clock() {
    let bytes = fixture("v1/engine-progressive-3cases.json");
    let l = read_bundle(&bytes).unwrap();
    assert_eq!(l.origin, Origin::OlderSchema(1));
    assert_eq!(l.migrations.len(), 1, "{:?}", l.migrations);
    assert!(l.migrations[0].starts_with("schema 1 → 2"));
    let b = &l.bundle;
    assert_eq!(
        b.run.status,
        kokoro_bench_bundle::schema::RunStatus::Completed
    );
    for t in b.cases.iter().flat_map(|c| c.measured()) {
        let (heard, first, lead) = (
            t.heard_ms.expect("the v1 fixture ran the quality suite"),
            t.ttfa_ms.unwrap(),
            t.leading_silence_ms.unwrap(),
        );
        // A player starting at the first sample reaches speech no earlier than the silence
        // before it lasts, and Kokoro's leading silence is real (≈ 0.27 s).
        assert!(heard >= first + lead - 1e-6, "{heard} {first} {lead}");
        assert!(lead > 100.0, "{lead}");
    }
    let again = read_bundle(&kokoro_bench_bundle::to_json(&l.bundle).unwrap()).unwrap();
    assert_eq!(again.origin, Origin::Current);
    assert_eq!(again.bundle, l.bundle, "a migrated bundle round-trips");
}

#[test]
fn legacy_stream_result_is_imported_with_untrusted_metrics() {
    let l = read_bundle(&fixture("legacy/run_bench_v2_stream.json")).unwrap();
    assert_eq!(l.origin, Origin::LegacyRunBench);
    let b = &l.bundle;
    assert_eq!(b.cases[0].trials.len(), 3);
    assert!(b.cases[0]
        .trials
        .iter()
        .all(|t| t.kind == kokoro_bench_bundle::schema::TrialKind::Unknown));
    for m in [
        "ttfa_ms",
        "rtf",
        "peak_rss_mb",
        "true_peak_dbtp",
        "integrated_lufs",
        "underruns_per_10min",
    ] {
        assert!(b.untrusted(m).is_some(), "{m} should be untrusted");
    }
    assert!(
        b.has_note(&kokoro_bench_bundle::schema::NoteCode::LegacyDroppedFailures),
        "5 trials requested, 3 recorded"
    );
    // The old tool's gates said pass; ours cannot say so.
    let rules = gates::parse(
        br#"{"performance_gates": {"ttfa": {"threshold_p95_ms": 500}, "audio_quality": {"lufs_target": -16, "lufs_tolerance": 1, "dbtp_ceiling": -1}}, "test_requirements": {"min_trials": 1}}"#,
    )
    .unwrap();
    let mut b = b.clone();
    b.cases[0].chars = 140;
    for o in gates::evaluate(&b, &rules) {
        assert_eq!(o.status, GateStatus::NoData, "{}: {}", o.rule.id, o.reason);
    }
}

#[test]
fn legacy_all_failed_run_keeps_its_errors() {
    let l = read_bundle(&fixture("legacy/run_bench_v2_all_failed.json")).unwrap();
    let c = &l.bundle.cases[0];
    assert_eq!(c.failed().count(), 2);
    assert!(c.trials[0].error.as_ref().unwrap().message.contains("422"));
    assert_eq!(c.measured().count(), 0);
}

#[test]
fn newer_malformed_and_foreign_inputs_are_refused_clearly() {
    match read_bundle(&fixture("invalid/newer-schema.json")) {
        Err(ReadError::TooNew(99)) => {}
        other => panic!("{other:?}"),
    }
    let e = read_bundle(&fixture("invalid/newer-schema.json"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("newer kokoro-bench (schema 99)") && e.contains("update the viewer/runner"),
        "{e}"
    );
    match read_bundle(&fixture("invalid/wrong-type.json")) {
        Err(ReadError::Invalid { path, .. }) => assert_eq!(path, "cases[0].trials[2].ttfa_ms"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        read_bundle(&fixture("invalid/not-json.txt")),
        Err(ReadError::NotJson(_))
    ));
    assert!(matches!(
        read_bundle(b"[1,2]"),
        Err(ReadError::UnknownFormat(_))
    ));
    assert!(matches!(
        read_bundle(br#"{"hello": 1}"#),
        Err(ReadError::UnknownFormat(_))
    ));
}

#[cfg(feature = "schema")]
#[test]
fn committed_json_schema_matches_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join("bundle.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let current = kokoro_bench_bundle::json_schema();
    if std::env::var_os("KOKORO_BENCH_BLESS").is_some() {
        std::fs::write(&path, &current).unwrap();
        return;
    }
    assert!(
        committed == current,
        "shared/schema/bundle.schema.json is out of date with the types: run `KOKORO_BENCH_BLESS=1 cargo test -p kokoro-bench-bundle --all-features` and commit it"
    );
}

#[test]
fn the_committed_gates_file_parses() {
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/gates.json")).unwrap();
    let rules = gates::parse(&bytes).unwrap();
    assert!(
        rules.iter().any(|r| r.metric.key() == "heard_ms"),
        "the headline latency is gated"
    );
}
