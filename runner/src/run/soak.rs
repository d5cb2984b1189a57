//! The soak suite: many requests over a duration or a count, from K concurrent clients, texts
//! rotated with a unique nonce per request so no cache could answer. Reports per-window TTFA, RTF
//! and RSS, the TTFA drift between the first and last window with a bootstrap interval, change
//! points in the per-request TTFA series, and errors by kind. Ctrl-C ends it early; everything
//! measured is kept.

use crate::measure::memory::Sampler;
use indicatif::ProgressBar;
use kokoro_bench_bundle::schema::{MemorySeries, SoakResult, Trial};
use kokoro_bench_bundle::stats::bootstrap::Bootstrap;
use kokoro_bench_bundle::stats::{changepoint, median};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Soak settings.
#[derive(Clone, Debug)]
pub struct SoakOptions {
    /// Stop after this long (whichever of duration/iterations comes first).
    pub duration: Option<Duration>,
    /// Stop after this many requests.
    pub iterations: Option<u64>,
    /// Concurrent clients.
    pub concurrency: u32,
    /// Windows the series is cut into.
    pub windows: usize,
    /// Open loop: requests per second on a fixed schedule (closed loop when `None`).
    pub arrival_rate_hz: Option<f64>,
}

/// Parses `20m`, `90s`, `1h`, `500ms`.
///
/// # Errors
/// A message saying what a duration looks like.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(
        s.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(s.len()),
    );
    let v: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration: use e.g. 90s, 20m, 1h"))?;
    let secs = match unit {
        "ms" => v / 1000.0,
        "s" | "" => v,
        "m" => v * 60.0,
        "h" => v * 3600.0,
        _ => {
            return Err(format!(
                "`{s}` has an unknown unit `{unit}`: use ms, s, m or h"
            ))
        }
    };
    Ok(Duration::from_secs_f64(secs))
}

struct Record {
    done_ms: f64,
    ttfa_ms: Option<f64>,
    rtf: Option<f64>,
    error: Option<String>,
}

/// Runs the soak. `run_one(text, n)` performs request `n` (the caller adds the nonce) and returns
/// its trial. Closed loop: `concurrency` clients each send the next request as soon as their last
/// one finished. Open loop (`arrival_rate_hz`): requests start on a fixed schedule whether or not
/// earlier ones finished (at most `concurrency` × 4 in flight), which is how queueing shows up.
pub fn run(
    run_one: &(dyn Fn(&str, u64) -> Trial + Sync),
    texts: &[(String, String)],
    opts: &SoakOptions,
    sampler: Option<&Sampler>,
    stop: Arc<AtomicBool>,
    bar: &ProgressBar,
) -> SoakResult {
    let soak_start = Instant::now();
    let origin_ms = sampler.map(|s| s.elapsed_ms()).unwrap_or(0.0);
    let next = AtomicU64::new(0);
    let in_flight = AtomicU64::new(0);
    let records = Mutex::new(Vec::<Record>::new());
    let limit = opts.iterations.unwrap_or(u64::MAX);
    let expired =
        || opts.duration.is_some_and(|d| soak_start.elapsed() >= d) || stop.load(Ordering::Relaxed);
    let one = |n: u64| {
        let (id, text) = &texts[n as usize % texts.len()];
        if let Some(s) = sampler {
            s.mark(format!("soak:{id}#{n}"));
        }
        let t = run_one(text, n);
        if let Ok(mut r) = records.lock() {
            r.push(Record {
                done_ms: soak_start.elapsed().as_secs_f64() * 1000.0,
                ttfa_ms: t.ttfa_ms.filter(|_| t.error.is_none()),
                rtf: t.rtf,
                error: t.error.map(|e| e.kind),
            });
            let ok: Vec<f64> = r.iter().rev().take(20).filter_map(|x| x.ttfa_ms).collect();
            let errors = r.iter().filter(|x| x.error.is_some()).count();
            bar.set_message(format!(
                "soak: {:.0} s, {} requests, {errors} errors, recent TTFA p50 {:.0} ms",
                soak_start.elapsed().as_secs_f64(),
                r.len(),
                median(&ok).unwrap_or(f64::NAN)
            ));
        }
        bar.tick();
    };
    std::thread::scope(|scope| match opts.arrival_rate_hz {
        None => {
            for _ in 0..opts.concurrency.max(1) {
                scope.spawn(|| loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    if n >= limit || expired() {
                        break;
                    }
                    one(n);
                });
            }
        }
        Some(rate) => {
            let period = Duration::from_secs_f64(1.0 / rate.max(1e-3));
            let cap = u64::from(opts.concurrency.max(1)) * 4;
            for n in 0..limit {
                let due = soak_start + period * n as u32;
                while Instant::now() < due {
                    std::thread::sleep((due - Instant::now()).min(Duration::from_millis(50)));
                    if expired() {
                        break;
                    }
                }
                if expired() {
                    break;
                }
                if in_flight.load(Ordering::SeqCst) >= cap {
                    if let Ok(mut r) = records.lock() {
                        r.push(Record {
                            done_ms: soak_start.elapsed().as_secs_f64() * 1000.0,
                            ttfa_ms: None,
                            rtf: None,
                            error: Some("dropped_overload".into()),
                        });
                    }
                    continue;
                }
                in_flight.fetch_add(1, Ordering::SeqCst);
                let (one, in_flight) = (&one, &in_flight);
                scope.spawn(move || {
                    one(n);
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                });
            }
        }
    });
    let mut recs = records.into_inner().unwrap_or_default();
    recs.sort_by(|a, b| a.done_ms.total_cmp(&b.done_ms));
    summarise(&recs, opts, sampler.map(|s| s.snapshot()), origin_ms)
}

