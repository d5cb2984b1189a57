//! The dual-session suite: two engine sessions behind a router against one session with the same
//! total intra-op threads, under 1, 2 and 4 concurrent clients. Records which session served each
//! request, TTFA and RTF per request, and throughput (audio seconds per wall second).

use super::trial::run_trial;
use crate::engine::{EngineConfig, EngineHandle, Strategy, SynthRequest};
use clap::ValueEnum;
use kokoro_bench_bundle::schema::{DualLevel, DualResult, TrialKind};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// How requests are routed between the two sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Policy {
    /// Alternate.
    RoundRobin,
    /// Short texts to session 0, long texts to session 1.
    ByLength,
    /// The session with fewer requests in flight.
    LeastBusy,
}

impl Policy {
    fn name(self) -> &'static str {
        match self {
            Policy::RoundRobin => "round_robin",
            Policy::ByLength => "by_length",
            Policy::LeastBusy => "least_busy",
        }
    }
}

/// Settings.
pub struct DualOptions {
    /// Routing policy.
    pub policy: Policy,
    /// Concurrency levels.
    pub levels: Vec<u32>,
    /// Requests per client at each level.
    pub requests_per_client: u32,
    /// `by_length` threshold, characters.
    pub length_threshold_chars: u32,
}

struct Router<'a> {
    sessions: Vec<&'a EngineHandle>,
    policy: Policy,
    threshold: u32,
    next: AtomicU32,
    busy: [AtomicU32; 2],
}

impl Router<'_> {
    fn pick(&self, text: &str) -> usize {
        if self.sessions.len() == 1 {
            return 0;
        }
        match self.policy {
            Policy::RoundRobin => (self.next.fetch_add(1, Ordering::SeqCst) % 2) as usize,
            Policy::ByLength => usize::from(text.chars().count() as u32 > self.threshold),
            Policy::LeastBusy => usize::from(
                self.busy[1].load(Ordering::SeqCst) < self.busy[0].load(Ordering::SeqCst),
            ),
        }
    }
}

/// What every level sends.
#[derive(Clone, Copy)]
struct Work<'a> {
    texts: &'a [(String, String)],
    voice: &'a str,
    strategy: Strategy,
    stop: &'a AtomicBool,
}

fn level(
    router: &Router<'_>,
    work: &Work<'_>,
    mode: &str,
    concurrency: u32,
    per_client: u32,
) -> DualLevel {
    let Work {
        texts,
        voice,
        strategy,
        stop,
    } = *work;
    let next = AtomicU64::new(0);
    let total = u64::from(concurrency * per_client);
    let rows = Mutex::new(Vec::new());
    let audio = Mutex::new(0.0f64);
    let t0 = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..concurrency {
            scope.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= total || stop.load(Ordering::Relaxed) {
                    break;
                }
                let (_, text) = &texts[n as usize % texts.len()];
                let s = router.pick(text);
                router.busy[s].fetch_add(1, Ordering::SeqCst);
                let req = SynthRequest {
                    text: text.clone(),
                    voice: voice.into(),
                    speed: 1.0,
                    strategy,
                    extra_delay_per_chunk: None,
                };
                let t = run_trial(
                    router.sessions[s],
                    req,
                    n as u32,
                    TrialKind::Warm,
                    t0,
                    -50.0,
                )
                .trial;
                router.busy[s].fetch_sub(1, Ordering::SeqCst);
                if let Ok(mut a) = audio.lock() {
                    *a += t.audio_s;
                }
                if let Ok(mut r) = rows.lock() {
                    r.push((n, t.ttfa_ms.filter(|_| t.error.is_none()), t.rtf, s as u8));
                }
            });
        }
    });
    let wall_s = t0.elapsed().as_secs_f64();
    let mut rows = rows.into_inner().unwrap_or_default();
    rows.sort_by_key(|r| r.0);
    DualLevel {
        mode: mode.into(),
        concurrency,
        wall_s,
        audio_s_per_s: audio.into_inner().unwrap_or(0.0) / wall_s.max(1e-9),
        ttfa_ms: rows.iter().map(|r| r.1).collect(),
        rtf: rows.iter().map(|r| r.2).collect(),
        served_by: rows.iter().map(|r| r.3).collect(),
    }
}

/// Runs single then dual at every level.
///
/// # Errors
/// When an engine cannot start.
pub fn run(
    cfg: &EngineConfig,
    texts: &[(String, String)],
    voice: &str,
    strategy: Strategy,
    opts: &DualOptions,
    stop: &AtomicBool,
) -> anyhow::Result<DualResult> {
    let total = cfg.session.intra_threads.max(2);
    let mut out = DualResult {
        policy: opts.policy.name().into(),
        length_threshold_chars: opts.length_threshold_chars,
        total_threads: total as u32,
        levels: Vec::new(),
    };
    let work = Work {
        texts,
        voice,
        strategy,
        stop,
    };
    let single_cfg = EngineConfig {
        session: crate::engine::model::SessionConfig {
            intra_threads: total,
            ..cfg.session.clone()
        },
        ..cfg.clone()
    };
    let half = EngineConfig {
        session: crate::engine::model::SessionConfig {
            intra_threads: total / 2,
            ..cfg.session.clone()
        },
        ..cfg.clone()
    };
    {
        let single = EngineHandle::start(single_cfg)?;
        let router = Router {
            sessions: vec![&single],
            policy: opts.policy,
            threshold: opts.length_threshold_chars,
            next: AtomicU32::new(0),
            busy: Default::default(),
        };
        let _ = level(&router, &work, "warmup", 1, 1);
        for &c in &opts.levels {
            out.levels
                .push(level(&router, &work, "single", c, opts.requests_per_client));
        }
    }
    let (a, b) = (
        EngineHandle::start(half.clone())?,
        EngineHandle::start(half)?,
    );
    let router = Router {
        sessions: vec![&a, &b],
        policy: opts.policy,
        threshold: opts.length_threshold_chars,
        next: AtomicU32::new(0),
        busy: Default::default(),
    };
    let _ = level(&router, &work, "warmup", 2, 1);
    for &c in &opts.levels {
        out.levels
            .push(level(&router, &work, "dual", c, opts.requests_per_client));
    }
    Ok(out)
}
