//! `--trials auto`: how many trials each case got, and why measuring stopped.

use serde::{Deserialize, Serialize};

/// The rule `--trials auto` followed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TrialsAuto {
    /// Fewest measured trials per case.
    pub min_trials: u32,
    /// Most measured trials per case (the budget).
    pub max_trials: u32,
    /// Measuring a case stops when the 95 % interval of each headline median is narrower than
    /// this, percent of the median (its half-width).
    pub target_halfwidth_pct: f64,
    /// Per case: how many trials it got and why it stopped.
    pub cases: Vec<AutoStop>,
}

/// Why one case stopped measuring.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AutoStop {
    /// Case id.
    pub case: String,
    /// Measured trials it got.
    pub trials: u32,
    /// Why it stopped.
    pub reason: AutoReason,
    /// The widest headline interval's half-width when it stopped, percent of its median.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halfwidth_pct: Option<f64>,
}

/// Why `--trials auto` stopped measuring a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AutoReason {
    /// Every headline interval was narrow enough.
    Precise,
    /// The budget (`--max-trials`) ran out first.
    Budget,
    /// Ctrl-C, or a request the target refused.
    Stopped,
}
