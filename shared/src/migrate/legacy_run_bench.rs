//! Conversion of the legacy Python `scripts/run_bench.py` v2 result JSON into a bundle.
//!
//! The old file has top-level `config`, `measurements`, `summary` and `gates`:
//!
//! ```json
//! { "version": 2, "timestamp": "2024-12-03T10:15:00",
//!   "config": { "url": "...", "preset": "short", "text": "...", "voice": "af_heart", "speed": 1.0,
//!               "stream": true, "trials": 5, "format": "pcm" },
//!   "measurements": [ { "trial": 1, "ttfa_ms": 6.1, "total_ms": 12.0, "audio_duration_ms": 2900,
//!                       "rtf": 0.0, "chunk_gaps_ms": [..], "underruns": 0, "rss_mb": 41.2,
//!                       "cpu_percent": 3.0, "lufs": -16.4, "dbtp": -1.1 } ],
//!   "summary": { "ttfa_p95_ms": 6.9, ... },
//!   "gates": { "ttfa": { "pass": true, "value": 6.9, "threshold": 500 } } }
//! ```
//!
//! The numbers are imported as they were, but every metric the old tool could not measure
//! correctly gets an *untrusted* [`Caveat`] (see `measurement-pitfalls.md` §1), so gates report
//! *no data* and comparisons *not comparable* instead of pretending. Trials become
//! [`TrialKind::Unknown`]: the old tool pooled cold, cached and warm requests.

use crate::error::ReadError;
use crate::schema::*;
use serde_json::Value;

/// Whether a JSON value looks like a legacy result.
pub fn looks_like(v: &Value) -> bool {
    v.get("config").is_some_and(Value::is_object)
        && v.get("measurements").is_some_and(Value::is_array)
}

fn f(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64).filter(|x| x.is_finite())
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn caveat(metric: &str, code: &str, message: &str) -> Caveat {
    Caveat {
        metric: metric.into(),
        code: code.into(),
        untrusted: true,
        message: message.into(),
    }
}

/// One legacy measurement as a trial (its kind unknown: the old tool pooled everything).
fn trial(i: usize, m: &Value) -> Result<Trial, ReadError> {
    if !m.is_object() {
        return Err(ReadError::Invalid {
            version: 0,
            path: format!("measurements[{i}]"),
            message: "a legacy measurement must be an object".into(),
        });
    }
    let audio_s = f(m, "audio_duration_ms")
        .map(|ms| ms / 1000.0)
        .unwrap_or(0.0);
    let ok = m.get("success").and_then(Value::as_bool).unwrap_or(true)
        && m.get("error").is_none_or(Value::is_null);
    let gaps: Vec<f64> = m["chunk_gaps_ms"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_f64)
        .collect();
    let mut t_ms = Vec::new();
    if let Some(first) = f(m, "ttfa_ms") {
        t_ms.push(first);
        for g in &gaps {
            let last = *t_ms.last().unwrap_or(&first);
            t_ms.push(last + g);
        }
    }
    let quality = (f(m, "lufs").is_some() || f(m, "dbtp").is_some()).then(|| Quality {
        integrated_lufs: f(m, "lufs").map(Real::from),
        sample_peak_dbfs: Real(f64::NAN),
        true_peak_dbtp: Real(f(m, "dbtp").unwrap_or(f64::NAN)),
        ..Default::default()
    });
    Ok(Trial {
        index: i as u32,
        kind: TrialKind::Unknown,
        error: (!ok).then(|| TrialError {
            kind: ErrorKind::Legacy,
            message: s(m, "error").unwrap_or_else(|| "failed (no message recorded)".into()),
        }),
        ttfa_ms: f(m, "ttfa_ms"),
        total_ms: f(m, "total_ms"),
        sample_rate_hz: 24_000,
        audio_s,
        samples: (audio_s * 24_000.0).round() as u64,
        rtf: f(m, "rtf"),
        chunks: ChunkSeries {
            samples: vec![0; t_ms.len()],
            t_ms,
            ..Default::default()
        },
        quality,
        ..Default::default()
    })
}

