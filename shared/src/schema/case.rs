//! Per-case results: every trial with its raw measurements and its error, if any.

use super::{AudioRef, ErrorKind, Quality, TraceRef, TrialFlag};
use serde::{Deserialize, Serialize};

/// All trials of one text under the run's plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Case {
    /// Case id (equals the corpus text id).
    pub id: String,
    /// Characters in the text.
    pub chars: u32,
    /// Phoneme tokens the G2P produced for the text (without nonce), when known.
    #[serde(default)]
    pub phonemes: Option<u32>,
    /// Characters of the phoneme string that are not in the model vocabulary (dropped; mostly
    /// `❓`, one per word the G2P could not pronounce): the most any trial of the case dropped.
    #[serde(default)]
    pub oov_phoneme_chars: u32,
    /// Every trial, in the order run (warm-up first).
    pub trials: Vec<Trial>,
}

impl Case {
    /// Trials that count for statistics: measured (not warm-up), succeeded.
    pub fn measured(&self) -> impl Iterator<Item = &Trial> {
        self.trials
            .iter()
            .filter(|t| t.kind.is_measured() && t.error.is_none())
    }

    /// Failed trials (any kind).
    pub fn failed(&self) -> impl Iterator<Item = &Trial> {
        self.trials.iter().filter(|t| t.error.is_some())
    }
}

/// Why a trial belongs where it does in the statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrialKind {
    /// Warm-up: excluded from statistics, reported apart.
    Warmup,
    /// The first request after session creation / server start: reported apart.
    Cold,
    /// A normal measured trial on a warm, uncached system.
    #[default]
    Warm,
    /// A trial that could have been answered from a cache (repeated text, cache not defeated).
    Cached,
    /// Imported data whose kind cannot be known (legacy tools pooled everything).
    Unknown,
}

impl TrialKind {
    /// Whether trials of this kind enter the warm statistics.
    pub fn is_measured(self) -> bool {
        matches!(self, TrialKind::Warm | TrialKind::Unknown)
    }
}

/// The error of a failed trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TrialError {
    /// Kind, e.g. `inference`, `timeout`, `http_5xx`, `stream_ended_early`.
    pub kind: ErrorKind,
    /// The message.
    pub message: String,
}

/// What a server said a request cost (OpenAI's `speech.audio.done` event), as it said it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TokenUsage {
    /// Input (text) tokens.
    #[serde(default)]
    pub input_tokens: Option<u64>,
    /// Output (audio) tokens.
    #[serde(default)]
    pub output_tokens: Option<u64>,
    /// Both.
    #[serde(default)]
    pub total_tokens: Option<u64>,
}

/// One synthesis of one text, with raw measurements. Times are ms from the request start.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Trial {
    /// Position within the case (0-based, warm-up included).
    pub index: u32,
    /// Role in the statistics.
    pub kind: TrialKind,
    /// Request start, ms since the run started (aligns with the memory series).
    pub start_ms: f64,
    /// The round of the run this trial belongs to (0-based, see `Plan::rounds`): trials of one
    /// round share the machine's state, so statistics resample rounds first. Absent in bundles
    /// written before rounds existed (one round).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<u32>,
    /// What the rest of the machine did during this trial: other processes' CPU, steal, clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contention: Option<super::Contention>,
    /// The unique nonce added to the text for this trial, if any.
    #[serde(default)]
    pub nonce: Option<String>,
    /// Error, when the trial failed; measurements up to the failure are kept.
    #[serde(default)]
    pub error: Option<TrialError>,
    /// Time to first byte of the response body (HTTP targets; includes connection set-up).
    #[serde(default)]
    pub ttfb_ms: Option<f64>,
    /// Command target: starting the process (spawn returned), ms; part of `ttfb_ms`, which for a
    /// command is spawn to first stdout byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spawn_ms: Option<f64>,
    /// One-shot command: the process's peak resident memory (from the OS when it exited, so a
    /// program shorter than the sampling interval is still measured), bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_peak_rss_bytes: Option<u64>,
    /// One-shot command: CPU time the process (and the children it waited for) used, user +
    /// system, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_cpu_ms: Option<f64>,
    /// HTTP: name resolution and TCP connect, ms (part of `ttfb_ms`: one connection per request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<f64>,
    /// HTTP over TLS: the handshake, ms (part of `ttfb_ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_handshake_ms: Option<f64>,
    /// Time to the first audio sample delivered to the consumer.
    #[serde(default)]
    pub ttfa_ms: Option<f64>,
    /// Arrival of the chunk holding the first *audible* 10 ms window (a diagnostic: leading
    /// silence in that chunk is not counted here; see `heard_ms`).
    #[serde(default)]
    pub ttfa_audible_ms: Option<f64>,
    /// Heard-speech latency: when a player that starts at the first audio (plus the plan's
    /// pre-buffer) and plays in real time, stalling when its buffer is empty, *plays* the first
    /// audible 10 ms window, ms from the request. Leading silence and stalls count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heard_ms: Option<f64>,
    /// Audio before the first audible 10 ms window, ms of audio (absent when nothing was audible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leading_silence_ms: Option<f64>,
    /// TTFA breakdown: G2P time of the first chunk.
    #[serde(default)]
    pub first_g2p_ms: Option<f64>,
    /// TTFA breakdown: model time of the first chunk.
    #[serde(default)]
    pub first_inference_ms: Option<f64>,
    /// TTFA breakdown: the rest (queueing, tokenising, hand-off to the consumer).
    #[serde(default)]
    pub first_handoff_ms: Option<f64>,
    /// Time until the last sample was delivered.
    #[serde(default)]
    pub total_ms: Option<f64>,
    /// Samples delivered (counted, never from a header).
    pub samples: u64,
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Audio seconds = samples / sample rate.
    pub audio_s: f64,
    /// Real-time factor = `total_ms` / 1000 / `audio_s` (lower is faster).
    #[serde(default)]
    pub rtf: Option<f64>,
    /// Model-only real-time factor = Σ chunk inference time / audio seconds (engine target).
    #[serde(default)]
    pub inference_rtf: Option<f64>,
    /// Phoneme tokens synthesised (with nonce).
    #[serde(default)]
    pub phonemes: Option<u32>,
    /// Phoneme characters the model's vocabulary lacks, dropped before synthesis (engine
    /// target; 0 when every word was spoken, absent where unknown): mostly `❓`, one per word
    /// the G2P could not pronounce — a word not spoken. Metric `oov_phoneme_chars`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oov_phoneme_chars: Option<u32>,
    /// Chunk arrivals.
    #[serde(default)]
    pub chunks: ChunkSeries,
    /// The speed model an adaptive schedule planned this trial with (engine target,
    /// `--strategy adaptive`), as it stood when the request started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleModel>,
    /// Playback-clock simulation (streaming suite).
    #[serde(default)]
    pub playback: Option<super::Playback>,
    /// Audio checks and loudness (quality suite).
    #[serde(default)]
    pub quality: Option<Quality>,
    /// The judges' scores of this trial's saved audio (judges suite, after the timed trials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judges: Option<super::TrialJudges>,
    /// The audio, when saved.
    #[serde(default)]
    pub audio: Option<AudioRef>,
    /// The CSV trace, when saved.
    #[serde(default)]
    pub trace: Option<TraceRef>,
    /// Response flags (HTTP): e.g. `content_encoding_gzip`.
    #[serde(default)]
    pub flags: Vec<TrialFlag>,
    /// HTTP, server-sent events: the usage the stream's `speech.audio.done` reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<TokenUsage>,
    /// `--text-arrival`: the turn this trial was (its text arriving, the pieces sent); every
    /// time of the trial is then measured from the first token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<super::TurnTrace>,
    /// `--interrupt-after`: the listener interrupted this trial, and what followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barge: Option<super::BargeTrace>,
    /// Command workers: the text of each chunk the worker says it spoke, from its end frame's
    /// `chunks` (its chunk plan; the arrivals in `chunks` are pipe reads, not model calls), so
    /// two workers that planned differently can be told apart from two that ran at different
    /// speeds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub worker_chunks: Vec<String>,
}

