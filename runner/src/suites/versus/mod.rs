//! The versus suite: the run's cases on several targets in one run, interleaved trial by trial
//! (A B C, then B C A, C A B …) so the machine's drift and any position effect hit every target
//! alike — "this engine, kokoro-onnx or the server?" answered side by side, with verdicts.
//!
//! Each other target is a full target flag set (`--versus 'kokoro-onnx=--target command --worker
//! --command "…"'`), parsed by the same flags as `--target`. The run's own target is the
//! reference. The memory suite samples the run's own target; every other target that is a
//! process of its own is sampled through the suite ([`usage`]), and its first request is its
//! cold start.

pub mod usage;

use super::{BuildInput, Suite};
use crate::context::request::Requests;
use crate::context::RunCtx;
use crate::targets::cli::TargetArgs;
use crate::targets::{Sampled, Target, TargetSpec};
use anyhow::{bail, Result};
use clap::{Args, Parser};
use kokoro_bench_bundle::playback::simulate;
use kokoro_bench_bundle::schema::{
    Provenance, SuiteKind, TargetKind, TrialKind, VersusCase, VersusResult, VersusTarget,
};

/// Failure messages kept per case and target.
const ERRORS_KEPT: usize = 3;

/// Versus-suite flags.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Versus suite (--suite versus)")]
pub struct VersusArgs {
    /// Another target to measure side by side, as `[NAME=]TARGET FLAGS` (repeatable), e.g.
    /// `kokoro-onnx=--target command --worker --command "python3 adapters/kokoro_onnx_worker.py …"`
    /// or `fastkokoro=--target http --url http://127.0.0.1:8880/v1/audio/speech`.
    #[arg(long, value_name = "[NAME=]FLAGS")]
    pub versus: Vec<String>,
}

/// `--versus` flags given without the suite.
pub fn stray_flag(a: &super::SuiteArgs) -> Option<&'static str> {
    (!a.versus.versus.is_empty()).then_some("--versus")
}

#[derive(Parser)]
#[command(no_binary_name = true)]
struct TargetOnly {
    #[command(flatten)]
    target: TargetArgs,
}

/// One `--versus` value: its label (if named) and its configured target.
pub struct Other {
    label: Option<String>,
    spec: Box<dyn TargetSpec>,
}

/// Parses `[NAME=]FLAGS`.
///
/// # Errors
/// Words that do not split, flags the target does not take, each target's own checks.
pub fn parse(value: &str) -> Result<Other> {
    let (label, flags) = match value.split_once('=') {
        Some((name, rest)) if !name.is_empty() && !name.starts_with('-') && !name.contains(' ') => {
            (Some(name.to_string()), rest)
        }
        _ => (None, value),
    };
    let words = shlex::split(flags)
        .ok_or_else(|| anyhow::anyhow!("--versus `{value}`: a quote is not closed"))?;
    let parsed = TargetOnly::try_parse_from(&words).map_err(|e| {
        let first = e.to_string().lines().next().unwrap_or("").to_string();
        anyhow::anyhow!(
            "--versus `{value}`: {first} (give target flags, e.g. --target http --url …)"
        )
    })?;
    let spec = parsed
        .target
        .spec()
        .map_err(|e| anyhow::anyhow!("--versus `{value}`: {e:#}"))?;
    Ok(Other { label, spec })
}

/// A short label: the engine, the server's host and port, the program (or what a worker said
/// it is).
fn label_for(kind: TargetKind, p: &Provenance) -> String {
    match (kind, &p.http, &p.command) {
        (TargetKind::Http, Some(h), _) => h
            .url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or("http")
            .to_string(),
        (TargetKind::Command, _, Some(c)) => c
            .reported
            .get("engine")
            .cloned()
            .unwrap_or_else(|| c.command.split(' ').next().unwrap_or("command").to_string()),
        (TargetKind::Engine, _, _) => "engine".into(),
        _ => format!("{kind:?}").to_lowercase(),
    }
}

/// Another target, started.
struct Started {
    label: Option<String>,
    kind: TargetKind,
    target: Box<dyn Target>,
    voice: String,
    sampled: Sampled,
}

/// Starts every other target; one that cannot start is recorded as skipped, not fatal.
fn start_others(others: &[Other], run_voice: &str) -> Result<(Vec<Started>, Vec<VersusTarget>)> {
    let (mut started, mut skipped) = (Vec::new(), Vec::new());
    for o in others {
        let voice = o
            .spec
            .voice(Some(run_voice))
            .or_else(|_| o.spec.voice(None))?;
        match o.spec.start() {
            Ok(target) => started.push(Started {
                label: o.label.clone(),
                kind: o.spec.kind(),
                target,
                voice,
                sampled: o.spec.sampled_process(),
            }),
            Err(e) => skipped.push(VersusTarget {
                label: o
                    .label
                    .clone()
                    .unwrap_or_else(|| format!("{:?}", o.spec.kind()).to_lowercase()),
                kind: o.spec.kind(),
                description: String::new(),
                cases: Vec::new(),
                skipped: Some(format!("did not start: {e:#}")),
                cold_ttfa_ms: None,
                usage: None,
            }),
        }
    }
    Ok((started, skipped))
}

