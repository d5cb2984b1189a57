//! The in-process engine as a target: ONNX Runtime and G2P in this process, on the engine's own
//! thread. A trial submits the text and timestamps every chunk as the consumer *receives* it, so
//! the hand-off is inside TTFA, as for a real caller.

use super::{finish, Outcome, Request, Sampled, Target, TargetSpec, TrialOutput};
use crate::engine::g2p::Lang;
use crate::engine::joins::{pause_around, Joins};
use crate::engine::model::SessionConfig;
use crate::engine::voices::VoicePack;
use crate::engine::{
    Chunking, EngineConfig, EngineHandle, Strategy, SynthEvent, SynthRequest, SAMPLE_RATE_HZ,
};
use crate::fsutil::sha256_file;
use crate::setup::{default_assets, Assets};
use anyhow::{bail, Context, Result};
use clap::Args;
use kokoro_bench_bundle::schema::{
    ChunkSeries, ErrorKind, FileRef, NoteCode, NoteLevel, Provenance, RuntimeInfo, TargetKind,
    Trial, TrialError,
};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Engine flags: files (each defaults to what `kokoro-bench setup` cached) and session options.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "In-process engine (--target engine)")]
pub struct EngineArgs {
    /// ONNX Runtime shared library (libonnxruntime.so / .dylib).
    #[arg(long, env = "ORT_DYLIB_PATH")]
    pub ort_lib: Option<PathBuf>,
    /// Kokoro ONNX model (e.g. kokoro-v1.0.int8.onnx).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Voice pack (voices-v1.0.bin or any Kokoro .npz).
    #[arg(long)]
    pub voices: Option<PathBuf>,
    /// Vocabulary (vocab.json).
    #[arg(long)]
    pub vocab: Option<PathBuf>,
    /// G2P language.
    #[arg(long, value_enum, default_value = "en-us")]
    pub lang: Lang,
    /// Intra-op threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Graph optimisation level: disable, basic, extended, all.
    #[arg(long, default_value = "all", value_parser = ["disable", "basic", "extended", "all"])]
    pub optimization: String,
    /// How the engine cuts the text into chunks: `adaptive` sizes each from the speed measured
    /// so far so playback never waits; `progressive` is the fixed 3, 8, 16 … word schedule.
    #[arg(long, value_enum, default_value = "adaptive")]
    pub strategy: Strategy,
    /// Silence at the edges of each synthesised piece: `natural` trims it to the pause the text
    /// calls for (speech starts within 20 ms of the first sample, no 1 s pauses inside
    /// sentences); `raw` keeps the model's output.
    #[arg(long, value_enum, default_value = "natural")]
    pub joins: Joins,
    /// `--strategy adaptive`: the fewest words in the first chunk (it grows by itself when the
    /// machine is too slow to continue without a gap). 3 by default: judged better than 2 in two
    /// runs of the sentence set for 15–90 ms more latency (docs/measurements.md).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=12))]
    pub first_words: u16,
}

impl EngineArgs {
    /// Resolves files (flags first, then the set-up cache) into an engine configuration.
    ///
    /// # Errors
    /// A file neither given nor set up, a given file that does not exist, zero threads.
    pub fn config(&self) -> Result<EngineConfig> {
        if self.threads == 0 {
            bail!("--threads must be at least 1");
        }
        let assets = resolve_assets(self)?;
        Ok(EngineConfig {
            ort_lib: assets.ort_lib,
            model: assets.model,
            voices: assets.voices,
            vocab: assets.vocab,
            lang: self.lang,
            session: SessionConfig {
                intra_threads: self.threads,
                optimization: self.optimization.clone(),
                ..Default::default()
            },
            chunking: Chunking {
                strategy: self.strategy,
                joins: self.joins,
                min_first_words: usize::from(self.first_words),
            },
        })
    }
}

