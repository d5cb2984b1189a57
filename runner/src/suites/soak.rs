//! The soak suite: many requests over a duration or a count, from K concurrent clients (closed
//! loop) or on a fixed arrival schedule (open loop), texts rotated, each made unique when the
//! target could cache. Reports per-window TTFA, RTF and RSS, the TTFA drift between the first and
//! last window with a bootstrap interval, change points in the per-request TTFA series, and errors
//! by kind. Ctrl-C ends it early; everything measured is kept.

use super::{BuildInput, Suite};
use crate::context::progress::Progress;
use crate::context::request::Requests;
use crate::context::settings::CaseText;
use crate::context::RunCtx;
use crate::measure::memory::Sampler;
use crate::targets::Target;
use crate::timefmt::parse_duration;
use anyhow::{bail, Result};
use clap::Args;
use kokoro_bench_bundle::schema::{ErrorKind, MemorySeries, SoakResult, SuiteKind, TrialKind};
use kokoro_bench_bundle::stats::bootstrap::Bootstrap;
use kokoro_bench_bundle::stats::{changepoint, median};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Soak flags.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Soak suite (--suite …,soak)")]
pub struct SoakArgs {
    /// Run for this long (e.g. 90s, 20m, 1h30m).
    #[arg(long)]
    pub duration: Option<String>,
    /// Stop after this many requests.
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Concurrent clients (they share the one target, as callers of one server would).
    #[arg(long, default_value_t = 1)]
    pub concurrency: u32,
    /// Windows for the drift series.
    #[arg(long, default_value_t = 10)]
    pub soak_windows: usize,
    /// Open loop: requests per second on a fixed schedule (default: closed loop).
    #[arg(long, allow_hyphen_values = true)]
    pub arrival_rate: Option<f64>,
}

/// A soak flag given without the suite.
pub fn stray_flag(a: &super::SuiteArgs) -> Option<&'static str> {
    let s = &a.soak;
    if s.duration.is_some() {
        Some("--duration")
    } else if s.iterations.is_some() {
        Some("--iterations")
    } else if s.arrival_rate.is_some() {
        Some("--arrival-rate")
    } else {
        None
    }
}

/// Soak settings, validated.
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

/// Builds the suite.
///
/// # Errors
/// No bound (neither duration nor iterations), a duration that does not parse, zero clients, a
/// rate that is not a positive number.
pub fn build(input: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    let a = &input.args.soak;
    if a.duration.is_none() && a.iterations.is_none() {
        bail!("the soak suite needs --duration (e.g. 20m) or --iterations N");
    }
    if a.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    if let Some(r) = a.arrival_rate {
        if !(r.is_finite() && r > 0.0 && r <= 1000.0) {
            bail!("--arrival-rate {r} must be a number of requests per second in (0, 1000]");
        }
    }
    if a.iterations == Some(0) {
        bail!("--iterations must be at least 1");
    }
    Ok(Box::new(Soak(SoakOptions {
        duration: a
            .duration
            .as_deref()
            .map(parse_duration)
            .transpose()
            .map_err(anyhow::Error::msg)?,
        iterations: a.iterations,
        concurrency: a.concurrency,
        windows: a.soak_windows,
        arrival_rate_hz: a.arrival_rate,
    })))
}

/// The soak suite.
pub struct Soak(pub SoakOptions);

impl Suite for Soak {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Soak
    }

    fn with_target(&mut self, ctx: &mut RunCtx, target: &dyn Target) -> Result<()> {
        let stop = ctx.stop.clone();
        let requests =
            Requests::new(target, &ctx.settings, ctx.origin, &ctx.id, "s").cancelled_by(&stop);
        ctx.progress.add_total(self.0.iterations.unwrap_or(0));
        let origin_ms = ctx.elapsed_ms();
        let recs = drive(&Drive {
            requests: &requests,
            cases: &ctx.cases,
            opts: &self.0,
            sampler: ctx.sampler.as_ref(),
            stop: &ctx.stop,
            progress: &ctx.progress,
        });
        let mem = ctx.sampler.as_ref().map(|s| s.snapshot());
        ctx.bundle.soak = Some(summarise(&recs, &self.0, mem, origin_ms));
        Ok(())
    }
}

struct Record {
    done_ms: f64,
    ttfa_ms: Option<f64>,
    rtf: Option<f64>,
    error: Option<ErrorKind>,
}

/// What the clients share.
struct Drive<'a> {
    requests: &'a Requests<'a>,
    cases: &'a [CaseText],
    opts: &'a SoakOptions,
    sampler: Option<&'a Sampler>,
    stop: &'a AtomicBool,
    progress: &'a Progress,
}