/// The caveats every legacy import carries: what the old tool measured wrongly.
fn legacy_caveats() -> Vec<Caveat> {
    vec![
        caveat("ttfa_ms", "legacy_ttfa", "the legacy TTFA was time to first byte of a possibly gzip-buffered, possibly cached response (pitfalls 1–3)"),
        caveat("rtf", "legacy_rtf", "the legacy RTF had several definitions, including header-declared durations and a characters×0.05 s fallback (pitfall 7)"),
        caveat("total_ms", "legacy_cache", "repeated identical texts were served from the server's cache (pitfall 2)"),
        caveat("underruns", "legacy_gap_heuristic", "legacy underruns were read gaps > 2× median, not a playback simulation (pitfall 6)"),
        caveat("underruns_per_10min", "legacy_gap_heuristic", "legacy underruns were read gaps > 2× median, not a playback simulation (pitfall 6)"),
        caveat("peak_rss_mb", "client_process_memory", "the legacy tool sampled the benchmark client's own process, not the server (pitfall 4)"),
        caveat("true_peak_dbtp", "sample_peak_not_true_peak", "the legacy \"dBTP\" was a sample peak: zero-stuffing without an interpolation filter (pitfall 5)"),
        caveat("integrated_lufs", "rms_not_lufs", "the legacy \"LUFS\" was plain RMS or never computed (pitfall 5)"),
    ]
}

/// Converts a legacy result. Returns the bundle and one line per conversion note.
///
/// # Errors
/// [`ReadError::Invalid`] when a measurement is not an object.
pub fn convert(v: &Value) -> Result<(Bundle, Vec<String>), ReadError> {
    let cfg = &v["config"];
    let text = s(cfg, "text").unwrap_or_default();
    let case_id = s(cfg, "preset").unwrap_or_else(|| "legacy".into());
    let stamp = s(v, "timestamp").unwrap_or_else(|| "unknown".into());
    let trials = v["measurements"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, m)| trial(i, m))
        .collect::<Result<Vec<_>, _>>()?;
    let mut notes = vec!["converted from the legacy run_bench.py v2 result format".to_string()];
    let run = RunMeta {
        id: format!("legacy-{}", stamp.replace([':', ' '], "")),
        started_at: stamp.clone(),
        started_unix_ms: 0,
        finished_at: None,
        finished_unix_ms: None,
        tool: "run_bench.py v2 (legacy)".into(),
        git_commit: None,
        build_profile: "unknown".into(),
        command_line: Vec::new(),
        status: RunStatus::Completed,
        target: TargetKind::Legacy,
    };
    let machine = Machine {
        os: "unknown".into(),
        cpu_model: "unknown".into(),
        ..Default::default()
    };
    let plan = Plan {
        suites: vec![SuiteKind::Other("legacy".into())],
        measured_trials: trials.len() as u32,
        strategy: if cfg["stream"].as_bool() == Some(true) {
            "server-stream".into()
        } else {
            "server-whole".into()
        },
        voice: s(cfg, "voice").unwrap_or_default(),
        speed: f(cfg, "speed").unwrap_or(1.0),
        ..Default::default()
    };
    let mut bundle = Bundle {
        provenance: Provenance {
            voice_id: s(cfg, "voice").unwrap_or_default(),
            corpus: vec![CorpusText {
                id: case_id.clone(),
                chars: text.chars().count() as u32,
                sha256: String::new(),
                text: text.clone(),
            }],
            http: s(cfg, "url").map(|url| HttpTarget {
                url,
                dialect: "unknown".into(),
                response_headers: Default::default(),
                keep_alive: false,
                format: None,
            }),
            ..Default::default()
        },
        cases: vec![Case {
            id: case_id,
            chars: text.chars().count() as u32,
            phonemes: None,
            oov_phoneme_chars: 0,
            trials,
        }],
        caveats: legacy_caveats(),
        ..Bundle::new(run, machine, plan)
    };
    bundle.run.status = crate::outcome::judge(&bundle);
    bundle.note(NoteLevel::Warn, NoteCode::LegacyImport, "Imported from the legacy run_bench.py v2 format: numbers are shown as recorded but are not trusted; cold, cached and warm trials were pooled.");
    if let Some(req) = f(cfg, "trials") {
        let got = bundle.cases[0].trials.len();
        if (got as f64) < req {
            let msg = format!("config.trials = {req} but only {got} measurement(s) were recorded: the legacy tool dropped failed trials");
            bundle.note(
                NoteLevel::Warn,
                NoteCode::LegacyDroppedFailures,
                msg.clone(),
            );
            notes.push(msg);
        }
    }
    if let Some(gates) = v["gates"].as_object() {
        for (name, g) in gates {
            let claimed = g
                .get("pass")
                .or_else(|| g.get("passed"))
                .and_then(Value::as_bool);
            let msg = format!(
                "legacy gate `{name}` claimed {} — not re-verified",
                match claimed {
                    Some(true) => "pass",
                    Some(false) => "fail",
                    None => "nothing",
                }
            );
            bundle.note(NoteLevel::Info, NoteCode::LegacyGate, msg);
        }
    }
    Ok((bundle, notes))
}