/// The versus suite.
pub struct Versus {
    others: Vec<Other>,
}

struct Contender<'a> {
    target: &'a dyn Target,
    settings: crate::context::settings::Settings,
    result: VersusTarget,
}

impl Versus {
    fn contender<'a>(
        ctx: &RunCtx,
        label: Option<&str>,
        kind: TargetKind,
        target: &'a dyn Target,
        voice: String,
    ) -> Result<Contender<'a>> {
        let mut settings = ctx.settings.clone();
        settings.voice = voice;
        let provenance = target.provenance(&settings.voice)?;
        let mut shown = ctx.bundle.clone();
        shown.run.target = kind;
        shown.provenance = provenance.clone();
        Ok(Contender {
            target,
            result: VersusTarget {
                label: label.map_or_else(|| label_for(kind, &provenance), str::to_string),
                kind,
                description: kokoro_bench_bundle::describe::target(&shown),
                cases: Vec::new(),
                skipped: None,
                cold_ttfa_ms: None,
                usage: None,
            },
            settings,
        })
    }
}

/// One request to one contender, recorded into its case; `cold`: the target's first request of
/// the run (its cold start is recorded too).
fn measure(
    result: &mut VersusTarget,
    (prebuffer_ms, cold): (f64, bool),
    req: &Requests<'_>,
    text: &str,
    index: u32,
    kind: TrialKind,
) -> Option<String> {
    let outcome = req.send(text, index, kind);
    if cold && !outcome.abandoned() && outcome.out.trial.error.is_none() {
        result.cold_ttfa_ms = outcome.out.trial.ttfa_ms;
    }
    if outcome.abandoned() || kind == TrialKind::Warmup {
        return outcome.fatal;
    }
    let t = &outcome.out.trial;
    let case = result.cases.last_mut().expect("a case was opened");
    case.start_ms.push(t.start_ms);
    match &t.error {
        Some(e) => {
            case.failed += 1;
            if case.errors.len() < ERRORS_KEPT {
                case.errors.push(format!("{}: {}", e.kind, e.message));
            }
        }
        None => {
            let pb = simulate(
                &t.chunks.t_ms,
                &t.chunks.samples,
                t.sample_rate_hz,
                prebuffer_ms,
            );
            case.heard_ms.extend(t.heard_ms);
            case.ttfa_ms.extend(t.ttfa_ms);
            case.rtf.extend(t.rtf);
            case.underruns.extend(pb.map(|p| p.underruns as f64));
            case.audio_s.push(t.audio_s);
            case.total_ms.extend(t.total_ms);
            case.first_inference_ms.extend(t.first_inference_ms);
            let chunks = t.plan().iter().filter(|x| !x.is_empty()).count();
            if chunks > 0 {
                case.chunks.push(chunks as u32);
            }
            case.end_of_turn_ms
                .extend(t.turn.as_ref().and_then(|u| u.end_of_turn_ms));
        }
    }
    outcome.fatal
}

