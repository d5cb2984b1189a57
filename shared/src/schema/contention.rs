//! What the rest of the machine did while a run measured: CPU used by other processes, time a
//! hypervisor gave away (steal), the clock, power state; and the speed probes that show a machine
//! which got slower without any of those saying so.

use serde::{Deserialize, Serialize};

/// The machine around one trial (or one load window): measured from the OS's CPU accounting at
/// its start and end.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Contention {
    /// Wall time covered, ms.
    pub wall_ms: f64,
    /// CPU used by processes other than this run's (the runner, the synthesising process and
    /// their children), percent of the machine's capacity: 100 = every logical core busy.
    pub other_cpu_pct: f64,
    /// CPU this run's processes used, percent of one core (two busy cores read 200).
    pub own_cpu_pct: f64,
    /// Time the hypervisor ran someone else on this VM's CPUs (steal), percent of the machine's
    /// capacity; absent where the OS does not report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steal_pct: Option<f64>,
    /// Mean clock of the logical CPUs, MHz, where the OS exposes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_mhz: Option<f64>,
}

/// What `--quiet-machine` saw before the first measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QuietCheck {
    /// What the run was told to do about a busy machine.
    pub mode: QuietMode,
    /// Other processes' CPU in the last window looked at, percent of the machine's capacity.
    pub other_cpu_pct: f64,
    /// Above this the machine counts as busy, percent of capacity.
    pub threshold_pct: f64,
    /// How long the run waited for quiet, ms.
    pub waited_ms: f64,
    /// Whether the machine was quiet when measuring began.
    pub quiet: bool,
}

/// `--quiet-machine`: what to do when other processes are busy before the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuietMode {
    /// Measure anyway and say so (default).
    #[default]
    Warn,
    /// Wait until the machine has been quiet for a few seconds (bounded), then measure.
    Wait,
    /// Do not measure on a busy machine (exit 2).
    Refuse,
}

/// Power state hints that change speed without showing as CPU use.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PowerState {
    /// macOS thermal pressure (`nominal`, `moderate`, `heavy`, `trapping`, `sleeping`) or the
    /// hottest Linux thermal zone, as the OS words it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thermal: Option<String>,
    /// macOS Low Power Mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_power_mode: Option<bool>,
    /// Running on battery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_battery: Option<bool>,
}

/// What a speed probe times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// One inference of fixed tokens with the run's voice on the run's own engine session: the
    /// workload itself, so it moves with anything that moves inference.
    Engine,
    /// A fixed single-threaded CPU loop: moves with the machine, not with any engine.
    Cpu,
}

/// A fixed workload timed between the cases and rounds of a run: the machine's speed as the run
/// went, and against another run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SpeedProbes {
    /// What was timed.
    pub kind: ProbeKind,
    /// The workload in words, e.g. `fnv1a-8MiB` or `24 fixed tokens, voice jf_alpha`; two runs'
    /// probes compare only when this is the same.
    pub workload: String,
    /// When each probe ran, ms since the run started.
    pub t_ms: Vec<f64>,
    /// Where in the run: `before short (round 1)`, `end`.
    pub label: Vec<String>,
    /// How long each took, ms.
    pub duration_ms: Vec<f64>,
}