/// Resolves engine files: flags (and `ORT_DYLIB_PATH`) first, then the set-up cache.
///
/// # Errors
/// When a file is neither given nor set up, or a given file does not exist.
pub fn resolve_assets(a: &EngineArgs) -> Result<Assets> {
    let cached = default_assets();
    let pick = |given: &Option<PathBuf>, cached: Option<PathBuf>, flag: &str| -> Result<PathBuf> {
        match (given, cached) {
            (Some(p), _) if p.is_file() => Ok(p.clone()),
            (Some(p), _) => bail!("{flag}: no such file: {}", p.display()),
            (None, Some(c)) => Ok(c),
            (None, None) => bail!(
                "no {flag} given and nothing set up yet: run `kokoro-bench setup` (downloads ONNX Runtime and the model) \
                 or pass {flag} (cache: {})",
                crate::setup::cache_dir().display()
            ),
        }
    };
    let c = cached.as_ref();
    Ok(Assets {
        ort_lib: pick(&a.ort_lib, c.map(|c| c.ort_lib.clone()), "--ort-lib")?,
        model: pick(&a.model, c.map(|c| c.model.clone()), "--model")?,
        voices: pick(&a.voices, c.map(|c| c.voices.clone()), "--voices")?,
        vocab: pick(&a.vocab, c.map(|c| c.vocab.clone()), "--vocab")?,
    })
}

/// The engine, configured.
pub struct EngineSpec(pub EngineConfig);

impl TargetSpec for EngineSpec {
    fn kind(&self) -> TargetKind {
        TargetKind::Engine
    }

    fn sampled_process(&self) -> Sampled {
        Sampled::Process {
            pid: std::process::id(),
            what: "kokoro-bench runner (in-process engine)".into(),
            scope: crate::measure::memory::Scope::Process,
        }
    }

    fn engine(&self) -> Option<&EngineConfig> {
        Some(&self.0)
    }

    fn voice(&self, given: Option<&str>) -> Result<String> {
        let pack = VoicePack::load(&self.0.voices)?;
        match given {
            Some(v) => {
                pack.check(v)?;
                Ok(v.to_string())
            }
            None => default_voice(&pack.names(), self.0.lang.code())
                .map(|s| s.to_string())
                .context("the voice pack is empty"),
        }
    }

    fn start(&self) -> Result<Box<dyn Target>> {
        Ok(Box::new(EngineTarget::start(self.0.clone())?))
    }
}

/// The voice used when none is given: `af_heart` for US English when the pack has it, else the
/// first voice made for `lang`, else the pack's first voice (a note then says the language differs).
pub fn default_voice<'a>(names: &[&'a str], lang: &str) -> Option<&'a str> {
    use kokoro_bench_bundle::describe::voice_language;
    names
        .iter()
        .find(|n| lang == "en-us" && **n == "af_heart")
        .or_else(|| names.iter().find(|n| voice_language(n) == Some(lang)))
        .or_else(|| names.first())
        .copied()
}

/// The engine, started.
pub struct EngineTarget {
    handle: EngineHandle,
    cfg: EngineConfig,
}

impl EngineTarget {
    /// Loads an engine (used by the target and by suites that drive their own sessions).
    ///
    /// # Errors
    /// When a file cannot be loaded or the session cannot be created.
    pub fn start(cfg: EngineConfig) -> Result<EngineTarget> {
        let handle = EngineHandle::start(cfg.clone()).context("the engine could not start")?;
        Ok(EngineTarget { handle, cfg })
    }
}

fn file_ref(path: &Path) -> Result<FileRef> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(FileRef {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size_bytes: meta.len(),
        sha256: sha256_file(path)?,
    })
}

impl Target for EngineTarget {
    fn request(&self, r: &Request<'_>) -> Outcome {
        Outcome::of(measure(&self.handle, self.cfg.chunking.strategy, r))
    }

