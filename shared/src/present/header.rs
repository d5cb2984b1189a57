//! The run's header: which run, measured where and how, and how to read the values.

use super::{Block, Section};
use crate::describe as setup;
use crate::schema::{RunStatus, SuiteKind, TargetKind};
use crate::Bundle;

/// For a server or program: which process did the synthesis (what memory and CPU describe).
fn server_process(b: &Bundle) -> Option<String> {
    if b.run.target == TargetKind::Engine {
        return None;
    }
    let m = b.memory.as_ref()?;
    let name = m.process_name.as_deref()?;
    Some(format!(
        "Synthesising process: `{name}` (pid {}){}",
        m.pid,
        m.process_command
            .as_deref()
            .map(|c| format!(" — {c}"))
            .unwrap_or_default()
    ))
}

/// The header section.
pub fn section(b: &Bundle) -> Option<Section> {
    let mut blocks = Vec::new();
    let empty = crate::outcome::empty_cases(b);
    match b.run.status {
        RunStatus::Failed => blocks.push(Block::Warning(
            "FAILED: no request succeeded — these are not measurements; see the failures below."
                .into(),
        )),
        RunStatus::Degraded if empty.is_empty() => blocks.push(Block::Warning(
            "DEGRADED: a load suite (soak, capacity) got no answer to any request — see its errors below."
                .into(),
        )),
        RunStatus::Degraded => blocks.push(Block::Warning(format!(
            "DEGRADED: no trial succeeded in case(s) {} — see the failed trials below.",
            empty.join(", ")
        ))),
        _ => {}
    }
    let trial_loop = b.plan.suites.iter().any(|s| {
        matches!(
            s,
            SuiteKind::Ttfa | SuiteKind::Rtf | SuiteKind::Streaming | SuiteKind::Quality
        )
    });
    let trials = if !(trial_loop || b.plan.suites.is_empty()) {
        String::new()
    } else if b.plan.trials_auto.is_some() {
        format!(
            " · trials until precise (`--trials auto`) in rounds of every case, {} warm-up per round",
            b.plan.warmup_trials
        )
    } else if b.rounds() > 1 {
        format!(
            " · {} measured trials per case in {} rounds (rotated order, {} warm-up per round)",
            b.plan.measured_trials,
            b.rounds(),
            b.plan.warmup_trials
        )
    } else {
        format!(
            " · {} warm-up + {} measured trials per case",
            b.plan.warmup_trials, b.plan.measured_trials
        )
    };
    // The chunking strategy is the in-process engine's; a server or program chunks its own way.
    let strategy = match b.run.target {
        TargetKind::Engine => format!(
            " · strategy `{}`{}",
            b.plan.strategy,
            b.plan
                .joins
                .as_deref()
                .map(|j| format!(" with {j} joins"))
                .unwrap_or_default()
        ),
        _ => String::new(),
    };
    blocks.push(Block::Text(format!(
        "{} · {}{strategy} · voice `{}`{trials} · {}",
        match &b.machine.label {
            Some(l) => format!("{l} ({})", b.machine.cpu_model),
            None => b.machine.cpu_model.clone(),
        },
        match (&b.provenance.http, &b.provenance.model) {
            (Some(_), _) => setup::target(b),
            (None, Some(m)) => m.name.clone(),
            (None, None) => setup::target(b),
        },
        b.plan.voice,
        setup::status(b.run.status)
    )));
    if let Some(src) = &b.plan.plan_from {
        blocks.push(Block::Text(format!(
            "Chunk plans replayed from run `{src}` (--plan-from): the engine spoke that run's chunks instead of planning its own."
        )));
    }
    if let Some(line) = server_process(b) {
        blocks.push(Block::Text(line));
    }
    if let Some(s) = &b.provenance.session {
        let ort = b
            .provenance
            .runtime
            .as_ref()
            .map(|r| r.ort_version.as_str())
            .unwrap_or("?");
        blocks.push(Block::Text(format!(
            "ONNX Runtime {ort} · {} intra-op threads · optimisation `{}` · session created in {:.0} ms",
            s.intra_op_threads, s.graph_optimization_level, s.session_create_ms
        )));
    }
    if trial_loop {
        blocks.push(Block::Muted(
        "Values: median [95 % CI of the median, resampling rounds then trials] · p95, over warm trials (n per case below). Heard speech: when a real-time player that starts at the first audio plays the first audible sound (leading silence and stalls count).".into(),
    ));
    }
    Some(Section {
        id: "header",
        title: format!("kokoro-bench run `{}`", b.run.id),
        blocks,
    })
}
