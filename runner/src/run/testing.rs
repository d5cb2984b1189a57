//! Test helpers: plans on the scripted target, so the driver and the suites run without a model.

use super::plan::RunPlan;
use crate::context::settings::{CaseText, SaveAudio, Settings};
use crate::suites::Suite;
use crate::targets::fake::{FakeSpec, Script};
use std::path::PathBuf;

/// A fresh temporary folder.
pub fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "kokoro-bench-unit-{tag}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Shared settings: one round, 1 warm-up, `trials` measured, first audio kept.
pub fn settings(trials: u32) -> Settings {
    Settings {
        voice: "scripted".into(),
        speed: 1.0,
        warmup: 1,
        trials,
        rounds: 1,
        auto: None,
        replay: None,
        prebuffer_ms: 0.0,
        audible_threshold_dbfs: -50.0,
        save_audio: SaveAudio::First,
        request_timeout: None,
        turns: None,
        barge: None,
    }
}

/// A request for `text` with a 10 s deadline, timed from `origin`.
pub fn request(text: &str, origin: std::time::Instant) -> crate::targets::Request<'_> {
    crate::targets::Request {
        text,
        voice: "scripted",
        speed: 1.0,
        index: 0,
        kind: kokoro_bench_bundle::schema::TrialKind::Warm,
        origin,
        audible_threshold_dbfs: -50.0,
        prebuffer_ms: 0.0,
        timeout: std::time::Duration::from_secs(10),
        cancel: None,
        plan: None,
        progress: None,
    }
}

/// Two cases on the scripted target with `script`, the given suites, output under `out`.
pub fn fake_plan(script: &str, suites: Vec<Box<dyn Suite>>, trials: u32, out: PathBuf) -> RunPlan {
    RunPlan {
        target: Box::new(FakeSpec(Script::parse(script).unwrap())),
        cases: vec![
            CaseText {
                id: "a".into(),
                text: "First case.".into(),
            },
            CaseText {
                id: "b".into(),
                text: "Second case, a little longer.".into(),
            },
        ],
        settings: settings(trials),
        suites,
        gates: Vec::new(),
        out,
        command_line: vec!["kokoro-bench".into(), "run".into()],
        verbosity: crate::context::progress::Verbosity::Quiet,
        quiet_machine: None,
        quiet_timeout: std::time::Duration::from_secs(1),
        machine_label: None,
    }
}
