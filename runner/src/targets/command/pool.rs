//! `--workers K`: K persistent workers behind the least-busy router ([`crate::targets::pool`]),
//! so concurrent load reaches K models — capacity of a worker-based engine then measures the
//! engine, not a queue in front of one process. Each worker restarts on its own when it dies
//! (counted); the memory sampler sums every child of the runner, so it holds all K, and each
//! worker's own peak is read from the kernel at the end.

use super::{worker::Worker, CommandConfig, WorkerTarget};
use crate::targets::pool::Pool;
use crate::targets::{NoteCode, NoteLevel, Outcome, Request, Target};
use anyhow::{bail, Result};
use kokoro_bench_bundle::schema::Provenance;

/// The most workers a run starts.
pub const MAX_WORKERS: u32 = 256;

/// How much of the available memory K workers may take together.
const MEMORY_SHARE: f64 = 0.9;

/// K started workers as one target.
pub struct WorkerPool {
    pool: Pool<'static>,
    workers: u32,
}

/// Resident memory of `pid`, bytes, and the machine's available memory, bytes.
fn memory_of(pid: u32) -> Option<(u64, u64)> {
    use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};
    let mut sys = System::new();
    let pid = Pid::from_u32(pid);
    sys.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        true,
        ProcessRefreshKind::nothing().with_memory(),
    );
    sys.refresh_memory();
    Some((sys.process(pid)?.memory(), sys.available_memory()))
}

/// Checks that `workers` copies of the first worker fit in memory; the message says how many do.
fn check_fits(first: &Worker, workers: u32) -> Result<()> {
    let Some((rss, available)) = first.pid().and_then(memory_of) else {
        return Ok(()); // nothing to measure with: the OS will say when it runs out
    };
    let more = f64::from(workers - 1) * rss as f64;
    if more > available as f64 * MEMORY_SHARE {
        let fit = 1 + (available as f64 * MEMORY_SHARE / rss.max(1) as f64) as u64;
        bail!(
            "--workers {workers}: one worker holds {:.0} MB after start, so {} more need {:.1} GB, but {:.1} GB of memory is available: use --workers {} or fewer",
            rss as f64 / 1e6,
            workers - 1,
            more / 1e9,
            available as f64 / 1e9,
            fit.min(u64::from(MAX_WORKERS))
        );
    }
    Ok(())
}

/// Starts `cfg.workers` workers, one after another (their model loads do not compete), after
/// checking on the first that all of them fit in memory.
///
/// # Errors
/// A worker that does not start; more workers than the memory holds (exit 2 with how many do).
pub fn start(cfg: &CommandConfig) -> Result<WorkerPool> {
    let first = Worker::start(cfg.clone())?;
    check_fits(&first, cfg.workers)?;
    let mut members: Vec<Box<dyn Target>> = vec![Box::new(WorkerTarget(first))];
    for k in 1..cfg.workers {
        let w = Worker::start(cfg.clone())
            .map_err(|e| e.context(format!("worker {} of {}", k + 1, cfg.workers)))?;
        members.push(Box::new(WorkerTarget(w)));
    }
    Ok(WorkerPool {
        pool: Pool::owning(members),
        workers: cfg.workers,
    })
}

impl Target for WorkerPool {
    fn request(&self, req: &Request<'_>) -> Outcome {
        self.pool.request(req)
    }

    fn provenance(&self, voice: &str) -> Result<Provenance> {
        self.pool.provenance(voice)
    }

    fn notes(&self) -> Vec<(NoteLevel, NoteCode, String)> {
        let mut notes = self.pool.notes();
        notes.push((
            NoteLevel::Info,
            NoteCode::EngineLoad,
            format!(
                "{} workers behind a least-busy router, started one after another",
                self.workers
            ),
        ));
        notes
    }

    /// Every worker's restarts summed; the first stderr that says something; requests per worker.
    fn finish(&self, p: &mut Provenance) {
        let mut restarts = 0;
        let mut stderr = String::new();
        let mut peaks = Vec::new();
        for m in self.pool.members() {
            let mut q = p.clone();
            m.finish(&mut q);
            if let Some(c) = q.command {
                restarts += c.restarts;
                peaks.extend(c.peak_rss_per_worker_bytes);
                if stderr.is_empty() {
                    stderr = c.stderr_tail;
                }
            }
        }
        if let Some(c) = p.command.as_mut() {
            c.restarts = restarts;
            c.stderr_tail = stderr;
            c.served_per_worker = self.pool.served();
            // Every worker's peak, or none (a worker the OS says nothing about would misalign).
            c.peak_rss_per_worker_bytes = if peaks.len() == self.workers as usize {
                peaks
            } else {
                Vec::new()
            };
        }
    }
}
