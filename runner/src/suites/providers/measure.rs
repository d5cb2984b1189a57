//! Measuring one variant: session creation, first inference, warm first-chunk and whole-text model
//! times on the same tokens as every other variant, node placement from a separate profiled
//! session, session churn, and the audio's drift from the reference variant.

use super::variant::Variant;
use super::ProvidersOptions;
use crate::context::settings::CaseText;
use crate::engine::chunking::{chunk_text, Strategy};
use crate::engine::g2p::Phonemizer;
use crate::engine::model::{KokoroModel, SessionConfig};
use crate::engine::runtime::Runtime;
use crate::engine::vocab::{split_phonemes, Vocab};
use crate::engine::voices::VoicePack;
use crate::engine::EngineConfig;
use kokoro_bench_bundle::schema::{Churn, Drift, VariantCase, VariantResult};
use kokoro_bench_bundle::stats::theil_sen;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Instant, SystemTime};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// A case's tokens, the same for every variant.
pub(super) struct Prepared {
    case: String,
    first: Vec<i64>,
    whole: Vec<Vec<i64>>,
}

/// Tokens of the first progressive chunk and of the whole text, per case.
pub(super) fn prepare(
    texts: &[CaseText],
    vocab: &Vocab,
    g2p: &Phonemizer,
) -> Result<Vec<Prepared>, String> {
    let ids = |text: &str| -> Result<Vec<Vec<i64>>, String> {
        let ps = g2p.phonemize(text)?;
        Ok(split_phonemes(&ps)
            .iter()
            .map(|p| vocab.encode(p).ids)
            .filter(|v| !v.is_empty())
            .collect())
    };
    texts
        .iter()
        .map(|CaseText { id, text }| {
            let first_text = chunk_text(text, Strategy::Progressive)
                .into_iter()
                .next()
                .unwrap_or_default();
            Ok(Prepared {
                case: id.clone(),
                first: ids(&first_text)?.into_iter().next().unwrap_or_default(),
                whole: ids(text)?,
            })
        })
        .collect()
}

fn rss_mb() -> f64 {
    let mut sys = System::new();
    let pid = Pid::from_u32(std::process::id());
    sys.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        false,
        ProcessRefreshKind::nothing().with_memory(),
    );
    sys.process(pid)
        .map(|p| p.memory() as f64 / 1e6)
        .unwrap_or(f64::NAN)
}

/// Drift of `audio` against `reference` over their common length.
pub fn drift(reference: &[f32], audio: &[f32], sample_rate_hz: u32, min_snr_db: f64) -> Drift {
    let n = reference.len().min(audio.len());
    let (r, a) = (&reference[..n], &audio[..n]);
    let mean = |x: &[f32]| x.iter().map(|&v| v as f64).sum::<f64>() / n.max(1) as f64;
    let (mr, ma) = (mean(r), mean(a));
    let (mut srr, mut saa, mut sra, mut sig, mut noise, mut max_abs) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0f64);
    for (&x, &y) in r.iter().zip(a) {
        let (x, y) = (x as f64, y as f64);
        srr += (x - mr).powi(2);
        saa += (y - ma).powi(2);
        sra += (x - mr) * (y - ma);
        sig += x * x;
        noise += (x - y).powi(2);
        max_abs = max_abs.max((x - y).abs());
    }
    let correlation = if srr > 0.0 && saa > 0.0 {
        sra / (srr * saa).sqrt()
    } else {
        f64::NAN
    };
    let snr_db = if noise == 0.0 {
        200.0
    } else {
        (10.0 * (sig / noise).log10()).min(200.0)
    };
    let duration_diff_ms =
        (audio.len() as f64 - reference.len() as f64) * 1000.0 / sample_rate_hz as f64;
    Drift {
        duration_diff_ms,
        max_abs_diff: max_abs,
        correlation: correlation.into(),
        snr_db,
        within_threshold: snr_db >= min_snr_db,
    }
}

/// Counts distinct nodes per provider in an ONNX Runtime profile (Chrome trace JSON whose node
/// events carry `args.provider`).
pub fn node_placement(profile_json: &str) -> BTreeMap<String, u32> {
    let mut seen: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    if let Ok(serde_json::Value::Array(events)) =
        serde_json::from_str::<serde_json::Value>(profile_json)
    {
        for e in events {
            if e["cat"] != "Node" {
                continue;
            }
            let (Some(provider), Some(name)) = (e["args"]["provider"].as_str(), e["name"].as_str())
            else {
                continue;
            };
            let node = name
                .trim_end_matches("_kernel_time")
                .trim_end_matches("_fence_before")
                .trim_end_matches("_fence_after");
            seen.entry(provider.to_string())
                .or_default()
                .insert(node.to_string());
        }
    }
    seen.into_iter().map(|(k, v)| (k, v.len() as u32)).collect()
}

/// What every variant is measured with.
#[derive(Clone, Copy)]
pub(super) struct Inputs<'a> {
    pub(super) rt_cfg: &'a EngineConfig,
    pub(super) rt: &'a Runtime,
    pub(super) prepared: &'a [Prepared],
    pub(super) voices: &'a VoicePack,
    pub(super) voice: &'a str,
    pub(super) speed: f32,
}

/// What one variant produced: its result, the whole-text audio per case (for drift), and the
/// wall-clock window of its warm trials (for accelerator activity).
pub(super) struct Measured {
    pub(super) result: VariantResult,
    pub(super) audios: Vec<Vec<f32>>,
    pub(super) warm: Option<(SystemTime, SystemTime)>,
}

