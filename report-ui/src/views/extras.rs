//! Run-level sections: memory/CPU over time, soak drift, provider matrix.

use kokoro_bench_bundle::compare::compare_variants;
use kokoro_bench_bundle::schema::{AcceleratorActivity, MemorySeries, ProvidersResult, SoakResult};
use kokoro_bench_bundle::stats::median;
use yew::prelude::*;

fn polyline(xs: &[f64], ys: &[f64], x_max: f64, y_max: f64, w: f64, h: f64) -> String {
    xs.iter()
        .zip(ys)
        .enumerate()
        .map(|(i, (x, y))| {
            format!(
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { "L" },
                x / x_max * w,
                h - y / y_max * (h - 6.0)
            )
        })
        .collect()
}

/// RSS and CPU of the synthesising process with trial boundaries.
pub fn memory(m: &MemorySeries) -> Html {
    if m.t_ms.is_empty() {
        return html! {};
    }
    let t_max = m.t_ms.last().copied().unwrap_or(1.0).max(1.0);
    let rss: Vec<f64> = m.rss_bytes.iter().map(|&b| b as f64 / 1e6).collect();
    let rss_max = rss.iter().copied().fold(1.0, f64::max);
    let cpu: Vec<f64> = m.cpu_percent.iter().map(|&c| c as f64).collect();
    let cpu_max = cpu.iter().copied().fold(100.0, f64::max);
    let (w, h) = (760.0, 120.0);
    html! {
        <section id="memory">
            <h2>{"Memory and CPU"}</h2>
            <div class="muted">{ format!("{} (pid {}) · baseline {} · peak {}{} · CPU up to {:.0} % of one core · {} samples every {:.0} ms",
                m.process, m.pid, m.baseline_rss_bytes.map(|b| format!("{:.0} MB", b as f64 / 1e6)).unwrap_or("—".into()),
                m.peak_rss_bytes.map(|b| format!("{:.0} MB", b as f64 / 1e6)).unwrap_or("—".into()),
                if m.peak_window_end_ms.is_some() && rss_max > m.peak_rss_bytes.unwrap_or(0) as f64 / 1e6 + 0.5 {
                    format!(" over the measured trials ({rss_max:.0} MB later, in the suites after the dashed line)")
                } else { String::new() },
                cpu_max, m.t_ms.len(), m.interval_ms) }</div>
            <svg width="760" height="130" viewBox="0 0 760 130" role="img" aria-label="memory and cpu">
                { for m.mark_t_ms.iter().zip(&m.mark_label).map(|(t, l)| html!{ <line x1={format!("{:.1}", t / t_max * w)} x2={format!("{:.1}", t / t_max * w)} y1="0" y2="120" stroke="#e3e3e0"><title>{ l.clone() }</title></line> }) }
                if let Some(end) = m.peak_window_end_ms.filter(|&e| e < t_max - 2.0 * m.interval_ms) {
                    <line x1={format!("{:.1}", end / t_max * w)} x2={format!("{:.1}", end / t_max * w)} y1="0" y2="120" stroke="#6b6b70" stroke-dasharray="4 3"><title>{"end of the measured trials: the peak is taken before this line"}</title></line>
                }
                <path d={polyline(&m.t_ms, &cpu, t_max, cpu_max, w, h)} fill="none" stroke="#b26a00" stroke-width="1" />
                <path d={polyline(&m.t_ms, &rss, t_max, rss_max, w, h)} fill="none" stroke="#3b5bdb" stroke-width="1.5" />
            </svg>
            <div class="muted">{"RSS (blue, scaled to peak), CPU % (orange), trial starts (grey)."}</div>
            if let Some(l) = &m.leak {
                <div>{ format!("Leak slope after the largest input: {:.2} MB / 100 requests [{:.2}, {:.2}] over {} requests → {} (arena growth before: {:.0} MB)",
                    l.mb_per_100_requests, l.ci95[0], l.ci95[1], l.trials, l.verdict, l.arena_growth_mb) }</div>
            } else {
                <div class="muted">{"Too few requests after the largest input for a leak slope; ONNX Runtime's arena grows to the largest input shape, which is not a leak."}</div>
            }
        </section>
    }
}

/// Soak windows with drift and change points.
pub fn soak(s: &SoakResult) -> Html {
    let vals: Vec<f64> = s
        .window_ttfa_p50_ms
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    let max = vals
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max);
    let xs: Vec<f64> = (0..vals.len()).map(|i| i as f64).collect();
    let errors: u64 = s.errors_by_kind.values().sum();
    html! {
        <section id="soak">
            <h2>{"Soak"}</h2>
            <div>{ format!("{} requests, {} concurrent{}; {errors} error(s); TTFA drift first → last window: {}; change points at request(s) {:?}",
                s.requests, s.concurrency, s.duration_s.map(|d| format!(", {d:.0} s")).unwrap_or_default(),
                match (s.ttfa_drift_pct, s.ttfa_drift_ci95) { (Some(d), Some(c)) => format!("{d:+.1} % [{:+.1}, {:+.1}]", c[0], c[1]), _ => "—".into() },
                s.change_points) }</div>
            <svg width="760" height="100" viewBox="0 0 760 100" role="img" aria-label="soak windows">
                <path d={polyline(&xs, &vals, (vals.len().max(2) - 1) as f64, max, 740.0, 90.0)} fill="none" stroke="#3b5bdb" stroke-width="1.5" />
            </svg>
            <div class="muted">{"Median TTFA per window."}</div>
        </section>
    }
}

