//! The files a run leaves: `artifacts/runs/<id>/{bundle.json, summary.md, audio/*.wav,
//! traces/*.csv}` and `artifacts/index.json`. Every file is written atomically.

use crate::fsutil::{atomic_write, sha256_file, sha256_hex};
use crate::measure::wav::encode_pcm16;
use anyhow::{Context, Result};
use kokoro_bench_bundle::index::{IndexEntry, RunIndex};
use kokoro_bench_bundle::schema::{AudioRef, TraceRef, Trial, Waveform};
use kokoro_bench_bundle::Bundle;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The bundle of the run in progress, for the second Ctrl-C ([`mark_interrupted_on_disk`]).
static CURRENT_BUNDLE: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Marks the bundle on disk (rewritten after every trial) as interrupted, without the run's
/// help: the second Ctrl-C calls it before the process exits, so what was measured stays a
/// readable, honest bundle. Returns its path when there was one to mark.
pub fn mark_interrupted_on_disk() -> Option<PathBuf> {
    let path = CURRENT_BUNDLE.lock().ok()?.clone()?;
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    v["run"]["status"] = "interrupted".into();
    if let Some(notes) = v["notes"].as_array_mut() {
        notes.push(serde_json::json!({
            "level": "warn", "code": "interrupted",
            "message": "the run was interrupted twice (Ctrl-C): the bundle holds every trial finished before; the one in flight was abandoned",
        }));
    }
    let bytes = serde_json::to_vec_pretty(&v).ok()?;
    atomic_write(&path, &bytes).ok()?;
    Some(path)
}

/// Buckets of waveform peaks stored per audio file.
pub const WAVEFORM_BUCKETS: usize = 600;

/// A run's folder.
pub struct RunDir {
    /// `artifacts/`.
    pub root: PathBuf,
    /// `artifacts/runs/<id>/`.
    pub dir: PathBuf,
}

impl RunDir {
    /// Creates `root/runs/<id>/`.
    ///
    /// # Errors
    /// When the folder cannot be created.
    pub fn create(root: &Path, id: &str) -> Result<RunDir> {
        let dir = root.join("runs").join(id);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the run folder {}", dir.display()))?;
        if let Ok(mut current) = CURRENT_BUNDLE.lock() {
            *current = Some(dir.join("bundle.json"));
        }
        Ok(RunDir {
            root: root.to_path_buf(),
            dir,
        })
    }

    /// Path of the bundle.
    pub fn bundle_path(&self) -> PathBuf {
        self.dir.join("bundle.json")
    }

    /// Writes a trial's audio as WAV and returns its reference.
    ///
    /// # Errors
    /// IO errors with the path.
    pub fn write_audio(
        &self,
        case: &str,
        trial: u32,
        samples: &[f32],
        sample_rate_hz: u32,
    ) -> Result<AudioRef> {
        let rel = format!("audio/{case}-t{trial}.wav");
        let bytes = encode_pcm16(samples, sample_rate_hz);
        atomic_write(&self.dir.join(&rel), &bytes)?;
        Ok(AudioRef {
            path: rel,
            sha256: sha256_hex(&bytes),
            duration_s: samples.len() as f64 / sample_rate_hz as f64,
            sample_rate_hz,
            waveform: Waveform::from_samples(samples, WAVEFORM_BUCKETS),
        })
    }

    /// Writes a trial's chunk/buffer trace as CSV (`t_ms,samples,audio_s_cumulative,buffer_s`).
    ///
    /// # Errors
    /// IO errors with the path.
    pub fn write_trace(&self, case: &str, trial: &Trial) -> Result<TraceRef> {
        let rel = format!("traces/{case}-t{}.csv", trial.index);
        let mut csv = String::from("t_ms,samples,audio_s_cumulative,buffer_s\n");
        let mut cumulative = 0.0;
        let sr = trial.sample_rate_hz.max(1) as f64;
        for (i, (&t, &n)) in trial
            .chunks
            .t_ms
            .iter()
            .zip(&trial.chunks.samples)
            .enumerate()
        {
            cumulative += n as f64 / sr;
            // Buffer right after this chunk arrived, from the playback simulation when present.
            let buffer = trial
                .playback
                .as_ref()
                .and_then(|p| {
                    p.buffer_t_ms
                        .iter()
                        .rposition(|&bt| bt <= t)
                        .map(|k| p.buffer_ms[k] / 1000.0)
                })
                .map(|b| format!("{b:.4}"))
                .unwrap_or_default();
            let _ = i;
            csv.push_str(&format!("{t:.3},{n},{cumulative:.4},{buffer}\n"));
        }
        let path = self.dir.join(&rel);
        atomic_write(&path, csv.as_bytes())?;
        Ok(TraceRef {
            path: rel,
            sha256: sha256_hex(csv.as_bytes()),
        })
    }

    /// Writes the bundle and updates `index.json`.
    ///
    /// # Errors
    /// IO or serialisation errors with the path.
    pub fn write_bundle(&self, bundle: &Bundle) -> Result<PathBuf> {
        let path = self.bundle_path();
        let bytes = kokoro_bench_bundle::to_json(bundle).context("cannot serialise the bundle")?;
        // JSON cannot hold NaN/∞ (serde_json writes null): never publish a bundle that does not
        // read back. Keep it for forensics under another name and fail loudly.
        if let Err(e) = kokoro_bench_bundle::read_bundle(&bytes) {
            let bad = self.dir.join("bundle.unreadable.json");
            atomic_write(&bad, &bytes)?;
            anyhow::bail!(
                "internal error: the bundle would not read back ({e}); kept as {}",
                bad.display()
            );
        }
        atomic_write(&path, &bytes)?;
        update_index(&self.root, bundle, &path)?;
        Ok(path)
    }
}

/// Inserts or replaces a bundle's line in `root/index.json`.
///
/// # Errors
/// IO errors with the path; an unreadable index is replaced (its runs are re-listed from disk).
pub fn update_index(root: &Path, bundle: &Bundle, bundle_path: &Path) -> Result<()> {
    let index_path = root.join("index.json");
    let mut index: RunIndex = std::fs::read(&index_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let rel = bundle_path
        .strip_prefix(root)
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_else(|_| bundle_path.display().to_string());
    index.upsert(IndexEntry::of(bundle, rel, sha256_file(bundle_path)?));
    let bytes = serde_json::to_vec_pretty(&index).context("cannot serialise the index")?;
    atomic_write(&index_path, &bytes)
}