pub(super) fn measure_variant(inp: &Inputs<'_>, v: &Variant, opts: &ProvidersOptions) -> Measured {
    let Inputs {
        rt_cfg,
        rt,
        prepared,
        voices,
        voice,
        speed,
    } = *inp;
    let mut out = VariantResult {
        name: v.name.clone(),
        requested: v.requested(),
        ..Default::default()
    };
    let model_path: &Path = v.model.as_deref().unwrap_or(&rt_cfg.model);
    let mut model = match KokoroModel::load(rt, model_path, &v.session) {
        Ok(m) => m,
        Err(e) => {
            out.skipped = Some(e.to_string());
            return Measured {
                result: out,
                audios: Vec::new(),
                warm: None,
            };
        }
    };
    out.registered_providers = model.registered.clone();
    out.session_create_ms = Some(model.options.session_create_ms);
    let style = |n: usize| {
        voices
            .style_row(voice, n)
            .map(|s| s.to_vec())
            .unwrap_or_default()
    };
    let infer = |model: &mut KokoroModel, ids: &[i64]| -> Result<(f64, Vec<f32>), String> {
        let t = Instant::now();
        let a = model
            .infer(ids, &style(ids.len()), speed)
            .map_err(|e| e.to_string())?;
        Ok((t.elapsed().as_secs_f64() * 1000.0, a))
    };
    if let Some(p) = prepared.first() {
        match infer(&mut model, &p.first) {
            Ok((ms, _)) => out.first_inference_ms = Some(ms),
            Err(e) => out.errors.push(e),
        }
    }
    let mut audios = Vec::new();
    let warm_from = SystemTime::now();
    for p in prepared {
        let mut c = VariantCase {
            case: p.case.clone(),
            first_chunk_phonemes: p.first.len() as u32,
            phonemes: p.whole.iter().map(|w| w.len() as u32).sum(),
            ..Default::default()
        };
        let mut audio = Vec::new();
        for _ in 0..opts.trials {
            match infer(&mut model, &p.first) {
                Ok((ms, _)) => c.first_chunk_ms.push(ms),
                Err(e) => out.errors.push(e),
            }
            let mut total = 0.0;
            audio.clear();
            for piece in &p.whole {
                match infer(&mut model, piece) {
                    Ok((ms, a)) => {
                        total += ms;
                        audio.extend(a);
                    }
                    Err(e) => out.errors.push(e),
                }
            }
            c.whole_ms.push(total);
        }
        c.audio_s = audio.len() as f64 / crate::engine::SAMPLE_RATE_HZ as f64;
        out.cases.push(c);
        audios.push(audio);
    }
    let warm = Some((warm_from, SystemTime::now()));
    drop(model);

    // Node placement from a profiled session (separate, so profiling does not touch the timings).
    let prefix = opts.scratch.join(format!("ort-profile-{}", v.name));
    let profiled = SessionConfig {
        profile: Some(prefix),
        ..v.session.clone()
    };
    if let (Ok(mut m), Some(p)) = (
        KokoroModel::load(rt, model_path, &profiled),
        prepared.first(),
    ) {
        if infer(&mut m, &p.first).is_ok() {
            if let Ok(path) = m.end_profiling() {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.node_placement = node_placement(&text);
                }
                let _ = std::fs::remove_file(&path);
            }
        }
    }

    if opts.churn_cycles > 0 {
        let mut rss = Vec::new();
        for _ in 0..opts.churn_cycles {
            if let Ok(mut m) = KokoroModel::load(rt, model_path, &v.session) {
                if let Some(p) = prepared.first() {
                    let _ = infer(&mut m, &p.first);
                }
            }
            rss.push(rss_mb());
        }
        let x: Vec<f64> = (0..rss.len()).map(|i| i as f64).collect();
        out.churn = Some(Churn {
            mb_per_session: theil_sen::slope(&x, &rss),
            rss_mb: rss,
        });
    }
    Measured {
        result: out,
        audios,
        warm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_of_identical_scaled_and_shifted_audio() {
        let a: Vec<f32> = (0..4800).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
        let same = drift(&a, &a, 24_000, 20.0);
        assert_eq!(same.snr_db, 200.0);
        assert_eq!(same.max_abs_diff, 0.0);
        assert!((same.correlation.0 - 1.0).abs() < 1e-9);
        let quieter: Vec<f32> = a.iter().map(|v| v * 0.9).collect();
        let d = drift(&a, &quieter, 24_000, 30.0);
        assert!((d.snr_db - 20.0).abs() < 0.01, "{}", d.snr_db); // error is 10 % of the signal
        assert!(!d.within_threshold);
        let longer: Vec<f32> = a
            .iter()
            .copied()
            .chain(std::iter::repeat_n(0.0, 240))
            .collect();
        assert!((drift(&a, &longer, 24_000, 20.0).duration_diff_ms - 10.0).abs() < 1e-9);
    }

    #[test]
    fn node_placement_counts_distinct_nodes_per_provider() {
        let profile = r#"[
          {"cat": "Session", "name": "model_run"},
          {"cat": "Node", "name": "MatMul_1_kernel_time", "args": {"provider": "CPUExecutionProvider"}},
          {"cat": "Node", "name": "MatMul_1_fence_before", "args": {"provider": "CPUExecutionProvider"}},
          {"cat": "Node", "name": "Conv_2_kernel_time", "args": {"provider": "CoreMLExecutionProvider"}}
        ]"#;
        let m = node_placement(profile);
        assert_eq!(m.get("CPUExecutionProvider"), Some(&1));
        assert_eq!(m.get("CoreMLExecutionProvider"), Some(&1));
        assert!(node_placement("not json").is_empty());
    }
}