    fn provenance(&self, voice: &str) -> Result<Provenance> {
        let info = &self.handle.info;
        Ok(Provenance {
            model: Some(file_ref(&self.cfg.model)?),
            voices: Some(file_ref(&self.cfg.voices)?),
            vocab: Some(file_ref(&self.cfg.vocab)?),
            voice_id: voice.to_string(),
            style_row_rule: Some(crate::engine::voices::STYLE_ROW_RULE.into()),
            g2p: Some(info.g2p.clone()),
            runtime: Some(RuntimeInfo {
                ort_version: info.ort_version.clone(),
                library: info.ort_library.clone(),
                binding: "ort 2.0.0-rc.15 (load-dynamic)".into(),
                available_providers: info.available_providers.clone(),
                requested_providers: vec!["CPUExecutionProvider".into()],
                registered_providers: vec!["CPUExecutionProvider".into()],
            }),
            session: Some(info.session.clone()),
            model_io: info.model_io.clone(),
            corpus: Vec::new(),
            http: None,
            command: None,
        })
    }

    fn probe(&self, voice: &str) -> Option<(String, f64)> {
        let ms = self.handle.probe(voice).ok()?;
        Some((
            format!(
                "one inference of 20 fixed tokens (`{}`), voice {voice}",
                crate::engine::worker::PROBE_PHONEMES
            ),
            ms,
        ))
    }

    fn notes(&self) -> Vec<(NoteLevel, NoteCode, String)> {
        vec![(
            NoteLevel::Info,
            NoteCode::EngineLoad,
            format!(
                "engine loaded in {:.0} ms (library, voices, vocabulary, session, G2P)",
                self.handle.info.load_ms
            ),
        )]
    }
}

fn failed(kind: ErrorKind, message: String) -> Option<TrialError> {
    Some(TrialError { kind, message })
}

/// The next event, waiting in 10 ms slices so a deadline, Ctrl-C or a listener's interruption
/// ends the wait (dropping the receiver then stops the engine after its current chunk).
fn wait(
    rx: &std::sync::mpsc::Receiver<SynthEvent>,
    deadline: Instant,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Result<SynthEvent, TrialError> {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
            return Err(TrialError {
                kind: ErrorKind::Interrupted,
                message: "abandoned: the run was interrupted".into(),
            });
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TrialError {
                kind: ErrorKind::Deadline,
                message: "the engine took longer than the request deadline (--request-timeout)"
                    .into(),
            });
        }
        match rx.recv_timeout(left.min(std::time::Duration::from_millis(10))) {
            Ok(ev) => return Ok(ev),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(TrialError {
                    kind: ErrorKind::Engine,
                    message: "the engine thread stopped".into(),
                })
            }
        }
    }
}

