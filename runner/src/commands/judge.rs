//! `kokoro-bench judge FILE…`: the judges suite's scores for any WAV files (a run's kept audio,
//! another engine's output), so audio can be judged offline exactly as a run judges it.

use super::table::layout;
use super::{EXIT_ERROR, EXIT_OK};
use crate::cli::JudgeArgs;
use crate::judges::assets::default_dir;
use crate::judges::panel::{Clip, Panel};
use crate::measure::wav::read_wav;
use anyhow::{Context, Result};
use kokoro_bench_bundle::schema::TrialJudges;
use serde::Serialize;

/// One judged file.
#[derive(Serialize)]
struct Judged {
    file: String,
    audio_s: f64,
    sample_rate_hz: u32,
    /// What Whisper heard (also inside `asr` when `--text` was given).
    transcript: Option<String>,
    #[serde(flatten)]
    judges: TrialJudges,
}

/// Runs the command; exit 2 when a file cannot be read or judged (the others are still shown).
///
/// # Errors
/// The models or ONNX Runtime not set up (the message says how to set them up).
pub fn run(args: &JudgeArgs) -> Result<i32> {
    let ort_lib = args
        .ort_lib
        .clone()
        .or_else(crate::setup::cached_ort_lib)
        .context("ONNX Runtime is not set up: run `kokoro-bench setup` or pass --ort-lib")?;
    let dir = args.judges_dir.clone().unwrap_or_else(default_dir);
    let mut panel = Panel::load(&dir, &ort_lib, args.audible_dbfs)?;
    panel.set_asr_beam(args.asr_beam as usize);
    for s in &panel.skipped {
        eprintln!("warning: not judged by {s}");
    }
    if let Some(v) = &args.voice {
        panel.set_voice(v)?;
    }
    let mut judged = Vec::new();
    let mut code = EXIT_OK;
    for f in &args.files {
        match read_wav(f) {
            Ok((samples, sr)) => {
                let (j, transcript) = panel.judge(&Clip {
                    samples: &samples,
                    sample_rate_hz: sr,
                    spoken: args.text.as_deref(),
                    pieces: None,
                });
                if let Some(e) = &j.error {
                    eprintln!("error: {}: {e}", f.display());
                    code = EXIT_ERROR;
                }
                judged.push(Judged {
                    file: f.display().to_string(),
                    audio_s: samples.len() as f64 / f64::from(sr),
                    sample_rate_hz: sr,
                    transcript,
                    judges: j,
                });
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                code = EXIT_ERROR;
            }
        }
    }
    if args.json {
        let doc = serde_json::json!({
            "models": panel.models(),
            "skipped": panel.skipped,
            "voiceprint": panel.voiceprint,
            "files": judged,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(code);
    }
    let rows: Vec<Vec<String>> = judged
        .iter()
        .map(|j| {
            let d = j.judges.dnsmos.as_ref();
            let v = |f: fn(&kokoro_bench_bundle::schema::DnsmosScores) -> f64| {
                d.map(|d| format!("{:.2}", f(d)))
                    .unwrap_or_else(|| "–".into())
            };
            vec![
                j.file.clone(),
                format!("{:.2} s", j.audio_s),
                j.judges
                    .mos
                    .map_or_else(|| "–".into(), |m| format!("{m:.2}")),
                v(|d| d.sig),
                v(|d| d.bak),
                v(|d| d.ovrl),
                v(|d| d.p808),
                j.judges
                    .speaker_similarity
                    .map_or_else(|| "–".into(), |s| format!("{s:.3}")),
                j.judges
                    .asr
                    .as_ref()
                    .map_or_else(|| "–".into(), |a| format!("{:.1} %", a.wer * 100.0)),
                format!("{:.0} ms", j.judges.judge_ms),
            ]
        })
        .collect();
    let t = layout(
        &[
            "file",
            "audio",
            "MOS",
            "DNSMOS SIG",
            "BAK",
            "OVRL",
            "P.808",
            "speaker sim.",
            "WER",
            "judged in",
        ],
        &rows,
        false,
    );
    for line in t.head.iter().chain(&t.rows) {
        println!("{line}");
    }
    for j in &judged {
        if let Some(text) = &j.transcript {
            println!("{}: heard \"{text}\"", j.file);
        }
    }
    Ok(code)
}