/// Dual sessions against one session with the same threads.
pub fn dual(d: &kokoro_bench_bundle::schema::DualResult) -> Html {
    html! {
        <section id="dual">
            <h2>{ format!("Dual sessions (policy {}, {} threads in total)", d.policy, d.total_threads) }</h2>
            <table>
                <thead><tr><th>{"mode"}</th><th>{"clients"}</th><th>{"audio s / wall s"}</th><th>{"TTFA p50"}</th><th>{"RTF p50"}</th><th>{"served by 0 / 1"}</th></tr></thead>
                <tbody>
                { for d.levels.iter().map(|l| {
                    let ttfa: Vec<f64> = l.ttfa_ms.iter().flatten().copied().collect();
                    let rtf: Vec<f64> = l.rtf.iter().flatten().copied().collect();
                    let zero = l.served_by.iter().filter(|&&s| s == 0).count();
                    html!{ <tr>
                        <td>{ &l.mode }</td><td class="num">{ l.concurrency }</td><td class="num">{ format!("{:.2}", l.audio_s_per_s) }</td>
                        <td class="num">{ median(&ttfa).map(|v| format!("{v:.0} ms")).unwrap_or("—".into()) }</td>
                        <td class="num">{ median(&rtf).map(|v| format!("{v:.3}")).unwrap_or("—".into()) }</td>
                        <td class="num">{ format!("{zero} / {}", l.served_by.len() - zero) }</td>
                    </tr> }
                }) }
                </tbody>
            </table>
        </section>
    }
}

/// GPU / Neural Engine activity per variant beside the idle baseline (macOS, when recorded).
fn accelerator_table(p: &ProvidersResult) -> Html {
    let rows = p.accelerator_rows();
    if rows.is_empty() {
        return html! {};
    }
    html! {
        <table id="accelerator">
            <thead><tr><th>{"variant"}</th>{ for AcceleratorActivity::HEADINGS.iter().map(|h| html!{ <th>{ *h }</th> }) }</tr></thead>
            <tbody>
            { for rows.into_iter().map(|(name, a)| html!{
                <tr><td>{ name }</td>{ for a.cells().into_iter().map(|c| html!{ <td class="num">{ c }</td> }) }</tr>
            }) }
            </tbody>
        </table>
    }
}

/// The variant matrix.
pub fn providers(p: &ProvidersResult) -> Html {
    let verdicts = compare_variants(p);
    html! {
        <section id="providers">
            <h2>{ format!("Providers (reference {}; drift flagged below {:.0} dB SNR)", p.reference, p.min_snr_db) }</h2>
            <table>
                <thead><tr><th>{"variant"}</th><th>{"requested"}</th><th>{"registered"}</th><th>{"nodes"}</th><th>{"create"}</th><th>{"first inference"}</th><th>{"first chunk p50"}</th><th>{"whole p50"}</th><th>{"drift"}</th><th>{"churn"}</th></tr></thead>
                <tbody>
                { for p.variants.iter().map(|v| {
                    let req = v.requested.iter().map(|(k, x)| format!("{k}={x}")).collect::<Vec<_>>().join(" ");
                    if let Some(why) = &v.skipped {
                        return html!{ <tr><td>{ &v.name }</td><td class="muted">{ req }</td><td colspan="8"><span class="badge no_data">{"skipped"}</span>{" "}{ why }</td></tr> };
                    }
                    let med = |f: fn(&kokoro_bench_bundle::schema::VariantCase) -> &Vec<f64>| v.cases.iter().map(|c| format!("{}: {:.0} ms", c.case, median(f(c)).unwrap_or(f64::NAN))).collect::<Vec<_>>().join(", ");
                    let worst = v.cases.iter().filter_map(|c| c.drift.as_ref()).min_by(|a, b| a.snr_db.total_cmp(&b.snr_db));
                    html!{
                        <tr>
                            <td>{ &v.name }</td>
                            <td class="muted">{ req }</td>
                            <td>{ v.registered_providers.join(" → ") }</td>
                            <td>{ v.node_placement.iter().map(|(k, n)| format!("{k}: {n}")).collect::<Vec<_>>().join(", ") }</td>
                            <td class="num">{ v.session_create_ms.map(|x| format!("{x:.0} ms")).unwrap_or_default() }</td>
                            <td class="num">{ v.first_inference_ms.map(|x| format!("{x:.0} ms")).unwrap_or_default() }</td>
                            <td class="num">{ med(|c| &c.first_chunk_ms) }</td>
                            <td class="num">{ med(|c| &c.whole_ms) }</td>
                            <td>{ match worst {
                                Some(d) if d.within_threshold => html!{ <span>{ format!("{:.1} dB, r = {:.4}", d.snr_db, d.correlation.0) }</span> },
                                Some(d) => html!{ <span class="badge fail">{ format!("drifts: {:.1} dB", d.snr_db) }</span> },
                                None => html!{ <span class="muted">{"reference"}</span> },
                            } }</td>
                            <td class="num">{ v.churn.as_ref().and_then(|c| c.mb_per_session).map(|m| format!("{m:+.1} MB/session")).unwrap_or_default() }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            { for p.variants.iter().flat_map(|v| v.flags.iter().map(move |f| html!{ <div class="note variant-flag">{ format!("{}: {f}", v.name) }</div> })) }
            <div class="muted">{ format!("GPU / Neural Engine activity: {}", p.accelerator_activity) }</div>
            { accelerator_table(p) }
            { for verdicts.iter().map(|vc| html!{
                <div>{ format!("{} vs {}: ", vc.variant, p.reference) }
                { for vc.rows.iter().map(|r| html!{ <span>{ format!("{} {} ", r.case.as_deref().unwrap_or(""), r.metric.label()) }<span class={classes!("badge", r.verdict.label())}>{ r.verdict.label() }</span>{" "}</span> }) }
                </div>
            }) }
        </section>
    }
}