impl Trial {
    /// The chunk texts this trial was spoken in: the engine's own record (an empty entry for each
    /// continuation piece of a chunk split at 510 phonemes), or what a worker reported in its end
    /// frame; empty when neither is known.
    pub fn plan(&self) -> &[String] {
        if self.worker_chunks.is_empty() {
            &self.chunks.text
        } else {
            &self.worker_chunks
        }
    }
}

/// Chunk arrivals as columns (one entry per chunk).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChunkSeries {
    /// Delivery time, ms from the request start.
    pub t_ms: Vec<f64>,
    /// Samples in the chunk.
    pub samples: Vec<u32>,
    /// Model time for the chunk, ms (engine target).
    #[serde(default)]
    pub inference_ms: Vec<f64>,
    /// G2P time for the chunk, ms (engine target).
    #[serde(default)]
    pub g2p_ms: Vec<f64>,
    /// Phoneme tokens in the chunk (engine target).
    #[serde(default)]
    pub phonemes: Vec<u32>,
    /// Text of the chunk (engine target).
    #[serde(default)]
    pub text: Vec<String>,
    /// Adaptive schedule: the cost the planner predicted for each chunk, ms (compare with the
    /// chunk's G2P + model time).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub planned_ms: Vec<f64>,
    /// Adaptive schedule: audio buffered ahead of the listener when each chunk after the first
    /// was planned, ms (one per join).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budget_ms: Vec<f64>,
    /// Engine target: the silence a listener hears at each join, ms (the run of inaudible 10 ms
    /// windows around it; one per join).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub join_pause_ms: Vec<f64>,
    /// Engine target: the pause whole-text synthesis puts at each join's place in the text, ms
    /// (0 between words, ≈ 250 after a comma, ≈ 580 after a sentence; one per join).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub join_expected_ms: Vec<f64>,
}

/// The speed model behind an adaptive schedule: predicted chunk cost =
/// `fixed_ms + per_phoneme_ms × phonemes`, fitted on this engine's own chunks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ScheduleModel {
    /// Cost of any chunk, ms.
    pub fixed_ms: f64,
    /// Cost per phoneme token, ms.
    pub per_phoneme_ms: f64,
    /// Audio per phoneme token at speed 1 (after trimming), ms.
    pub audio_per_phoneme_ms: f64,
    /// Phoneme tokens per letter of text (for sizing chunks before G2P).
    pub phonemes_per_letter: f64,
    /// Chunks the model had learned from (0: the built-in prior).
    pub observations: u32,
    /// Share of the buffered audio a chunk's predicted cost may use.
    pub margin: f64,
}

impl ChunkSeries {
    /// Number of chunks.
    pub fn len(&self) -> usize {
        self.t_ms.len()
    }

    /// Whether there are no chunks.
    pub fn is_empty(&self) -> bool {
        self.t_ms.is_empty()
    }

    /// Gaps between consecutive arrivals, ms.
    pub fn gaps_ms(&self) -> Vec<f64> {
        self.t_ms.windows(2).map(|w| w[1] - w[0]).collect()
    }
}
