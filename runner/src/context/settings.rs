//! Settings every request and every suite of a run shares, and the texts it speaks.

use clap::ValueEnum;
use std::time::Duration;

/// Which trials keep their audio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SaveAudio {
    /// None.
    None,
    /// The first measured trial of each case.
    First,
    /// Every trial.
    All,
}

/// Settings every request and every suite shares.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Voice id.
    pub voice: String,
    /// Speed.
    pub speed: f32,
    /// Warm-up trials per case and round (each round is re-warmed).
    pub warmup: u32,
    /// Measured trials per case, over every round (with `auto`, the fewest).
    pub trials: u32,
    /// Rounds: every case once per round, in rotated order.
    pub rounds: u32,
    /// `--trials auto`: measure until precise or the budget ends.
    pub auto: Option<AutoBudget>,
    /// `--plan-from`: another run's chunk plans to replay, per case.
    pub replay: Option<std::sync::Arc<Replay>>,
    /// Player pre-buffer, ms.
    pub prebuffer_ms: f64,
    /// Audibility threshold, dBFS.
    pub audible_threshold_dbfs: f64,
    /// Audio kept.
    pub save_audio: SaveAudio,
    /// Each request's total deadline; `None`: sized from the text ([`Settings::timeout_for`]).
    pub request_timeout: Option<Duration>,
    /// `--text-arrival`: every request is a voice-agent turn ([`crate::turns`]).
    pub turns: Option<std::sync::Arc<crate::turns::TurnConfig>>,
    /// `--interrupt-after`: a listener interrupts the trial loop's requests
    /// ([`crate::turns::barge`]).
    pub barge: Option<std::sync::Arc<crate::turns::barge::BargeConfig>>,
}

impl Settings {
    /// The deadline for a request speaking `text`: the one given, else 30 s + 1 s per 10
    /// characters (a long text may take minutes on a slow server; a trickling one must still end).
    pub fn timeout_for(&self, text: &str) -> Duration {
        self.request_timeout.unwrap_or_else(|| {
            Duration::from_secs(30) + Duration::from_millis(100 * text.chars().count() as u64)
        })
    }
}

/// `--trials auto`: the budget and the precision asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AutoBudget {
    /// Fewest measured trials per case.
    pub min_trials: u32,
    /// Most measured trials per case.
    pub max_trials: u32,
    /// Stop a case once each headline median's 95 % interval has at most this half-width,
    /// relative to the median (half the verdict threshold: the interval is narrower than it).
    pub target_halfwidth: f64,
    /// Measured trials each unfinished case gets per round.
    pub per_round: u32,
}

/// Chunk plans taken from another run (`--plan-from`): per case, the chunks of each of its
/// measured trials, replayed in turn.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Replay {
    /// The run they come from.
    pub run_id: String,
    /// Case id → one chunk list per measured trial of that run.
    pub plans: std::collections::BTreeMap<String, Vec<Vec<String>>>,
}

impl Replay {
    /// The chunks for the `n`-th request of `case` (cycling through the source run's trials).
    pub fn plan(&self, case: &str, n: usize) -> Option<&[String]> {
        let list = self.plans.get(case)?;
        (!list.is_empty()).then(|| list[n % list.len()].as_slice())
    }
}

impl Settings {
    /// Measured trials of `round` (0-based) for a fixed trial count: spread evenly, earlier
    /// rounds taking the remainder.
    pub fn trials_in_round(&self, round: u32) -> u32 {
        let r = self.rounds.max(1);
        self.trials / r + u32::from(round < self.trials % r)
    }
}

/// A text to measure.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseText {
    /// Case id (`short`, `custom-1`, `file-3`).
    pub id: String,
    /// The text.
    pub text: String,
}
