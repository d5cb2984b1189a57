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
