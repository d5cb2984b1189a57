//! The root of a bundle and the run's own metadata.

use super::{
    CapacityResult, Case, DualResult, GateOutcome, HardwareResult, JudgesResult, Machine,
    MemorySeries, NoteCode, Provenance, ProvidersResult, SoakResult, SpeedProbes, SuiteKind,
    TrialsAuto, VersusResult,
};
use serde::{Deserialize, Serialize};

/// The schema version this crate writes. Older versions are migrated on read.
pub const SCHEMA_VERSION: u32 = 2;

/// The `$schema` identifier written into every bundle of [`SCHEMA_VERSION`].
pub const SCHEMA_ID: &str = "https://kokoro-bench.dev/schema/bundle-v2.json";

/// One benchmark run: everything needed to trust, compare and replay its numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Bundle {
    /// Schema identifier (`$schema`), e.g. [`SCHEMA_ID`].
    #[serde(rename = "$schema")]
    pub schema_id: String,
    /// Integer schema version; readers refuse versions newer than they know.
    pub schema_version: u32,
    /// Who ran what, when, and how it ended.
    pub run: RunMeta,
    /// The machine the run was measured on.
    pub machine: Machine,
    /// What exactly was measured: files, runtime, options, texts.
    pub provenance: Provenance,
    /// The plan the run followed (suites, trials, strategy).
    pub plan: Plan,
    /// Per-case results with every trial.
    pub cases: Vec<Case>,
    /// Memory/CPU time series of the synthesising process, when sampled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemorySeries>,
    /// Soak (endurance) results, when the soak suite ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soak: Option<SoakResult>,
    /// Provider/variant matrix, when the providers suite ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub providers: Option<ProvidersResult>,
    /// Dual-session comparison, when the dual suite ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dual: Option<DualResult>,
    /// Fixed hardware workload, when the hardware suite ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware: Option<HardwareResult>,
    /// What judged the kept audio, when the judges suite ran (scores are on the trials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judges: Option<JudgesResult>,
    /// Capacity sweep, when the capacity suite ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityResult>,
    /// Targets side by side, when the versus suite ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versus: Option<VersusResult>,
    /// Fixed workloads timed between cases and rounds: the machine's speed through the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<SpeedProbes>,
    /// Gate outcomes computed by the runner when the run ended (viewers may recompute).
    #[serde(default)]
    pub gates: Vec<GateOutcome>,
    /// Known limits of specific metrics in this bundle (e.g. from a legacy tool).
    #[serde(default)]
    pub caveats: Vec<Caveat>,
    /// Warnings a reader should see (debug build, noisy machine, interrupted run, …).
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// Run metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RunMeta {
    /// Run id, `<utc yyyymmddThhmmssZ>-<short id>`, also the artifact folder name.
    pub id: String,
    /// Start instant, RFC 3339 (UTC).
    pub started_at: String,
    /// Start instant, Unix milliseconds.
    pub started_unix_ms: u64,
    /// End instant, RFC 3339 (UTC); absent when the process died.
    #[serde(default)]
    pub finished_at: Option<String>,
    /// End instant, Unix milliseconds.
    #[serde(default)]
    pub finished_unix_ms: Option<u64>,
    /// Name and version of the tool that wrote the bundle, e.g. `kokoro-bench 0.1.0`.
    pub tool: String,
    /// Git commit of the tool, when known.
    #[serde(default)]
    pub git_commit: Option<String>,
    /// `release` or `debug`; debug numbers are not comparable with release ones.
    pub build_profile: String,
    /// The command line as given.
    pub command_line: Vec<String>,
    /// How the run ended.
    pub status: RunStatus,
    /// Which kind of target was measured.
    pub target: TargetKind,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every planned trial ran and every case has successful measured trials (some trials may
    /// have failed; see each trial).
    Completed,
    /// Every planned trial ran, but at least one case has no successful measured trial.
    Degraded,
    /// No measured trial succeeded in any case: the run measured nothing.
    Failed,
    /// Stopped early (Ctrl-C); what was measured is kept.
    Interrupted,
    /// Still running: a partial bundle written while the run was in progress.
    InProgress,
}

/// The kind of target measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// In-process engine: ONNX Runtime + G2P in the runner's own process.
    Engine,
    /// An HTTP `/v1/audio/speech` server.
    Http,
    /// Imported from a legacy tool's result file.
    Legacy,
    /// A scripted fake target (tests of the harness; its numbers describe no engine).
    Scripted,
    /// A program that writes audio to stdout: one process per request, or a persistent worker
    /// speaking the worker protocol (`docs/worker-protocol.md`).
    Command,
}

