//! The capacity suite: how many listeners (closed loop, `--levels`) or requests per second (open
//! loop, `--rates`) a target serves before speech stutters, judged request by request against an
//! explicit SLO (`--slo`, default [`DEFAULT_SLO`]). Per level: a warm-up, the measured requests,
//! load kept up until the last measured one ended ([`level`]); which level comes next
//! ([`sweep`]: listed, or doubling then bisecting the knee); CPU and memory of the serving process
//! over the measured part; the bundle saved after each level, so Ctrl-C keeps every finished one.
//!
//! For the in-process engine, concurrency means requests queued on one session unless
//! `--sessions K` loads K sessions (each with `--threads` intra-op threads) behind a least-busy
//! router ([`crate::targets::pool`]).

pub mod client;
pub mod level;
pub mod shard;
pub mod sweep;

use super::{BuildInput, Suite};
use crate::context::request::Requests;
use crate::context::RunCtx;
use crate::engine::EngineConfig;
use crate::measure::memory::Sampler;
use crate::targets::engine::EngineTarget;
use crate::targets::pool::Pool;
use crate::targets::{Sampled, Target};
use crate::timefmt::parse_duration;
use anyhow::{bail, Context, Result};
use clap::Args;
use kokoro_bench_bundle::capacity::{ceiling, parse_slo, summarise, sustainable, DEFAULT_SLO};
use kokoro_bench_bundle::schema::{
    CapacityResult, LoadMode, MemorySeries, NoteCode, NoteLevel, ShardPlan, Slo, SuiteKind,
    TargetKind,
};
use kokoro_bench_bundle::stats::mean;
use level::{Env, LevelPlan};
use std::time::{Duration, Instant};
use sweep::{Levels, Sweep};

/// Most listeners one runner drives (each a thread with its own connection, see [`client`]);
/// beyond it, shard the sweep over several runners (`--shard`, [`shard`]).
pub const MAX_LISTENERS: u32 = 16_384;

/// Open loop: most requests in flight at once before arrivals are dropped.
pub const MAX_IN_FLIGHT: u32 = 4_096;

/// Capacity flags.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Capacity suite (--suite …,capacity)")]
pub struct CapacityArgs {
    /// Closed loop: concurrent listeners per level, e.g. 1,2,4,8 [default: 1, 2, 4 … until the
    /// SLO fails at two levels in a row, then the knee is bisected].
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub levels: Vec<String>,
    /// Open loop: request rates with Poisson arrivals, e.g. 0.2,0.5,1/s (also `/min`).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub rates: Vec<String>,
    /// What each request must get, e.g. `heard<=1500ms,underruns==0` [default:
    /// heard<=2000ms,underruns==0]; terms heard, ttfa, stall (ms), underruns (count), hold
    /// (share of requests a level must serve within it, default 0.95).
    #[arg(long)]
    pub slo: Option<String>,
    /// Measured requests per level, after its warm-up [default: 20; p95 needs 20, p99 100].
    #[arg(long)]
    pub level_requests: Option<u32>,
    /// Warm-up requests per level [default: one per listener; 2 s of arrivals, at least 2].
    #[arg(long)]
    pub level_warmup: Option<u32>,
    /// Time budget of one level: no measured request starts after it [default: 2m].
    #[arg(long)]
    pub level_budget: Option<String>,
    /// Time budget of the whole sweep: no level starts after it [default: 20m].
    #[arg(long)]
    pub capacity_budget: Option<String>,
    /// Seed of the open-loop arrival schedule [default: 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// In-process engine: sessions serving the load, each with --threads intra-op threads
    /// [default: 1, every request queues on one session].
    #[arg(long)]
    pub sessions: Option<u32>,
    /// This runner is shard i of N driving one server together: it carries 1/N of every level,
    /// in lockstep with the others from --start-at; join them with `kokoro-bench merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// With --shard: when level 1 starts on every shard, UTC RFC 3339 (e.g.
    /// 2026-12-06T19:30:00Z); level k starts (k − 1) × 2 × --level-budget later.
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<String>,
}

