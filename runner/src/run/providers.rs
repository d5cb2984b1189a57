//! The providers and hardware suites: the same texts and tokens under several execution
//! providers / session options ("variants"), each with what ONNX Runtime registered, node
//! placement read from an ORT profile, session creation and first-inference time, warm model
//! times, output drift against the reference variant, and session churn. A variant whose provider
//! is not in this ONNX Runtime build is recorded as skipped with the reason, never run on CPU
//! under another name.

use crate::engine::chunking::{chunk_text, Strategy};
use crate::engine::g2p::Phonemizer;
use crate::engine::model::{KokoroModel, ProviderSpec, SessionConfig};
use crate::engine::runtime::Runtime;
use crate::engine::vocab::{split_phonemes, Vocab};
use crate::engine::voices::VoicePack;
use crate::engine::EngineConfig;
use crate::measure::powermetrics::{self, Sampler};
use kokoro_bench_bundle::schema::{
    Churn, Drift, HardwareResult, ProvidersResult, VariantCase, VariantResult,
};
use kokoro_bench_bundle::stats::theil_sen;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// One variant to measure.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Name.
    pub name: String,
    /// Session settings.
    pub session: SessionConfig,
    /// A different model file (int8 / fp16 / fp32), if any.
    pub model: Option<PathBuf>,
}

impl Variant {
    fn requested(&self) -> BTreeMap<String, String> {
        let s = &self.session;
        let mut m = BTreeMap::new();
        m.insert("provider".into(), s.provider.ort_name().into());
        if let ProviderSpec::CoreMl { units, format } = &s.provider {
            m.insert("coreml_units".into(), units.clone());
            if let Some(f) = format {
                m.insert("coreml_format".into(), f.clone());
            }
        }
        m.insert("intra_threads".into(), s.intra_threads.to_string());
        m.insert("inter_threads".into(), s.inter_threads.to_string());
        m.insert("optimization".into(), s.optimization.clone());
        m.insert("cpu_arena".into(), s.cpu_arena.to_string());
        m.insert("memory_pattern".into(), s.memory_pattern.to_string());
        if let Some(p) = &self.model {
            m.insert(
                "model".into(),
                p.file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        }
        m
    }
}

/// Parses `name:key=value,key=value` (keys: provider=cpu|coreml, units, format, threads, inter,
/// opt=disable|basic|extended|all, arena=on|off, pattern=on|off, model=PATH).
///
/// # Errors
/// A message naming the bad key or value and the choices.
pub fn parse_variant(spec: &str) -> Result<Variant, String> {
    let (name, rest) = spec.split_once(':').unwrap_or((spec, ""));
    if name.trim().is_empty() {
        return Err(format!(
            "variant `{spec}` has no name: write NAME:key=value,…"
        ));
    }
    let mut v = Variant {
        name: name.trim().into(),
        session: SessionConfig::default(),
        model: None,
    };
    let (mut provider, mut units, mut format) = ("cpu".to_string(), "ALL".to_string(), None);
    let onoff = |k: &str, x: &str| match x {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err(format!("variant `{name}`: {k}={x}: use on or off")),
    };
    for kv in rest.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (k, x) = kv
            .split_once('=')
            .ok_or_else(|| format!("variant `{name}`: `{kv}` is not key=value"))?;
        let num = |x: &str| {
            x.parse::<usize>()
                .map_err(|_| format!("variant `{name}`: {k}={x} is not a whole number"))
        };
        match k {
            "provider" => provider = x.to_lowercase(),
            "units" => units = x.to_string(),
            "format" => format = Some(x.to_string()),
            "threads" => v.session.intra_threads = num(x)?.max(1),
            "inter" => v.session.inter_threads = num(x)?.max(1),
            "opt" if ["disable", "basic", "extended", "all"].contains(&x) => v.session.optimization = x.into(),
            "opt" => return Err(format!("variant `{name}`: opt={x}: use disable, basic, extended or all")),
            "arena" => v.session.cpu_arena = onoff(k, x)?,
            "pattern" => v.session.memory_pattern = onoff(k, x)?,
            "model" => v.model = Some(PathBuf::from(x)),
            _ => {
                return Err(format!(
                    "variant `{name}`: unknown key `{k}`; keys: provider, units, format, threads, inter, opt, arena, pattern, model"
                ))
            }
        }
    }
    v.session.provider = match provider.as_str() {
        "cpu" => ProviderSpec::Cpu,
        "coreml" => ProviderSpec::CoreMl { units, format },
        other => {
            return Err(format!(
                "variant `{name}`: provider={other}: use cpu or coreml"
            ))
        }
    };
    Ok(v)
}

