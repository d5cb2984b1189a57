//! `run`: resolve the plan from flags, run it, print the summary, map gates to the exit code.

use super::{EXIT_FAILED, EXIT_OK};
use crate::cli::{AssetArgs, RunArgs};
use crate::engine::model::SessionConfig;
use crate::engine::voices::VoicePack;
use crate::engine::EngineConfig;
use crate::run::{execute, presets, RunOptions};
use crate::setup::{default_assets, Assets};
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::gates::GateStatus;
use kokoro_bench_bundle::metrics::Metric;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Resolves engine files: flags (and `ORT_DYLIB_PATH`) first, then the set-up cache.
///
/// # Errors
/// When a file is neither given nor set up, or a given file does not exist.
pub fn resolve_assets(a: &AssetArgs) -> Result<Assets> {
    let cached = default_assets();
    let pick = |given: &Option<std::path::PathBuf>,
                cached: Option<std::path::PathBuf>,
                flag: &str|
     -> Result<std::path::PathBuf> {
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
    Ok(Assets {
        ort_lib: pick(
            &a.ort_lib,
            cached.as_ref().map(|c| c.ort_lib.clone()),
            "--ort-lib",
        )?,
        model: pick(
            &a.model,
            cached.as_ref().map(|c| c.model.clone()),
            "--model",
        )?,
        voices: pick(
            &a.voices,
            cached.as_ref().map(|c| c.voices.clone()),
            "--voices",
        )?,
        vocab: pick(
            &a.vocab,
            cached.as_ref().map(|c| c.vocab.clone()),
            "--vocab",
        )?,
    })
}

fn texts(args: &RunArgs) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let custom = !args.text.is_empty() || args.text_file.is_some();
    let preset_given = std::env::args().any(|a| a == "--preset" || a.starts_with("--preset="));
    if !custom || preset_given {
        for id in &args.preset {
            let p = presets::find(id).with_context(|| {
                format!(
                    "unknown preset `{id}`; choose from {}",
                    presets::PRESETS
                        .iter()
                        .map(|p| p.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            out.push((p.id.to_string(), p.text.to_string()));
        }
    }
    for (i, t) in args.text.iter().enumerate() {
        if t.trim().is_empty() {
            bail!("--text number {} is empty: give some words to speak", i + 1);
        }
        out.push((format!("custom-{}", i + 1), t.trim().to_string()));
    }
    if let Some(f) = &args.text_file {
        let body = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read the text file {}", f.display()))?;
        let lines: Vec<&str> = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            bail!("the text file has no non-empty lines ({})", f.display());
        }
        for (i, l) in lines.iter().enumerate() {
            out.push((format!("file-{}", i + 1), l.to_string()));
        }
    }
    Ok(out)
}

/// `run`.
///
/// # Errors
/// Bad flags, missing files, an engine that cannot start, or artifacts that cannot be written.
pub fn run(args: RunArgs) -> Result<i32> {
    if !(0.5..=2.0).contains(&args.speed) {
        bail!("--speed {} is outside 0.5–2.0", args.speed);
    }
    if args.trials == 0 {
        bail!(
            "--trials must be at least 1 (statistics need measured trials; 5 or more is sensible)"
        );
    }
    if args.threads == 0 {
        bail!("--threads must be at least 1");
    }
    let texts = texts(&args)?;
    let http = args.target == crate::cli::TargetArg::Http;
    if http
        && args.suite.iter().any(|s| {
            matches!(
                s,
                crate::run::Suite::Providers
                    | crate::run::Suite::Hardware
                    | crate::run::Suite::Dual
            )
        })
    {
        bail!("the providers, hardware and dual suites measure the in-process engine; drop them or use --target engine");
    }
    if args.dual_levels.contains(&0) {
        bail!("--dual-levels must be positive concurrency levels, e.g. 1,2,4");
    }
    let dual =
        args.suite
            .contains(&crate::run::Suite::Dual)
            .then(|| crate::run::dual::DualOptions {
                policy: args.dual_policy,
                levels: args.dual_levels.clone(),
                requests_per_client: args.dual_requests_per_client.max(1),
                length_threshold_chars: args.dual_length_threshold,
            });
    if !http && args.url.is_some() {
        bail!("--url is for the HTTP target: add --target http");
    }
    let wants_soak = args.suite.contains(&crate::run::Suite::Soak);
    let soak = match (wants_soak, &args.duration, args.iterations) {
        (false, None, None) => None,
        (false, _, _) => bail!("--duration/--iterations belong to the soak suite: add `--suite soak` (with the others you want)"),
        (true, None, None) => bail!("the soak suite needs --duration (e.g. 20m) or --iterations N"),
        (true, d, iterations) => Some(crate::run::soak::SoakOptions {
            duration: d.as_deref().map(crate::run::soak::parse_duration).transpose().map_err(anyhow::Error::msg)?,
            iterations,
            concurrency: args.concurrency.max(1),
            windows: args.soak_windows,
            arrival_rate_hz: args.arrival_rate,
        }),
    };
    let (target, voice) = if http {
        let url_text = args
            .url
            .clone()
            .context("--target http needs --url, e.g. http://127.0.0.1:8880/v1/audio/speech")?;
        let url = crate::http::wire::parse_url(&url_text).map_err(anyhow::Error::msg)?;
        let tls = match (url.tls, &args.ca_cert) {
            (true, ca) => {
                Some(crate::http::tls::client_config(ca.as_deref()).map_err(anyhow::Error::msg)?)
            }
            (false, Some(_)) => {
                bail!("--ca-cert is for https:// URLs; {url_text} is plain http")
            }
            (false, None) => None,
        };
        let headers = args
            .header
            .iter()
            .map(|h| crate::http::parse_header(h))
            .collect::<Result<Vec<_>, _>>()
            .map_err(anyhow::Error::msg)?;
        let payload_extra = match &args.payload_extra {
            Some(j) => match serde_json::from_str::<serde_json::Value>(j) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => bail!("--payload-extra must be a JSON object, e.g. '{{\"lang\": \"en-us\"}}'; got {j}"),
            },
            None => Default::default(),
        };
        let cfg = crate::http::HttpConfig {
            url,
            url_text,
            dialect: args.dialect,
            headers,
            payload_extra,
            format: args.format,
            pcm_rate_hz: args.pcm_rate_hz,
            stream: !args.no_stream,
            lang: None,
            timeout: Duration::from_secs_f64(args.http_timeout_s.max(0.1)),
            nonce: !args.no_nonce,
            no_cache_field: args.no_cache_field.clone(),
            tls,
            keep_alive: args.keep_alive,
        };
        (
            crate::run::target::TargetSpec::Http(cfg),
            args.voice.clone().unwrap_or_else(|| "af_heart".into()),
        )
    } else {
        let assets = resolve_assets(&args.assets)?;
        let pack = VoicePack::load(&assets.voices)?;
        let voice = match &args.voice {
            Some(v) => {
                pack.check(v)?;
                v.clone()
            }
            None => pack
                .names()
                .first()
                .map(|s| s.to_string())
                .context("the voice pack is empty")?,
        };
        drop(pack);
        let cfg = EngineConfig {
            ort_lib: assets.ort_lib,
            model: assets.model,
            voices: assets.voices,
            vocab: assets.vocab,
            lang: args.lang,
            session: SessionConfig {
                intra_threads: args.threads,
                optimization: args.optimization.clone(),
                ..Default::default()
            },
        };
        (crate::run::target::TargetSpec::Engine(cfg), voice)
    };
    let gates = match &args.gates {
        Some(p) => {
            let bytes = std::fs::read(p)
                .with_context(|| format!("cannot read the gates file {}", p.display()))?;
            kokoro_bench_bundle::gates::parse(&bytes)
                .map_err(|e| anyhow::anyhow!("{e} ({})", p.display()))?
        }
        None => Vec::new(),
    };
    let providers = if args.suite.contains(&crate::run::Suite::Providers) {
        let variants = if args.variant.is_empty() {
            crate::run::providers::default_matrix()
        } else {
            args.variant
                .iter()
                .map(|v| crate::run::providers::parse_variant(v))
                .collect::<Result<Vec<_>, _>>()
                .map_err(anyhow::Error::msg)?
        };
        Some(crate::run::providers::ProvidersOptions {
            variants,
            trials: args.trials,
            churn_cycles: args.churn_cycles,
            min_snr_db: args.min_snr_db,
            scratch: std::env::temp_dir()
                .join(format!("kokoro-bench-profiles-{}", std::process::id())),
        })
    } else if !args.variant.is_empty() {
        bail!("--variant belongs to the providers suite: add `--suite providers`");
    } else {
        None
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("\ninterrupted: finishing the current trial and writing what was measured (Ctrl-C again to abort)");
        });
    }
    let opts = RunOptions {
        target,
        server_pid: args.server_pid,
        texts,
        voice,
        speed: args.speed,
        strategy: args.strategy,
        warmup: args.warmup,
        trials: args.trials,
        suites: args.suite.clone(),
        prebuffer_ms: args.prebuffer_ms,
        audible_threshold_dbfs: args.audible_dbfs,
        save_audio: args.save_audio,
        out: args.out.clone(),
        gates,
        memory_interval: Duration::from_millis(args.memory_interval_ms.max(1)),
        extra_delay_per_chunk: args.debug_chunk_delay_ms.map(Duration::from_millis),
        command_line: std::env::args().collect(),
        progress: !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        soak,
        providers,
        dual,
    };
    let out = execute(opts, stop)?;
    let b = &out.bundle;
    eprint!("{}", crate::run::summary::markdown(b));
    eprintln!("\nbundle: {}", out.bundle_path.display());
    if args.json {
        let headline: Vec<serde_json::Value> = b
            .cases
            .iter()
            .map(|c| {
                let med = |m: Metric| kokoro_bench_bundle::stats::median(&m.case_values(c));
                serde_json::json!({
                    "case": c.id, "n": c.measured().count(), "failed": c.failed().count(),
                    "ttfa_ms_p50": med(Metric::TtfaMs), "ttfa_audible_ms_p50": med(Metric::TtfaAudibleMs),
                    "rtf_p50": med(Metric::Rtf), "underruns_p50": med(Metric::Underruns),
                })
            })
            .collect();
        let j = serde_json::json!({ "bundle": out.bundle_path, "run_id": b.run.id, "status": b.run.status, "cases": headline,
            "gates_failed": b.gates.iter().filter(|g| g.status == GateStatus::Fail).count() });
        println!("{}", serde_json::to_string_pretty(&j)?);
    }
    let failed = b
        .gates
        .iter()
        .any(|g| g.status == GateStatus::Fail || (args.strict && g.status == GateStatus::NoData));
    Ok(if failed { EXIT_FAILED } else { EXIT_OK })
}
