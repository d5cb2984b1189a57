//! The contract every judge meets ([`Judge`]), like the suites' contract. A judge is one module —
//! its network, an `impl Judge` that writes its fields of the trial's scores, and an [`Entry`]:
//! its name, the pinned package its files come from, and how to load it — plus one line in
//! [`super::registry::REGISTRY`]. The panel loads every entry; one whose files are missing or do
//! not match their pins is skipped *by name* and the others still score.

use super::assets::{self, PinnedPackage};
use crate::engine::runtime::Runtime;
use anyhow::Result;
use kokoro_bench_bundle::schema::{JudgeModel, TrialJudges};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One clip to judge.
pub struct Clip<'a> {
    /// Mono samples.
    pub samples: &'a [f32],
    /// Their rate.
    pub sample_rate_hz: u32,
    /// The text it should say: the transcript is scored against it.
    pub spoken: Option<&'a str>,
    /// Samples in each streamed piece, in order, when the clip is their concatenation: each join
    /// is judged for a change of voice.
    pub pieces: Option<&'a [u32]>,
}

/// What a judge hears: the clip at 16 kHz (every model hears 16 kHz; resampled once for all),
/// and the clip as given (the text it should say, its streamed pieces).
pub struct Heard<'a> {
    /// The clip's samples at 16 kHz.
    pub audio: &'a [f32],
    /// The clip as given.
    pub clip: &'a Clip<'a>,
}

/// What loading a judge, or setting its voice, may need besides its own files.
pub struct Setting<'a> {
    /// Where `setup --judges` put the models (and cached voiceprints).
    pub dir: &'a Path,
    /// ONNX Runtime, for judges that run on it.
    pub rt: &'a Arc<Runtime>,
    /// Below this a window is silence, dBFS.
    pub audible_dbfs: f64,
}

/// One model that listens.
pub trait Judge {
    /// Its name, as a skip or a failure is said (`DNSMOS`).
    fn name(&self) -> &'static str;
    /// Scores one clip into its own fields of `out`.
    ///
    /// # Errors
    /// The model failing on this clip (said by name; the other judges still score).
    fn judge(&mut self, heard: &Heard<'_>, out: &mut TrialJudges) -> Result<()>;
    /// Its model files, as the bundle records them.
    fn models(&self) -> Vec<JudgeModel>;
    /// Sets the voice it measures against, for judges that need one; returns that reference in
    /// words.
    ///
    /// # Errors
    /// No reference can be made for this voice.
    fn set_voice(&mut self, _voice: &str, _setting: &Setting<'_>) -> Result<Option<String>> {
        Ok(None)
    }
    /// Hypotheses a transcribing judge keeps (1: greedy).
    fn set_asr_beam(&mut self, _beam: usize) {}
    /// What a transcribing judge heard in the last clip.
    fn transcript(&self) -> Option<String> {
        None
    }
}

/// How a judge is loaded from its located files.
pub type Loader = fn(&[PathBuf], &Setting<'_>) -> Result<Box<dyn Judge>>;

/// One judge in the registry.
pub struct Entry {
    /// Its name, as a skip is said.
    pub name: &'static str,
    /// Where its files come from (registry package, member files, SHA-256 pins).
    pub package: &'static PinnedPackage,
    /// Builds it from its files, in the package's file order.
    pub load: Loader,
}

/// The provenance of a package's files as used.
pub fn provenance(pkg: &PinnedPackage, runtime: &str) -> Vec<JudgeModel> {
    pkg.files
        .iter()
        .map(|f| JudgeModel {
            name: f.name.into(),
            package: pkg.requirement.into(),
            package_sha256: pkg.wheel_sha256.into(),
            file: f.member.into(),
            sha256: f.cached_sha256().into(),
            runtime: runtime.into(),
        })
        .collect()
}

/// Loads one entry: its files located and checked against their pins, then the model.
///
/// # Errors
/// Files missing or not matching their pins (the message says to run `setup --judges`), or the
/// model refusing to load.
pub fn load(entry: &Entry, setting: &Setting<'_>) -> Result<Box<dyn Judge>> {
    let files = assets::locate(setting.dir, entry.package)?;
    (entry.load)(&files, setting)
}