/// The default matrix: meaningful on this platform, plus the other platform's accelerator so
/// its absence is recorded (skipped, with the reason) rather than silently missing.
pub fn default_matrix() -> Vec<Variant> {
    let specs: &[&str] = if cfg!(target_os = "macos") {
        &[
            "cpu-2t:threads=2",
            "coreml-all:provider=coreml,units=ALL",
            "coreml-gpu:provider=coreml,units=CPUAndGPU",
            "coreml-ane:provider=coreml,units=CPUAndNeuralEngine",
            "coreml-cpu:provider=coreml,units=CPUOnly",
        ]
    } else {
        &[
            "cpu-2t:threads=2",
            "cpu-1t:threads=1",
            "cpu-2t-basic:threads=2,opt=basic",
            "cpu-2t-noarena:threads=2,arena=off",
            "coreml-all:provider=coreml,units=ALL",
        ]
    };
    specs.iter().filter_map(|s| parse_variant(s).ok()).collect()
}

/// Settings of the suite.
pub struct ProvidersOptions {
    /// Variants; the first that runs is the reference.
    pub variants: Vec<Variant>,
    /// Warm trials per case and variant.
    pub trials: u32,
    /// Create/infer/drop cycles for the churn check (0 = off).
    pub churn_cycles: u32,
    /// Drift threshold, dB SNR.
    pub min_snr_db: f64,
    /// Folder for ORT profiles (deleted after reading).
    pub scratch: PathBuf,
}

struct Prepared {
    case: String,
    first: Vec<i64>,
    whole: Vec<Vec<i64>>,
}

