//! Voice-agent turns (`--text-arrival`): each request's text arrived piece by piece, like a
//! language model's output, was cut into pieces by a client-side aggregator, and the pieces'
//! audio was played back to back on one playback clock.
//!
//! On such a trial every time is measured from the **first token** (the turn clock), so the
//! trial's `heard_ms` is *heard speech after the first token*, its chunk series holds every
//! piece's chunks on that clock, and its playback simulation (streaming suite) counts the stalls
//! between pieces.

use serde::{Deserialize, Serialize};

/// How text arrived, for every request of the run (in `Plan::text_arrival`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TextArrival {
    /// The pace: a rate, or a recorded trace.
    pub pace: ArrivalPace,
    /// How arriving text was cut into requests.
    pub aggregation: Aggregation,
    /// The flag as given (`40tok/s`, `trace:turn.jsonl`), for people.
    pub spec: String,
}

/// The pace text arrives at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ArrivalPace {
    /// A steady rate with seeded jitter: each gap between units is `1/per_s` seconds times
    /// `1 ± jitter` (uniform), the same for every target of a run (seeded from the text and
    /// the trial's position).
    Rate {
        /// Units per second.
        per_s: f64,
        /// Words, or tokens (a word is split into tokens of at most 4 characters, the usual
        /// rule of thumb for English BPE tokens).
        unit: ArrivalUnit,
        /// Relative jitter of each gap, 0–0.9.
        jitter: f64,
    },
    /// A recorded stream replayed: the trace's pieces' times and sizes (in characters) applied
    /// to the case's text, repeated if the text is longer than the trace.
    Trace {
        /// The trace file's name (not its path: paths name people's folders).
        file: String,
        /// SHA-256 of the file.
        sha256: String,
        /// Events in the trace.
        events: u32,
        /// Characters the trace delivered.
        chars: u32,
        /// Time from its first event to its last, ms.
        duration_ms: f64,
    },
}

/// Units of an arrival rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ArrivalUnit {
    /// Language-model tokens (≈ 4 characters).
    Tokens,
    /// Words.
    Words,
}

/// How arriving text is cut into requests (the rule clients such as Pipecat and LiveKit
/// Agents apply before calling a TTS service).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// A piece ends at `.`, `!`, `?` (and CJK stops) followed by a space or the end of text.
    Sentence,
    /// Also at `,`, `;`, `:`.
    Clause,
}

/// One trial's turn: the text's arrival, the pieces sent, and when the listener was done.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TurnTrace {
    /// Text units (tokens or words, or trace events) that arrived.
    pub tokens: u32,
    /// When the last one arrived, ms after the first.
    pub last_token_ms: f64,
    /// When the listener heard the end of the turn's audio, ms after the last token (the
    /// player's clock: stalls count). Absent when the turn failed or had no audio.
    #[serde(default)]
    pub end_of_turn_ms: Option<f64>,
    /// The pieces, in order.
    pub pieces: Vec<TurnPiece>,
}

/// One piece of a turn: one request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TurnPiece {
    /// Its text (without any nonce).
    pub text: String,
    /// When the aggregator released it, ms after the first token.
    pub ready_ms: f64,
    /// When its request started (after the previous piece's request ended), ms after the first
    /// token.
    pub sent_ms: f64,
    /// Its first audio, ms after its request started.
    #[serde(default)]
    pub ttfa_ms: Option<f64>,
    /// Its request's end, ms after the first token.
    #[serde(default)]
    pub done_ms: Option<f64>,
    /// Its audio, ms.
    pub audio_ms: f64,
    /// When the player started playing it, ms after the first token.
    #[serde(default)]
    pub play_from_ms: Option<f64>,
    /// When the player finished it, ms after the first token.
    #[serde(default)]
    pub play_until_ms: Option<f64>,
}

impl TurnTrace {
    /// The median of the pieces' own time to first audio, ms.
    pub fn piece_ttfa_median_ms(&self) -> Option<f64> {
        let mut v: Vec<f64> = self.pieces.iter().filter_map(|p| p.ttfa_ms).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        Some(if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        })
    }
}