fn summarise(
    recs: &[Record],
    opts: &SoakOptions,
    mem: Option<MemorySeries>,
    soak_origin_ms: f64,
) -> SoakResult {
    let mut out = SoakResult {
        duration_s: opts.duration.map(|d| d.as_secs_f64()),
        concurrency: opts.concurrency,
        requests: recs.len() as u64,
        request_ttfa_ms: recs.iter().map(|r| r.ttfa_ms).collect(),
        ..Default::default()
    };
    for r in recs {
        if let Some(k) = &r.error {
            *out.errors_by_kind.entry(k.clone()).or_insert(0) += 1;
        }
    }
    let w = opts.windows.max(2).min(recs.len().max(1));
    let per = recs.len().div_ceil(w.max(1)).max(1);
    let windows: Vec<&[Record]> = recs.chunks(per).collect();
    for win in &windows {
        let start = win.first().map(|r| r.done_ms).unwrap_or(0.0);
        let end = win.last().map(|r| r.done_ms).unwrap_or(start);
        out.window_t_ms.push(start);
        let ttfa: Vec<f64> = win.iter().filter_map(|r| r.ttfa_ms).collect();
        let rtf: Vec<f64> = win.iter().filter_map(|r| r.rtf).collect();
        out.window_ttfa_p50_ms.push(median(&ttfa));
        out.window_rtf_p50.push(median(&rtf));
        let rss = mem.as_ref().and_then(|m| {
            let v: Vec<f64> = m
                .t_ms
                .iter()
                .zip(&m.rss_bytes)
                .filter(|(t, _)| **t >= soak_origin_ms + start && **t <= soak_origin_ms + end)
                .map(|(_, &r)| r as f64)
                .collect();
            kokoro_bench_bundle::stats::mean(&v).map(|x| x as u64)
        });
        out.window_rss_bytes.push(rss);
    }
    if let (Some(first), Some(last)) = (windows.first(), windows.last()) {
        let a: Vec<f64> = first.iter().filter_map(|r| r.ttfa_ms).collect();
        let b: Vec<f64> = last.iter().filter_map(|r| r.ttfa_ms).collect();
        if windows.len() >= 2 && a.len() >= 2 && b.len() >= 2 {
            let ci = Bootstrap::default().two(&a, &b, median, |y, x| {
                (x > 0.0).then(|| (y / x - 1.0) * 100.0)
            });
            out.ttfa_drift_pct = ci.map(|c| c.estimate);
            out.ttfa_drift_ci95 = ci.map(|c| [c.lo, c.hi]);
        }
    }
    let series: Vec<f64> = recs.iter().filter_map(|r| r.ttfa_ms).collect();
    out.change_points = changepoint::detect(&series, 10);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("20m").unwrap(), Duration::from_secs(1200));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("soon").unwrap_err().contains("90s"));
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn drift_windows_and_errors() {
        let mut rng = kokoro_bench_bundle::stats::SplitMix64::new(5);
        let recs: Vec<Record> = (0..40)
            .map(|i| Record {
                done_ms: i as f64 * 100.0,
                ttfa_ms: (i != 7).then(|| if i < 20 { 500.0 } else { 600.0 } + rng.unit() * 6.0),
                rtf: Some(0.4),
                error: (i == 7).then(|| "synthesis".to_string()),
            })
            .collect();
        let s = summarise(
            &recs,
            &SoakOptions {
                duration: None,
                iterations: Some(40),
                concurrency: 1,
                windows: 4,
                arrival_rate_hz: None,
            },
            None,
            0.0,
        );
        assert_eq!(s.requests, 40);
        assert_eq!(s.window_t_ms.len(), 4);
        let d = s.ttfa_drift_pct.unwrap();
        assert!((d - 20.0).abs() < 1.0, "{d}");
        assert_eq!(s.errors_by_kind.get("synthesis"), Some(&1));
        assert_eq!(
            s.change_points,
            vec![19],
            "the step at request 20 (19 after the failed one is dropped)"
        );
    }
}
