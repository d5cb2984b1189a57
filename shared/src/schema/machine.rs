//! The machine a run was measured on.

use serde::{Deserialize, Serialize};

/// Hardware and OS facts, plus the load around the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Machine {
    /// OS name, e.g. `Debian GNU/Linux`, `macOS`.
    pub os: String,
    /// OS version.
    pub os_version: String,
    /// Kernel version.
    pub kernel: String,
    /// CPU architecture, e.g. `x86_64`, `aarch64`.
    pub arch: String,
    /// CPU model name (brand string).
    pub cpu_model: String,
    /// Physical cores, when the OS reports them.
    #[serde(default)]
    pub physical_cores: Option<u32>,
    /// Logical cores (hardware threads).
    pub logical_cores: u32,
    /// Installed memory, bytes.
    pub memory_total_bytes: u64,
    /// Apple chip name, e.g. `Apple M3 Pro` (macOS only).
    #[serde(default)]
    pub chip: Option<String>,
    /// Performance cores (macOS `hw.perflevel0.physicalcpu`).
    #[serde(default)]
    pub performance_cores: Option<u32>,
    /// Efficiency cores (macOS `hw.perflevel1.physicalcpu`).
    #[serde(default)]
    pub efficiency_cores: Option<u32>,
    /// 1/5/15-minute load average when the run started.
    #[serde(default)]
    pub load_avg_start: Option<[f64; 3]>,
    /// 1/5/15-minute load average when the run ended.
    #[serde(default)]
    pub load_avg_end: Option<[f64; 3]>,
    /// Power and thermal hints the OS offers (CPU frequency governor, thermal state, power source).
    #[serde(default)]
    pub power_hints: Vec<String>,
    /// A fixed CPU workload timed at the start of the run, to judge noise across days.
    #[serde(default)]
    pub calibration: Option<Calibration>,
    /// `--machine-label` (or `KOKORO_BENCH_MACHINE_LABEL`): the name this machine's runs are kept
    /// under in history, e.g. a CI runner class; without it the CPU model is the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Whether the OS reports running under a hypervisor (a shared VM is noisier than a desk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtualized: Option<bool>,
    /// What `--quiet-machine` saw before measuring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_check: Option<super::QuietCheck>,
    /// Power state when the run started (thermal pressure, Low Power Mode, battery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_start: Option<super::PowerState>,
    /// Power state when the run ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_end: Option<super::PowerState>,
}

impl Machine {
    /// The name a series of runs is kept under: the label when given, else the CPU model.
    pub fn series_name(&self) -> &str {
        self.label
            .as_deref()
            .filter(|l| !l.is_empty())
            .unwrap_or(&self.cpu_model)
    }
}

/// Timing of a fixed single-threaded CPU workload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Calibration {
    /// What the workload is, e.g. `fnv1a-64MiB x5`.
    pub workload: String,
    /// Each repetition's wall time, ms.
    pub durations_ms: Vec<f64>,
    /// Median of `durations_ms`.
    pub median_ms: f64,
}
