//! `kokoro-bench run`: a short driver over the plan. Start the suites that watch the whole run,
//! start the target, run the case × trial loop, then each suite's phase in registry order, and
//! write the bundle — also when interrupted or when a phase fails.
//!
//! ```text
//! plan ─► before_target (memory sampler) ─► target.start (pre-flight) ─► target_started
//!      ─► trial loop (analyse_trial per trial) ─► with_target (soak) ─► target dropped
//!      ─► own_sessions (dual, hardware, providers) ─► finish (memory, leak) ─► gates, files
//! ```

pub mod bundle;
pub mod plan;
pub mod quiet;
pub mod sampling;
#[cfg(test)]
pub(crate) mod testing;
pub mod trial_loop;

use crate::context::{artifacts, progress, request, RunCtx};
use crate::targets::Sampled;
use anyhow::{Context, Result};
use kokoro_bench_bundle::present;
use kokoro_bench_bundle::schema::{NoteCode, NoteLevel};
use kokoro_bench_bundle::Bundle;
use plan::RunPlan;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

/// What a run produced.
pub struct RunOutcome {
    /// The bundle.
    pub bundle: Bundle,
    /// Where it was written.
    pub bundle_path: PathBuf,
}

fn short_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    crate::fsutil::sha256_hex(format!("{nanos}-{}", std::process::id()).as_bytes())[..6].to_string()
}

/// The end-of-run summary as Markdown (printed, and written as `summary.md`).
pub fn summary(b: &Bundle) -> String {
    present::markdown::render(&present::run_sections(b))
}

fn phase_failed(ctx: &mut RunCtx, suite: &str, e: &anyhow::Error) {
    ctx.note(
        NoteLevel::Warn,
        NoteCode::SuiteFailed,
        format!("the {suite} suite failed: {e:#}"),
    );
}

/// What the started target is: provenance, the texts, the cache rule, its notes, and a voice
/// made for another language.
fn describe_target(
    ctx: &mut RunCtx,
    plan: &RunPlan,
    target: &dyn crate::targets::Target,
) -> Result<()> {
    let mut provenance = target.provenance(&plan.settings.voice)?;
    provenance.corpus = bundle::corpus(plan);
    ctx.bundle.provenance = provenance;
    if let crate::targets::CachePolicy::Defeated(style) = target.cache() {
        ctx.bundle.plan.nonce_per_trial = true;
        ctx.bundle.plan.nonce = Some(kokoro_bench_bundle::schema::NonceInfo {
            style,
            added_audio_ms: None,
        });
    }
    for (level, code, msg) in target.notes() {
        ctx.note(level, code, msg);
    }
    let lang = ctx
        .bundle
        .provenance
        .g2p
        .as_ref()
        .map(|g| g.language.clone());
    if let Some(w) = lang.and_then(|l| {
        kokoro_bench_bundle::describe::voice_language_mismatch(&plan.settings.voice, &l)
    }) {
        ctx.note(NoteLevel::Warn, NoteCode::VoiceLanguage, w);
    }
    Ok(())
}

/// `--quiet-machine`: what other processes do before measuring, recorded (and warned about,
/// waited out or refused).
fn look_at_the_machine(
    ctx: &mut RunCtx,
    mode: kokoro_bench_bundle::schema::QuietMode,
    timeout: std::time::Duration,
) -> Result<()> {
    let meter = crate::measure::contention::Meter::new(match &ctx.sampled {
        crate::targets::Sampled::Process { pid, .. } => Some(*pid),
        crate::targets::Sampled::NotSampled(_) => None,
    });
    let check = quiet::check(mode, timeout, &meter, &ctx.progress)?;
    if let Some(c) = check.as_ref().filter(|c| !c.quiet) {
        let waited = if c.waited_ms > 1500.0 {
            format!(", waited {:.0} s", c.waited_ms / 1000.0)
        } else {
            String::new()
        };
        ctx.note(
            NoteLevel::Warn,
            NoteCode::NoisyMachine,
            format!(
                "before measuring, other processes used {:.0} % of the CPU (--quiet-machine {:?}{waited})",
                c.other_cpu_pct, c.mode
            ),
        );
    }
    ctx.bundle.machine.quiet_check = check;
    Ok(())
}