/// The plan a run followed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Plan {
    /// Suites that ran, e.g. `ttfa`, `rtf`, `streaming`, `quality`, `memory`, `soak`.
    pub suites: Vec<SuiteKind>,
    /// Warm-up trials per case (excluded from statistics, reported apart).
    pub warmup_trials: u32,
    /// Measured trials per case (the cold start is extra). With `--trials auto`, the most any
    /// case got (each case's count is in `trials_auto`).
    pub measured_trials: u32,
    /// Rounds: every case measured once per round, in rotated order, each round re-warmed, so a
    /// case's trials span the run and its interval contains the round-to-round spread. Absent in
    /// bundles written before rounds existed (one round).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u32>,
    /// `--trials auto`: the rule, and why each case stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trials_auto: Option<TrialsAuto>,
    /// `--plan-from`: the run whose chunk plans the engine replayed (per case and trial) instead
    /// of planning its own, so a change is compared on the same chunks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_from: Option<String>,
    /// Streaming strategy name (`adaptive`, `progressive`, `whole`, `sentence`, `clause`).
    pub strategy: String,
    /// Engine targets: what the engine did with the silence at each piece's edges (`natural`:
    /// trimmed to the pause the text calls for; `raw`: the model's output). Absent before it
    /// was selectable (raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joins: Option<String>,
    /// Voice id.
    pub voice: String,
    /// Speed factor (0.5–2.0).
    pub speed: f64,
    /// Player pre-buffer used by the playback simulation, milliseconds.
    pub prebuffer_ms: f64,
    /// Threshold for "audible", dBFS over a 10 ms window (absent when not applicable).
    #[serde(default)]
    pub audible_threshold_dbfs: Option<f64>,
    /// Whether a unique nonce was added to each trial's text to defeat caches.
    pub nonce_per_trial: bool,
    /// How the nonce was written and what it cost, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<NonceInfo>,
    /// `--text-arrival`: each request's text arrived like a language model's output and was
    /// cut into pieces; times are measured from the first token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_arrival: Option<super::TextArrival>,
    /// `--interrupt-after`: when listeners interrupted (see [`super::BargeTrace`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupt: Option<super::Interrupt>,
}

/// How each request's text was made unique, and what that added.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NonceInfo {
    /// The variation used.
    pub style: NonceStyle,
    /// Audio the nonce added to a request, ms: the first case spoken once with and once without
    /// it, after the trials. RTF and total time include it; heard-speech latency does not.
    #[serde(default)]
    pub added_audio_ms: Option<f64>,
}

/// How a request's text is made unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NonceStyle {
    /// Zero-width characters after the text: a different cache key, nothing spoken (measured:
    /// +0 ms of audio on fastkokoro 0.7).
    Invisible,
    /// A spoken clause, ` Reference <tag>.` (older runs; adds seconds of audio to every request).
    Clause,
}

/// A known limit of one metric in this bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Caveat {
    /// Metric key (see [`crate::metrics::Metric::key`]) or a field name.
    pub metric: String,
    /// Machine-readable code, e.g. `client_process_memory`, `sample_peak_not_true_peak`.
    pub code: String,
    /// Whether gates and comparisons must treat the metric as unmeasured.
    pub untrusted: bool,
    /// Human explanation.
    pub message: String,
}

/// A warning attached to a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Note {
    /// `info`, `warn`.
    pub level: NoteLevel,
    /// Machine-readable code.
    pub code: NoteCode,
    /// Human text.
    pub message: String,
}

/// Severity of a [`Note`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteLevel {
    /// For information.
    Info,
    /// The reader should weigh the numbers with this in mind.
    Warn,
}

impl Bundle {
    /// A bundle of this run and plan with nothing measured yet (schema version, id and empty
    /// results filled in), so a new optional part never needs a line in every literal.
    pub fn new(run: RunMeta, machine: Machine, plan: Plan) -> Bundle {
        Bundle {
            schema_id: SCHEMA_ID.into(),
            schema_version: SCHEMA_VERSION,
            run,
            machine,
            provenance: Provenance::default(),
            plan,
            cases: Vec::new(),
            memory: None,
            soak: None,
            providers: None,
            dual: None,
            hardware: None,
            judges: None,
            capacity: None,
            versus: None,
            probes: Vec::new(),
            gates: Vec::new(),
            caveats: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Rounds the plan asked for (1 for bundles written before rounds existed).
    pub fn rounds(&self) -> u32 {
        self.plan.rounds.unwrap_or(1).max(1)
    }

    /// Adds a note.
    pub fn note(&mut self, level: NoteLevel, code: NoteCode, message: impl Into<String>) {
        self.notes.push(Note {
            level,
            code,
            message: message.into(),
        });
    }

    /// Whether a note with this code is attached.
    pub fn has_note(&self, code: &NoteCode) -> bool {
        self.notes.iter().any(|n| &n.code == code)
    }

    /// Whether the plan included this suite.
    pub fn has_suite(&self, suite: &SuiteKind) -> bool {
        self.plan.suites.contains(suite)
    }

    /// Whether the metric is marked untrusted by a caveat.
    pub fn untrusted(&self, metric_key: &str) -> Option<&Caveat> {
        self.caveats
            .iter()
            .find(|c| c.untrusted && c.metric == metric_key)
    }

    /// The case with this id.
    pub fn case(&self, id: &str) -> Option<&Case> {
        self.cases.iter().find(|c| c.id == id)
    }
}
