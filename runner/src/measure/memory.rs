//! RSS and CPU of the synthesising process, sampled on a background thread. RSS comes from
//! `sysinfo`; CPU from the OS's own per-process accounting ([`super::cpu`]), as the change of
//! each process's CPU time over the wall time between two samples: percent of one core, summed
//! over every thread and process sampled (two busy cores read 200). For the in-process engine
//! that process is the runner itself (the engine runs inside it).

use kokoro_bench_bundle::schema::MemorySeries;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// Which processes one sample sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The process alone (the runner, for the in-process engine).
    Process,
    /// The process and its descendants (a server and its workers).
    Tree,
    /// Only its descendants (the programs a command target runs: children of the runner, whose
    /// own memory is not theirs). Between requests of a one-shot command this is zero.
    Children,
}

/// A running sampler.
pub struct Sampler {
    scope: Scope,
    stop: Arc<AtomicBool>,
    data: Arc<Mutex<MemorySeries>>,
    thread: Option<JoinHandle<()>>,
    origin: Instant,
}

/// CPU percent of a set of processes between consecutive calls, from each process's CPU time.
#[derive(Default)]
struct CpuRate {
    last: HashMap<u32, u64>,
    at: Option<Instant>,
}

impl CpuRate {
    /// Percent of one core the processes used since the previous call (0 on the first). A
    /// process seen for the first time counts with all its CPU time (it started in between); one
    /// that ended in between loses only its last partial interval.
    fn percent(&mut self, pids: &[u32]) -> f32 {
        let now = Instant::now();
        let mut used_ns = 0u64;
        let mut next = HashMap::with_capacity(pids.len());
        for &p in pids {
            let Some(t) = super::cpu::process_cpu(p).map(|c| c.self_ns) else {
                continue;
            };
            let before = self.last.get(&p).copied().unwrap_or(0);
            used_ns += t.saturating_sub(before);
            next.insert(p, t);
        }
        let first = self.at.is_none();
        let wall_ns = self
            .at
            .replace(now)
            .map_or(0.0, |a| now.duration_since(a).as_nanos() as f64);
        self.last = next;
        if first || wall_ns <= 0.0 {
            0.0
        } else {
            (used_ns as f64 / wall_ns * 100.0) as f32
        }
    }
}

/// One sample: RSS of the processes `scope` names around `pid`, and the PIDs summed.
fn sample(sys: &mut System, pid: Pid, scope: Scope) -> Option<(u64, Vec<u32>)> {
    // Without tasks: threads are not listed as processes of their own (see `process::tree`).
    let kind = ProcessRefreshKind::nothing().with_memory().without_tasks();
    if scope == Scope::Process {
        sys.refresh_processes_specifics(ProcessesToUpdate::Some(&[pid]), false, kind);
        return sys.process(pid).map(|p| (p.memory(), vec![pid.as_u32()]));
    }
    let mut pids = match super::process::tree_from_proc(pid.as_u32()) {
        Some(pids) => {
            let list: Vec<Pid> = pids.iter().map(|&p| Pid::from_u32(p)).collect();
            sys.refresh_processes_specifics(ProcessesToUpdate::Some(&list), true, kind);
            sys.process(pid)?;
            pids
        }
        None => {
            sys.refresh_processes_specifics(ProcessesToUpdate::All, true, kind);
            sys.process(pid)?;
            super::process::tree(sys, pid.as_u32())
        }
    };
    if scope == Scope::Children {
        pids.retain(|&p| p != pid.as_u32());
    }
    let rss = pids
        .iter()
        .filter_map(|&p| sys.process(Pid::from_u32(p)))
        .map(|p| p.memory())
        .sum();
    Some((rss, pids))
}

