//! The command target: any program that writes audio to stdout — an engine nobody here wrote
//! (espeak-ng, a Python package, an MLX model), measured with the same per-trial trace as the
//! in-process engine and HTTP servers.
//!
//! Two modes. One-shot ([`oneshot`]): a process per request, its start inside the trial
//! (`spawn_ms`, and TTFB is start to first stdout byte). Worker ([`worker`]): one long-lived
//! process that loads its model once and speaks the worker protocol ([`protocol`]); its start-up
//! is reported once, as cold start. [`template`] fills the command line without a shell,
//! [`pipe`] reads the pipes within the request's limits, [`trace`] builds the trial.
//!
//! Memory and CPU are sampled on the runner's child processes (the command and anything it
//! starts), never on the runner itself.

pub mod args;
pub mod oneshot;
pub mod pipe;
pub mod pool;
pub mod protocol;
pub mod template;
pub mod trace;
pub mod worker;

pub use args::CommandArgs;

use super::{Outcome, Request, Sampled, Target, TargetSpec};
use crate::measure::memory::Scope;
use crate::measure::pcm::SampleFormat;
use anyhow::Result;
use kokoro_bench_bundle::schema::{
    CommandMode, CommandTarget, NoteCode, NoteLevel, Provenance, TargetKind,
};
use std::sync::Mutex;
use std::time::Duration;

/// The voice recorded when a one-shot command is given none.
pub const PROGRAM_DEFAULT_VOICE: &str = "(the program's default)";

/// What a one-shot command writes to stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// WAV (streamed headers with placeholder sizes are fine).
    Wav,
    /// Raw mono PCM at `rate_hz`.
    Pcm(SampleFormat),
}

/// The command target, configured.
#[derive(Clone, Debug)]
pub struct CommandConfig {
    /// The command line.
    pub template: template::Template,
    /// A persistent worker (the protocol) rather than a process per request.
    pub worker: bool,
    /// One-shot: the text goes to stdin.
    pub text_on_stdin: bool,
    /// One-shot: the audio format on stdout.
    pub output: Output,
    /// One-shot: the sample rate of raw PCM.
    pub rate_hz: u32,
    /// The `{lang}` placeholder and the worker's `lang` field.
    pub lang: String,
    /// The longest wait for the next stdout byte.
    pub idle: Duration,
    /// Worker: the longest wait for its hello.
    pub ready_timeout: Duration,
    /// Workers behind the router (`--workers`), 1 for one.
    pub workers: u32,
}

impl CommandConfig {
    fn output_text(&self) -> String {
        match self.output {
            Output::Wav => "wav".into(),
            Output::Pcm(f) => format!("pcm {} {} Hz", f.name(), self.rate_hz),
        }
    }

    fn provenance(&self, voice: &str) -> Provenance {
        Provenance {
            voice_id: voice.to_string(),
            command: Some(CommandTarget {
                command: self.template.shown(),
                mode: if self.worker {
                    CommandMode::Worker
                } else {
                    CommandMode::OneShot
                },
                text_on_stdin: self.text_on_stdin,
                output: self.output_text(),
                ready_ms: None,
                reported: Default::default(),
                restarts: 0,
                stderr_tail: String::new(),
                served_per_worker: Vec::new(),
                peak_rss_per_worker_bytes: Vec::new(),
            }),
            ..Default::default()
        }
    }
}

/// The command target before it starts.
#[derive(Debug)]
pub struct CommandSpec(pub CommandConfig);

impl TargetSpec for CommandSpec {
    fn kind(&self) -> TargetKind {
        TargetKind::Command
    }

    fn sampled_process(&self) -> Sampled {
        Sampled::Process {
            pid: std::process::id(),
            what: format!(
                "the processes of `{}` (children of kokoro-bench, which is not counted){}",
                self.0.template.program_name(),
                if self.0.worker {
                    ""
                } else {
                    "; zero between requests"
                }
            ),
            scope: Scope::Children,
        }
    }

    fn voice(&self, given: Option<&str>) -> Result<String> {
        // The program checks its own voices; a wrong one fails the first trial with its stderr.
        if !self.0.worker && !self.0.template.uses("voice") {
            return match given {
                Some(v) => anyhow::bail!(
                    "--voice {v}: the command does not pass a voice; put {{voice}} where the program takes one (e.g. espeak-ng -v {{voice}})"
                ),
                None => Ok(PROGRAM_DEFAULT_VOICE.into()),
            };
        }
        Ok(given.unwrap_or("af_heart").to_string())
    }

    fn start(&self) -> Result<Box<dyn Target>> {
        if self.0.worker && self.0.workers > 1 {
            Ok(Box::new(pool::start(&self.0)?))
        } else if self.0.worker {
            Ok(Box::new(WorkerTarget(worker::Worker::start(
                self.0.clone(),
            )?)))
        } else {
            Ok(Box::new(OneShotTarget {
                cfg: self.0.clone(),
                stderr_last: Mutex::new(String::new()),
            }))
        }
    }
}

/// A one-shot command, ready.
pub struct OneShotTarget {
    cfg: CommandConfig,
    stderr_last: Mutex<String>,
}

impl Target for OneShotTarget {
    fn request(&self, req: &Request<'_>) -> Outcome {
        oneshot::run_trial(&self.cfg, req, &self.stderr_last)
    }

    fn provenance(&self, voice: &str) -> Result<Provenance> {
        Ok(self.cfg.provenance(voice))
    }

    fn finish(&self, p: &mut Provenance) {
        if let (Some(c), Ok(s)) = (p.command.as_mut(), self.stderr_last.lock()) {
            c.stderr_tail = s.clone();
        }
    }
}

/// A persistent worker, ready.
pub struct WorkerTarget(worker::Worker);

impl Target for WorkerTarget {
    fn request(&self, req: &Request<'_>) -> Outcome {
        self.0.request(req)
    }

    fn provenance(&self, voice: &str) -> Result<Provenance> {
        let mut p = self.0.config().provenance(voice);
        let intro = self.0.introduction();
        if let Some(c) = p.command.as_mut() {
            c.ready_ms = Some(intro.ready_ms);
            c.reported = intro.reported.clone();
            c.output = intro.output.clone();
        }
        Ok(p)
    }

    fn notes(&self) -> Vec<(NoteLevel, NoteCode, String)> {
        vec![(
            NoteLevel::Info,
            NoteCode::EngineLoad,
            format!(
                "worker ready in {:.0} ms (spawn to hello: its model load, inside no trial)",
                self.0.introduction().ready_ms
            ),
        )]
    }

    fn finish(&self, p: &mut Provenance) {
        let (restarts, stderr) = self.0.after();
        if let Some(c) = p.command.as_mut() {
            c.restarts = restarts;
            c.stderr_tail = stderr;
            c.peak_rss_per_worker_bytes = self
                .0
                .pid()
                .and_then(crate::measure::memory::peak_rss_bytes)
                .into_iter()
                .collect();
        }
    }
}
