//! Provider/session-option variants: parsing `NAME:key=value,…`, the default matrix per platform,
//! and flags on variants whose numbers would mislead.

use crate::engine::model::{ProviderSpec, SessionConfig};
use kokoro_bench_bundle::schema::VariantResult;
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    pub(super) fn requested(&self) -> BTreeMap<String, String> {
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
}
