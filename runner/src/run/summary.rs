//! The end-of-run summary: a table per case (p50/p95 with the 95 % interval of the median and the
//! sample count), cold start, memory, gates. The same text is written as `summary.md`.

use kokoro_bench_bundle::gates::GateStatus;
use kokoro_bench_bundle::metrics::Metric;
use kokoro_bench_bundle::schema::AcceleratorActivity;
use kokoro_bench_bundle::stats::bootstrap::Bootstrap;
use kokoro_bench_bundle::stats::{median, Summary};
use kokoro_bench_bundle::Bundle;
use std::fmt::Write;

const TABLE_METRICS: [Metric; 6] = Metric::HEADLINE;

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
        match (&b.provenance.http, &b.provenance.model) {
            (Some(h), _) => h.url.as_str(),
            (None, Some(m)) => m.name.as_str(),
            (None, None) => "?",
        },
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
    let cadence: Vec<String> = b
        .cases
        .iter()
        .filter_map(|c| {
            let gaps: Vec<f64> = c.measured().flat_map(|t| t.chunks.gaps_ms()).collect();
            let sizes: Vec<f64> = c
                .measured()
                .flat_map(|t| t.chunks.samples.iter().map(move |&n| n as f64 / t.sample_rate_hz.max(1) as f64))
                .collect();
            let inf: Vec<f64> = c.measured().flat_map(|t| t.chunks.inference_ms.iter().copied()).collect();
            let chunks = c.measured().map(|t| t.chunks.len()).max().unwrap_or(0);
            let g = Summary::of(&gaps);
            let model = median(&inf).map(|m| format!("; model time per chunk median {m:.0} ms")).unwrap_or_default();
            Some(format!(
                "- {}: {chunks} chunk(s)/trial; gaps between chunks p50 {} / p95 {} / max {}; chunk audio median {:.2} s{model}",
                c.id,
                g.as_ref().map(|g| format!("{:.0} ms", g.median)).unwrap_or("—".into()),
                g.as_ref().map(|g| format!("{:.0} ms", g.p95)).unwrap_or("—".into()),
                g.as_ref().map(|g| format!("{:.0} ms", g.max)).unwrap_or("—".into()),
                median(&sizes)?,
            ))
        })
        .collect();
    if !cadence.is_empty() {
        let _ = writeln!(
            o,
            "\nStreaming cadence (warm trials):\n{}",
            cadence.join("\n")
        );
    }
    let setup: Vec<String> = b
        .cases
        .iter()
        .filter_map(|c| {
            let ttfb: Vec<f64> = c.measured().filter_map(|t| t.ttfb_ms).collect();
            let connect: Vec<f64> = c.measured().filter_map(|t| t.connect_ms).collect();
            let tls: Vec<f64> = c.measured().filter_map(|t| t.tls_handshake_ms).collect();
            let ttfb = median(&ttfb)?;
            Some(format!(
                "- {}: TTFB p50 {ttfb:.1} ms; new connections: TCP connect p50 {}{}",
                c.id,
                median(&connect)
                    .map(|v| format!("{v:.1} ms"))
                    .unwrap_or("—".into()),
                median(&tls)
                    .map(|v| format!(", TLS handshake p50 {v:.1} ms"))
                    .unwrap_or_default()
            ))
        })
        .collect();
    if !setup.is_empty() {
        let keep_alive = b.provenance.http.as_ref().is_some_and(|h| h.keep_alive);
        let trials = || b.cases.iter().flat_map(|c| c.trials.iter());
        let count = |flag: &str| {
            trials()
                .filter(|t| t.flags.iter().any(|f| f == flag))
                .count()
        };
        let how = if keep_alive {
            format!(
                "connections kept alive: {} of {} requests reused one, {} found it closed and reconnected; set-up is inside TTFB only where a connection was opened",
                count("connection_reused"),
                trials().count(),
                count("connection_retried")
            )
        } else {
            "one connection per request, so set-up is inside TTFB and TTFA; --keep-alive reuses connections".into()
        };
        let _ = writeln!(o, "\nHTTP ({how}):\n{}", setup.join("\n"));
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
                "{}: TTFA {} ({})",
                c.id,
                t.ttfa_ms
                    .map(|v| Metric::TtfaMs.format(v))
                    .unwrap_or("—".into()),
                if b.run.target == kokoro_bench_bundle::schema::TargetKind::Http {
                    "the run's first request to the server"
                } else {
                    "first inference after session creation"
                }
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
            "\nMemory of {} (pid {}): baseline after load {}, peak {}{}, {} samples every {:.0} ms (sampler cost {:.0} µs/sample)",
            m.process,
            m.pid,
            mb(m.baseline_rss_bytes),
            mb(m.peak_rss_bytes),
            match (
                m.peak_window_end_ms.is_some(),
                b.dual.is_some() || b.hardware.is_some() || b.providers.is_some(),
            ) {
                (true, true) => " (over the measured trials; the suites after them are excluded)",
                _ => "",
            },
            m.t_ms.len(),
            m.interval_ms,
            m.sample_cost_us.unwrap_or(0.0)
        );
        if let Some(cost) = m.sample_cost_us {
            let _ = write!(
                o,
                " ≈ {:.2} % of one core",
                cost / (m.interval_ms * 1000.0) * 100.0
            );
        }
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
    if let Some(sk) = &b.soak {
        let errors: u64 = sk.errors_by_kind.values().sum();
        let _ = writeln!(
            o,
            "\nSoak: {} requests ({} concurrent){}, {errors} error(s) {:?}; TTFA drift first → last window {}; change points at request {:?}",
            sk.requests,
            sk.concurrency,
            sk.duration_s.map(|d| format!(" over {d:.0} s")).unwrap_or_default(),
            sk.errors_by_kind,
            match (sk.ttfa_drift_pct, sk.ttfa_drift_ci95) {
                (Some(d), Some(ci)) => format!("{d:+.1} % [{:+.1}, {:+.1}]", ci[0], ci[1]),
                _ => "— (too few requests per window)".into(),
            },
            sk.change_points
        );
        let w: Vec<String> = sk
            .window_ttfa_p50_ms
            .iter()
            .map(|v| v.map(|x| format!("{x:.0}")).unwrap_or("—".into()))
            .collect();
        let _ = writeln!(o, "Soak TTFA p50 per window (ms): {}", w.join(" · "));
    }
    if let Some(p) = &b.providers {
        let _ = writeln!(
            o,
            "\n## Providers (reference `{}`; drift flagged below {:.0} dB SNR)\n",
            p.reference, p.min_snr_db
        );
        let _ = writeln!(o, "| variant | registered | nodes | create | first inference | first chunk p50 | whole text p50 | drift SNR (worst) | churn |\n|---|---|---|---|---|---|---|---|---|");
        for v in &p.variants {
            if let Some(why) = &v.skipped {
                let _ = writeln!(o, "| {} | skipped: {why} | | | | | | | |", v.name);
                continue;
            }
            let med = |f: &dyn Fn(&kokoro_bench_bundle::schema::VariantCase) -> &Vec<f64>| {
                v.cases
                    .iter()
                    .map(|c| format!("{}: {:.0} ms", c.case, median(f(c)).unwrap_or(f64::NAN)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let worst = v
                .cases
                .iter()
                .filter_map(|c| c.drift.as_ref())
                .min_by(|a, b| a.snr_db.total_cmp(&b.snr_db));
            let _ = writeln!(
                o,
                "| {} | {} | {} | {:.0} ms | {:.0} ms | {} | {} | {} | {} |",
                v.name,
                v.registered_providers.join(" → "),
                v.node_placement
                    .iter()
                    .map(|(k, n)| format!("{k}: {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                v.session_create_ms.unwrap_or(f64::NAN),
                v.first_inference_ms.unwrap_or(f64::NAN),
                med(&|c| &c.first_chunk_ms),
                med(&|c| &c.whole_ms),
                worst
                    .map(|d| format!(
                        "{:.1} dB{}",
                        d.snr_db,
                        if d.within_threshold { "" } else { " DRIFTS" }
                    ))
                    .unwrap_or("reference".into()),
                v.churn
                    .as_ref()
                    .and_then(|c| c.mb_per_session)
                    .map(|m| format!("{m:+.1} MB/session"))
                    .unwrap_or_default(),
            );
        }
        for v in &p.variants {
            for f in &v.flags {
                let _ = writeln!(o, "\n**{}**: {f}", v.name);
            }
        }
        let _ = writeln!(
            o,
            "\nGPU / Neural Engine activity: {}",
            p.accelerator_activity
        );
        let rows = p.accelerator_rows();
        if !rows.is_empty() {
            let _ = writeln!(
                o,
                "\n| variant | {} |\n|---|{}",
                AcceleratorActivity::HEADINGS.join(" | "),
                "---|".repeat(AcceleratorActivity::HEADINGS.len())
            );
            for (name, a) in rows {
                let _ = writeln!(o, "| {name} | {} |", a.cells().join(" | "));
            }
        }
        for vc in kokoro_bench_bundle::compare::compare_variants(p) {
            let verdicts: Vec<String> = vc
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {}: {}",
                        r.case.as_deref().unwrap_or(""),
                        r.metric.label(),
                        r.verdict.label()
                    )
                })
                .collect();
            let _ = writeln!(
                o,
                "- {} vs {}: {}",
                vc.variant,
                p.reference,
                verdicts.join("; ")
            );
        }
    }
    if let Some(d) = &b.dual {
        let _ = writeln!(
            o,
            "\n## Dual sessions (policy {}, {} threads in total)\n\n| mode | clients | audio s / wall s | TTFA p50 | RTF p50 | served by session 0 / 1 |\n|---|---|---|---|---|---|",
            d.policy, d.total_threads
        );
        for l in &d.levels {
            let ttfa: Vec<f64> = l.ttfa_ms.iter().flatten().copied().collect();
            let rtf: Vec<f64> = l.rtf.iter().flatten().copied().collect();
            let zero = l.served_by.iter().filter(|&&s| s == 0).count();
            let _ = writeln!(
                o,
                "| {} | {} | {:.2} | {} | {} | {} / {} |",
                l.mode,
                l.concurrency,
                l.audio_s_per_s,
                median(&ttfa)
                    .map(|v| format!("{v:.0} ms"))
                    .unwrap_or("—".into()),
                median(&rtf)
                    .map(|v| format!("{v:.3}"))
                    .unwrap_or("—".into()),
                zero,
                l.served_by.len() - zero
            );
        }
    }
    if let Some(h) = &b.hardware {
        let s = Summary::of(&h.inference_ms);
        let _ = writeln!(
            o,
            "\nHardware workload: {} → median {} ms (n = {}), RTF {:.3}. Power/thermal: {}",
            h.workload,
            s.as_ref()
                .map(|s| format!("{:.0}", s.median))
                .unwrap_or("—".into()),
            h.inference_ms.len(),
            s.as_ref()
                .map(|s| s.median / 1000.0 / h.audio_s.max(1e-9))
                .unwrap_or(f64::NAN),
            b.machine.power_hints.join("; ")
        );
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
