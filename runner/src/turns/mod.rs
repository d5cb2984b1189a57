//! Voice-agent turns (`--text-arrival`): text that streams in like a language model's output,
//! cut into pieces by a client-side aggregator, one request per piece, the pieces' audio played
//! back to back on one playback clock that starts at the first token.
//!
//! * [`arrival`] — when each part of the text arrives (a rate with seeded jitter, or a trace);
//! * [`aggregate`] — the sentence / clause rule that releases pieces;
//! * [`speak`] — one turn against any [`crate::targets::Target`], merged into one trial;
//! * [`barge`] — a listener who interrupts (`--interrupt-after`), for turns and whole texts.
//!
//! Every target takes turns the same way (the in-process engine, HTTP servers, commands): the
//! client decides when a piece is sent, as Pipecat and LiveKit do, so the figures compare.

pub mod aggregate;
pub mod arrival;
pub mod barge;
pub mod speak;

use anyhow::Result;
use clap::Args;
use kokoro_bench_bundle::schema::{Aggregation, TextArrival};

/// `--text-arrival` and `--aggregate`.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Voice-agent turns")]
pub struct TurnArgs {
    /// Pace each case's text like a language model's output and speak it as a voice agent does:
    /// a rate (`40tok/s`, `3words/s`, with jitter `40tok/s~0.3`) or `trace:FILE` (JSON Lines of
    /// `{"t_ms", "text"}`, its timing applied to the case's text). Every time is then measured
    /// from the first token. The agent suite uses 40tok/s when this is not given.
    #[arg(long, value_name = "RATE|trace:FILE")]
    pub text_arrival: Option<String>,
    /// How arriving text is cut into requests: `sentence` (Pipecat's and LiveKit's default) or
    /// `clause` (also at , ; : once a piece has 3 words).
    #[arg(long, value_enum, default_value = "sentence", value_name = "RULE")]
    pub aggregate: AggregateArg,
}

/// `--aggregate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AggregateArg {
    /// At sentence stops.
    #[default]
    Sentence,
    /// At sentence stops and clause marks.
    Clause,
}

/// The pace used when the agent suite runs without `--text-arrival`: a fast local model.
pub const AGENT_DEFAULT_PACE: &str = "40tok/s";

/// A run's turn settings.
#[derive(Clone, Debug, PartialEq)]
pub struct TurnConfig {
    /// The pace.
    pub pace: arrival::Pace,
    /// The aggregator's rule.
    pub aggregation: Aggregation,
    /// The flag as given.
    pub spec: String,
}

impl TurnConfig {
    /// What the bundle records.
    pub fn record(&self) -> TextArrival {
        TextArrival {
            pace: self.pace.record(),
            aggregation: self.aggregation,
            spec: self.spec.clone(),
        }
    }
}

impl TurnArgs {
    /// The turn settings, if the run speaks turns (`agent`: the agent suite is selected).
    ///
    /// # Errors
    /// A bad `--text-arrival` (exit 2 with what to write instead), or `--aggregate clause`
    /// without turns.
    pub fn config(&self, agent: bool) -> Result<Option<TurnConfig>> {
        let spec = match (&self.text_arrival, agent) {
            (Some(s), _) => s.clone(),
            (None, true) => AGENT_DEFAULT_PACE.to_string(),
            (None, false) => {
                if self.aggregate != AggregateArg::Sentence {
                    anyhow::bail!("--aggregate applies to text that arrives: add --text-arrival (e.g. 40tok/s) or --suite agent");
                }
                return Ok(None);
            }
        };
        Ok(Some(TurnConfig {
            pace: arrival::Pace::parse(&spec)?,
            aggregation: match self.aggregate {
                AggregateArg::Sentence => Aggregation::Sentence,
                AggregateArg::Clause => Aggregation::Clause,
            },
            spec,
        }))
    }
}
