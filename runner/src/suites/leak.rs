//! Leak slope: RSS growth per request, measured only after the ONNX Runtime arena has seen the
//! largest input shape of the run (the arena grows to the largest shape and keeps it; that is
//! growth, not a leak).

use kokoro_bench_bundle::schema::{Bundle, LeakEstimate, MemorySeries};
use kokoro_bench_bundle::stats::bootstrap::Bootstrap;
use kokoro_bench_bundle::stats::theil_sen;

/// Fewest steady-state requests for a slope.
pub const MIN_STEADY_TRIALS: usize = 8;

/// Estimates the slope; `None` when the steady state has too few requests.
pub fn estimate(bundle: &Bundle, mem: &MemorySeries) -> Option<LeakEstimate> {
    // Trials in run order with their largest model call and the RSS right after they ended.
    let mut rows: Vec<(f64, u32, f64)> = Vec::new(); // (start_ms, max phonemes per call, rss MB at end)
    for c in &bundle.cases {
        for t in &c.trials {
            let end = t.start_ms + t.total_ms.unwrap_or(0.0);
            let rss = mem
                .t_ms
                .iter()
                .position(|&s| s >= end)
                .map(|i| mem.rss_bytes[i] as f64 / 1e6)?;
            rows.push((
                t.start_ms,
                t.chunks.phonemes.iter().copied().max().unwrap_or(0),
                rss,
            ));
        }
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let largest = rows.iter().map(|r| r.1).max()?;
    let first_largest = rows.iter().position(|r| r.1 == largest)?;
    let steady = &rows[first_largest + 1..];
    if steady.len() < MIN_STEADY_TRIALS {
        return None;
    }
    let x: Vec<f64> = (0..steady.len()).map(|i| i as f64).collect();
    let y: Vec<f64> = steady.iter().map(|r| r.2).collect();
    let ci = theil_sen::slope_interval(
        &x,
        &y,
        Bootstrap {
            resamples: 500,
            ..Bootstrap::default()
        },
    )?;
    let per100 = |v: f64| v * 100.0;
    let verdict = if per100(ci.lo) > 1.0 {
        "leak"
    } else if per100(ci.hi) < 5.0 {
        "no_leak"
    } else {
        "inconclusive"
    };
    let baseline = mem
        .baseline_rss_bytes
        .map(|b| b as f64 / 1e6)
        .unwrap_or(rows[0].2);
    Some(LeakEstimate {
        trials: steady.len() as u32,
        mb_per_100_requests: per100(ci.estimate),
        ci95: [per100(ci.lo), per100(ci.hi)],
        verdict: verdict.into(),
        arena_growth_mb: rows[first_largest].2 - baseline,
    })
}
