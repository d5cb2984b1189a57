//! Barge-in (`--interrupt-after`): a listener who stops the audio part way, as a voice agent's
//! user does by speaking. The client closes the stream; what follows is measured — how soon the
//! stream ended on our side, how soon the serving process's CPU fell back to its idle level, and
//! how soon the next request spoke.
//!
//! The first request of each case is never interrupted: it measures the audio's length (a share
//! of the audio refers to it). Trials then alternate between two measurements that cannot share
//! one request: even trial indices watch the serving process's CPU fall (nothing else is sent),
//! odd ones send the next request at once, as an agent answering the interruption does.

use serde::{Deserialize, Serialize};

/// When the listener interrupts (in `Plan::interrupt`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Interrupt {
    /// After this much audio played, ms; `None` when a share is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_ms: Option<f64>,
    /// After this share (0–1) of the case's audio played; `None` when a time is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_share: Option<f64>,
    /// The text of the request sent after an interruption.
    pub next_text: String,
    /// The longest watch for the serving process's CPU to fall, ms.
    pub release_watch_ms: f64,
    /// The flag as given (`1.5s`, `40%`), for people.
    pub spec: String,
}

/// What happened when the listener of one trial interrupted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BargeTrace {
    /// Audio played when the listener interrupted, ms (the setting, resolved for this case).
    pub after_heard_ms: f64,
    /// When the listener interrupted, ms on the trial's clock.
    pub interrupt_ms: f64,
    /// Whether audio was still arriving then (`false`: the target had already sent it all, so
    /// there was nothing to stop).
    pub sending: bool,
    /// The interruption → the request ended on our side (the stream closed, the engine's
    /// receiver dropped), ms; 0 when nothing was arriving.
    pub close_ms: f64,
    /// The serving process's CPU when idle, % of one core (measured once per run, before the
    /// first interruption); `None` where it cannot be sampled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_cpu_pct: Option<f64>,
    /// Even trials: the interruption → the serving process's CPU back at its idle level (the
    /// start of the first 100 ms window at most 10 points above it), ms. `None` on odd trials,
    /// where it cannot be sampled, or when it did not fall within the watch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_ms: Option<f64>,
    /// Even trials: how long the CPU was watched after the interruption, ms.
    #[serde(default)]
    pub watched_ms: f64,
    /// Even trials: the serving process's CPU over 100 ms windows, % of one core, every 20 ms…
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpu_pct: Vec<f64>,
    /// …at these times, ms after the interruption (each window's end).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpu_t_ms: Vec<f64>,
    /// Odd trials: the next request, sent right after the stream closed — its time to first
    /// audio, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_ttfa_ms: Option<f64>,
    /// The same next text's time to first audio on an idle target (measured once per run), ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fresh_next_ttfa_ms: Option<f64>,
}
