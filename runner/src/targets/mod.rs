//! What a run measures. Every target meets one contract, [`Target`]: given a text it makes one
//! request and returns the same trace ([`TrialOutput`]) — chunk arrivals on the consumer's
//! clock, counted samples, the error if any — so every suite works for every target.
//!
//! A target is chosen and configured before it starts ([`TargetSpec`]: which process to sample,
//! whether engine-only suites can run), then started with a pre-flight check ([`TargetSpec::start`]:
//! the engine loads, a server must accept a connection) so a run that cannot work fails before
//! any file is written.
//!
//! Targets: [`engine`] (ONNX Runtime in this process), [`http`] (an OpenAI- or Kokoro-compatible
//! server), [`command`] (a program writing audio to stdout, one-shot or a persistent worker) and
//! [`fake`] (a scripted schedule of chunks and delays, for tests of the run loop and
//! the suites without a model). Adding one: a module here implementing both traits, a flag group
//! in [`cli`], one arm in [`cli::TargetArgs::spec`].

pub mod cli;
pub mod command;
pub mod engine;
pub mod fake;
pub mod http;
pub mod limits;
pub mod pool;
pub mod progress;
pub mod stream;
mod trace;

pub use trace::{finish, TrialOutput};

use crate::engine::EngineConfig;
use kokoro_bench_bundle::schema::{
    NonceStyle, NoteCode, NoteLevel, Provenance, TargetKind, TrialKind,
};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// One request: the text and everything the target needs besides it.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Text to speak (with any cache-busting variation already applied).
    pub text: &'a str,
    /// Voice id.
    pub voice: &'a str,
    /// Speed, 0.5–2.0.
    pub speed: f32,
    /// Position of the trial within its case (0-based, warm-up included).
    pub index: u32,
    /// Role of the trial in the statistics.
    pub kind: TrialKind,
    /// The run's origin: the trial's `start_ms` is measured from here (aligns with memory).
    pub origin: Instant,
    /// "Audible" threshold, dBFS over 10 ms.
    pub audible_threshold_dbfs: f64,
    /// The simulated player's pre-buffer, ms (for heard-speech latency).
    pub prebuffer_ms: f64,
    /// The whole request must end within this (a failed trial of kind `deadline` otherwise).
    pub timeout: Duration,
    /// Raised by Ctrl-C (or by a listener who barges in): abandon the request now (a trial of
    /// kind `interrupted`).
    pub cancel: Option<&'a AtomicBool>,
    /// Chunks to speak instead of the engine's own plan (`--plan-from`); only the in-process
    /// engine takes them (the plan checks that the target is the engine).
    pub plan: Option<&'a [String]>,
    /// Told of each chunk of audio as it arrives (a listener who interrupts watches it).
    pub progress: Option<&'a progress::Progress>,
}

/// One request's result.
pub struct Outcome {
    /// The trace and the audio.
    pub out: TrialOutput,
    /// Response headers (HTTP), recorded once per run.
    pub headers: BTreeMap<String, String>,
    /// The request itself is wrong (e.g. HTTP 4xx): the run must stop with this message.
    pub fatal: Option<String>,
}

impl Outcome {
    /// Whether Ctrl-C abandoned the request in flight (not a measurement, not a failure).
    pub fn abandoned(&self) -> bool {
        self.out
            .trial
            .error
            .as_ref()
            .is_some_and(|e| e.kind == kokoro_bench_bundle::schema::ErrorKind::Interrupted)
    }

    /// An outcome with nothing but the trace.
    pub fn of(out: TrialOutput) -> Outcome {
        Outcome {
            out,
            headers: BTreeMap::new(),
            fatal: None,
        }
    }
}

/// Which process synthesises, so memory and CPU are sampled on it and never on a bystander.
#[derive(Clone, Debug, PartialEq)]
pub enum Sampled {
    /// Sample this process.
    Process {
        /// PID.
        pid: u32,
        /// What it is, in words (written into the bundle).
        what: String,
        /// Which processes around `pid` are summed.
        scope: crate::measure::memory::Scope,
    },
    /// Nothing can be sampled; why (written as a note).
    NotSampled(String),
}

/// A target as configured, before it starts.
pub trait TargetSpec {
    /// The kind written into the bundle.
    fn kind(&self) -> TargetKind;
    /// The process whose memory and CPU are the target's.
    fn sampled_process(&self) -> Sampled;
    /// The engine configuration, when this target is the in-process engine (the providers,
    /// dual and hardware suites load their own sessions from it).
    fn engine(&self) -> Option<&EngineConfig> {
        None
    }
    /// The voice to use: the one given, checked where the target can check it, or its default.
    ///
    /// # Errors
    /// When the given voice cannot work with this target.
    fn voice(&self, given: Option<&str>) -> anyhow::Result<String>;
    /// Starts the target and checks that it can serve (pre-flight).
    ///
    /// # Errors
    /// When it cannot start: files missing, a server refusing connections, an untrusted
    /// certificate. Nothing has been measured yet, so the run stops.
    fn start(&self) -> anyhow::Result<Box<dyn Target>>;
}

/// A started target.
pub trait Target: Send + Sync {
    /// Makes one request and measures it.
    fn request(&self, req: &Request<'_>) -> Outcome;
    /// What exactly is measured: files, runtime, session, URL.
    ///
    /// # Errors
    /// When a file cannot be hashed.
    fn provenance(&self, voice: &str) -> anyhow::Result<Provenance>;
    /// Notes for the bundle at the start (e.g. how long the engine took to load).
    fn notes(&self) -> Vec<(NoteLevel, NoteCode, String)> {
        Vec::new()
    }
    /// Whether a cache could answer a repeated text, and what the run does about it.
    fn cache(&self) -> CachePolicy {
        CachePolicy::None
    }
    /// Adds what is known only at the end of the run (a worker's restarts, a program's stderr).
    fn finish(&self, _provenance: &mut Provenance) {}
    /// Times a fixed piece of the target's own work for the speed probes between cases: what it
    /// is, and how long it took (ms). `None` for targets without one; every run also times a
    /// fixed CPU loop.
    fn probe(&self, _voice: &str) -> Option<(String, f64)> {
        None
    }
    /// The serving machine's clock, as its HTTP `Date` header says now: sharded sweeps check the
    /// shards' clocks against it. `None` for targets without a server of their own, or a server
    /// that sent none.
    fn server_date(&self) -> Option<String> {
        None
    }
}

/// Whether a target could answer a repeated text from a cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CachePolicy {
    /// Nothing caches (the in-process engine).
    None,
    /// A cache could answer; every request's text is made unique (this way) so none does.
    Defeated(NonceStyle),
    /// A cache could answer and is left alone (`--no-nonce`): repeats are marked `cached`.
    Exposed,
}
