//! Shared by the integration tests: the real model and runtime, set up once (cached).

#![allow(dead_code)]

use kokoro_bench::engine::{EngineConfig, EngineHandle};
use kokoro_bench::setup::Assets;
use std::sync::OnceLock;

/// The set-up assets (runs `kokoro-bench setup` logic; a no-op when cached).
pub fn assets() -> Assets {
    static A: OnceLock<Assets> = OnceLock::new();
    A.get_or_init(|| {
        kokoro_bench::setup::run().expect("set-up failed: the tests need the real model")
    })
    .clone()
}

/// An engine on the real model with 2 threads.
pub fn engine() -> EngineHandle {
    let a = assets();
    EngineHandle::start(EngineConfig {
        ort_lib: a.ort_lib,
        model: a.model,
        voices: a.voices,
        vocab: a.vocab,
        lang: kokoro_bench::engine::g2p::Lang::EnUs,
        session: Default::default(),
        chunking: Default::default(),
    })
    .expect("engine start")
}

/// Path of the CLI binary under test.
pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_kokoro-bench"))
}

/// A fresh temporary folder.
pub fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("kokoro-bench-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The judging models, set up once (cached after the first time; `kokoro-bench setup --judges`).
pub fn judges_ready() {
    static J: OnceLock<()> = OnceLock::new();
    J.get_or_init(|| {
        for pkg in &kokoro_bench::judges::assets::ALL {
            kokoro_bench::judges::assets::setup(&kokoro_bench::judges::assets::default_dir(), pkg)
                .expect("the judging models");
        }
    });
}

/// Whole-text audio of `text` in `voice`, from the real engine.
pub fn speak(text: &str, voice: &str) -> Vec<f32> {
    use kokoro_bench::engine::{Strategy, SynthEvent, SynthRequest};
    let rx = engine()
        .synthesize(SynthRequest {
            text: text.into(),
            voice: voice.into(),
            speed: 1.0,
            strategy: Strategy::Whole,
            plan: None,
            abort: None,
        })
        .unwrap();
    let mut out = Vec::new();
    for ev in rx {
        match ev {
            SynthEvent::Chunk(c) => out.extend(c.samples),
            SynthEvent::Done => break,
            SynthEvent::Failed(m) => panic!("{m}"),
        }
    }
    out
}

/// The bundle of the one run written under `out` (a run's output folder).
pub fn the_bundle(out: &std::path::Path) -> kokoro_bench_bundle::Bundle {
    let run = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .next()
        .expect("a run folder")
        .unwrap()
        .path();
    kokoro_bench_bundle::read_bundle(&std::fs::read(run.join("bundle.json")).unwrap())
        .unwrap()
        .bundle
}
