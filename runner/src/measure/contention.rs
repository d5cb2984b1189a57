//! Who else used the machine while we measured: the machine's busy CPU time minus the CPU time of
//! this run's own processes (the runner and what it started, and the synthesising process and its
//! workers), from marks taken at the start and end of a trial or a load window.
//!
//! The load average this replaces counts the benchmark's own threads as load and moves over a
//! minute; here a trial is charged with what others did during it, to the tick.

use super::cpu::{cpu_mhz, process_cpu, system_cpu, SystemCpu};
use kokoro_bench_bundle::schema::Contention;
use std::time::Instant;

/// A reading of the machine's and this run's CPU time.
#[derive(Clone, Debug)]
pub struct Mark {
    at: Instant,
    system: Option<SystemCpu>,
    own_ns: u64,
}

/// Takes marks for one run: which processes are "ours".
#[derive(Clone, Debug)]
pub struct Meter {
    roots: Vec<u32>,
}

fn descendants(root: u32) -> Vec<u32> {
    super::process::tree_from_proc(root).unwrap_or_else(|| {
        let mut sys = sysinfo::System::new();
        sys.refresh_processes_specifics(
            sysinfo::ProcessesToUpdate::All,
            true,
            sysinfo::ProcessRefreshKind::nothing().without_tasks(),
        );
        super::process::tree(&sys, root)
    })
}

impl Meter {
    /// Ours: the runner and its descendants, plus `other` (a server's PID) and its descendants.
    pub fn new(other: Option<u32>) -> Meter {
        let me = std::process::id();
        let mut roots = vec![me];
        roots.extend(other.filter(|&p| p != me));
        Meter { roots }
    }

    /// CPU time of our processes so far: every live process of each tree with what it has
    /// collected from the children it waited for (a one-shot command's program, a server's
    /// short-lived workers). A child's time moves into its parent's when it is reaped, so the
    /// sum stays continuous as processes come and go.
    fn own_ns(&self) -> u64 {
        let mut seen = Vec::new();
        let mut total = 0u64;
        for &root in &self.roots {
            for pid in descendants(root) {
                if seen.contains(&pid) {
                    continue;
                }
                seen.push(pid);
                total += process_cpu(pid).map_or(0, |c| c.self_ns + c.children_ns);
            }
        }
        total
    }

    /// A reading now.
    pub fn mark(&self) -> Mark {
        Mark {
            system: system_cpu(),
            own_ns: self.own_ns(),
            at: Instant::now(),
        }
    }

    /// What happened between `start` and now; `None` where the OS does not account CPU time.
    pub fn since(&self, start: &Mark) -> Option<Contention> {
        let end = self.mark();
        between(start, &end)
    }
}

/// The machine between two marks.
pub fn between(start: &Mark, end: &Mark) -> Option<Contention> {
    let (a, b) = (start.system?, end.system?);
    let wall_ns = end.at.duration_since(start.at).as_nanos() as f64;
    let total = b.total_ns().saturating_sub(a.total_ns()) as f64;
    if total <= 0.0 || wall_ns <= 0.0 {
        return None;
    }
    let busy = b.busy_ns.saturating_sub(a.busy_ns) as f64;
    let own = end.own_ns.saturating_sub(start.own_ns) as f64;
    let steal = a
        .steal_ns
        .zip(b.steal_ns)
        .map(|(x, y)| y.saturating_sub(x) as f64 / total * 100.0);
    Some(Contention {
        wall_ms: wall_ns / 1e6,
        // Ticks are coarse (10 ms): our own time can exceed the busy time counted over a short
        // span by a tick or two; that is no one else's use.
        other_cpu_pct: ((busy - own) / total * 100.0).clamp(0.0, 100.0),
        own_cpu_pct: own / wall_ns * 100.0,
        steal_pct: steal,
        cpu_mhz: cpu_mhz(),
    })
}

/// CPU time so far of the processes a run samples (`pid` and, by `scope`, what runs below it),
/// with what they collected from the children they waited for, ns; `None` when `pid` is gone or
/// the OS does not say.
pub fn sampled_cpu_ns(pid: u32, scope: super::memory::Scope) -> Option<u64> {
    use super::memory::Scope;
    let root = process_cpu(pid)?;
    let below = || descendants(pid).into_iter().filter(move |&p| p != pid);
    let sum = |pids: &mut dyn Iterator<Item = u32>| {
        pids.filter_map(process_cpu)
            .map(|c| c.self_ns + c.children_ns)
            .sum::<u64>()
    };
    Some(match scope {
        Scope::Process => root.self_ns,
        Scope::Tree => root.self_ns + root.children_ns + sum(&mut below()),
        Scope::Children => root.children_ns + sum(&mut below()),
    })
}

/// Other processes' CPU over `window`, measured now (the quiet-machine check): percent of the
/// machine's capacity, `None` where the OS does not say.
pub fn others_now(meter: &Meter, window: std::time::Duration) -> Option<f64> {
    let start = meter.mark();
    std::thread::sleep(window);
    meter.since(&start).map(|c| c.other_cpu_pct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A process we did not start, spinning one core of the machine, is charged to others; the
    /// same work done by our own child is not.
    #[test]
    #[cfg(target_os = "linux")]
    fn others_are_told_apart_from_our_own_processes() {
        let _lock = super::super::CHILDREN.lock();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        const LOOP: &str = "import time\nt = time.time()\nwhile time.time() - t < 2: pass";
        let spin = || {
            std::process::Command::new("python3")
                .args(["-c", LOOP])
                .spawn()
                .unwrap()
        };
        // Ours: a child of this test process.
        let mut child = spin();
        std::thread::sleep(Duration::from_millis(200));
        let meter = Meter::new(None);
        let start = meter.mark();
        std::thread::sleep(Duration::from_millis(800));
        let ours = meter.since(&start).unwrap();
        child.wait().unwrap();
        assert!(ours.own_cpu_pct > 70.0, "{ours:?}");
        // Someone else's: the same loop in a grandchild whose parent exits at once, so it is
        // re-parented away from us.
        std::process::Command::new("sh")
            .args(["-c", &format!("setsid python3 -c '{LOOP}' &")])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let start = meter.mark();
        std::thread::sleep(Duration::from_millis(800));
        let theirs = meter.since(&start).unwrap();
        let one_core = 100.0 / cores;
        assert!(
            theirs.other_cpu_pct > 0.6 * one_core,
            "a foreign process spinning one of {cores} cores: {theirs:?}"
        );
        assert!(
            ours.other_cpu_pct < theirs.other_cpu_pct,
            "{ours:?} vs {theirs:?}"
        );
    }
}
