//! The trial loop: engine up, every case × trial measured, artifacts written after each case, a
//! partial bundle kept on Ctrl-C.

use super::artifacts::RunDir;
use super::target::{RequestSettings, Target, TargetSpec};
use super::trial::TrialOutput;
use crate::engine::{EngineHandle, Strategy};
use crate::fsutil::sha256_file;
use crate::measure::{machine, memory::Sampler, quality};
use crate::timefmt::{compact, rfc3339, unix_ms_now};
use anyhow::{Context, Result};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use kokoro_bench_bundle::gates::{evaluate, GateRule};
use kokoro_bench_bundle::playback::simulate;
use kokoro_bench_bundle::schema::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Suite {
    /// Time to first audio (always measured).
    Ttfa,
    /// Real-time factor (always measured).
    Rtf,
    /// Chunk cadence and the playback-clock simulation.
    Streaming,
    /// Loudness, true peak and audio checks.
    Quality,
    /// RSS/CPU sampling of the synthesising process.
    Memory,
    /// Endurance: many requests over a duration or count (needs --duration or --iterations).
    Soak,
    /// Execution providers / session options matrix on the same tokens.
    Providers,
    /// Power/thermal hints and a fixed workload to line machines up.
    Hardware,
    /// Two sessions behind a router against one session with the same total threads.
    Dual,
}

impl Suite {
    fn name(self) -> &'static str {
        match self {
            Suite::Ttfa => "ttfa",
            Suite::Rtf => "rtf",
            Suite::Streaming => "streaming",
            Suite::Quality => "quality",
            Suite::Memory => "memory",
            Suite::Soak => "soak",
            Suite::Providers => "providers",
            Suite::Hardware => "hardware",
            Suite::Dual => "dual",
        }
    }
}

/// Which trials keep their audio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SaveAudio {
    /// None.
    None,
    /// The first measured trial of each case.
    First,
    /// Every trial.
    All,
}

/// Everything a run needs.
pub struct RunOptions {
    /// What to measure.
    pub target: super::target::TargetSpec,
    /// PID of the server process (HTTP target), for memory/CPU sampling.
    pub server_pid: Option<u32>,
    /// Cases: (id, text).
    pub texts: Vec<(String, String)>,
    /// Voice.
    pub voice: String,
    /// Speed.
    pub speed: f32,
    /// Strategy.
    pub strategy: Strategy,
    /// Warm-up trials per case.
    pub warmup: u32,
    /// Measured trials per case.
    pub trials: u32,
    /// Suites.
    pub suites: Vec<Suite>,
    /// Player pre-buffer, ms.
    pub prebuffer_ms: f64,
    /// Audibility threshold, dBFS.
    pub audible_threshold_dbfs: f64,
    /// Audio kept.
    pub save_audio: SaveAudio,
    /// `artifacts/`.
    pub out: PathBuf,
    /// Gates.
    pub gates: Vec<GateRule>,
    /// Memory sampling interval.
    pub memory_interval: Duration,
    /// Test hook: delay before each chunk after the first.
    pub extra_delay_per_chunk: Option<Duration>,
    /// Command line as given.
    pub command_line: Vec<String>,
    /// Show a progress bar.
    pub progress: bool,
    /// Soak settings (when the soak suite runs).
    pub soak: Option<super::soak::SoakOptions>,
    /// Providers settings (when the providers suite runs).
    pub providers: Option<super::providers::ProvidersOptions>,
    /// Dual-session settings (when the dual suite runs).
    pub dual: Option<super::dual::DualOptions>,
}