impl Suite for Versus {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Versus
    }

    fn with_target(&mut self, ctx: &mut RunCtx, target: &dyn Target) -> Result<()> {
        let (started, skipped) = start_others(&self.others, &ctx.settings.voice)?;
        let mut contenders = vec![Self::contender(
            ctx,
            None,
            ctx.bundle.run.target,
            target,
            ctx.settings.voice.clone(),
        )?];
        let watches: Vec<usage::Watch> = started
            .iter()
            .map(|s| usage::watch(&s.sampled, &ctx.sampled, ctx.origin))
            .collect();
        for s in &started {
            contenders.push(Self::contender(
                ctx,
                s.label.as_deref(),
                s.kind,
                s.target.as_ref(),
                s.voice.clone(),
            )?);
        }
        let mut result = VersusResult {
            targets: Vec::new(),
            order: format!(
                "{} target(s), interleaved trial by trial with the order rotated each round (A B C, B C A, …); {} warm-up + {} measured trials per case and target; each other target's first request is its cold start, and its own process's memory and CPU are sampled where it has one.",
                contenders.len(),
                ctx.settings.warmup,
                ctx.settings.trials
            ),
            stopped_early: None,
        };
        let stop = ctx.stop.clone();
        let (mut results, parts): (Vec<VersusTarget>, Vec<_>) = contenders
            .into_iter()
            .map(|c| (c.result, (c.target, c.settings)))
            .unzip();
        let requests: Vec<Requests<'_>> = parts
            .iter()
            .enumerate()
            .map(|(k, (t, s))| {
                Requests::new(*t, s, ctx.origin, &ctx.id, &format!("v{k}")).cancelled_by(&stop)
            })
            .collect();
        let (warmup, trials) = (ctx.settings.warmup, ctx.settings.trials);
        let prebuffer_ms = ctx.settings.prebuffer_ms;
        let n = results.len();
        let mut gone: Vec<Option<String>> = vec![None; n];
        'cases: for (ci, case) in ctx.cases.clone().into_iter().enumerate() {
            for r in &mut results {
                r.cases.push(VersusCase {
                    case: case.id.clone(),
                    ..Default::default()
                });
            }
            for round in 0..warmup + trials {
                let kind = if round < warmup {
                    TrialKind::Warmup
                } else {
                    TrialKind::Warm
                };
                for step in 0..n {
                    let k = (step + round as usize) % n;
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        result.stopped_early = Some("interrupted (Ctrl-C)".into());
                        break 'cases;
                    }
                    if gone[k].is_some() {
                        continue;
                    }
                    let cold = ci == 0 && round == 0 && k > 0;
                    if let Some(fatal) = measure(
                        &mut results[k],
                        (prebuffer_ms, cold),
                        &requests[k],
                        &case.text,
                        round,
                        kind,
                    ) {
                        gone[k] = Some(fatal);
                    }
                }
            }
            ctx.progress
                .say(&format!("versus: {} done on {n} target(s)", case.id));
            result.targets = results.clone();
            ctx.bundle.versus = Some(result.clone());
            if let Err(e) = ctx.save() {
                ctx.progress.say(&format!("warning: {e:#}"));
            }
        }
        result.targets = results;
        for (t, w) in result.targets.iter_mut().skip(1).zip(watches) {
            t.usage = Some(usage::summary(w));
        }
        for (t, why) in result.targets.iter_mut().zip(&gone) {
            if let Some(why) = why {
                t.skipped = Some(format!("stopped after the target refused a request: {why}"));
            }
        }
        result.targets.extend(skipped);
        drop(requests);
        ctx.bundle.versus = Some(result);
        Ok(())
    }
}

/// Builds the suite.
///
/// # Errors
/// No `--versus`, or one that does not parse.
pub fn build(input: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    let given = &input.args.versus.versus;
    if given.is_empty() {
        bail!("the versus suite needs at least one --versus, e.g. --versus 'kokoro-onnx=--target command --worker --command \"python3 adapters/kokoro_onnx_worker.py --model M --voices V\"'");
    }
    let others = given.iter().map(|v| parse(v)).collect::<Result<Vec<_>>>()?;
    Ok(Box::new(Versus { others }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::execute;
    use crate::run::testing::{fake_plan, tempdir};
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    fn versus(others: &[&str]) -> Box<dyn Suite> {
        Box::new(Versus {
            others: others.iter().map(|o| parse(o).unwrap()).collect(),
        })
    }

    #[test]
    fn targets_take_turns_in_rotated_order_and_the_slower_one_is_judged_regressed() {
        let out = tempdir("versus");
        let plan = fake_plan(
            "40:1000",
            vec![versus(&["slow=--target fake --fake-script 40:1000;slow=3"])],
            6,
            out,
        );
        let b = execute(plan, Arc::new(AtomicBool::new(false)))
            .unwrap()
            .bundle;
        let v = b.versus.expect("versus result");
        let labels: Vec<&str> = v.targets.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["scripted", "slow"]);
        for case in 0..2 {
            let (a, s) = (&v.targets[0].cases[case], &v.targets[1].cases[case]);
            assert_eq!((a.ttfa_ms.len(), s.ttfa_ms.len()), (6, 6));
            // Round r starts with target r mod 2: A B, B A, A B …
            for r in 0..6 {
                let a_first = a.start_ms[r] < s.start_ms[r];
                assert_eq!(a_first, (r + 1) % 2 == 0, "round {r} (warm-up is round 0)");
            }
        }
        let verdicts = kokoro_bench_bundle::compare::variants::compare_targets(&v);
        let heard = &verdicts[0].rows[0];
        assert_eq!(heard.metric, kokoro_bench_bundle::metrics::Metric::HeardMs);
        assert_eq!(
            heard.verdict,
            kokoro_bench_bundle::compare::Verdict::Regressed
        );
    }

    #[test]
    fn bad_versus_values_say_what_is_wrong() {
        let e = parse("x=--target http").err().unwrap().to_string();
        assert!(e.contains("--url"), "{e}");
        let e = parse("--nonsense 1").err().unwrap().to_string();
        assert!(e.contains("--nonsense"), "{e}");
        let e = parse("x=--target command --command 'oops")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("quote"), "{e}");
        assert!(parse("--target fake").is_ok(), "a label is optional");
    }
}
