//! One load level: warm-up, the measured requests, and load kept up until the last measured one
//! has ended (so the last measured requests see the same load as the first).
//!
//! Closed loop: N listeners, each asking again as soon as its stream ended. Open loop: arrivals
//! at random (Poisson, seeded) at a rate, whether or not earlier requests ended; at most
//! `max_in_flight` at once, a measured arrival beyond that is a failed request
//! (`dropped_overload`), as a server's full queue would answer. Every request takes a ticket in
//! arrival order: the first `warmup` are warm-up, the next `measured` are measured (unless the
//! level's time budget is over), the rest keep the load up.

use crate::context::request::Requests;
use crate::context::settings::CaseText;
use crate::measure::cpu::process_cpu;
use crate::targets::Outcome;
use kokoro_bench_bundle::capacity::meets;
use kokoro_bench_bundle::playback::simulate;
use kokoro_bench_bundle::schema::{
    CapacityLevel, CapacityRequest, ErrorKind, LoadMode, Slo, TrialKind,
};
use kokoro_bench_bundle::stats::SplitMix64;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What one level is asked to do.
#[derive(Clone, Debug)]
pub struct LevelPlan {
    /// Closed or open loop.
    pub mode: LoadMode,
    /// Listeners, or requests per second.
    pub level: f64,
    /// Warm-up requests.
    pub warmup: u32,
    /// Measured requests.
    pub measured: u32,
    /// No measured request starts after this (from the level's start).
    pub budget: Duration,
    /// Seed of the arrival schedule (open loop).
    pub seed: u64,
    /// Open loop: most requests in flight at once.
    pub max_in_flight: u32,
    /// Keep the load up (new load requests) until this long after the level's start, even when
    /// this runner's measured requests have ended: a shard keeps loading the server while the
    /// other shards still measure.
    pub load_until: Option<Duration>,
    /// A shard's part of the level, when the sweep is sharded (`level` stays the whole).
    pub shard_level: Option<f64>,
}

impl LevelPlan {
    /// What this runner drives: its shard's part, or the whole level.
    pub fn here(&self) -> f64 {
        self.shard_level.unwrap_or(self.level)
    }
}

/// What every level shares.
pub struct Env<'a> {
    /// Sends requests to the target (nonces, deadlines, Ctrl-C).
    pub requests: &'a Requests<'a>,
    /// Texts, rotated in ticket order.
    pub cases: &'a [CaseText],
    /// The objective.
    pub slo: &'a Slo,
    /// The simulated player's pre-buffer, ms.
    pub prebuffer_ms: f64,
    /// Raised by Ctrl-C.
    pub stop: &'a AtomicBool,
    /// The run's clock origin.
    pub origin: Instant,
    /// Called after each measured request with a progress line.
    pub progress: &'a (dyn Fn(String) + Sync),
    /// The target runs outside this process: the runner's own CPU is the client's alone.
    pub client_cpu_separable: bool,
}

/// Stack of one listener thread: the request path needs far less than the default 2 MiB, and
/// thousands of listeners each reserve one.
const LISTENER_STACK_BYTES: usize = 512 * 1024;

/// What a level measured, and what stops the sweep.
pub struct LevelRun {
    /// The level, as written into the bundle.
    pub level: CapacityLevel,
    /// The measured part, ms since the run started (for the CPU and memory window).
    pub window_ms: (f64, f64),
    /// The target refused a request as malformed: the run must stop.
    pub fatal: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Warmup,
    Measured,
    Load,
}

#[derive(Default)]
struct Tally {
    next_ticket: u32,
    started: u32,
    outstanding: u32,
    cut_short: Option<String>,
    records: Vec<(u32, CapacityRequest)>,
    first_start: Option<Instant>,
    last_end: Option<Instant>,
    interrupted: bool,
    fatal: Option<String>,
}

struct Level<'a> {
    env: &'a Env<'a>,
    plan: &'a LevelPlan,
    start: Instant,
    tally: Mutex<Tally>,
}