/// A capacity flag given without the suite.
pub fn stray_flag(a: &super::SuiteArgs) -> Option<&'static str> {
    let c = &a.capacity;
    [
        (!c.levels.is_empty(), "--levels"),
        (!c.rates.is_empty(), "--rates"),
        (c.slo.is_some(), "--slo"),
        (c.level_requests.is_some(), "--level-requests"),
        (c.level_warmup.is_some(), "--level-warmup"),
        (c.level_budget.is_some(), "--level-budget"),
        (c.capacity_budget.is_some(), "--capacity-budget"),
        (c.seed.is_some(), "--seed"),
        (c.sessions.is_some(), "--sessions"),
        (c.shard.is_some(), "--shard"),
        (c.start_at.is_some(), "--start-at"),
    ]
    .into_iter()
    .find(|(given, _)| *given)
    .map(|(_, flag)| flag)
}

/// Capacity settings, validated.
#[derive(Clone, Debug)]
pub struct CapacityOptions {
    /// Closed or open loop.
    pub mode: LoadMode,
    /// Which levels.
    pub levels: Levels,
    /// The objective.
    pub slo: Slo,
    /// Measured requests per level.
    pub level_requests: u32,
    /// Warm-up requests per level (`None`: sized from the level).
    pub level_warmup: Option<u32>,
    /// Per-level budget.
    pub level_budget: Duration,
    /// Whole-sweep budget.
    pub budget: Duration,
    /// Arrival seed.
    pub seed: u64,
    /// Engine sessions (engine target only).
    pub sessions: Option<u32>,
    /// This runner's shard of the sweep and when level 1 starts (Unix ms).
    pub shard: Option<(shard::ShardId, f64)>,
}

fn parse_listeners(v: &[String]) -> Result<Vec<f64>> {
    v.iter()
        .map(|s| {
            let n: i64 = s.trim().parse().map_err(|_| {
                anyhow::anyhow!("--levels `{s}`: a level is a whole number of concurrent listeners, e.g. --levels 1,2,4,8")
            })?;
            if n < 1 || n > i64::from(MAX_LISTENERS) {
                bail!(
                    "--levels {n}: listeners must be 1 to {MAX_LISTENERS} (one runner's threads); \
                     for more, shard the sweep over several runners (--shard i/N --start-at, then \
                     `kokoro-bench merge`; README, \"Driving more load\")"
                );
            }
            Ok(n as f64)
        })
        .collect()
}

/// `0.5`, `0.5/s`, `30/min` → requests per second.
fn parse_rate(s: &str) -> Result<f64> {
    let t = s.trim();
    let (num, per_s) = if let Some(n) = t.strip_suffix("/min") {
        (n, 1.0 / 60.0)
    } else {
        (t.strip_suffix("/s").unwrap_or(t), 1.0)
    };
    let v: f64 = num.trim().parse().map_err(|_| {
        anyhow::anyhow!(
            "--rates `{s}`: not a rate; write requests per second, e.g. 0.5 or 0.5/s or 30/min"
        )
    })?;
    let r = v * per_s;
    if !(r.is_finite() && (0.01..=1000.0).contains(&r)) {
        bail!("--rates `{s}`: a rate must be between 0.01 and 1000 requests per second");
    }
    Ok(r)
}

fn duration_flag(v: &Option<String>, flag: &str, default: &str) -> Result<Duration> {
    let text = v.as_deref().unwrap_or(default);
    let d = parse_duration(text).map_err(|e| anyhow::anyhow!("{flag}: {e}"))?;
    if d.is_zero() {
        bail!("{flag} {text}: a budget must be longer than zero");
    }
    Ok(d)
}