/// Runs one synthesis on `engine`, cut by `strategy`, and measures it; `r.origin` aligns the trial
/// with the memory series.
pub fn measure(engine: &EngineHandle, strategy: Strategy, r: &Request<'_>) -> TrialOutput {
    // Only a request that can be abandoned needs a way to stop the engine part way.
    let abort = r
        .cancel
        .map(|_| std::sync::Arc::new(crate::engine::model::Abort::default()));
    let req = SynthRequest {
        text: r.text.to_string(),
        voice: r.voice.to_string(),
        speed: r.speed,
        strategy,
        plan: r.plan.map(<[String]>::to_vec),
        abort: abort.clone(),
    };
    let start = Instant::now();
    let mut trial = Trial {
        index: r.index,
        kind: r.kind,
        start_ms: start.duration_since(r.origin).as_secs_f64() * 1000.0,
        sample_rate_hz: SAMPLE_RATE_HZ,
        ..Default::default()
    };
    let mut samples: Vec<f32> = Vec::new();
    let mut joins = Vec::new();
    let mut chunks = ChunkSeries::default();
    let mut phonemes = 0u32;
    let mut dropped = 0u32;
    let ms = |t: Instant| t.duration_since(start).as_secs_f64() * 1000.0;
    match engine.synthesize(req) {
        Err(e) => trial.error = failed(ErrorKind::Request, e.to_string()),
        Ok(rx) => loop {
            let deadline = start + r.timeout;
            let event = match wait(&rx, deadline, r.cancel) {
                Ok(ev) => ev,
                Err(abandoned) => {
                    // The running inference stops now, and no further chunk starts.
                    if let Some(a) = &abort {
                        a.abort();
                    }
                    trial.error = Some(abandoned);
                    break;
                }
            };
            match event {
                SynthEvent::Chunk(c) => {
                    let t = ms(Instant::now());
                    if !samples.is_empty() {
                        joins.push(samples.len());
                    }
                    crate::targets::progress::report(r.progress, c.samples.len(), SAMPLE_RATE_HZ);
                    chunks.t_ms.push(t);
                    chunks.samples.push(c.samples.len() as u32);
                    chunks.inference_ms.push(c.inference_ms);
                    chunks.g2p_ms.push(c.g2p_ms);
                    chunks.phonemes.push(c.phonemes as u32);
                    chunks.text.push(c.text);
                    chunks.planned_ms.extend(c.plan.planned_ms);
                    chunks.budget_ms.extend(c.plan.budget_ms);
                    chunks.join_expected_ms.extend(c.then_pause_ms);
                    if c.plan.schedule.is_some() {
                        trial.schedule = c.plan.schedule;
                    }
                    phonemes += c.phonemes as u32;
                    dropped += c.dropped as u32;
                    samples.extend_from_slice(&c.samples);
                }
                SynthEvent::Done => {
                    trial.total_ms = chunks.t_ms.last().copied();
                    break;
                }
                SynthEvent::Failed(m) => {
                    trial.error = failed(ErrorKind::Synthesis, m);
                    break;
                }
            }
        },
    }
    trial.samples = samples.len() as u64;
    trial.audio_s = samples.len() as f64 / SAMPLE_RATE_HZ as f64;
    trial.phonemes = (phonemes > 0).then_some(phonemes);
    trial.oov_phoneme_chars = (phonemes > 0).then_some(dropped);
    if let Some(&t0) = chunks.t_ms.first() {
        trial.ttfa_ms = Some(t0);
        trial.first_g2p_ms = chunks.g2p_ms.first().copied();
        trial.first_inference_ms = chunks.inference_ms.first().copied();
        trial.first_handoff_ms = Some(t0 - chunks.g2p_ms[0] - chunks.inference_ms[0]);
    }
    chunks.join_expected_ms.truncate(joins.len());
    chunks.join_pause_ms = joins
        .iter()
        .map(|&at| pause_around(&samples, at, SAMPLE_RATE_HZ, r.audible_threshold_dbfs))
        .collect();
    trial.chunks = chunks;
    finish(
        &mut trial,
        &samples,
        r.audible_threshold_dbfs,
        r.prebuffer_ms,
    );
    if trial.error.is_none() && trial.audio_s > 0.0 {
        trial.inference_rtf =
            Some(trial.chunks.inference_ms.iter().sum::<f64>() / 1000.0 / trial.audio_s);
    }
    TrialOutput {
        trial,
        samples,
        joins,
    }
}

#[cfg(test)]
mod default_voice_tests {
    use super::default_voice;

    #[test]
    fn the_default_voice_matches_the_language_when_the_pack_has_one() {
        let v1 = ["af_bella", "af_heart", "bf_emma", "jf_alpha"];
        assert_eq!(default_voice(&v1, "en-us"), Some("af_heart"));
        assert_eq!(default_voice(&v1, "en-gb"), Some("bf_emma"));
        let ja = ["jf_alpha", "jm_kumo"];
        assert_eq!(
            default_voice(&ja, "en-us"),
            Some("jf_alpha"),
            "none for English: the first, with a note"
        );
        assert_eq!(default_voice(&[], "en-us"), None);
    }
}