/// What a run produced.
pub struct RunOutcome {
    /// The bundle.
    pub bundle: Bundle,
    /// Where it was written.
    pub bundle_path: PathBuf,
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

fn provenance(
    opts: &RunOptions,
    info: Option<&crate::engine::EngineInfo>,
    corpus: Vec<CorpusText>,
) -> Result<Provenance> {
    Ok(match (&opts.target, info) {
        (TargetSpec::Engine(cfg), Some(info)) => Provenance {
            model: Some(file_ref(&cfg.model)?),
            voices: Some(file_ref(&cfg.voices)?),
            vocab: Some(file_ref(&cfg.vocab)?),
            voice_id: opts.voice.clone(),
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
            corpus,
            http: None,
        },
        (TargetSpec::Http(h), _) => Provenance {
            voice_id: opts.voice.clone(),
            corpus,
            http: Some(HttpTarget {
                url: h.url_text.clone(),
                dialect: h.dialect.name().into(),
                response_headers: Default::default(),
                keep_alive: h.keep_alive,
            }),
            ..Default::default()
        },
        (TargetSpec::Engine(_), None) => {
            anyhow::bail!("internal: engine target without engine info")
        }
    })
}

fn short_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    crate::fsutil::sha256_hex(format!("{nanos}-{}", std::process::id()).as_bytes())[..6].to_string()
}