/// Validates the flags.
///
/// # Errors
/// Levels of 0 or beyond [`MAX_LISTENERS`], rates that are not positive or absurd, both
/// `--levels` and `--rates`, an SLO that does not parse, `--sessions` on a target that is not the
/// in-process engine, a budget of zero.
pub fn options(
    a: &CapacityArgs,
    engine: Option<&EngineConfig>,
    target: TargetKind,
) -> Result<CapacityOptions> {
    if !a.levels.is_empty() && !a.rates.is_empty() {
        bail!("give --levels (concurrent listeners) or --rates (arrivals per second), not both");
    }
    let (mode, levels) = if !a.rates.is_empty() {
        let rates = a
            .rates
            .iter()
            .map(|r| parse_rate(r))
            .collect::<Result<_>>()?;
        (LoadMode::Rate, Levels::Listed(rates))
    } else if !a.levels.is_empty() {
        (
            LoadMode::Listeners,
            Levels::Listed(parse_listeners(&a.levels)?),
        )
    } else {
        (LoadMode::Listeners, Levels::Doubling { max: 64 })
    };
    let slo = parse_slo(a.slo.as_deref().unwrap_or(DEFAULT_SLO))?;
    let level_requests = a.level_requests.unwrap_or(20);
    if level_requests == 0 {
        bail!("--level-requests must be at least 1 (20 lets p95 be estimated)");
    }
    match (a.sessions, engine) {
        (Some(0), _) => bail!("--sessions must be at least 1"),
        (Some(k), Some(_)) if k > 32 => bail!("--sessions {k}: at most 32 sessions"),
        (Some(_), None) => bail!(
            "--sessions sets how many sessions the in-process engine loads; a server decides its own \
             concurrency (drop --sessions, or use --target engine)"
        ),
        _ => {}
    }
    let level_budget = duration_flag(&a.level_budget, "--level-budget", "2m")?;
    let budget = duration_flag(&a.capacity_budget, "--capacity-budget", "20m")?;
    let shard = shard_options(a, &levels, target, level_budget, budget)?;
    if let Levels::Listed(l) = &levels {
        let most = l.iter().fold(0.0f64, |m, v| m.max(*v));
        if mode == LoadMode::Listeners {
            let here = shard.map_or(most, |(id, _)| shard::share(mode, most, id));
            client::ensure_descriptors(here as u32)?;
        }
    }
    Ok(CapacityOptions {
        mode,
        levels,
        slo,
        level_requests,
        level_warmup: a.level_warmup,
        level_budget,
        budget,
        seed: a.seed.unwrap_or(1),
        sessions: engine.map(|_| a.sessions.unwrap_or(1)),
        shard,
    })
}

/// `--shard` and `--start-at`, checked against the rest: both or neither, an HTTP target (the
/// shards share one server), listed levels (a doubling sweep decides its next level from
/// results one shard alone does not have), a schedule that fits the sweep's budget.
fn shard_options(
    a: &CapacityArgs,
    levels: &Levels,
    target: TargetKind,
    level_budget: Duration,
    budget: Duration,
) -> Result<Option<(shard::ShardId, f64)>> {
    if let Some(s) = &a.shard {
        shard::parse_shard(s)?;
    }
    let (shard_text, start_text) = match (&a.shard, &a.start_at) {
        (None, None) => return Ok(None),
        (Some(s), Some(t)) => (s, t),
        (Some(_), None) => bail!(
            "--shard needs --start-at: the time level 1 starts on every shard, e.g. \
             --start-at \"$(date -u -d '+2 min' +%Y-%m-%dT%H:%M:%SZ)\""
        ),
        (None, Some(_)) => bail!("--start-at is for sharded sweeps: give --shard i/N too"),
    };
    let id = shard::parse_shard(shard_text)?;
    let start_ms = shard::parse_start_at(start_text, crate::timefmt::unix_ms_now() as f64)?;
    if target != TargetKind::Http {
        bail!(
            "--shard: shards drive one shared server from several runners; use --target http \
             (an engine or a command is local to each runner, so its shards would measure N \
             separate machines)"
        );
    }
    let Levels::Listed(list) = levels else {
        bail!(
            "--shard needs the levels listed (--levels or --rates): a doubling sweep picks its next \
             level from results no single shard has"
        );
    };
    let schedule = shard::slot(level_budget) * list.len() as u32;
    if a.capacity_budget.is_some() && schedule > budget {
        bail!(
            "--capacity-budget {:.0} s is shorter than the shards' schedule: {} levels × {:.0} s \
             slots (twice --level-budget) = {:.0} s; drop --capacity-budget, or list fewer levels",
            budget.as_secs_f64(),
            list.len(),
            shard::slot(level_budget).as_secs_f64(),
            schedule.as_secs_f64()
        );
    }
    Ok(Some((id, start_ms)))
}