impl Sampler {
    /// Starts sampling the processes `scope` names around `pid` every `interval`; times are ms
    /// since `origin`.
    pub fn start(
        pid: u32,
        process: &str,
        interval: Duration,
        origin: Instant,
        scope: Scope,
    ) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let who = super::process::describe(pid);
        let data = Arc::new(Mutex::new(MemorySeries {
            pid,
            process: process.to_string(),
            process_name: who.as_ref().map(|w| w.name.clone()),
            process_command: who.map(|w| w.command_line),
            interval_ms: interval.as_secs_f64() * 1000.0,
            ..Default::default()
        }));
        let (stop2, data2) = (stop.clone(), data.clone());
        let thread = std::thread::Builder::new()
            .name("memory-sampler".into())
            .spawn(move || {
                let mut sys = System::new();
                let mut rate = CpuRate::default();
                let pid = Pid::from_u32(pid);
                let mut cost_total = Duration::ZERO;
                let mut n = 0u32;
                let mut next = Instant::now();
                while !stop2.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    if let Some((rss, pids)) = sample(&mut sys, pid, scope) {
                        let cpu = rate.percent(&pids);
                        let footprint = match scope {
                            Scope::Children => None,
                            _ => super::process::footprint_bytes(pid.as_u32()),
                        };
                        cost_total += t.elapsed();
                        n += 1;
                        if let Ok(mut d) = data2.lock() {
                            d.t_ms.push(t.duration_since(origin).as_secs_f64() * 1000.0);
                            d.rss_bytes.push(rss);
                            d.cpu_percent.push(cpu);
                            d.footprint_bytes.extend(footprint);
                            if scope != Scope::Process {
                                d.tree_pids = pids;
                            }
                            d.sample_cost_us = Some(cost_total.as_secs_f64() * 1e6 / n as f64);
                        }
                    }
                    next += interval;
                    let now = Instant::now();
                    if next > now {
                        std::thread::sleep(next - now);
                    } else {
                        next = now;
                    }
                }
            })
            .ok();
        Sampler {
            scope,
            stop,
            data,
            thread,
            origin,
        }
    }

    /// Milliseconds since the run's origin.
    pub fn elapsed_ms(&self) -> f64 {
        self.origin.elapsed().as_secs_f64() * 1000.0
    }

    /// Marks the start of a trial.
    pub fn mark(&self, label: String) {
        let t = self.origin.elapsed().as_secs_f64() * 1000.0;
        if let Ok(mut d) = self.data.lock() {
            d.mark_t_ms.push(t);
            d.mark_label.push(label);
        }
    }

    /// Records the baseline (RSS right now, e.g. after the model loaded).
    pub fn baseline_now(&self) {
        let mut sys = System::new();
        let pid = self.data.lock().map(|d| d.pid).unwrap_or(0);
        if let Some((rss, _)) = sample(&mut sys, Pid::from_u32(pid), self.scope) {
            if let Ok(mut d) = self.data.lock() {
                d.baseline_rss_bytes = Some(rss);
            }
        }
    }

    /// Ends the window the peak is taken over (the measured trials and soak): suites after it
    /// load extra sessions, which would make peaks of runs with and without them incomparable.
    pub fn end_peak_window(&self) {
        let t = self.elapsed_ms();
        if let Ok(mut d) = self.data.lock() {
            d.peak_window_end_ms = Some(t);
        }
    }

    /// A copy of what has been sampled so far.
    pub fn snapshot(&self) -> MemorySeries {
        let mut d = self.data.lock().map(|d| d.clone()).unwrap_or_default();
        let end = d.peak_window_end_ms.unwrap_or(f64::INFINITY);
        d.peak_rss_bytes = d
            .t_ms
            .iter()
            .zip(&d.rss_bytes)
            .filter(|(t, _)| **t <= end)
            .map(|(_, &r)| r)
            .max();
        d.peak_footprint_bytes = d
            .t_ms
            .iter()
            .zip(&d.footprint_bytes)
            .filter(|(t, _)| **t <= end)
            .map(|(_, &r)| r)
            .max();
        d
    }

    /// Stops sampling and returns the series.
    pub fn stop(mut self) -> MemorySeries {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.snapshot()
    }
}

/// The kernel's high-water mark of `pid`'s resident memory, bytes: Linux `VmHWM` from
/// `/proc/<pid>/status`, macOS the lifetime peak physical footprint (`proc_pid_rusage`). Exact
/// where sampling could miss a short peak; `None` elsewhere or when the process is gone.
#[cfg(target_os = "linux")]
pub fn peak_rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// See the Linux version.
#[cfg(target_os = "macos")]
pub fn peak_rss_bytes(pid: u32) -> Option<u64> {
    let mut info: libc::rusage_info_v4 = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is a properly sized, writable rusage_info_v4 for the V4 flavour requested.
    let rc = unsafe {
        libc::proc_pid_rusage(
            pid as libc::c_int,
            libc::RUSAGE_INFO_V4,
            (&mut info as *mut libc::rusage_info_v4).cast(),
        )
    };
    (rc == 0).then_some(info.ri_lifetime_max_phys_footprint)
}

