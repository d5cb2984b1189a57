//! RSS and CPU of the synthesising process, sampled on a background thread with `sysinfo`.
//! For the in-process engine that process is the runner itself (the engine runs inside it).

use kokoro_bench_bundle::schema::MemorySeries;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// A running sampler.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    data: Arc<Mutex<MemorySeries>>,
    thread: Option<JoinHandle<()>>,
    origin: Instant,
}

/// One sample: RSS and CPU of `pid` (plus its descendants when `tree`), and the PIDs summed.
fn sample(sys: &mut System, pid: Pid, tree: bool) -> Option<(u64, f32, Vec<u32>)> {
    let kind = ProcessRefreshKind::nothing().with_memory().with_cpu();
    if !tree {
        sys.refresh_processes_specifics(ProcessesToUpdate::Some(&[pid]), false, kind);
        return sys
            .process(pid)
            .map(|p| (p.memory(), p.cpu_usage(), vec![pid.as_u32()]));
    }
    sys.refresh_processes_specifics(ProcessesToUpdate::All, true, kind);
    sys.process(pid)?;
    let pids = super::process::tree(sys, pid.as_u32());
    let (mut rss, mut cpu) = (0u64, 0f32);
    for p in pids.iter().filter_map(|&p| sys.process(Pid::from_u32(p))) {
        rss += p.memory();
        cpu += p.cpu_usage();
    }
    Some((rss, cpu, pids))
}

impl Sampler {
    /// Starts sampling `pid` (with its descendants when `tree`) every `interval`; times are ms
    /// since `origin`.
    pub fn start(
        pid: u32,
        process: &str,
        interval: Duration,
        origin: Instant,
        tree: bool,
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
                let pid = Pid::from_u32(pid);
                let mut cost_total = Duration::ZERO;
                let mut n = 0u32;
                let mut next = Instant::now();
                while !stop2.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    if let Some((rss, cpu, pids)) = sample(&mut sys, pid, tree) {
                        let footprint = super::process::footprint_bytes(pid.as_u32());
                        cost_total += t.elapsed();
                        n += 1;
                        if let Ok(mut d) = data2.lock() {
                            d.t_ms.push(t.duration_since(origin).as_secs_f64() * 1000.0);
                            d.rss_bytes.push(rss);
                            d.cpu_percent.push(cpu);
                            d.footprint_bytes.extend(footprint);
                            if tree {
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
        let (pid, tree) = self
            .data
            .lock()
            .map(|d| (d.pid, !d.tree_pids.is_empty()))
            .unwrap_or((0, false));
        if let Some((rss, _, _)) = sample(&mut sys, Pid::from_u32(pid), tree) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_this_process_and_sees_an_allocation() {
        let origin = Instant::now();
        let s = Sampler::start(
            std::process::id(),
            "test",
            Duration::from_millis(10),
            origin,
            false,
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
}
