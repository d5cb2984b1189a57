//! Provenance: exactly which files, runtime, options and texts produced the numbers.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What was measured and with what.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Provenance {
    /// The ONNX model file (engine target).
    #[serde(default)]
    pub model: Option<FileRef>,
    /// The voice pack file (engine target).
    #[serde(default)]
    pub voices: Option<FileRef>,
    /// The vocabulary file (engine target).
    #[serde(default)]
    pub vocab: Option<FileRef>,
    /// Voice id used.
    pub voice_id: String,
    /// Rule used to pick the style row from the voice pack.
    #[serde(default)]
    pub style_row_rule: Option<String>,
    /// Grapheme-to-phoneme front end.
    #[serde(default)]
    pub g2p: Option<G2pInfo>,
    /// ONNX Runtime, as loaded.
    #[serde(default)]
    pub runtime: Option<RuntimeInfo>,
    /// Session options in effect.
    #[serde(default)]
    pub session: Option<SessionOptions>,
    /// Model input/output names and element types as read from the session.
    #[serde(default)]
    pub model_io: Vec<String>,
    /// The texts measured, with hashes so comparisons can tell when texts differ.
    pub corpus: Vec<CorpusText>,
    /// HTTP target details.
    #[serde(default)]
    pub http: Option<HttpTarget>,
    /// Command target details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandTarget>,
}

/// A file identified by name, size and content hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FileRef {
    /// File name (no directory: paths are private and machine-specific).
    pub name: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
}

/// G2P front end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct G2pInfo {
    /// Crate or tool name, e.g. `misaki-rs`.
    pub name: String,
    /// Version.
    pub version: String,
    /// Language, e.g. `en-us`.
    pub language: String,
    /// What pronounced the words the G2P could not (e.g. `espeak-ng 1.51`); absent: nothing,
    /// such words were dropped (`oov_phoneme_chars` counts them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// ONNX Runtime as loaded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RuntimeInfo {
    /// Version string reported by the library itself.
    pub ort_version: String,
    /// Library file name.
    pub library: String,
    /// Rust binding, e.g. `ort 2.0.0-rc.15`.
    pub binding: String,
    /// Execution providers the library was built with.
    pub available_providers: Vec<String>,
    /// Execution providers requested, in order.
    pub requested_providers: Vec<String>,
    /// Execution providers actually registered on the session.
    pub registered_providers: Vec<String>,
}

/// Effective session options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionOptions {
    /// Intra-op threads.
    pub intra_op_threads: u32,
    /// Inter-op threads.
    pub inter_op_threads: u32,
    /// Graph optimisation level: `disable`, `basic`, `extended`, `all`.
    pub graph_optimization_level: String,
    /// CPU memory arena enabled.
    pub cpu_memory_arena: bool,
    /// Memory pattern optimisation enabled.
    pub memory_pattern: bool,
    /// Session creation (model load) time, ms.
    pub session_create_ms: f64,
}

/// One text of the corpus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CorpusText {
    /// Text id, e.g. `short`, `medium`, or `custom-1`.
    pub id: String,
    /// The text (without per-trial nonces).
    pub text: String,
    /// Lower-case hex SHA-256 of the UTF-8 text.
    pub sha256: String,
    /// Length in characters.
    pub chars: u32,
}

/// HTTP target details.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HttpTarget {
    /// Endpoint URL.
    pub url: String,
    /// Request dialect, `openai` or `kokoro`.
    pub dialect: String,
    /// Response headers of the first successful request.
    pub response_headers: BTreeMap<String, String>,
    /// Connections were kept alive and reused (`false`: one new connection per request).
    #[serde(default)]
    pub keep_alive: bool,
    /// The audio format asked for (`wav`, `pcm`), as sent in the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// How a command target runs its program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommandMode {
    /// A new process per request: process start is inside every trial (`spawn_ms`).
    OneShot,
    /// One long-lived process answering requests over the worker protocol: its start-up (model
    /// load) is reported once, as `ready_ms`.
    Worker,
}

/// Command target details: what ran, and what it said about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CommandTarget {
    /// The command template as given, with secrets redacted (e.g. `espeak-ng --stdout {text}`).
    pub command: String,
    /// One process per request, or a persistent worker.
    pub mode: CommandMode,
    /// One-shot: the text was written to the process's stdin instead of an argument.
    #[serde(default)]
    pub text_on_stdin: bool,
    /// The audio format read from stdout, e.g. `wav`, `pcm s16le 22050 Hz`.
    pub output: String,
    /// Worker: spawn to its hello frame (model load and warm-up inside the worker), ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_ms: Option<f64>,
    /// Worker: what it said about itself in its hello frame (engine, library versions, model).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reported: BTreeMap<String, String>,
    /// Worker restarts after a crash or an abandoned request.
    #[serde(default)]
    pub restarts: u32,
    /// The last bytes the program wrote to stderr (bounded, secrets redacted).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stderr_tail: String,
    /// `--workers K`: the workers behind the least-busy router, and the requests each served
    /// (empty for one worker).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub served_per_worker: Vec<u32>,
    /// `--workers K`: each worker process's peak resident memory at the end of the run, bytes
    /// (the kernel's high-water mark: Linux `VmHWM`, macOS lifetime peak footprint; a worker
    /// restarted counts from its restart). Empty for one worker or where the OS does not say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peak_rss_per_worker_bytes: Vec<u64>,
}