/// Sends the requests. Closed loop: `concurrency` clients each send the next request as soon as
/// their last one finished. Open loop (`arrival_rate_hz`): requests start on a fixed schedule
/// whether or not earlier ones finished (at most `concurrency` × 4 in flight; the rest are
/// recorded as dropped), which is how queueing shows up.
fn drive(d: &Drive<'_>) -> Vec<Record> {
    let soak_start = Instant::now();
    let next = AtomicU64::new(0);
    let records = Mutex::new(Vec::<Record>::new());
    let in_flight = AtomicU64::new(0);
    let limit = d.opts.iterations.unwrap_or(u64::MAX);
    let expired = || {
        d.opts.duration.is_some_and(|t| soak_start.elapsed() >= t) || d.stop.load(Ordering::Relaxed)
    };
    let done_ms = || soak_start.elapsed().as_secs_f64() * 1000.0;
    let one = |n: u64| {
        let c = &d.cases[n as usize % d.cases.len()];
        if let Some(s) = d.sampler {
            s.mark(format!("soak:{}#{n}", c.id));
        }
        let t = d
            .requests
            .send(&c.text, n as u32, TrialKind::Warm)
            .out
            .trial;
        if let Ok(mut r) = records.lock() {
            r.push(Record {
                done_ms: done_ms(),
                ttfa_ms: t.ttfa_ms.filter(|_| t.error.is_none()),
                rtf: t.rtf,
                error: t.error.map(|e| e.kind),
            });
            let ok: Vec<f64> = r.iter().rev().take(20).filter_map(|x| x.ttfa_ms).collect();
            let errors = r.iter().filter(|x| x.error.is_some()).count();
            d.progress.message(format!(
                "soak: {:.0} s, {} requests, {errors} errors, recent TTFA p50 {:.0} ms",
                soak_start.elapsed().as_secs_f64(),
                r.len(),
                median(&ok).unwrap_or(f64::NAN)
            ));
        }
        d.progress.inc();
    };
    std::thread::scope(|scope| match d.opts.arrival_rate_hz {
        None => {
            for _ in 0..d.opts.concurrency.max(1) {
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
            let period = Duration::from_secs_f64(1.0 / rate);
            let cap = u64::from(d.opts.concurrency.max(1)) * 4;
            for n in 0..limit {
                let due = soak_start + period.mul_f64(n as f64);
                while Instant::now() < due && !expired() {
                    std::thread::sleep((due - Instant::now()).min(Duration::from_millis(50)));
                }
                if expired() {
                    break;
                }
                if in_flight.load(Ordering::SeqCst) >= cap {
                    if let Ok(mut r) = records.lock() {
                        r.push(Record {
                            done_ms: done_ms(),
                            ttfa_ms: None,
                            rtf: None,
                            error: Some(ErrorKind::DroppedOverload),
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
    recs
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
            *out.errors_by_kind.entry(k.to_string()).or_insert(0) += 1;
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
    use crate::run::execute;
    use crate::run::testing::{fake_plan, tempdir};
    use std::sync::Arc;

    fn soak(iterations: u64, concurrency: u32, rate: Option<f64>) -> SoakOptions {
        SoakOptions {
            duration: None,
            iterations: Some(iterations),
            concurrency,
            windows: 2,
            arrival_rate_hz: rate,
        }
    }

    #[test]
    fn a_closed_loop_soak_on_the_scripted_target_counts_every_request_and_error() {
        let plan = fake_plan(
            "5:200,5:100;fail=4",
            vec![Box::new(Soak(soak(8, 2, None)))],
            1,
            tempdir("soak"),
        );
        let b = execute(plan, Arc::new(AtomicBool::new(false)))
            .unwrap()
            .bundle;
        assert!(b.cases.is_empty(), "soak alone runs no trial loop");
        let s = b.soak.unwrap();
        assert_eq!((s.requests, s.concurrency), (8, 2));
        assert_eq!(
            s.errors_by_kind.get("synthesis"),
            Some(&2),
            "{:?}",
            s.errors_by_kind
        );
        assert_eq!(s.request_ttfa_ms.iter().filter(|t| t.is_some()).count(), 6);
        assert_eq!(s.window_t_ms.len(), 2);
    }

    #[test]
    fn an_open_loop_soak_keeps_its_schedule_and_drops_what_does_not_fit() {
        // 40 requests/s, each taking 100 ms, at most 4 in flight: arrivals outrun service.
        let plan = fake_plan(
            "100:100",
            vec![Box::new(Soak(soak(20, 1, Some(40.0))))],
            1,
            tempdir("open"),
        );
        let s = execute(plan, Arc::new(AtomicBool::new(false)))
            .unwrap()
            .bundle
            .soak
            .unwrap();
        assert_eq!(s.requests, 20);
        let dropped = s
            .errors_by_kind
            .get("dropped_overload")
            .copied()
            .unwrap_or(0);
        assert!(dropped > 0, "{:?}", s.errors_by_kind);
    }

    #[test]
    fn drift_windows_and_errors() {
        let mut rng = kokoro_bench_bundle::stats::SplitMix64::new(5);
        let recs: Vec<Record> = (0..40)
            .map(|i| Record {
                done_ms: i as f64 * 100.0,
                ttfa_ms: (i != 7).then(|| if i < 20 { 500.0 } else { 600.0 } + rng.unit() * 6.0),
                rtf: Some(0.4),
                error: (i == 7).then_some(ErrorKind::Synthesis),
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
