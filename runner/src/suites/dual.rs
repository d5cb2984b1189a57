//! The dual-session suite: two engine sessions behind a router against one session with the same
//! total intra-op threads, under 1, 2 and 4 concurrent clients. Records which session served each
//! request, TTFA and RTF per request, and throughput (audio seconds per wall second).

use super::{BuildInput, Suite};
use crate::context::settings::CaseText;
use crate::context::RunCtx;
use crate::engine::model::SessionConfig;
use crate::engine::EngineConfig;
use crate::targets::engine::EngineTarget;
use crate::targets::pool::{Pool, Route};
use crate::targets::{Request, Target};
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use kokoro_bench_bundle::schema::{DualLevel, DualResult, SuiteKind, TrialKind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    fn route(self, threshold_chars: u32) -> Route {
        match self {
            Policy::RoundRobin => Route::RoundRobin,
            Policy::ByLength => Route::ByLength { threshold_chars },
            Policy::LeastBusy => Route::LeastBusy,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Policy::RoundRobin => "round_robin",
            Policy::ByLength => "by_length",
            Policy::LeastBusy => "least_busy",
        }
    }
}

/// Dual-suite flags.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Dual suite (--suite …,dual)")]
pub struct DualArgs {
    /// Routing policy between the two sessions.
    #[arg(long, value_enum, default_value = "least-busy")]
    pub dual_policy: Policy,
    /// Concurrency levels.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
    pub dual_levels: Vec<u32>,
    /// Requests per client at each level.
    #[arg(long, default_value_t = 2)]
    pub dual_requests_per_client: u32,
    /// `by-length` sends texts up to this many characters to session 0.
    #[arg(long, default_value_t = 100)]
    pub dual_length_threshold: u32,
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

/// What every level sends: the run's texts, voice, speed and audibility threshold (each session
/// cuts text by its engine's own strategy).
#[derive(Clone, Copy)]
struct Work<'a> {
    texts: &'a [CaseText],
    voice: &'a str,
    speed: f32,
    audible_threshold_dbfs: f64,
    prebuffer_ms: f64,
    timeout: std::time::Duration,
    stop: &'a AtomicBool,
}

fn level(
    router: &Pool<'_>,
    work: &Work<'_>,
    mode: &str,
    concurrency: u32,
    per_client: u32,
) -> DualLevel {
    let Work {
        texts,
        voice,
        speed,
        audible_threshold_dbfs,
        prebuffer_ms,
        timeout,
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
                let text = &texts[n as usize % texts.len()].text;
                let (s, outcome) = router.request_routed(&Request {
                    text,
                    voice,
                    speed,
                    index: n as u32,
                    kind: TrialKind::Warm,
                    origin: t0,
                    audible_threshold_dbfs,
                    prebuffer_ms,
                    timeout,
                    cancel: Some(stop),
                    plan: None,
                    progress: None,
                });
                let t = outcome.out.trial;
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

/// Measures `mode` at every level: a warm-up request, then each level in turn.
fn levels(router: &Pool<'_>, work: &Work<'_>, mode: &str, opts: &DualOptions) -> Vec<DualLevel> {
    let _ = level(router, work, "warmup", router.size() as u32, 1);
    opts.levels
        .iter()
        .map(|&c| level(router, work, mode, c, opts.requests_per_client))
        .collect()
}

fn router<'a>(sessions: Vec<&'a dyn Target>, opts: &DualOptions) -> Pool<'a> {
    Pool::with_route(sessions, opts.policy.route(opts.length_threshold_chars))
}

/// Runs single then dual at every level: one session with every thread, then two sessions with
/// half each (sessions are loaded one configuration at a time, so they never compete).
///
/// # Errors
/// When an engine cannot start.
fn run(cfg: &EngineConfig, work: Work<'_>, opts: &DualOptions) -> Result<DualResult> {
    let total = cfg.session.intra_threads.max(2);
    let with_threads = |n: usize| EngineConfig {
        session: SessionConfig {
            intra_threads: n,
            ..cfg.session.clone()
        },
        ..cfg.clone()
    };
    let mut out = DualResult {
        policy: opts.policy.name().into(),
        length_threshold_chars: opts.length_threshold_chars,
        total_threads: total as u32,
        levels: Vec::new(),
    };
    {
        let single = EngineTarget::start(with_threads(total))?;
        out.levels = levels(&router(vec![&single], opts), &work, "single", opts);
    }
    let (a, b) = (
        EngineTarget::start(with_threads(total / 2))?,
        EngineTarget::start(with_threads(total / 2))?,
    );
    out.levels
        .extend(levels(&router(vec![&a, &b], opts), &work, "dual", opts));
    Ok(out)
}

