//! The hardware suite's result: a fixed workload so machines can be lined up.

use serde::{Deserialize, Serialize};

/// The hardware suite: a fixed workload so machines can be lined up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HardwareResult {
    /// What the workload is.
    pub workload: String,
    /// Model time per repetition, ms.
    pub inference_ms: Vec<f64>,
    /// Audio seconds produced per repetition.
    pub audio_s: f64,
}