/// See the Linux version.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn peak_rss_bytes(_pid: u32) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[test]
    fn the_kernels_high_water_mark_holds_a_freed_allocation() {
        let before = peak_rss_bytes(std::process::id()).unwrap();
        let big = vec![1u8; 64 << 20];
        std::hint::black_box(&big);
        drop(big);
        let after = peak_rss_bytes(std::process::id()).unwrap();
        assert!(after >= before && after >= 64 << 20, "{before} → {after}");
        assert_eq!(peak_rss_bytes(u32::MAX - 1), None);
    }

    #[test]
    fn samples_this_process_and_sees_an_allocation() {
        let origin = Instant::now();
        let s = Sampler::start(
            std::process::id(),
            "test",
            Duration::from_millis(10),
            origin,
            Scope::Process,
        );
        std::thread::sleep(Duration::from_millis(60));
        s.mark("a#0".into());
        let block: Vec<u8> = vec![1; 200 * 1024 * 1024];
        std::thread::sleep(Duration::from_millis(80));
        s.end_peak_window();
        let later: Vec<u8> = vec![2; 400 * 1024 * 1024];
        std::thread::sleep(Duration::from_millis(80));
        let series = s.stop();
        assert!(later.iter().step_by(4096).all(|&b| b == 2));
        let all_peak = series.rss_bytes.iter().copied().max().unwrap();
        assert!(
            series.peak_rss_bytes.unwrap() + 300_000_000 < all_peak,
            "the peak ignores what came after its window: {} vs {all_peak}",
            series.peak_rss_bytes.unwrap()
        );
        assert!(block.iter().step_by(4096).all(|&b| b == 1));
        assert!(series.t_ms.len() >= 5, "{}", series.t_ms.len());
        let (first, peak) = (series.rss_bytes[0], series.peak_rss_bytes.unwrap());
        assert!(
            peak >= first + 150 * 1024 * 1024,
            "first {first} peak {peak}"
        );
        assert_eq!(series.mark_label, vec!["a#0".to_string()]);
        assert!(series.sample_cost_us.unwrap() > 0.0);
    }

    /// The sampled CPU of a child keeping two cores busy, integrated over time, is the CPU time
    /// `wait4` reports for it (what `/usr/bin/time` prints), and reads about 200 % of one core.
    #[test]
    #[cfg(target_os = "linux")]
    fn cpu_of_two_busy_cores_reads_200_percent_and_matches_wait4() {
        let _lock = super::super::CHILDREN.lock();
        // Each worker spins for 1 s of its own CPU time, however busy the machine is.
        let spin = "import time\ndef f():\n  while time.process_time() < 1.0: pass\nimport multiprocessing as m\nps = [m.Process(target=f) for _ in range(2)]\n[p.start() for p in ps]\n[p.join() for p in ps]";
        // Reaped below with wait4, which also returns its CPU time.
        #[allow(clippy::zombie_processes)]
        let child = std::process::Command::new("python3")
            .args(["-c", spin])
            .spawn()
            .expect("python3");
        // Sampled as a server is: the process and its workers (other tests' children are not).
        let s = Sampler::start(
            child.id(),
            "two busy workers",
            Duration::from_millis(100),
            Instant::now(),
            Scope::Tree,
        );
        let pid = child.id() as libc::pid_t;
        let mut status = 0;
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: valid out-pointers; waits for our own child.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        assert_eq!(rc, pid);
        let series = s.stop();
        let tv = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
        let wait4_ms = tv(ru.ru_utime) + tv(ru.ru_stime);
        let sampled_ms: f64 = series
            .cpu_percent
            .iter()
            .map(|&p| f64::from(p) / 100.0 * series.interval_ms)
            .sum();
        assert!(
            wait4_ms > 1900.0,
            "two workers spun 1 s of CPU each: {wait4_ms} ms"
        );
        assert!(
            (sampled_ms - wait4_ms).abs() <= 0.2 * wait4_ms,
            "sampled {sampled_ms:.0} ms of CPU, wait4 says {wait4_ms:.0} ms"
        );
        let peak = series.cpu_percent.iter().copied().fold(0.0f32, f32::max);
        // Percent of one core: two busy workers read above 100 (the old figure, half the truth,
        // stayed near it); how far above depends on what else this machine runs.
        assert!(
            (110.0..=230.0).contains(&peak),
            "two busy workers, as % of one core: {peak}"
        );
    }

    #[test]
    fn threads_are_not_counted_as_child_processes() {
        // This test binary runs several threads; Linux lists each as a "task" whose parent is
        // this process and whose RSS is the whole process's. A tree must not sum them.
        let _busy: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| std::thread::sleep(Duration::from_millis(300))))
            .collect();
        let mut sys = System::new();
        let me = std::process::id();
        let (_, pids) = sample(&mut sys, Pid::from_u32(me), Scope::Tree).unwrap();
        // Other tests may have real child processes running; none of our threads may count.
        let threads: Vec<u32> = std::fs::read_dir("/proc/self/task")
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.file_name().to_str()?.parse().ok())
                    .filter(|&t| t != me)
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            cfg!(not(target_os = "linux")) || threads.len() >= 4,
            "{threads:?}"
        );
        assert!(
            pids.iter().all(|p| !threads.contains(p)),
            "threads summed as processes: {pids:?} ∩ {threads:?}"
        );
    }

    #[test]
    fn children_scope_sums_the_programs_started_and_not_the_runner() {
        let _lock = super::super::CHILDREN.lock();
        let s = Sampler::start(
            std::process::id(),
            "children",
            Duration::from_millis(10),
            Instant::now(),
            Scope::Children,
        );
        std::thread::sleep(Duration::from_millis(50));
        let mut child = std::process::Command::new("python3")
            .args([
                "-c",
                "b = bytearray(200_000_000); import time; time.sleep(0.5)",
            ])
            .spawn()
            .expect("python3");
        child.wait().unwrap();
        let series = s.stop();
        assert_eq!(
            series.rss_bytes[0], 0,
            "no child yet: nothing of the runner counted"
        );
        let peak = series.rss_bytes.iter().copied().max().unwrap();
        assert!(peak > 180_000_000, "the child's 200 MB: {peak}");
        assert!(series.tree_pids.iter().all(|&p| p != std::process::id()));
    }
}