/// Runs the plan. `stop` is raised by Ctrl-C: the current trial finishes, the rest is skipped,
/// and the bundle is written with status `interrupted`.
///
/// # Errors
/// When the engine cannot start or artifacts cannot be written.
pub fn execute(opts: RunOptions, stop: Arc<AtomicBool>) -> Result<RunOutcome> {
    let origin = Instant::now();
    let started_unix_ms = unix_ms_now();
    let id = format!("{}-{}", compact(started_unix_ms), short_id());
    let mut m = machine::describe();
    m.calibration = Some(machine::calibrate());

    let has = |s: Suite| opts.suites.contains(&s);
    let mut early_notes: Vec<(NoteLevel, &str, String)> = Vec::new();
    let (sampled_pid, sampled_what) = match &opts.target {
        TargetSpec::Engine(_) => (
            Some(std::process::id()),
            "kokoro-bench runner (in-process engine)".to_string(),
        ),
        TargetSpec::Http(h)
            if opts.server_pid.is_none()
                && !crate::http::server_pid::is_local_host(&h.url.host) =>
        {
            early_notes.push((
                NoteLevel::Warn,
                "memory_not_sampled",
                format!("memory/CPU not sampled: {} is not this machine (run kokoro-bench beside the server to sample it)", h.url.host),
            ));
            (None, String::new())
        }
        TargetSpec::Http(h) => match opts
            .server_pid
            .or_else(|| crate::http::server_pid::find_listener(h.url.port))
        {
            Some(pid) => (
                Some(pid),
                format!("server listening on port {}", h.url.port),
            ),
            None => {
                early_notes.push((
                    NoteLevel::Warn,
                    "memory_not_sampled",
                    format!("memory/CPU not sampled: no process on this machine listens on port {}; pass --server-pid", h.url.port),
                ));
                (None, String::new())
            }
        },
    };
    let sampler = if has(Suite::Memory) {
        sampled_pid.map(|pid| Sampler::start(pid, &sampled_what, opts.memory_interval, origin))
    } else {
        None
    };
    let (target, info) = match &opts.target {
        TargetSpec::Engine(cfg) => {
            let engine =
                Arc::new(EngineHandle::start(cfg.clone()).context("the engine could not start")?);
            let info = engine.info.clone();
            (Target::Engine(engine), Some(info))
        }
        TargetSpec::Http(h) => {
            crate::http::wire::connect(&h.url, h.tls.as_ref(), h.timeout).map_err(|e| {
                let hint = match e {
                    crate::http::wire::WireError::Tls(_) => "",
                    _ => ". Is the server running?",
                };
                anyhow::anyhow!("{e}{hint} ({})", h.url_text)
            })?;
            (Target::Http(Box::new(h.clone())), None)
        }
    };
    if let Some(s) = &sampler {
        s.baseline_now();
    }

    let nonce = matches!(&opts.target, TargetSpec::Http(h) if h.nonce);
    let corpus: Vec<CorpusText> = opts
        .texts
        .iter()
        .map(|(id, t)| CorpusText {
            id: id.clone(),
            text: t.clone(),
            sha256: crate::fsutil::sha256_hex(t.as_bytes()),
            chars: t.chars().count() as u32,
        })
        .collect();
    let mut suites: Vec<String> = opts.suites.iter().map(|s| s.name().to_string()).collect();
    suites.dedup();
    let mut bundle = Bundle {
        schema_id: SCHEMA_ID.into(),
        schema_version: SCHEMA_VERSION,
        run: RunMeta {
            id: id.clone(),
            started_at: rfc3339(started_unix_ms),
            started_unix_ms,
            finished_at: None,
            finished_unix_ms: None,
            tool: format!("kokoro-bench {}", env!("CARGO_PKG_VERSION")),
            git_commit: option_env!("KOKORO_BENCH_GIT_COMMIT").map(str::to_string),
            build_profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .into(),
            command_line: opts.command_line.clone(),
            status: RunStatus::InProgress,
            target: match opts.target {
                TargetSpec::Engine(_) => TargetKind::Engine,
                TargetSpec::Http(_) => TargetKind::Http,
            },
        },
        machine: m,
        provenance: provenance(&opts, info.as_ref(), corpus)?,
        plan: Plan {
            suites,
            warmup_trials: opts.warmup,
            measured_trials: opts.trials,
            strategy: opts.strategy.name().into(),
            voice: opts.voice.clone(),
            speed: opts.speed as f64,
            prebuffer_ms: opts.prebuffer_ms,
            audible_threshold_dbfs: Some(opts.audible_threshold_dbfs),
            nonce_per_trial: nonce,
        },
        cases: Vec::new(),
        memory: None,
        soak: None,
        providers: None,
        hardware: None,
        dual: None,
        gates: Vec::new(),
        caveats: Vec::new(),
        notes: Vec::new(),
    };
    if cfg!(debug_assertions) {
        bundle.note(
            NoteLevel::Warn,
            "debug_build",
            "debug build: timings are not comparable with release builds",
        );
    }
    if let Some(info) = &info {
        bundle.note(
            NoteLevel::Info,
            "engine_load",
            format!(
                "engine loaded in {:.0} ms (library, voices, vocabulary, session, G2P)",
                info.load_ms
            ),
        );
    }
    for (level, code, msg) in early_notes {
        bundle.note(level, code, msg);
    }
    if opts.extra_delay_per_chunk.is_some() {
        bundle.note(
            NoteLevel::Warn,
            "synthetic_delay",
            "a synthetic delay was added before each chunk after the first (test hook)",
        );
    }
    let dir = RunDir::create(&opts.out, &id)?;

    let trial_suites = [Suite::Ttfa, Suite::Rtf, Suite::Streaming, Suite::Quality];
    let per_case = if opts.suites.iter().any(|s| trial_suites.contains(s)) {
        (opts.warmup + opts.trials) as u64
    } else {
        0
    };
    let bar = if opts.progress {
        ProgressBar::new(per_case * opts.texts.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg} (ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut first_of_run = true;
    let mut nonce_counter = 0u64;
    let mut fatal: Option<String> = None;
    let settings = RequestSettings {
        voice: opts.voice.clone(),
        speed: opts.speed,
        strategy: opts.strategy,
        extra_delay_per_chunk: opts.extra_delay_per_chunk,
        audible_threshold_dbfs: opts.audible_threshold_dbfs,
    };
    let texts_to_run: &[(String, String)] = if per_case > 0 { &opts.texts } else { &[] };
    'cases: for (case_id, text) in texts_to_run {
        let mut case = Case {
            id: case_id.clone(),
            chars: text.chars().count() as u32,
            phonemes: None,
            oov_phoneme_chars: 0,
            trials: Vec::new(),
        };
        let mut saved_first = false;
        for i in 0..per_case as u32 {
            if stop.load(Ordering::Relaxed) {
                bundle.cases.push(case);
                break 'cases;
            }
            bar.set_message(format!("{case_id} trial {}/{per_case}", i + 1));
            let kind = if first_of_run {
                TrialKind::Cold
            } else if i < opts.warmup {
                TrialKind::Warmup
            } else if matches!(target, Target::Http(_)) && !nonce {
                // The same text again, cache not defeated: a server may answer from its cache.
                TrialKind::Cached
            } else {
                TrialKind::Warm
            };
            first_of_run = false;
            if let Some(s) = &sampler {
                s.mark(format!("{case_id}#{i}"));
            }
            let (sent_text, trial_nonce) = if nonce {
                let n = format!("{}{}", &id[id.len() - 6..], nonce_counter);
                nonce_counter += 1;
                (format!("{text} Reference {n}."), Some(n))
            } else {
                (text.clone(), None)
            };
            let outcome = target.request(&sent_text, &settings, i, kind, origin);
            let TrialOutput {
                mut trial,
                samples,
                joins,
            } = outcome.out;
            trial.nonce = trial_nonce;
            let sr = trial.sample_rate_hz;
            if bundle
                .provenance
                .http
                .as_ref()
                .is_some_and(|h| h.response_headers.is_empty())
                && trial.error.is_none()
            {
                if let Some(h) = bundle.provenance.http.as_mut() {
                    h.response_headers = outcome.headers.clone();
                }
            }
            if trial.flags.iter().any(|f| f == "content_encoding_gzip")
                && !bundle.notes.iter().any(|n| n.code == "compressed_audio")
            {
                bundle.note(
                    NoteLevel::Warn,
                    "compressed_audio",
                    "the server gzip-compressed audio although the request said Accept-Encoding: identity; compression can buffer and hide streaming (trials flagged)",
                );
            }
            if has(Suite::Streaming) {
                trial.playback = simulate(
                    &trial.chunks.t_ms,
                    &trial.chunks.samples,
                    sr,
                    opts.prebuffer_ms,
                );
            }
            if has(Suite::Quality) && !samples.is_empty() {
                trial.quality = Some(quality::analyse(&quality::QualityInput {
                    samples: &samples,
                    sample_rate_hz: sr,
                    joins: &joins,
                    phonemes: trial.phonemes.map(|p| p as usize),
                    speed: opts.speed as f64,
                    audible_threshold_dbfs: opts.audible_threshold_dbfs,
                }));
            }
            case.phonemes = case.phonemes.or(trial.phonemes);
            let save = match opts.save_audio {
                SaveAudio::All => true,
                SaveAudio::First => trial.kind == TrialKind::Warm && !saved_first,
                SaveAudio::None => false,
            };
            if save && !samples.is_empty() {
                trial.audio = Some(dir.write_audio(case_id, i, &samples, sr)?);
                saved_first = true;
            }
            if !trial.chunks.is_empty() {
                trial.trace = Some(dir.write_trace(case_id, &trial)?);
            }
            case.trials.push(trial);
            bar.inc(1);
            if let Some(msg) = outcome.fatal {
                fatal = Some(msg);
                stop.store(true, Ordering::SeqCst);
            }
        }
        bundle.cases.push(case);
        // Keep what is measured even if the process dies now.
        if let Some(s) = &sampler {
            bundle.memory = Some(s.snapshot());
        }
        dir.write_bundle(&bundle)?;
    }
    if let (true, Some(soak_opts)) = (
        has(Suite::Soak) && !stop.load(Ordering::Relaxed),
        &opts.soak,
    ) {
        bar.set_length(bar.position() + soak_opts.iterations.unwrap_or(0));
        let soak_tag = id[id.len() - 6..].to_string();
        let run_one = |text: &str, n: u64| {
            let t = if nonce || matches!(target, Target::Engine(_)) {
                format!("{text} Reference {soak_tag}s{n}.")
            } else {
                text.to_string()
            };
            target
                .request(&t, &settings, n as u32, TrialKind::Warm, origin)
                .out
                .trial
        };
        bundle.soak = Some(super::soak::run(
            &run_one,
            &opts.texts,
            soak_opts,
            sampler.as_ref(),
            stop.clone(),
            &bar,
        ));
    }
    bar.finish_and_clear();
    if let Some(s) = &sampler {
        s.end_peak_window();
    }
    drop(target);
    let engine_cfg = match &opts.target {
        TargetSpec::Engine(cfg) => Some(cfg),
        TargetSpec::Http(_) => None,
    };
    if let (true, Some(d), Some(cfg)) = (
        has(Suite::Dual) && !stop.load(Ordering::Relaxed),
        &opts.dual,
        engine_cfg,
    ) {
        if let Some(s) = &sampler {
            s.mark("dual".into());
        }
        eprintln!(
            "dual: single vs two sessions at concurrency {:?} …",
            d.levels
        );
        match super::dual::run(cfg, &opts.texts, &opts.voice, opts.strategy, d, &stop) {
            Ok(r) => bundle.dual = Some(r),
            Err(e) => bundle.note(
                NoteLevel::Warn,
                "dual_failed",
                format!("the dual suite failed: {e:#}"),
            ),
        }
    }
    if has(Suite::Hardware) && !stop.load(Ordering::Relaxed) {
        if let Some(s) = &sampler {
            s.mark("hardware".into());
        }
        match engine_cfg
            .context("the hardware suite needs the in-process engine")
            .and_then(|c| super::providers::hardware(c, &opts.voice, 5))
        {
            Ok(h) => bundle.hardware = Some(h),
            Err(e) => bundle.note(
                NoteLevel::Warn,
                "hardware_failed",
                format!("the hardware workload failed: {e:#}"),
            ),
        }
    }
    if let (true, Some(p)) = (
        has(Suite::Providers) && !stop.load(Ordering::Relaxed),
        &opts.providers,
    ) {
        if let Some(s) = &sampler {
            s.mark("providers".into());
        }
        eprintln!("providers: measuring {} variant(s) …", p.variants.len());
        match engine_cfg
            .context("the providers suite needs the in-process engine")
            .and_then(|c| super::providers::run(c, &opts.texts, &opts.voice, opts.speed, p))
        {
            Ok(r) => bundle.providers = Some(r),
            Err(e) => bundle.note(
                NoteLevel::Warn,
                "providers_failed",
                format!("the providers suite failed: {e:#}"),
            ),
        }
    }

    if let Some(s) = sampler {
        let mut series = s.stop();
        series.leak = super::leak::estimate(&bundle, &series);
        bundle.memory = Some(series);
    }
    let _ = std::fs::remove_dir_all(dir.dir.join(".scratch"));
    let finished = unix_ms_now();
    bundle.run.finished_unix_ms = Some(finished);
    bundle.run.finished_at = Some(rfc3339(finished));
    bundle.machine.load_avg_end = Some(machine::load_avg());
    bundle.run.status = if stop.load(Ordering::Relaxed) {
        RunStatus::Interrupted
    } else {
        RunStatus::Completed
    };
    if bundle.run.status == RunStatus::Interrupted {
        bundle.note(
            NoteLevel::Warn,
            "interrupted",
            "the run was interrupted (Ctrl-C): fewer trials than planned",
        );
    }
    let load = bundle
        .machine
        .load_avg_start
        .map(|l| l[0])
        .unwrap_or(0.0)
        .max(bundle.machine.load_avg_end.map(|l| l[0]).unwrap_or(0.0));
    let cores = bundle.machine.logical_cores.max(1) as f64;
    if load > cores * 1.5 + 0.5 {
        bundle.note(NoteLevel::Warn, "noisy_machine", format!("1-minute load average reached {load:.2} on {cores} cores: other work competed with the benchmark"));
    }
    bundle.gates = evaluate(&bundle, &opts.gates);
    let bundle_path = dir.write_bundle(&bundle)?;
    crate::fsutil::atomic_write(
        &dir.dir.join("summary.md"),
        super::summary::markdown(&bundle).as_bytes(),
    )?;
    if let Some(msg) = fatal {
        anyhow::bail!(
            "the server refused a request, so the run stopped (what was measured is in {}):\n  {msg}\nCheck --dialect, --voice, --speed, --format and --payload-extra against the server's API.",
            bundle_path.display()
        );
    }
    Ok(RunOutcome {
        bundle,
        bundle_path,
    })
}