/// Builds the suite.
///
/// # Errors
/// See [`options`].
pub fn build(input: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    let engine = input.target.engine().cloned();
    Ok(Box::new(Capacity {
        opts: options(&input.args.capacity, engine.as_ref(), input.target.kind())?,
        engine,
    }))
}

/// The capacity suite.
pub struct Capacity {
    /// Its settings.
    pub opts: CapacityOptions,
    /// The engine's configuration, when the target is the in-process engine.
    pub engine: Option<EngineConfig>,
}

/// Mean CPU and peak RSS of the sampled process between `from_ms` and `to_ms`.
fn usage(m: &MemorySeries, (from_ms, to_ms): (f64, f64)) -> (Option<f64>, Option<u64>) {
    let inside = |t: &f64| *t >= from_ms && *t <= to_ms;
    let cpu: Vec<f64> = m
        .t_ms
        .iter()
        .zip(&m.cpu_percent)
        .filter(|(t, _)| inside(t))
        .map(|(_, &c)| f64::from(c))
        .collect();
    let rss = m
        .t_ms
        .iter()
        .zip(&m.rss_bytes)
        .filter(|(t, _)| inside(t))
        .map(|(_, &r)| r)
        .max();
    (mean(&cpu), rss)
}

impl Capacity {
    fn warmup(&self, level: f64) -> u32 {
        self.opts.level_warmup.unwrap_or(match self.opts.mode {
            LoadMode::Listeners => level.round() as u32,
            LoadMode::Rate => ((level * 2.0).ceil() as u32).max(2),
        })
    }

