//! `run`: flags → validated plan → run → summary → exit code from the gates.

use super::{EXIT_ERROR, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK};
use crate::cli::RunArgs;
use crate::context::progress::Verbosity;
use crate::fsutil::atomic_write;
use crate::run::plan::{self, OutputArgs, PlanInput};
use crate::run::{execute, summary};
use anyhow::{Context, Result};
use kokoro_bench_bundle::gates::GateStatus;
use kokoro_bench_bundle::metrics::Metric;
use kokoro_bench_bundle::schema::RunStatus;
use kokoro_bench_bundle::Bundle;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Ctrl-C raises `stop`: the run ends after the current trial and writes what it measured.
fn install_interrupt() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            match crate::context::artifacts::mark_interrupted_on_disk() {
                Some(p) => eprintln!(
                    "\ninterrupted again: stopping now; what was measured is in {}",
                    p.display()
                ),
                None => {
                    eprintln!("\ninterrupted again: stopping now (nothing had been written yet)")
                }
            }
            std::process::exit(EXIT_INTERRUPTED);
        }
        eprintln!("\ninterrupted: abandoning the request in flight and writing what was measured (Ctrl-C again to stop at once)");
    });
    stop
}

/// The `--json` document: bundle path and headline numbers per case.
fn json(b: &Bundle, path: &std::path::Path) -> serde_json::Value {
    let cases: Vec<serde_json::Value> = b
        .cases
        .iter()
        .map(|c| {
            let med = |m: Metric| kokoro_bench_bundle::stats::median(&m.case_values(c));
            serde_json::json!({
                "case": c.id, "n": c.measured().count(), "failed": c.failed().count(),
                "heard_ms_p50": med(Metric::HeardMs), "ttfa_ms_p50": med(Metric::TtfaMs),
                "ttfa_audible_ms_p50": med(Metric::TtfaAudibleMs),
                "rtf_p50": med(Metric::Rtf), "underruns_p50": med(Metric::Underruns),
            })
        })
        .collect();
    serde_json::json!({
        "bundle": path, "run_id": b.run.id, "status": b.run.status, "cases": cases,
        "gates_failed": b.gates.iter().filter(|g| g.status == GateStatus::Fail).count(),
    })
}

/// Writes the `--export-*` files (atomically; the bundle is already on disk whatever happens).
fn write_exports(b: &Bundle, o: &OutputArgs) -> Result<()> {
    let files = [
        (&o.export_csv, super::export::Feed::Csv),
        (&o.export_markdown, super::export::Feed::Markdown),
        (&o.export_json, super::export::Feed::Json),
        (&o.export_bmf, super::export::Feed::Bmf),
        (&o.export_benchmark, super::export::Feed::Benchmark),
        (&o.export_junit, super::export::Feed::Junit),
    ];
    for (path, feed) in files {
        if let Some(p) = path {
            let text = feed.render(b)?;
            atomic_write(p, text.as_bytes()).with_context(|| {
                format!(
                    "the bundle is written, but not this export: {}",
                    p.display()
                )
            })?;
            eprintln!("export: {}", p.display());
        }
    }
    Ok(())
}

/// The exit code of a finished run: 130 when Ctrl-C ended it (as a shell reports SIGINT), 2 when
/// nothing succeeded (the run could not be done), 1 when a gate failed — or, with `--strict`, a
/// gate had no data or a case had no successful trial.
pub fn exit_code(b: &Bundle, strict: bool) -> i32 {
    let gate_failed = b
        .gates
        .iter()
        .any(|g| g.status == GateStatus::Fail || (strict && g.status == GateStatus::NoData));
    match b.run.status {
        RunStatus::Interrupted => EXIT_INTERRUPTED,
        RunStatus::Failed => EXIT_ERROR,
        RunStatus::Degraded if strict => EXIT_FAILED,
        _ if gate_failed => EXIT_FAILED,
        _ => EXIT_OK,
    }
}

/// `run`.
///
/// # Errors
/// Bad flags, missing files, a target that cannot start, or artifacts that cannot be written.
pub fn run(args: RunArgs) -> Result<i32> {
    let plan = plan::build(PlanInput {
        target: &args.target,
        cases: &args.cases,
        trials: &args.trials,
        suites: &args.suites,
        machine: &args.machine,
        output: &args.output,
        command_line: std::env::args().collect(),
    })?;
    let quiet = plan.verbosity == Verbosity::Quiet && !args.output.json;
    let out = execute(plan, install_interrupt())?;
    let b = &out.bundle;
    if !quiet {
        eprint!("{}", summary(b));
        eprintln!();
    }
    eprintln!("bundle: {}", out.bundle_path.display());
    if args.output.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json(b, &out.bundle_path))?
        );
    }
    // Last: an export that cannot be written must not hide the run's own output.
    write_exports(b, &args.output)?;
    Ok(exit_code(b, args.output.strict))
}