/// Ends the bundle (status, notes, gates) and writes it and `summary.md`; the bundle's path.
///
/// # Errors
/// When the final bundle cannot be written (the summary is printed first).
fn write_results(ctx: &mut RunCtx, plan: &RunPlan) -> Result<PathBuf> {
    let ended = bundle::Ending {
        interrupted: ctx.stopped(),
        abandoned: ctx.abandoned,
        lost: &ctx.lost,
    };
    bundle::finish(&mut ctx.bundle, &ended, &plan.gates);
    let dir = ctx
        .dir
        .as_ref()
        .context("internal: the run folder was never created")?;
    let bundle_path = match dir.write_bundle(&ctx.bundle) {
        Ok(p) => p,
        Err(e) => {
            // Nothing on disk can be trusted to hold the end of the run: show the numbers once,
            // here, and say what is lost.
            eprint!("{}", summary(&ctx.bundle));
            return Err(e.context(bundle::what_is_lost(&ctx.bundle, &dir.bundle_path())));
        }
    };
    if let Err(e) =
        crate::fsutil::atomic_write(&dir.dir.join("summary.md"), summary(&ctx.bundle).as_bytes())
    {
        ctx.progress.say(&format!(
            "warning: summary.md not written (the bundle was): {e:#}"
        ));
    }
    Ok(bundle_path)
}

/// Runs the plan. `stop` is raised by Ctrl-C: the current trial finishes, the rest is skipped,
/// and the bundle is written with status `interrupted`.
///
/// # Errors
/// When the target cannot start or artifacts cannot be written; a request the target refused
/// as malformed (after the bundle of what was measured is written).
pub fn execute(mut plan: RunPlan, stop: Arc<AtomicBool>) -> Result<RunOutcome> {
    let started = crate::timefmt::unix_ms_now();
    let id = format!("{}-{}", crate::timefmt::compact(started), short_id());
    let st = &plan.settings;
    let per_case = u64::from(st.warmup * st.rounds + st.trials);
    let loop_steps = if plan.suites.iter().any(|s| s.uses_trials()) {
        per_case * plan.cases.len() as u64 + 1
    } else {
        0
    };
    let mut ctx = RunCtx {
        bundle: bundle::skeleton(&id, started, &plan),
        id,
        origin: Instant::now(),
        dir: None,
        stop,
        sampler: None,
        sampled: plan.target.sampled_process(),
        cases: plan.cases.clone(),
        settings: plan.settings.clone(),
        progress: progress::Progress::new(plan.verbosity, loop_steps),
        fatal: None,
        abandoned: 0,
        lost: Vec::new(),
    };
    for s in &mut plan.suites {
        s.before_target(&mut ctx)?;
    }
    let target = plan.target.start()?;
    describe_target(&mut ctx, &plan, target.as_ref())?;
    if let Some(mode) = plan.quiet_machine {
        look_at_the_machine(&mut ctx, mode, plan.quiet_timeout)?;
    }
    ctx.dir = Some(artifacts::RunDir::create(&plan.out, &ctx.id)?);
    for s in &mut plan.suites {
        s.target_started(&mut ctx);
    }
    let stop = ctx.stop.clone();
    let barge = plan.settings.barge.as_deref().map(|cfg| {
        let watched = match &ctx.sampled {
            Sampled::Process { pid, scope, .. } => Some((*pid, *scope)),
            Sampled::NotSampled(_) => None,
        };
        crate::turns::barge::Barge::new(cfg, watched, plan.settings.prebuffer_ms)
    });
    let mut requests =
        request::Requests::new(target.as_ref(), &plan.settings, ctx.origin, &ctx.id, "")
            .cancelled_by(&stop);
    if let Some(b) = &barge {
        requests = requests.barging(b);
    }
    if loop_steps > 0 {
        trial_loop::run(&mut ctx, &plan.suites, &requests)?;
        trial_loop::nonce_check(&mut ctx, &requests);
    }
    for s in &mut plan.suites {
        if !ctx.stopped() {
            if let Err(e) = s.with_target(&mut ctx, target.as_ref()) {
                phase_failed(&mut ctx, s.kind().as_str(), &e);
            }
        }
    }
    ctx.progress.finish();
    if let Some(s) = &ctx.sampler {
        s.end_peak_window();
    }
    drop(requests);
    target.finish(&mut ctx.bundle.provenance);
    drop(target);
    for s in &mut plan.suites {
        if !ctx.stopped() {
            if let Err(e) = s.own_sessions(&mut ctx) {
                phase_failed(&mut ctx, s.kind().as_str(), &e);
            }
        }
    }
    for s in &mut plan.suites {
        s.finish(&mut ctx);
    }
    let bundle_path = write_results(&mut ctx, &plan)?;
    if let Some(msg) = ctx.fatal {
        anyhow::bail!(
            "the target cannot go on, so the run stopped (what was measured is in {}):\n  {msg}",
            bundle_path.display()
        );
    }
    Ok(RunOutcome {
        bundle: ctx.bundle,
        bundle_path,
    })
}