fn prepare(
    texts: &[(String, String)],
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
        .map(|(id, text)| {
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
struct Inputs<'a> {
    rt_cfg: &'a EngineConfig,
    rt: &'a Runtime,
    prepared: &'a [Prepared],
    voices: &'a VoicePack,
    voice: &'a str,
    speed: f32,
}

/// What one variant produced: its result, the whole-text audio per case (for drift), and the
/// wall-clock window of its warm trials (for accelerator activity).
struct Measured {
    result: VariantResult,
    audios: Vec<Vec<f32>>,
    warm: Option<(SystemTime, SystemTime)>,
}

fn measure_variant(inp: &Inputs<'_>, v: &Variant, opts: &ProvidersOptions) -> Measured {
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

/// Starts `powermetrics` on macOS; on other systems says why there is nothing to record.
fn start_accelerator_sampler(scratch: &Path) -> Result<Sampler, String> {
    if cfg!(target_os = "macos") {
        Sampler::start(Path::new("powermetrics"), scratch, 200)
            .map_err(|e| format!("unavailable: powermetrics {e}"))
    } else {
        Err("not applicable: this OS has no CoreML GPU / Neural Engine path; the ONNX Runtime build lists only CPU-side providers".into())
    }
}

/// Seconds of idle sampled before the first variant, as the baseline.
const IDLE_BASELINE: Duration = Duration::from_millis(1500);

/// Marks variants whose numbers would mislead: settings identical to an earlier variant (the
/// comparison measures nothing but noise), or a requested accelerator that took no node of the
/// profiled graph (the variant really ran on the CPU provider).
pub fn flag_variants(variants: &mut [VariantResult]) {
    for i in 0..variants.len() {
        if variants[i].skipped.is_some() {
            continue;
        }
        if let Some(twin) = variants[..i]
            .iter()
            .find(|w| w.skipped.is_none() && w.requested == variants[i].requested)
        {
            let msg = format!(
                "same effective settings as `{}`: the difference between them is noise",
                twin.name
            );
            variants[i].flags.push(msg);
        }
        let v = &mut variants[i];
        let requested = v.requested.get("provider").cloned().unwrap_or_default();
        if requested != "CPUExecutionProvider"
            && !v.node_placement.is_empty()
            && v.node_placement.get(&requested).copied().unwrap_or(0) == 0
        {
            let msg =
                format!(
                "{requested} is registered but took no node of the graph: this variant ran on {}",
                v.node_placement.keys().cloned().collect::<Vec<_>>().join(", ")
            );
            v.flags.push(msg);
        }
    }
}

/// Runs the matrix.
///
/// # Errors
/// When the runtime, vocabulary, voices or G2P cannot be set up.
pub fn run(
    rt_cfg: &EngineConfig,
    texts: &[(String, String)],
    voice: &str,
    speed: f32,
    opts: &ProvidersOptions,
) -> anyhow::Result<ProvidersResult> {
    let rt = Runtime::shared(&rt_cfg.ort_lib)?;
    let vocab = Vocab::load(&rt_cfg.vocab).map_err(anyhow::Error::msg)?;
    let voices = VoicePack::load(&rt_cfg.voices)?;
    let g2p = Phonemizer::new(rt_cfg.lang);
    let prepared = prepare(texts, &vocab, &g2p).map_err(anyhow::Error::msg)?;
    std::fs::create_dir_all(&opts.scratch).ok();
    let mut result = ProvidersResult {
        min_snr_db: opts.min_snr_db,
        ..Default::default()
    };
    let sampler = start_accelerator_sampler(&opts.scratch);
    let idle = sampler.is_ok().then(|| {
        let from = SystemTime::now();
        std::thread::sleep(IDLE_BASELINE);
        (from, SystemTime::now())
    });
    let mut windows = Vec::new();
    let mut reference: Option<Vec<Vec<f32>>> = None;
    for v in &opts.variants {
        let inputs = Inputs {
            rt_cfg,
            rt: &rt,
            prepared: &prepared,
            voices: &voices,
            voice,
            speed,
        };
        let Measured {
            result: mut r,
            audios,
            warm,
        } = measure_variant(&inputs, v, opts);
        windows.push(warm);
        if r.skipped.is_none() {
            match &reference {
                None => {
                    result.reference = r.name.clone();
                    reference = Some(audios);
                }
                Some(refs) => {
                    for (c, (ra, a)) in r.cases.iter_mut().zip(refs.iter().zip(&audios)) {
                        c.drift =
                            Some(drift(ra, a, crate::engine::SAMPLE_RATE_HZ, opts.min_snr_db));
                    }
                }
            }
        }
        result.variants.push(r);
    }
    flag_variants(&mut result.variants);
    match sampler {
        Ok(sampler) => {
            let (samples, note) = sampler.stop();
            result.accelerator_activity = note;
            result.accelerator_idle =
                idle.and_then(|(from, to)| powermetrics::summarise(&samples, from, to));
            for (v, w) in result.variants.iter_mut().zip(windows) {
                v.accelerator =
                    w.and_then(|(from, to)| powermetrics::summarise(&samples, from, to));
            }
        }
        Err(why) => result.accelerator_activity = why,
    }
    Ok(result)
}

/// The hardware suite's fixed workload: the `medium` preset, whole text, reference settings.
///
/// # Errors
/// When the model cannot be loaded or run.
pub fn hardware(
    rt_cfg: &EngineConfig,
    voice: &str,
    repetitions: u32,
) -> anyhow::Result<HardwareResult> {
    let text = super::presets::find("medium")
        .map(|p| p.text)
        .unwrap_or_default();
    let rt = Runtime::shared(&rt_cfg.ort_lib)?;
    let vocab = Vocab::load(&rt_cfg.vocab).map_err(anyhow::Error::msg)?;
    let voices = VoicePack::load(&rt_cfg.voices)?;
    let g2p = Phonemizer::new(rt_cfg.lang);
    let ids = vocab
        .encode(&g2p.phonemize(text).map_err(anyhow::Error::msg)?)
        .ids;
    let mut model = KokoroModel::load(&rt, &rt_cfg.model, &rt_cfg.session)?;
    let style = voices.style_row(voice, ids.len())?.to_vec();
    model.infer(&ids, &style, 1.0)?; // warm-up
    let mut out = HardwareResult {
        workload: format!(
            "`medium` preset as one call ({} phonemes), {} intra-op threads, after one warm-up",
            ids.len(),
            rt_cfg.session.intra_threads
        ),
        ..Default::default()
    };
    for _ in 0..repetitions {
        let t = Instant::now();
        let a = model.infer(&ids, &style, 1.0)?;
        out.inference_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        out.audio_s = a.len() as f64 / crate::engine::SAMPLE_RATE_HZ as f64;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_specs_parse_and_fail_clearly() {
        let v = parse_variant(
            "ane:provider=coreml,units=CPUAndNeuralEngine,format=MLProgram,threads=1",
        )
        .unwrap();
        assert_eq!(
            v.session.provider,
            ProviderSpec::CoreMl {
                units: "CPUAndNeuralEngine".into(),
                format: Some("MLProgram".into())
            }
        );
        assert_eq!(v.session.intra_threads, 1);
        let v = parse_variant("cpu-noarena:arena=off,opt=basic").unwrap();
        assert!(!v.session.cpu_arena);
        assert!(parse_variant("x:warp=9")
            .unwrap_err()
            .contains("unknown key `warp`"));
        assert!(parse_variant("x:provider=tpu")
            .unwrap_err()
            .contains("cpu or coreml"));
        assert!(parse_variant(":threads=1").is_err());
        assert_eq!(default_matrix().len(), 5);
    }

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
    fn twins_and_providers_that_took_nothing_are_flagged() {
        let v = |name: &str, provider: &str, threads: &str, nodes: &[(&str, u32)]| VariantResult {
            name: name.into(),
            requested: [("provider", provider), ("intra_threads", threads)]
                .iter()
                .map(|(k, x)| (k.to_string(), x.to_string()))
                .collect(),
            node_placement: nodes.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
            ..Default::default()
        };
        let mut vs = vec![
            v(
                "cpu-2t",
                "CPUExecutionProvider",
                "2",
                &[("CPUExecutionProvider", 900)],
            ),
            v(
                "default",
                "CPUExecutionProvider",
                "2",
                &[("CPUExecutionProvider", 900)],
            ),
            v(
                "cpu-1t",
                "CPUExecutionProvider",
                "1",
                &[("CPUExecutionProvider", 900)],
            ),
            v(
                "coreml",
                "CoreMLExecutionProvider",
                "2",
                &[("CPUExecutionProvider", 900)],
            ),
            v(
                "coreml-ok",
                "CoreMLExecutionProvider",
                "1",
                &[("CoreMLExecutionProvider", 3), ("CPUExecutionProvider", 40)],
            ),
        ];
        flag_variants(&mut vs);
        assert!(vs[0].flags.is_empty() && vs[2].flags.is_empty() && vs[4].flags.is_empty());
        assert_eq!(vs[1].flags.len(), 1);
        assert!(vs[1].flags[0].contains("same effective settings as `cpu-2t`"));
        assert_eq!(vs[3].flags.len(), 1);
        assert!(vs[3].flags[0].contains("took no node"), "{:?}", vs[3].flags);
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
