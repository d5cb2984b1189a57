//! The bundle's first and last moments: the skeleton written before anything is measured (who,
//! what, where, the plan), and the end (status, notes about the run as a whole, gates).

use super::plan::RunPlan;
use crate::fsutil::sha256_hex;
use crate::measure::machine;
use crate::timefmt::{rfc3339, unix_ms_now};
use kokoro_bench_bundle::gates::evaluate;
use kokoro_bench_bundle::outcome;
use kokoro_bench_bundle::schema::*;

/// The bundle before the first trial.
pub fn skeleton(id: &str, started_unix_ms: u64, plan: &RunPlan) -> Bundle {
    let mut m = machine::describe();
    m.calibration = Some(machine::calibrate());
    m.label = plan.machine_label.clone();
    let run = RunMeta {
        id: id.to_string(),
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
        // Never argv verbatim: header values and tokens are redacted first.
        command_line: crate::redact::args(&plan.command_line),
        status: RunStatus::InProgress,
        target: plan.target.kind(),
    };
    let plan = Plan {
        suites: plan.suites.iter().map(|s| s.kind()).collect(),
        warmup_trials: plan.settings.warmup,
        measured_trials: plan.settings.trials,
        rounds: Some(plan.settings.rounds),
        plan_from: plan.settings.replay.as_ref().map(|r| r.run_id.clone()),
        strategy: plan
            .target
            .engine()
            .map_or("not applicable", |e| e.chunking.strategy.name())
            .into(),
        joins: plan.target.engine().map(|e| e.chunking.joins.name().into()),
        voice: plan.settings.voice.clone(),
        speed: plan.settings.speed as f64,
        prebuffer_ms: plan.settings.prebuffer_ms,
        audible_threshold_dbfs: Some(plan.settings.audible_threshold_dbfs),
        nonce_per_trial: false,
        text_arrival: plan.settings.turns.as_ref().map(|t| t.record()),
        interrupt: plan.settings.barge.as_ref().map(|b| b.record()),
        ..Default::default()
    };
    let mut b = Bundle::new(run, m, plan);
    if cfg!(debug_assertions) {
        b.note(
            NoteLevel::Warn,
            NoteCode::DebugBuild,
            "debug build: timings are not comparable with release builds",
        );
    }
    b
}

/// The measured texts with their hashes.
pub fn corpus(plan: &RunPlan) -> Vec<CorpusText> {
    plan.cases
        .iter()
        .map(|c| CorpusText {
            id: c.id.clone(),
            text: c.text.clone(),
            sha256: sha256_hex(c.text.as_bytes()),
            chars: c.text.chars().count() as u32,
        })
        .collect()
}

/// How the run ended, for the bundle's last notes.
pub struct Ending<'a> {
    /// Ctrl-C (or a refused request) stopped it.
    pub interrupted: bool,
    /// Requests abandoned in flight.
    pub abandoned: u32,
    /// Artifacts that could not be written, with why.
    pub lost: &'a [String],
}

/// What a failed final write loses, for the error message.
pub fn what_is_lost(b: &Bundle, path: &std::path::Path) -> String {
    let trials: usize = b.cases.iter().map(|c| c.trials.len()).sum();
    format!(
        "could not write the final bundle {} (is the disk full?): the last copy on disk (rewritten after every trial) may lack up to one trial and the run's end; this run measured {trials} trial(s) in {} case(s), summarised above",
        path.display(),
        b.cases.len()
    )
}

/// Ends the bundle: finish time, load, status, run-level notes, gates.
pub fn finish(b: &mut Bundle, end: &Ending<'_>, gates: &[kokoro_bench_bundle::gates::GateRule]) {
    let interrupted = end.interrupted;
    let finished = unix_ms_now();
    b.run.finished_unix_ms = Some(finished);
    b.run.finished_at = Some(rfc3339(finished));
    b.machine.load_avg_end = Some(machine::load_avg());
    b.machine.power_end = Some(machine::power_state());
    b.run.status = if interrupted {
        RunStatus::Interrupted
    } else {
        outcome::judge(b)
    };
    let empty = outcome::empty_cases(b);
    if !empty.is_empty() {
        let what = if empty.len() == b.cases.len() {
            "no trial succeeded: this run measured nothing".to_string()
        } else {
            format!("no trial succeeded in case(s) {}", empty.join(", "))
        };
        b.note(
            NoteLevel::Warn,
            NoteCode::NothingMeasured,
            format!("{what} (see the failed trials for why)"),
        );
    }
    if interrupted {
        let abandoned = match end.abandoned {
            0 => String::new(),
            n => format!("; {n} request(s) in flight were abandoned, not counted"),
        };
        b.note(
            NoteLevel::Warn,
            NoteCode::Interrupted,
            format!("the run was interrupted: fewer trials than planned{abandoned}"),
        );
    }
    if !end.lost.is_empty() {
        b.note(
            NoteLevel::Warn,
            NoteCode::ArtifactsLost,
            format!(
                "{} file(s) could not be written (their measurements are in this bundle): {}",
                end.lost.len(),
                end.lost.join("; ")
            ),
        );
    }
    // The load average counts the benchmark's own threads and moves over a minute; what other
    // processes took during each trial is measured directly.
    let busy = kokoro_bench_bundle::contention::contended(b);
    if !busy.is_empty() {
        let list: Vec<String> = busy.iter().map(|c| c.describe()).collect();
        b.note(
            NoteLevel::Warn,
            NoteCode::NoisyMachine,
            format!(
                "contended: {}; these numbers describe the machine's other work as much as the target: measure again on a quiet machine (--quiet-machine wait)",
                list.join("; ")
            ),
        );
    }
    b.gates = evaluate(b, gates);
}