    /// The plan of the sweep's `index`-th level (0-based). A shard first waits for the level's
    /// slot on the shared schedule (`None`: Ctrl-C came while waiting) and says how late the
    /// level began when the previous one overran.
    fn level_plan(
        &self,
        at: f64,
        index: usize,
        left: Duration,
        stop: &std::sync::atomic::AtomicBool,
    ) -> Option<(LevelPlan, Option<f64>)> {
        let mut plan = LevelPlan {
            mode: self.opts.mode,
            level: at,
            warmup: self.warmup(at),
            measured: self.opts.level_requests,
            budget: self.opts.level_budget.min(left),
            seed: self.opts.seed,
            max_in_flight: MAX_IN_FLIGHT,
            load_until: None,
            shard_level: None,
        };
        let Some((id, start_ms)) = self.opts.shard else {
            return Some((plan, None));
        };
        let slot_ms = shard::slot(self.opts.level_budget).as_secs_f64() * 1000.0;
        let slot_start_ms = start_ms + index as f64 * slot_ms;
        loop {
            let wait_ms = slot_start_ms - crate::timefmt::unix_ms_now() as f64;
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return None;
            }
            if wait_ms <= 0.0 {
                break;
            }
            std::thread::sleep(Duration::from_secs_f64((wait_ms / 1000.0).min(0.05)));
        }
        let late_ms = crate::timefmt::unix_ms_now() as f64 - slot_start_ms;
        let late = Duration::from_secs_f64(late_ms.max(0.0) / 1000.0);
        let here = shard::share(self.opts.mode, at, id);
        plan.shard_level = Some(here);
        plan.warmup = self.warmup(here);
        plan.measured = shard::split(self.opts.level_requests, id);
        plan.budget = self.opts.level_budget.saturating_sub(late);
        plan.load_until = Some(shard::load_until(self.opts.level_budget).saturating_sub(late));
        // Each shard's arrivals are its own random stream, not the same instants N times.
        plan.seed = self.opts.seed ^ u64::from(id.index).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let late = (late_ms >= shard::LATE_AFTER.as_secs_f64() * 1000.0).then_some(late_ms);
        Some((plan, late))
    }

    /// This shard's part in the sweep, with its clock checked against the server's.
    fn shard_plan(&self, target: &dyn Target) -> Option<ShardPlan> {
        let (id, start_at_unix_ms) = self.opts.shard?;
        let Levels::Listed(levels) = &self.opts.levels else {
            return None;
        };
        Some(ShardPlan {
            index: id.index,
            of: id.of,
            start_at_unix_ms,
            slot_s: shard::slot(self.opts.level_budget).as_secs_f64(),
            levels: levels.clone(),
            level_requests: self.opts.level_requests,
            clock_offset_ms: shard::measure_offset(target),
        })
    }

    /// Extra engine sessions for `--sessions K` (the running target is the first).
    fn extra_sessions(&self, ctx: &mut RunCtx) -> Result<Vec<EngineTarget>> {
        let (Some(cfg), Some(k)) = (&self.engine, self.opts.sessions) else {
            return Ok(Vec::new());
        };
        let t0 = Instant::now();
        let extra = (1..k)
            .map(|i| {
                EngineTarget::start(cfg.clone())
                    .with_context(|| format!("capacity: engine session {} of {k}", i + 1))
            })
            .collect::<Result<Vec<_>>>()?;
        if k > 1 {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let threads = k as usize * cfg.session.intra_threads;
            ctx.note(
                NoteLevel::Info,
                NoteCode::CapacitySessions,
                format!(
                    "capacity: {k} engine sessions of {} threads ({threads} in all on {cores} cores), {} loaded in {:.0} ms",
                    cfg.session.intra_threads,
                    k - 1,
                    t0.elapsed().as_secs_f64() * 1000.0
                ),
            );
        }
        Ok(extra)
    }
}

