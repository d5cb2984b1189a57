//! The listener who interrupts: a player on the request's playback clock (it starts at the first
//! audio plus the pre-buffer and plays what has arrived, stalling when nothing has), who stops
//! once it has played a given length — and what is watched after: the serving process's CPU.

use crate::measure::contention::sampled_cpu_ns;
use crate::measure::memory::Scope;
use crate::targets::progress::Progress;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often the player looks at what has arrived.
const TICK: Duration = Duration::from_millis(2);

/// Plays what `progress` reports until `at_s` seconds have played; then raises `stop` (the
/// request's cancel flag) and returns when. `None` when the audio ran out first (`done`: no more
/// will come) or Ctrl-C came (`ctrl_c`, passed on to `stop`).
pub fn listen(
    progress: &Progress,
    (stop, done, ctrl_c): (&AtomicBool, &AtomicBool, Option<&AtomicBool>),
    at_s: f64,
    prebuffer: Duration,
) -> Option<Instant> {
    let mut played_s = 0.0;
    let mut last: Option<Instant> = None;
    loop {
        if ctrl_c.is_some_and(|c| c.load(Ordering::SeqCst)) {
            stop.store(true, Ordering::SeqCst);
            return None;
        }
        // Read `done` before the audio: everything counted below had arrived when it was set.
        let finished = done.load(Ordering::SeqCst);
        let now = Instant::now();
        if let Some(first) = progress.first_audio() {
            let start = first + prebuffer;
            if now >= start {
                let from = last.map_or(start, |l| l.max(start));
                let buffered_s = (progress.delivered_s() - played_s).max(0.0);
                let step_s = now.duration_since(from).as_secs_f64().min(buffered_s);
                if played_s + step_s >= at_s {
                    // Stopped mid-tick: when the player reached `at_s`.
                    let over = Duration::from_secs_f64(played_s + step_s - at_s);
                    stop.store(true, Ordering::SeqCst);
                    return Some(now.checked_sub(over).unwrap_or(now).max(from));
                }
                played_s += step_s;
                last = Some(now);
                if finished && progress.delivered_s() - played_s <= 0.0 {
                    return None;
                }
            }
        } else if finished {
            return None;
        }
        std::thread::sleep(TICK);
    }
}

/// The process whose CPU is watched: PID and which processes around it.
pub type Watched = Option<(u32, Scope)>;

/// CPU of the watched processes over a window ending now, % of one core.
struct Window {
    samples: Vec<(Instant, u64)>,
}

/// How long each CPU window is: ten clock ticks of 10 ms, so one tick more or less is 10 points.
const WINDOW: Duration = Duration::from_millis(100);
/// How often a window ends.
const STEP: Duration = Duration::from_millis(20);
/// How far above its idle level the CPU may stay and still count as released, % of one core.
pub const RELEASED_ABOVE_IDLE_PCT: f64 = 10.0;

impl Window {
    fn push(&mut self, at: Instant, ns: u64) -> Option<(Instant, f64)> {
        self.samples.push((at, ns));
        let (t0, n0) = *self
            .samples
            .iter()
            .rev()
            .find(|(t, _)| at.duration_since(*t) >= WINDOW)?;
        self.samples.retain(|(t, _)| *t >= t0);
        let wall = at.duration_since(t0).as_secs_f64();
        Some((t0, ns.saturating_sub(n0) as f64 / 1e9 / wall * 100.0))
    }
}

/// The watched processes' CPU when nothing is asked of them, % of one core, over `over`.
pub fn idle_cpu_pct(watched: Watched, over: Duration) -> Option<f64> {
    let (pid, scope) = watched?;
    let (t0, n0) = (Instant::now(), sampled_cpu_ns(pid, scope)?);
    std::thread::sleep(over);
    let n1 = sampled_cpu_ns(pid, scope)?;
    Some(n1.saturating_sub(n0) as f64 / 1e9 / t0.elapsed().as_secs_f64() * 100.0)
}

/// What the CPU watch after an interruption saw.
#[derive(Debug, Default, PartialEq)]
pub struct Release {
    /// Interruption → the start of the first window at idle, ms.
    pub release_ms: Option<f64>,
    /// How long it watched after the interruption, ms.
    pub watched_ms: f64,
    /// (ms after the interruption at the window's end, % of one core).
    pub series: Vec<(f64, f64)>,
}

/// Watches the CPU from now until a 100 ms window is within [`RELEASED_ABOVE_IDLE_PCT`] of
/// `idle_pct`, or `bound` after `interrupted`. `None` when nothing can be sampled.
pub fn watch_release(
    watched: Watched,
    idle_pct: f64,
    interrupted: Instant,
    bound: Duration,
) -> Option<Release> {
    let (pid, scope) = watched?;
    let ms = |t: Instant| t.saturating_duration_since(interrupted).as_secs_f64() * 1000.0;
    let mut w = Window {
        samples: Vec::new(),
    };
    let mut out = Release::default();
    loop {
        let now = Instant::now();
        let ns = sampled_cpu_ns(pid, scope)?;
        if let Some((from, pct)) = w.push(now, ns) {
            out.series.push((ms(now), pct));
            if pct <= idle_pct + RELEASED_ABOVE_IDLE_PCT {
                out.release_ms = Some(ms(from));
                break;
            }
        }
        if now.duration_since(interrupted) >= bound {
            break;
        }
        std::thread::sleep(STEP);
    }
    out.watched_ms = ms(Instant::now());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn the_listener_stops_after_the_played_length_and_counts_stalls() {
        // 0.3 s of audio at once, then 0.3 s more 0.4 s later: the player plays 0.3 s, stalls
        // 0.1 s, and reaches 0.5 s of audio about 0.6 s after the first chunk.
        let progress = Progress::default();
        let (stop, done) = (AtomicBool::new(false), AtomicBool::new(false));
        let t0 = Instant::now();
        let at = std::thread::scope(|s| {
            let h = s.spawn(|| listen(&progress, (&stop, &done, None), 0.5, Duration::ZERO));
            progress.audio(7_200, 24_000);
            std::thread::sleep(Duration::from_millis(400));
            progress.audio(7_200, 24_000);
            h.join().unwrap()
        });
        let after_ms = at.unwrap().duration_since(t0).as_secs_f64() * 1000.0;
        assert!(stop.load(Ordering::SeqCst));
        assert!(after_ms >= 590.0, "interrupted at {after_ms:.0} ms");
    }

    #[test]
    fn audio_that_ends_before_the_interrupt_is_not_interrupted() {
        let progress = Progress::default();
        let (stop, done) = (AtomicBool::new(false), AtomicBool::new(false));
        progress.audio(2_400, 24_000);
        done.store(true, Ordering::SeqCst);
        assert_eq!(
            listen(&progress, (&stop, &done, None), 0.5, Duration::ZERO),
            None
        );
        assert!(!stop.load(Ordering::SeqCst));
    }

    #[test]
    fn our_own_idle_process_is_released_at_once() {
        let me = Some((std::process::id(), Scope::Process));
        let Some(idle) = idle_cpu_pct(me, Duration::from_millis(200)) else {
            return; // no CPU accounting on this OS
        };
        let r = watch_release(me, idle, Instant::now(), Duration::from_secs(2)).unwrap();
        assert!(r.release_ms.is_some(), "{r:?}");
        assert!(r.series.iter().all(|(t, _)| *t >= 100.0));
    }
}
