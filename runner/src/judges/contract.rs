//! The contract every judge meets ([`Judge`]) and the one list of judges ([`REGISTRY`]), like the
//! suites' registry. A judge is one module — its network, and an `impl Judge` that writes its
//! fields of the trial's scores — plus one [`Entry`] here: its name, the pinned package its files
//! come from, and how to load it. The panel loads every entry; one whose files are missing or
//! do not match their pins is skipped *by name* and the others still score.

use super::assets::{self, PinnedPackage};
use super::panel::Clip;
use crate::engine::runtime::Runtime;
use anyhow::Result;
use kokoro_bench_bundle::schema::{JudgeModel, TrialJudges};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// Every judge, in the order a clip is judged.
pub const REGISTRY: &[Entry] = &[
    super::distillmos::ENTRY,
    super::dnsmos::ENTRY,
    super::speaker::ENTRY,
    super::whisper::ENTRY,
];

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every judge hears the one 16 kHz resampling the panel makes.
    #[test]
    fn every_judge_hears_16_khz() {
        for rate in [
            super::super::dnsmos::SAMPLE_RATE_HZ,
            super::super::distillmos::SAMPLE_RATE_HZ,
            super::super::ge2e::SAMPLE_RATE_HZ,
            super::super::whisper::SAMPLE_RATE_HZ,
        ] {
            assert_eq!(rate, 16_000);
        }
    }

    /// The registry names each judge once and each package once: a judge added in two places.
    #[test]
    fn each_judge_is_listed_once() {
        let mut names: Vec<&str> = REGISTRY.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
        for e in REGISTRY {
            assert!(
                assets::ALL
                    .iter()
                    .any(|p| p.requirement == e.package.requirement),
                "{} reads a package `setup --judges` does not fetch",
                e.name
            );
        }
    }
}