impl Level<'_> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the next ticket, or `None` when this level needs no more requests.
    fn ticket(&self) -> Option<(u32, Role)> {
        let mut t = self.lock();
        if self.env.stop.load(Ordering::Relaxed) || t.fatal.is_some() {
            return None;
        }
        let n = t.next_ticket;
        let window_end = self.plan.warmup + self.plan.measured;
        let role = if n < self.plan.warmup {
            Role::Warmup
        } else if n < window_end && t.cut_short.is_none() {
            if self.start.elapsed() >= self.plan.budget {
                t.cut_short = Some(format!(
                    "the level's time budget ({:.0} s) ran out after {} of {} measured requests had started",
                    self.plan.budget.as_secs_f64(),
                    n - self.plan.warmup,
                    self.plan.measured
                ));
                Role::Load
            } else {
                Role::Measured
            }
        } else {
            Role::Load
        };
        // Warm-up cut by the budget leaves nothing to keep loaded; a shard keeps its load up
        // until its slot says so.
        let keep_loading = self
            .plan
            .load_until
            .is_some_and(|until| self.start.elapsed() < until);
        let measuring_over = role == Role::Load && t.outstanding == 0 && !keep_loading;
        let warmup_over_budget = role == Role::Warmup && self.start.elapsed() >= self.plan.budget;
        if measuring_over || warmup_over_budget {
            if warmup_over_budget {
                t.cut_short = Some(format!(
                    "the level's time budget ({:.0} s) ran out during the warm-up",
                    self.plan.budget.as_secs_f64()
                ));
            }
            return None;
        }
        t.next_ticket += 1;
        if role == Role::Measured {
            t.outstanding += 1;
            t.started += 1;
            t.first_start.get_or_insert_with(Instant::now);
        }
        Some((n, role))
    }

    fn send(&self, n: u32, role: Role) {
        let case = &self.env.cases[n as usize % self.env.cases.len()];
        let kind = if role == Role::Warmup {
            TrialKind::Warmup
        } else {
            TrialKind::Warm
        };
        let outcome = self.env.requests.send(&case.text, n, kind);
        self.record(n, role, outcome);
    }

    fn record(&self, n: u32, role: Role, outcome: Outcome) {
        let mut t = self.lock();
        if outcome.fatal.is_some() {
            t.fatal = outcome.fatal.clone();
        }
        if role != Role::Measured {
            return;
        }
        t.outstanding = t.outstanding.saturating_sub(1);
        if outcome.abandoned() {
            t.interrupted = true;
            return;
        }
        t.last_end = Some(Instant::now());
        let r = self.request(&outcome);
        t.records.push((n, r));
        let met = t.records.iter().filter(|(_, r)| r.met_slo).count();
        (self.env.progress)(format!(
            "capacity: {}: {}/{} measured, {met} met the SLO",
            kokoro_bench_bundle::present::capacity::level_label(self.plan.mode, self.plan.level),
            t.records.len(),
            self.plan.measured
        ));
    }

    /// A measured arrival the client could not even send (open loop, too many in flight).
    fn dropped(&self, n: u32) {
        let mut t = self.lock();
        t.outstanding = t.outstanding.saturating_sub(1);
        t.last_end = Some(Instant::now());
        let start_ms = self.start.elapsed().as_secs_f64() * 1000.0;
        t.records.push((
            n,
            CapacityRequest {
                start_ms,
                error: Some(ErrorKind::DroppedOverload),
                ..Default::default()
            },
        ));
    }

    fn request(&self, o: &Outcome) -> CapacityRequest {
        let t = &o.out.trial;
        let level_origin_ms = self.start.duration_since(self.env.origin).as_secs_f64() * 1000.0;
        let ok = t.error.is_none();
        let playback = ok
            .then(|| {
                simulate(
                    &t.chunks.t_ms,
                    &t.chunks.samples,
                    t.sample_rate_hz,
                    self.env.prebuffer_ms,
                )
            })
            .flatten();
        let mut r = CapacityRequest {
            start_ms: t.start_ms - level_origin_ms,
            heard_ms: t.heard_ms,
            ttfa_ms: t.ttfa_ms,
            underruns: playback.as_ref().map(|p| p.underruns),
            stall_ms: playback.as_ref().map(|p| p.stall_total_ms),
            rtf: t.rtf,
            audio_s: t.audio_s,
            error: t.error.as_ref().map(|e| e.kind.clone()),
            met_slo: false,
        };
        r.met_slo = meets(self.env.slo, &r);
        r
    }

    fn closed_loop(&self) {
        let listeners = self.plan.here().round() as u32;
        std::thread::scope(|s| {
            for i in 0..listeners {
                let started = std::thread::Builder::new()
                    .name(format!("listener-{i}"))
                    .stack_size(LISTENER_STACK_BYTES)
                    .spawn_scoped(s, || {
                        while let Some((n, role)) = self.ticket() {
                            self.send(n, role);
                        }
                    });
                if let Err(e) = started {
                    self.lock().fatal = Some(format!(
                        "the client could start only {i} of {listeners} listener threads ({e}): \
                         lower --levels, raise the limit on threads (`ulimit -u`), or shard the sweep \
                         over several runners (--shard)"
                    ));
                    break;
                }
            }
        });
    }

    fn open_loop(&self) {
        let mut rng = SplitMix64::new(self.plan.seed ^ self.plan.level.to_bits());
        let in_flight = std::sync::atomic::AtomicU32::new(0);
        let mut due = self.start;
        std::thread::scope(|s| loop {
            // Exponential gaps: a Poisson process at the level's rate.
            let gap_s = -(1.0 - rng.unit()).ln() / self.plan.here();
            due += Duration::from_secs_f64(gap_s);
            while Instant::now() < due && !self.env.stop.load(Ordering::Relaxed) {
                std::thread::sleep((due - Instant::now()).min(Duration::from_millis(20)));
            }
            let Some((n, role)) = self.ticket() else {
                break;
            };
            if in_flight.load(Ordering::SeqCst) >= self.plan.max_in_flight {
                if role == Role::Measured {
                    self.dropped(n);
                }
                continue;
            }
            in_flight.fetch_add(1, Ordering::SeqCst);
            let in_flight = &in_flight;
            let sent = std::thread::Builder::new()
                .stack_size(LISTENER_STACK_BYTES)
                .spawn_scoped(s, move || {
                    self.send(n, role);
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                });
            if sent.is_err() {
                in_flight.fetch_sub(1, Ordering::SeqCst);
                if role == Role::Measured {
                    self.dropped(n);
                }
            }
        });
    }
}

