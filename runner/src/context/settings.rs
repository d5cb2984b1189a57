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
    /// Warm-up trials per case.
    pub warmup: u32,
    /// Measured trials per case.
    pub trials: u32,
    /// Player pre-buffer, ms.
    pub prebuffer_ms: f64,
    /// Audibility threshold, dBFS.
    pub audible_threshold_dbfs: f64,
    /// Audio kept.
    pub save_audio: SaveAudio,
    /// Each request's total deadline; `None`: sized from the text ([`Settings::timeout_for`]).
    pub request_timeout: Option<Duration>,
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

/// A text to measure.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseText {
    /// Case id (`short`, `custom-1`, `file-3`).
    pub id: String,
    /// The text.
    pub text: String,
}