/// The dual suite.
pub struct Dual {
    cfg: EngineConfig,
    opts: DualOptions,
}

impl Suite for Dual {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Dual
    }

    fn own_sessions(&mut self, ctx: &mut RunCtx) -> Result<()> {
        ctx.mark("dual");
        ctx.progress.say(&format!(
            "dual: single vs two sessions at concurrency {:?} …",
            self.opts.levels
        ));
        let work = Work {
            texts: &ctx.cases,
            voice: &ctx.settings.voice,
            speed: ctx.settings.speed,
            audible_threshold_dbfs: ctx.settings.audible_threshold_dbfs,
            prebuffer_ms: ctx.settings.prebuffer_ms,
            timeout: ctx.settings.timeout_for(
                ctx.cases
                    .iter()
                    .map(|c| c.text.as_str())
                    .max_by_key(|t| t.len())
                    .unwrap_or(""),
            ),
            stop: &ctx.stop,
        };
        let result = run(&self.cfg, work, &self.opts)?;
        ctx.bundle.dual = Some(result);
        Ok(())
    }
}

/// Builds the suite.
///
/// # Errors
/// A zero concurrency level; a target without an in-process engine.
pub fn build(input: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    let a = &input.args.dual;
    if a.dual_levels.is_empty() || a.dual_levels.contains(&0) {
        bail!("--dual-levels must be positive concurrency levels, e.g. 1,2,4");
    }
    let Some(cfg) = input.target.engine() else {
        bail!("the dual suite needs --target engine");
    };
    Ok(Box::new(Dual {
        cfg: cfg.clone(),
        opts: DualOptions {
            policy: a.dual_policy,
            levels: a.dual_levels.clone(),
            requests_per_client: a.dual_requests_per_client.max(1),
            length_threshold_chars: a.dual_length_threshold,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::fake::{FakeTarget, Script};

    fn work<'a>(texts: &'a [CaseText], stop: &'a AtomicBool) -> Work<'a> {
        Work {
            texts,
            voice: "v",
            speed: 1.3,
            audible_threshold_dbfs: -50.0,
            prebuffer_ms: 0.0,
            timeout: std::time::Duration::from_secs(10),
            stop,
        }
    }

    #[test]
    fn routing_policies_spread_requests_as_they_say() {
        let (a, b) = (
            FakeTarget::new(Script::parse("1:100").unwrap()),
            FakeTarget::new(Script::parse("1:100").unwrap()),
        );
        let opts = |policy| DualOptions {
            policy,
            levels: vec![2],
            requests_per_client: 3,
            length_threshold_chars: 5,
        };
        let texts = [
            CaseText {
                id: "s".into(),
                text: "tiny".into(),
            },
            CaseText {
                id: "l".into(),
                text: "a much longer text".into(),
            },
        ];
        let stop = AtomicBool::new(false);
        let rr = opts(Policy::RoundRobin);
        let l = &levels(
            &router(vec![&a, &b], &rr),
            &work(&texts, &stop),
            "dual",
            &rr,
        )[0];
        assert_eq!(l.served_by.len(), 6);
        assert_eq!(
            l.served_by.iter().filter(|&&s| s == 0).count(),
            3,
            "{:?}",
            l.served_by
        );
        assert!(l.ttfa_ms.iter().all(|t| t.is_some()) && l.audio_s_per_s > 0.0);
        let by_len = opts(Policy::ByLength);
        let l = &levels(
            &router(vec![&a, &b], &by_len),
            &work(&texts, &stop),
            "dual",
            &by_len,
        )[0];
        // Request n speaks text n % 2: short ones to session 0, long ones to session 1.
        assert_eq!(l.served_by, vec![0, 1, 0, 1, 0, 1]);
        let one = opts(Policy::LeastBusy);
        let l = &levels(
            &router(vec![&a], &one),
            &work(&texts, &stop),
            "single",
            &one,
        )[0];
        assert!(l.served_by.iter().all(|&s| s == 0));
        stop.store(true, Ordering::SeqCst);
        let l = &levels(
            &router(vec![&a, &b], &rr),
            &work(&texts, &stop),
            "dual",
            &rr,
        )[0];
        assert!(l.served_by.is_empty(), "a stopped run sends nothing");
    }
}
