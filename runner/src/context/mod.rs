//! What every phase of a run shares, so the driver ([`crate::run`]) and the suites
//! ([`crate::suites`]) both depend on it and never on each other: the settings and texts
//! ([`settings`]), the run's state ([`RunCtx`]: the bundle being filled, the run folder, the clock
//! origin, the stop flag raised by Ctrl-C, the memory sampler), sending requests the same way
//! from every phase ([`request`]), progress ([`progress`]), the files a run leaves
//! ([`artifacts`]) and the preset texts ([`presets`]).

pub mod artifacts;
pub mod presets;
pub mod progress;
pub mod request;
pub mod settings;

use crate::measure::memory::Sampler;
use crate::targets::Sampled;
use anyhow::Result;
use artifacts::RunDir;
use kokoro_bench_bundle::schema::{NoteCode, NoteLevel};
use kokoro_bench_bundle::Bundle;
use progress::Progress;
use settings::{CaseText, Settings};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The state of a run in progress.
pub struct RunCtx {
    /// Run id, `<utc>-<short id>`.
    pub id: String,
    /// Every `*_ms` "since the run started" is measured from here.
    pub origin: Instant,
    /// The bundle, filled as the run goes.
    pub bundle: Bundle,
    /// The run folder (created once the target is up).
    pub dir: Option<RunDir>,
    /// Raised by Ctrl-C: phases end early, the bundle is still written.
    pub stop: Arc<AtomicBool>,
    /// Memory/CPU sampler of the synthesising process (memory suite).
    pub sampler: Option<Sampler>,
    /// Which process synthesises.
    pub sampled: Sampled,
    /// Texts.
    pub cases: Vec<CaseText>,
    /// Shared settings.
    pub settings: Settings,
    /// Progress display.
    pub progress: Progress,
    /// Why the run must stop (a request the target refused as malformed).
    pub fatal: Option<String>,
    /// Requests abandoned in flight by Ctrl-C (not measurements, not failures).
    pub abandoned: u32,
    /// Artifacts (WAVs, traces) that could not be written, with why.
    pub lost: Vec<String>,
}

impl RunCtx {
    /// Whether the run was asked to stop.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Asks the run to stop.
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Marks a point in the memory series (a trial or a phase starting).
    pub fn mark(&self, label: impl Into<String>) {
        if let Some(s) = &self.sampler {
            s.mark(label.into());
        }
    }

    /// Adds a note to the bundle.
    pub fn note(&mut self, level: NoteLevel, code: NoteCode, message: impl Into<String>) {
        self.bundle.note(level, code, message);
    }

    /// Writes the bundle as it is now (and its index line), so nothing measured is lost if the
    /// process dies. A run that never got a folder writes nothing.
    ///
    /// # Errors
    /// IO errors with the path.
    pub fn save(&mut self) -> Result<()> {
        if let Some(s) = &self.sampler {
            self.bundle.memory = Some(s.snapshot());
        }
        if let Some(dir) = &self.dir {
            dir.write_bundle(&self.bundle)?;
        }
        Ok(())
    }

    /// Records an artifact that could not be written (it is named in the bundle's notes).
    pub fn lost_artifact(&mut self, why: String) {
        self.progress.say(&format!("warning: {why}"));
        self.lost.push(why);
    }

    /// Milliseconds since the run started.
    pub fn elapsed_ms(&self) -> f64 {
        self.origin.elapsed().as_secs_f64() * 1000.0
    }
}
