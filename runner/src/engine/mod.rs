//! The in-process Kokoro engine: misaki-rs G2P → vocabulary ids → style row → ONNX Runtime,
//! chunked by a streaming [`Strategy`], running on a dedicated OS thread ([`worker`]).

pub mod chunking;
pub mod cuts;
pub mod espeak;
pub mod g2p;
pub mod joins;
pub mod model;
pub mod runtime;
pub mod schedule;
pub mod vocab;
pub mod voices;
pub mod worker;

pub use chunking::Strategy;
pub use joins::Joins;
pub use worker::{ChunkOut, EngineHandle, EngineInfo, SynthEvent, SynthRequest};

use std::path::PathBuf;

/// Output sample rate of Kokoro.
pub const SAMPLE_RATE_HZ: u32 = 24_000;

/// Allowed speed range.
pub const SPEED_RANGE: (f32, f32) = (0.5, 2.0);

/// Length of the half-cosine fade applied on each side of a join between chunks, samples (5 ms).
pub const JOIN_FADE_SAMPLES: usize = 120;

/// Files and settings to start an engine.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// ONNX Runtime shared library.
    pub ort_lib: PathBuf,
    /// Kokoro ONNX model.
    pub model: PathBuf,
    /// Voice pack (`.npz` / `voices-v1.0.bin`).
    pub voices: PathBuf,
    /// `vocab.json`.
    pub vocab: PathBuf,
    /// G2P language.
    pub lang: g2p::Lang,
    /// Session options.
    pub session: model::SessionConfig,
    /// How streamed output is cut and joined.
    pub chunking: Chunking,
}

/// How the engine cuts streamed output and joins its pieces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunking {
    /// How text is cut into chunks.
    pub strategy: Strategy,
    /// Trim each piece's silence to the pause the text calls for, or keep the model's output.
    pub joins: Joins,
    /// Adaptive schedule: the fewest words the first chunk may have (it grows on a slow engine).
    pub min_first_words: usize,
}

impl Default for Chunking {
    fn default() -> Self {
        Chunking {
            strategy: Strategy::Adaptive,
            joins: Joins::Natural,
            min_first_words: 3,
        }
    }
}

/// Why the engine could not start or synthesise.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// ONNX Runtime.
    #[error(transparent)]
    Runtime(#[from] runtime::RuntimeError),
    /// The model.
    #[error(transparent)]
    Model(#[from] model::ModelError),
    /// Voice pack.
    #[error(transparent)]
    Voice(#[from] voices::VoiceError),
    /// Vocabulary.
    #[error("{0}")]
    Vocab(String),
    /// Bad request.
    #[error("{0}")]
    Request(String),
    /// The worker thread is gone.
    #[error("the engine thread stopped unexpectedly")]
    Gone,
}

/// Applies a half-cosine fade-out to the end (`out = true`) or fade-in to the start of `samples`.
///
/// Kokoro chunks end and start in pauses at clause boundaries, but not at exactly zero; a 5 ms
/// fade on each side of a join turns any residual offset into a smooth transition instead of a
/// step (a click). The quality suite measures the remaining step at every join.
pub fn fade(samples: &mut [f32], out: bool) {
    let n = JOIN_FADE_SAMPLES.min(samples.len());
    let len = samples.len();
    for i in 0..n {
        let g = 0.5 - 0.5 * (std::f32::consts::PI * i as f32 / n as f32).cos();
        if out {
            samples[len - 1 - i] *= g;
        } else {
            samples[i] *= g;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fades_reach_zero_at_the_join() {
        let mut s = vec![1.0f32; 1000];
        fade(&mut s, true);
        assert_eq!(s[999], 0.0);
        assert!(s[880] > 0.99);
        fade(&mut s, false);
        assert_eq!(s[0], 0.0);
        assert!(s[500] == 1.0);
    }
}