#[cfg(test)]
mod tests {
    use super::testing::{fake_plan, tempdir};
    use super::*;
    use crate::suites::{
        memory::Memory, quality::Quality, streaming::Streaming, trials::LoopSuite,
    };
    use kokoro_bench_bundle::schema::{RunStatus, SuiteKind, TrialKind};
    use std::sync::atomic::Ordering;

    fn trial_suites() -> Vec<Box<dyn crate::suites::Suite>> {
        vec![
            Box::new(LoopSuite(SuiteKind::Ttfa)),
            Box::new(Streaming),
            Box::new(Quality),
            Box::new(Memory::every(std::time::Duration::from_millis(20))),
        ]
    }

    #[test]
    fn a_run_on_the_scripted_target_fills_every_part_of_the_bundle() {
        let out = tempdir("driver");
        let plan = fake_plan("10:300:50,400:600", trial_suites(), 3, out.clone());
        let r = execute(plan, Arc::new(AtomicBool::new(false))).unwrap();
        let b = &r.bundle;
        assert_eq!(b.run.status, RunStatus::Completed);
        assert_eq!(b.cases.len(), 2);
        let kinds: Vec<TrialKind> = b.cases[0].trials.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                TrialKind::Cold,
                TrialKind::Warmup,
                TrialKind::Warm,
                TrialKind::Warm,
                TrialKind::Warm
            ],
            "--trials 3 means 3 measured trials: the run's cold start is extra"
        );
        assert!(
            b.cases[0].trials[1..].iter().all(|t| t.round == Some(0)),
            "one round"
        );
        let cpu = b
            .probes
            .iter()
            .find(|p| p.kind == kokoro_bench_bundle::schema::ProbeKind::Cpu)
            .expect("the CPU probe runs for every target");
        assert_eq!(
            cpu.label,
            ["before a (round 1)", "before b (round 1)", "end"]
        );
        if cfg!(target_os = "linux") {
            assert!(
                b.cases[0].trials.iter().all(|t| t.contention.is_some()),
                "every trial is timed against the rest of the machine"
            );
        }
        assert_eq!(b.plan.rounds, Some(1));
        assert_eq!(b.cases[1].trials[0].kind, TrialKind::Warmup);
        for t in b.cases[1].measured() {
            let p = t.playback.as_ref().expect("streaming analysed every trial");
            // 0.3 s of audio, then the next chunk 0.4 s later: one stall of about 0.1 s.
            assert_eq!(p.underruns, 1, "{p:?}");
            let q = t.quality.as_ref().expect("quality analysed every trial");
            assert!(
                (q.leading_silence_ms - 50.0).abs() <= 10.0,
                "{}",
                q.leading_silence_ms
            );
            assert!(t.trace.is_some());
        }
        let saved: Vec<_> = b.cases[0]
            .trials
            .iter()
            .filter(|t| t.audio.is_some())
            .collect();
        assert_eq!(saved.len(), 1, "the first measured trial keeps its audio");
        assert_eq!(saved[0].kind, TrialKind::Warm);
        let mem = b.memory.as_ref().expect("memory sampled");
        assert!(mem.mark_label.iter().any(|l| l == "b#2"));
        assert_eq!(b.plan.suites.len(), 4);
        let dir = r.bundle_path.parent().unwrap();
        let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
        assert!(
            summary.starts_with(&format!("# kokoro-bench run `{}`", b.run.id)),
            "{summary}"
        );
        assert!(summary.contains("| a (11 chars) | 3 | 0 |"), "{summary}");
        assert!(summary.contains("## Memory and CPU"), "{summary}");
        assert!(
            summary.contains("they test the harness"),
            "the scripted target says so"
        );
        let index = std::fs::read_to_string(out.join("index.json")).unwrap();
        assert!(index.contains(&b.run.id));
    }

    #[test]
    fn a_stop_keeps_what_was_measured_and_marks_the_run_interrupted() {
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, out) = (stop.clone(), tempdir("stop"));
        let runs = out.join("runs");
        // Ctrl-C as soon as the first trial's trace is on disk.
        let stopper = std::thread::spawn(move || loop {
            let traced = std::fs::read_dir(&runs)
                .into_iter()
                .flatten()
                .flatten()
                .any(|run| {
                    run.path()
                        .join("traces")
                        .read_dir()
                        .is_ok_and(|mut d| d.next().is_some())
                });
            if traced {
                flag.store(true, Ordering::SeqCst);
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        });
        let plan = fake_plan("50:200", trial_suites(), 50, out);
        let r = execute(plan, stop).unwrap();
        stopper.join().unwrap();
        let b = &r.bundle;
        assert_eq!(b.run.status, RunStatus::Interrupted);
        let trials: usize = b.cases.iter().map(|c| c.trials.len()).sum();
        assert!((1..102).contains(&trials), "{trials}");
        let on_disk = kokoro_bench_bundle::read_bundle(&std::fs::read(&r.bundle_path).unwrap())
            .unwrap()
            .bundle;
        assert_eq!(on_disk.run.status, RunStatus::Interrupted);
        assert_eq!(on_disk.cases.len(), b.cases.len());
    }

    /// Three rounds: each re-warms each case and measures its share, the case order rotates,
    /// and every case's trials span the run.
    #[test]
    fn rounds_rotate_rewarm_and_spread_the_trials() {
        let mut plan = fake_plan("5:200", trial_suites(), 5, tempdir("rounds"));
        plan.settings.rounds = 3;
        let b = execute(plan, Arc::new(AtomicBool::new(false)))
            .unwrap()
            .bundle;
        let a = &b.cases[0];
        let measured: Vec<Option<u32>> = a.measured().map(|t| t.round).collect();
        assert_eq!(
            measured,
            [Some(0), Some(0), Some(1), Some(1), Some(2)],
            "5 over 3 rounds: 2, 2, 1"
        );
        let warmups = a
            .trials
            .iter()
            .filter(|t| t.kind == TrialKind::Warmup)
            .count();
        assert_eq!(warmups, 3, "each round re-warms");
        let order: Vec<&str> = b
            .probes
            .iter()
            .find(|p| p.kind == kokoro_bench_bundle::schema::ProbeKind::Cpu)
            .unwrap()
            .label
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(
            order,
            [
                "before a (round 1)",
                "before b (round 1)",
                "before b (round 2)",
                "before a (round 2)",
                "before a (round 3)",
                "before b (round 3)",
                "end"
            ]
        );
        let first_b = b.cases[1].measured().next().unwrap().start_ms;
        let last_a = a.measured().last().unwrap().start_ms;
        assert!(last_a > first_b, "a's trials span the run");
    }

    /// `--trials auto` on a target whose every trial takes the same time: precise as soon as
    /// the minimum is measured; on one whose times swing widely, measuring goes on until the
    /// budget, and the bundle says which.
    #[test]
    fn trials_auto_stops_when_precise_or_at_the_budget() {
        use crate::context::settings::AutoBudget;
        use kokoro_bench_bundle::schema::AutoReason;
        let auto = |script: &str, max: u32| {
            let mut plan = fake_plan(script, trial_suites(), 4, tempdir("auto"));
            plan.settings.rounds = 2;
            plan.settings.auto = Some(AutoBudget {
                min_trials: 4,
                max_trials: max,
                target_halfwidth: 0.025,
                per_round: 2,
            });
            execute(plan, Arc::new(AtomicBool::new(false)))
                .unwrap()
                .bundle
        };
        let steady = auto("200:400", 12);
        let a = steady
            .plan
            .trials_auto
            .as_ref()
            .expect("the rule is recorded");
        assert!(
            a.cases
                .iter()
                .all(|c| c.reason == AutoReason::Precise && c.trials == 4),
            "{a:?}"
        );
        // Alternating 200 ms and 600 ms to first audio: the median's interval never narrows.
        let swinging = auto("200:400;swing=3", 8);
        let a = swinging.plan.trials_auto.as_ref().unwrap();
        assert!(
            a.cases
                .iter()
                .all(|c| c.reason == AutoReason::Budget && c.trials == 8),
            "{a:?}"
        );
        assert!(summary(&swinging).contains("the budget of 8 trials ran out first"));
    }

    /// Another process keeping a core busy during the run: every trial records it, the case is
    /// called contended in the bundle's notes and the summary.
    #[test]
    #[cfg(target_os = "linux")]
    fn a_busy_machine_is_recorded_and_said() {
        let _lock = crate::measure::CHILDREN.lock();
        std::process::Command::new("sh")
            .args([
                "-c",
                "setsid python3 -c 'import time\nt=time.time()\nwhile time.time()-t<6: pass' &",
            ])
            .status()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let plan = fake_plan("300:600", trial_suites(), 3, tempdir("busy"));
        let b = execute(plan, Arc::new(AtomicBool::new(false)))
            .unwrap()
            .bundle;
        let load = kokoro_bench_bundle::contention::case_load(&b.cases[0]).unwrap();
        assert!(
            load.other_cpu_pct > 20.0,
            "one of two cores spun by another process: {load:?}"
        );
        assert!(b.has_note(&NoteCode::NoisyMachine));
        assert!(
            summary(&b).contains("contended: other processes used"),
            "{}",
            summary(&b)
        );
    }

    #[test]
    fn failed_trials_are_recorded_with_their_error_and_the_run_goes_on() {
        let plan = fake_plan("5:200,5:200;fail=2", trial_suites(), 3, tempdir("fail"));
        let b = execute(plan, Arc::new(AtomicBool::new(false)))
            .unwrap()
            .bundle;
        let failed: usize = b.cases.iter().map(|c| c.failed().count()).sum();
        assert_eq!(failed, 4, "every second request of 9 fails");
        let counts: Vec<usize> = b.cases.iter().map(|c| c.trials.len()).collect();
        assert_eq!(
            counts,
            [5, 4],
            "the cold start is the first case's extra trial"
        );
        let s = summary(&b);
        assert!(
            s.contains("## Failed trials") && s.contains("(synthesis): scripted failure"),
            "{s}"
        );
    }
}