impl Suite for Capacity {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Capacity
    }

    fn with_target(&mut self, ctx: &mut RunCtx, target: &dyn Target) -> Result<()> {
        let extra = self.extra_sessions(ctx)?;
        let members: Vec<&dyn Target> = std::iter::once(target)
            .chain(extra.iter().map(|e| e as &dyn Target))
            .collect();
        let pool = Pool::new(members);
        let own_sampler = match (&ctx.sampler, &ctx.sampled) {
            (None, Sampled::Process { pid, what, scope }) => Some(Sampler::start(
                *pid,
                what,
                Duration::from_millis(200),
                ctx.origin,
                *scope,
            )),
            _ => None,
        };
        let (stop, settings, cases) = (ctx.stop.clone(), ctx.settings.clone(), ctx.cases.clone());
        let requests =
            Requests::new(&pool, &settings, ctx.origin, &ctx.id, "c").cancelled_by(&stop);
        let mut result = CapacityResult {
            mode: self.opts.mode,
            slo: self.opts.slo.clone(),
            sessions: self.opts.sessions,
            threads_per_session: self.engine.as_ref().map(|c| c.session.intra_threads as u32),
            seed: (self.opts.mode == LoadMode::Rate).then_some(self.opts.seed),
            levels: Vec::new(),
            sustainable_level: None,
            predicted_ceiling: None,
            stopped_because: String::new(),
            shard: self.shard_plan(target),
            merged_from: Vec::new(),
        };
        let keep_alive = ctx.bundle.provenance.http.as_ref().map(|h| h.keep_alive);
        if let (Some(keep_alive), LoadMode::Listeners, Levels::Listed(l)) =
            (keep_alive, self.opts.mode, &self.opts.levels)
        {
            let most = l.iter().fold(0.0f64, |m, v| m.max(*v));
            if let Some(w) = client::connection_warning(keep_alive, most) {
                ctx.progress.say(&format!("warning: {w}"));
                ctx.note(NoteLevel::Warn, NoteCode::CapacityConnections, w);
            }
        }
        if let Some(p) = &result.shard {
            ctx.note(
                NoteLevel::Info,
                NoteCode::CapacityShard,
                format!(
                    "shard {} of {} of a capacity sweep: its levels hold only its share of the \
                     requests; `kokoro-bench merge` joins every shard's bundle into the sweep",
                    p.index, p.of
                ),
            );
        }
        let mut sweep = Sweep::new(self.opts.levels.clone());
        let started = Instant::now();
        while let Some(at) = sweep.next_level() {
            if ctx.stopped() {
                result.stopped_because = "interrupted (Ctrl-C)".into();
                break;
            }
            let left = self.opts.budget.saturating_sub(started.elapsed());
            if left.is_zero() && self.opts.shard.is_none() {
                result.stopped_because = format!(
                    "the sweep's time budget ({:.0} s, --capacity-budget) ran out",
                    self.opts.budget.as_secs_f64()
                );
                break;
            }
            let Some((plan, late_ms)) = self.level_plan(at, result.levels.len(), left, &stop)
            else {
                result.stopped_because = "interrupted (Ctrl-C)".into();
                break;
            };
            ctx.mark(format!("capacity:{at}"));
            let say = |line: String| ctx.progress.message(line);
            let env = Env {
                requests: &requests,
                cases: &cases,
                slo: &self.opts.slo,
                prebuffer_ms: settings.prebuffer_ms,
                stop: &stop,
                origin: ctx.origin,
                progress: &say,
                client_cpu_separable: !matches!(ctx.sampled, Sampled::Process { pid, .. } if pid == std::process::id()),
            };
            let run = level::run(&env, &plan);
            let mut l = run.level;
            l.late_ms = late_ms;
            if let Some(m) = own_sampler
                .as_ref()
                .or(ctx.sampler.as_ref())
                .map(Sampler::snapshot)
            {
                (l.cpu_percent_mean, l.peak_rss_bytes) = usage(&m, run.window_ms);
            }
            sweep.record(at, summarise(&result.slo, &l).held);
            result.levels.push(l);
            if result.shard.is_none() {
                result.sustainable_level = sustainable(&result);
                result.predicted_ceiling =
                    ceiling(&result, ctx.bundle.machine.logical_cores).map(|c| c.streams);
            }
            result.stopped_because = sweep.why_done();
            ctx.bundle.capacity = Some(result.clone());
            if let Err(e) = ctx.save() {
                ctx.progress.say(&format!("warning: {e:#}"));
            }
            if let Some(why) = run.fatal {
                ctx.fatal = Some(why);
                result.stopped_because = "the target refused a request as malformed".into();
                break;
            }
        }
        if result.stopped_because.is_empty() {
            result.stopped_because = sweep.why_done();
        }
        if ctx.stopped() && !result.stopped_because.starts_with("interrupted") {
            result.stopped_because = "interrupted (Ctrl-C)".into();
        }
        ctx.bundle.capacity = Some(result);
        drop(own_sampler.map(Sampler::stop));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::execute;
    use crate::run::testing::{fake_plan, tempdir};
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    fn args(f: impl FnOnce(&mut CapacityArgs)) -> CapacityArgs {
        let mut a = CapacityArgs::default();
        f(&mut a);
        a
    }

    fn suite(a: CapacityArgs) -> Capacity {
        Capacity {
            opts: options(&a, None, TargetKind::Scripted).unwrap(),
            engine: None,
        }
    }

    /// A server with `slots` workers, first come first served, each request 10 ms to the first
    /// 150 ms of audio, then 150 ms more every 90–100 ms (≈ 200 ms of service): with one listener
    /// more than workers, every round one request waits a whole service time.
    fn run(slots: u32, a: CapacityArgs) -> CapacityResult {
        let script = format!("10:150,90:150,100:150;slots={slots}");
        let plan = fake_plan(&script, vec![Box::new(suite(a))], 1, tempdir("capacity"));
        execute(plan, Arc::new(AtomicBool::new(false)))
            .unwrap()
            .bundle
            .capacity
            .unwrap()
    }

    #[test]
    fn the_knee_is_found_at_the_servers_worker_count() {
        for slots in [2, 3] {
            let c = run(
                slots,
                args(|a| {
                    // One slow request of six is jitter on a busy machine, two are queueing.
                    a.slo = Some("heard<=100ms,underruns==0,hold=0.8".into());
                    a.level_requests = Some(6);
                }),
            );
            let ran: Vec<f64> = c.levels.iter().map(|l| l.level).collect();

            assert_eq!(
                c.sustainable_level,
                Some(f64::from(slots)),
                "{slots} workers: levels {ran:?}, {}",
                c.stopped_because
            );
            assert!(c.stopped_because.contains("knee"), "{}", c.stopped_because);
            let one = &c.levels[0];
            assert_eq!(
                (one.level, one.started, one.finished, one.failed),
                (1.0, 6, 6, 0)
            );
            assert_eq!(one.warmup, 1);
            // 450 ms of audio every ≈ 200 ms.
            assert!(
                one.audio_s_per_s > 1.0 && one.audio_s_per_s < 3.0,
                "{}",
                one.audio_s_per_s
            );
            // CPU and the predicted ceiling are not asserted here: the sampled process is this
            // test binary, whose other tests run in parallel (their CPU would be "the target's").
            // The ceiling is tested in `shared::capacity` and on a real sweep's fixture.
        }
    }

    #[test]
    fn open_loop_arrivals_do_not_wait_for_answers_and_queueing_fails_the_slo() {
        let c = run(
            1,
            args(|a| {
                a.rates = vec!["40/s".into()];
                a.slo = Some("heard<=300ms".into());
                a.level_requests = Some(12);
                a.level_warmup = Some(0);
            }),
        );
        assert_eq!(c.mode, LoadMode::Rate);
        assert_eq!(c.seed, Some(1));
        let l = &c.levels[0];
        assert_eq!(l.level, 40.0);
        assert_eq!(l.started, 12);
        assert_eq!(l.requests.len(), 12);
        // 40 arrivals a second on one worker of 200 ms: the queue grows, late ones wait.
        let summary = summarise(&c.slo, l);
        assert!(!summary.held, "{summary:?}");
        let starts: Vec<f64> = l.requests.iter().map(|r| r.start_ms).collect();
        assert!(starts.windows(2).all(|w| w[0] <= w[1] + 50.0), "{starts:?}");
        assert!(
            starts.last().unwrap() < &2000.0,
            "arrivals did not wait for answers"
        );
    }

    #[test]
    fn bad_flags_are_refused_with_what_to_write() {
        let err = |a: CapacityArgs| {
            options(&a, None, TargetKind::Scripted)
                .unwrap_err()
                .to_string()
        };
        assert!(err(args(|a| a.levels = vec!["0".into()])).contains("1 to 16384"));
        assert!(err(args(|a| a.levels = vec!["-2".into()])).contains("1 to 16384"));
        assert!(err(args(|a| a.levels = vec!["two".into()])).contains("whole number"));
        assert!(err(args(|a| a.levels = vec!["20000".into()])).contains("--shard"));
        let shard = |a: &mut CapacityArgs| {
            a.shard = Some("1/2".into());
            a.start_at = Some(crate::timefmt::rfc3339(
                crate::timefmt::unix_ms_now() + 60_000,
            ));
        };
        assert!(err(args(|a| {
            shard(a);
            a.levels = vec!["2".into()];
        }))
        .contains("--target http"));
        let err = |a: CapacityArgs| options(&a, None, TargetKind::Http).unwrap_err().to_string();
        assert!(err(args(shard)).contains("levels listed"));
        assert!(err(args(|a| {
            shard(a);
            a.levels = vec!["2".into()];
            a.capacity_budget = Some("1m".into());
        }))
        .contains("shorter than the shards' schedule"));
        assert!(
            err(args(|a| a.start_at = Some("2099-01-01T00:00:00Z".into())))
                .contains("give --shard")
        );
        assert!(err(args(|a| a.rates = vec!["-1".into()])).contains("between 0.01 and 1000"));
        assert!(err(args(|a| a.rates = vec!["1e9/s".into()])).contains("between 0.01 and 1000"));
        assert!(err(args(|a| a.rates = vec!["fast".into()])).contains("30/min"));
        assert!(err(args(|a| a.slo = Some("heard<fast".into()))).contains("--slo"));
        assert!(err(args(|a| a.sessions = Some(2))).contains("--target engine"));
        assert!(err(args(|a| a.level_budget = Some("0s".into()))).contains("longer than zero"));
        assert!(err(args(|a| {
            a.levels = vec!["1".into()];
            a.rates = vec!["1".into()];
        }))
        .contains("not both"));
        assert_eq!(parse_rate("30/min").unwrap(), 0.5);
        assert_eq!(parse_rate("2/s").unwrap(), 2.0);
    }

    #[test]
    fn ctrl_c_keeps_every_finished_level() {
        let stop = Arc::new(AtomicBool::new(false));
        let a = args(|a| {
            a.levels = vec!["1".into(), "2".into(), "4".into()];
            a.level_requests = Some(4);
        });
        let out_dir = tempdir("capacity-stop");
        let plan = fake_plan(
            "10:100,90:100,100:100;slots=1",
            vec![Box::new(suite(a))],
            1,
            out_dir.clone(),
        );
        let s = stop.clone();
        // Ctrl-C once the bundle on disk holds the first level, 150 ms into the second.
        let raise = std::thread::spawn(move || loop {
            let levels_on_disk = std::fs::read_dir(out_dir.join("runs"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|run| std::fs::read(run.path().join("bundle.json")).ok())
                .filter_map(|b| kokoro_bench_bundle::read_bundle(&b).ok())
                .filter_map(|l| l.bundle.capacity)
                .map(|c| c.levels.len())
                .max();
            if levels_on_disk == Some(1) {
                std::thread::sleep(Duration::from_millis(150));
                s.store(true, std::sync::atomic::Ordering::SeqCst);
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        });
        let out = execute(plan, stop).unwrap();
        raise.join().unwrap();
        let c = out
            .bundle
            .capacity
            .clone()
            .unwrap_or_else(|| panic!("{:?}", out.bundle.notes));
        assert_eq!(c.stopped_because, "interrupted (Ctrl-C)");
        assert_eq!(c.levels[0].requests.len(), 4);
        assert!(!c.levels[0].interrupted);
        let last = c.levels.last().unwrap();
        assert!(
            last.interrupted && last.level == 2.0,
            "{:?}",
            last.cut_short
        );
        let bytes = std::fs::read(&out.bundle_path).unwrap();
        let on_disk = kokoro_bench_bundle::read_bundle(&bytes).unwrap().bundle;
        assert_eq!(on_disk.capacity.unwrap().levels.len(), c.levels.len());
    }
}
