//! The end-of-run summary: a table per case (p50/p95 with the 95 % interval of the median and the
//! sample count), cold start, memory, gates. The same text is written as `summary.md`.

use kokoro_bench_bundle::gates::GateStatus;
use kokoro_bench_bundle::metrics::Metric;
use kokoro_bench_bundle::stats::bootstrap::Bootstrap;
use kokoro_bench_bundle::stats::{median, Summary};
use kokoro_bench_bundle::Bundle;
use std::fmt::Write;

const TABLE_METRICS: [Metric; 6] = [
    Metric::TtfaMs,
    Metric::TtfaAudibleMs,
    Metric::Rtf,
    Metric::Underruns,
    Metric::MinPrebufferMs,
    Metric::IntegratedLufs,
];

/// One metric of one case as `p50 [lo–hi] · p95`.
pub fn cell(metric: Metric, values: &[f64]) -> String {
    let Some(s) = Summary::of(values) else {
        return "—".into();
    };
    let ci = Bootstrap::default().one(values, median);
    match ci {
        Some(ci) if s.n >= 3 => format!(
            "{} [{}–{}] · p95 {}",
            metric.format(s.median),
            metric.format(ci.lo),
            metric.format(ci.hi),
            metric.format(s.p95)
        ),
        _ => format!("{} · p95 {}", metric.format(s.median), metric.format(s.p95)),
    }
}

/// Renders the summary as Markdown (also readable in a terminal).
pub fn markdown(b: &Bundle) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# kokoro-bench run `{}`\n", b.run.id);
    let _ = writeln!(
        o,
        "{} · {} · strategy `{}` · voice `{}` · {} warm-up + {} measured trials per case · status {:?}\n",
        b.machine.cpu_model,
        b.provenance.model.as_ref().map(|m| m.name.as_str()).unwrap_or("?"),
        b.plan.strategy,
        b.plan.voice,
        b.plan.warmup_trials,
        b.plan.measured_trials,
        b.run.status
    );
    if let Some(s) = &b.provenance.session {
        let ort = b
            .provenance
            .runtime
            .as_ref()
            .map(|r| r.ort_version.as_str())
            .unwrap_or("?");
        let _ = writeln!(
            o,
            "ONNX Runtime {ort} · {} intra-op threads · optimisation `{}` · session created in {:.0} ms\n",
            s.intra_op_threads, s.graph_optimization_level, s.session_create_ms
        );
    }
    let _ = writeln!(
        o,
        "Values: median [95 % CI of the median] · p95, over warm trials (n per case below).\n"
    );
    let _ = write!(o, "| case | n | failed |");
    for m in TABLE_METRICS {
        let _ = write!(o, " {} |", m.label());
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "|---|---|---|{}", "---|".repeat(TABLE_METRICS.len()));
    for c in &b.cases {
        let _ = write!(
            o,
            "| {} ({} chars) | {} | {} |",
            c.id,
            c.chars,
            c.measured().count(),
            c.failed().count()
        );
        for m in TABLE_METRICS {
            let _ = write!(o, " {} |", cell(m, &m.case_values(c)));
        }
        let _ = writeln!(o);
    }
    let cold: Vec<String> = b
        .cases
        .iter()
        .flat_map(|c| {
            c.trials
                .iter()
                .filter(|t| t.kind == kokoro_bench_bundle::schema::TrialKind::Cold)
                .map(move |t| (c, t))
        })
        .map(|(c, t)| {
            format!(
                "{}: TTFA {} (first inference after session creation)",
                c.id,
                t.ttfa_ms
                    .map(|v| Metric::TtfaMs.format(v))
                    .unwrap_or("—".into())
            )
        })
        .collect();
    if !cold.is_empty() {
        let _ = writeln!(
            o,
            "\nCold start (reported apart, not in the table): {}",
            cold.join("; ")
        );
    }
    if let Some(m) = &b.memory {
        let mb = |v: Option<u64>| {
            v.map(|x| format!("{:.0} MB", x as f64 / 1e6))
                .unwrap_or("—".into())
        };
        let _ = write!(
            o,
            "\nMemory of {} (pid {}): baseline after load {}, peak {}, {} samples every {:.0} ms (sampler cost {:.0} µs/sample)",
            m.process,
            m.pid,
            mb(m.baseline_rss_bytes),
            mb(m.peak_rss_bytes),
            m.t_ms.len(),
            m.interval_ms,
            m.sample_cost_us.unwrap_or(0.0)
        );
        match &m.leak {
            Some(l) => {
                let _ = writeln!(
                    o,
                    "; leak slope {:.2} MB/100 requests [{:.2}, {:.2}] over {} steady-state requests → {} (arena growth before that: {:.0} MB)",
                    l.mb_per_100_requests, l.ci95[0], l.ci95[1], l.trials, l.verdict, l.arena_growth_mb
                );
            }
            None => {
                let _ = writeln!(o, "; too few requests after the largest input for a leak slope (ONNX Runtime's arena grows to the largest shape: that is not a leak)");
            }
        }
    }
    if !b.gates.is_empty() {
        let _ = writeln!(o, "\n## Gates\n\n| gate | case | value | band | n | status | why |\n|---|---|---|---|---|---|---|");
        for g in &b.gates {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                g.rule.id,
                g.case.as_deref().unwrap_or("all"),
                g.value
                    .map(|v| g.rule.metric.format(v))
                    .unwrap_or("—".into()),
                g.rule.bound.describe(g.rule.metric),
                g.samples,
                status_label(g.status),
                g.reason
            );
        }
    }
    let quality_problems: Vec<String> = b
        .cases
        .iter()
        .flat_map(|c| {
            c.trials
                .iter()
                .filter_map(move |t| t.quality.as_ref().map(|q| (c, t, q)))
        })
        .filter(|(_, _, q)| !q.problems.is_empty())
        .map(|(c, t, q)| format!("- {} trial {}: {}", c.id, t.index, q.problems.join("; ")))
        .collect();
    if !quality_problems.is_empty() {
        let _ = writeln!(o, "\n## Audio problems\n\n{}", quality_problems.join("\n"));
    }
    if b.plan.suites.iter().any(|s| s == "quality") {
        let _ = writeln!(o, "\nNote: raw Kokoro output is not loudness-normalised; a −16 LUFS band describes a server that normalises.");
    }
    let failures: Vec<String> = b
        .cases
        .iter()
        .flat_map(|c| c.failed().map(move |t| (c, t)))
        .map(|(c, t)| {
            format!(
                "- {} trial {}: {}",
                c.id,
                t.index,
                t.error.as_ref().map(|e| e.message.as_str()).unwrap_or("")
            )
        })
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(o, "\n## Failed trials\n\n{}", failures.join("\n"));
    }
    for n in &b.notes {
        let _ = writeln!(o, "\n> {:?}: {}", n.level, n.message);
    }
    o
}

/// Label of a gate status.
pub fn status_label(s: GateStatus) -> &'static str {
    match s {
        GateStatus::Pass => "PASS",
        GateStatus::Warn => "WARN",
        GateStatus::Fail => "FAIL",
        GateStatus::NoData => "NO DATA",
        GateStatus::Off => "off",
    }
}