/// Runs one level to its end: every measured request ended (or was abandoned by Ctrl-C).
pub fn run(env: &Env<'_>, plan: &LevelPlan) -> LevelRun {
    let level = Level {
        env,
        plan,
        start: Instant::now(),
        tally: Mutex::new(Tally::default()),
    };
    let started_unix_ms = crate::timefmt::unix_ms_now() as f64;
    let own_cpu = || {
        env.client_cpu_separable
            .then(|| process_cpu(std::process::id()).map(|c| c.self_ns))
            .flatten()
    };
    let cpu_before = own_cpu();
    match plan.mode {
        LoadMode::Listeners => level.closed_loop(),
        LoadMode::Rate => level.open_loop(),
    }
    let level_s = level.start.elapsed().as_secs_f64();
    let client_cpu_ns = cpu_before
        .zip(own_cpu())
        .map(|(a, b)| b.saturating_sub(a) as f64);
    let t = level.tally.into_inner().unwrap_or_else(|e| e.into_inner());
    let unix = |i: Instant| started_unix_ms + i.duration_since(level.start).as_secs_f64() * 1000.0;
    let mut records = t.records;
    records.sort_by_key(|(n, _)| *n);
    let requests: Vec<CapacityRequest> = records.into_iter().map(|(_, r)| r).collect();
    let since_origin = |i: Instant| i.duration_since(env.origin).as_secs_f64() * 1000.0;
    let window_ms = match (t.first_start, t.last_end) {
        (Some(a), Some(b)) => (since_origin(a), since_origin(b)),
        _ => (since_origin(level.start), since_origin(Instant::now())),
    };
    let wall_s = ((window_ms.1 - window_ms.0) / 1000.0).max(0.0);
    let audio_s: f64 = requests.iter().map(|r| r.audio_s).sum();
    let failed = requests.iter().filter(|r| r.error.is_some()).count() as u32;
    let cut_short = if t.interrupted || env.stop.load(Ordering::Relaxed) {
        Some("interrupted (Ctrl-C): requests in flight were abandoned".to_string())
    } else {
        t.cut_short
    };
    LevelRun {
        level: CapacityLevel {
            level: plan.level,
            started: t.started,
            finished: requests.len() as u32,
            failed,
            warmup: t.next_ticket.min(plan.warmup),
            wall_s,
            audio_s_per_s: if wall_s > 0.0 { audio_s / wall_s } else { 0.0 },
            cpu_percent_mean: None,
            peak_rss_bytes: None,
            client_cpu_percent: client_cpu_ns
                .filter(|_| level_s > 0.0)
                .map(|ns| ns / 1e7 / level_s),
            client_cpu_ms_per_request: client_cpu_ns
                .filter(|_| t.next_ticket > 0)
                .map(|ns| ns / 1e6 / f64::from(t.next_ticket)),
            started_unix_ms: Some(started_unix_ms),
            measured_unix_ms: t
                .first_start
                .zip(t.last_end)
                .map(|(a, b)| [unix(a), unix(b)]),
            shard_level: plan.shard_level,
            late_ms: None,
            interrupted: t.interrupted || env.stop.load(Ordering::Relaxed),
            cut_short,
            requests,
        },
        window_ms,
        fatal: t.fatal,
    }
}
