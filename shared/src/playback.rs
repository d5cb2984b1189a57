//! Playback-clock simulation: would a real-time player have stalled on this stream?
//!
//! The old suite flagged an "underrun" whenever a read gap exceeded twice the median gap; that
//! flags bursty but well-buffered streams and misses streams uniformly slower than real time.
//! Here a player is simulated instead:
//!
//! * playback starts `prebuffer_ms` after the first audio arrives (wall-clock delay, default 0);
//! * it then consumes audio at real time (1 s of audio per 1 s of wall clock);
//! * whenever everything delivered so far has been played while more audio is still to come, the
//!   player stalls (an *underrun*) until the next chunk arrives, then resumes at once.
//!
//! The minimum pre-buffer that would have avoided every stall has a closed form. Let chunk `i`
//! arrive at `t_i` with `D_i` seconds of audio delivered by chunks `0..i`. Starting playback at `s`
//! is stall-free iff `s + D_i ≥ t_i` for every `i ≥ 1`, so the earliest stall-free start is
//! `s* = max(t_0, max_i (t_i − D_i))` and the minimum pre-buffer is `s* − t_0`.

use serde::{Deserialize, Serialize};

/// Result of the simulation for one trial.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Playback {
    /// Pre-buffer used, ms of wall clock after the first audio.
    pub prebuffer_ms: f64,
    /// Number of stalls.
    pub underruns: u32,
    /// Total stall time, ms.
    pub stall_total_ms: f64,
    /// Longest stall, ms.
    pub stall_max_ms: f64,
    /// Underruns per 10 minutes of audio.
    pub underruns_per_10min: f64,
    /// Smallest pre-buffer that would have avoided every stall, ms.
    pub min_prebuffer_ms: f64,
    /// Stalls as `[start, end]`, ms from the request start.
    pub stalls_ms: Vec<[f64; 2]>,
    /// Buffer level series: times, ms from the request start.
    pub buffer_t_ms: Vec<f64>,
    /// Buffer level series: audio buffered and not yet played, ms.
    pub buffer_ms: Vec<f64>,
}

/// Simulates a real-time player over chunk arrivals.
///
/// `t_ms[i]` is the arrival time of chunk `i` (non-decreasing), `samples[i]` its size. Chunks with
/// zero samples are ignored. Returns `None` when no audio arrived at all.
pub fn simulate(
    t_ms: &[f64],
    samples: &[u32],
    sample_rate_hz: u32,
    prebuffer_ms: f64,
) -> Option<Playback> {
    let arrivals: Vec<(f64, f64)> = t_ms
        .iter()
        .zip(samples)
        .filter(|(_, &n)| n > 0)
        .map(|(&t, &n)| (t, n as f64 * 1000.0 / sample_rate_hz as f64))
        .collect();
    let &(t0, _) = arrivals.first()?;
    let total_audio_ms: f64 = arrivals.iter().map(|a| a.1).sum();

    // Minimum stall-free start (see module docs).
    let mut delivered_ms = 0.0;
    let mut earliest_start = t0;
    for &(t, dur) in &arrivals {
        earliest_start = earliest_start.max(t - delivered_ms);
        delivered_ms += dur;
    }

    let start = t0 + prebuffer_ms.max(0.0);
    let mut sim = Sim {
        clock: t0,
        played: 0.0,
        delivered: 0.0,
        playing_from: start,
        out: Playback::default(),
    };
    for &(t, dur) in &arrivals {
        sim.advance_to(t);
        sim.delivered += dur;
        sim.record(t);
    }
    // After the last arrival nothing can stall: the player drains the buffer.
    let end = sim.playing_from.max(sim.clock) + (sim.delivered - sim.played);
    sim.played = sim.delivered;
    sim.record(end);

    let mut out = sim.out;
    out.prebuffer_ms = prebuffer_ms;
    out.min_prebuffer_ms = earliest_start - t0;
    out.underruns_per_10min = if total_audio_ms > 0.0 {
        out.underruns as f64 / (total_audio_ms / 600_000.0)
    } else {
        0.0
    };
    Some(out)
}

struct Sim {
    clock: f64,
    played: f64,
    delivered: f64,
    /// Wall time from which the player is (or will be) consuming.
    playing_from: f64,
    out: Playback,
}

impl Sim {
    /// Plays from `self.clock` to `t`, registering a stall if the buffer runs dry first.
    fn advance_to(&mut self, t: f64) {
        if t <= self.clock {
            return;
        }
        let from = self.clock.max(self.playing_from);
        if t > from {
            let can_play = self.delivered - self.played;
            let want = t - from;
            if want > can_play {
                self.played = self.delivered;
                let stall_start = from + can_play;
                self.record(stall_start);
                self.out.underruns += 1;
                self.out.stalls_ms.push([stall_start, t]);
                self.out.stall_total_ms += t - stall_start;
                self.out.stall_max_ms = self.out.stall_max_ms.max(t - stall_start);
                self.playing_from = t;
            } else {
                self.played += want;
            }
        }
        self.clock = t;
    }

    fn record(&mut self, t: f64) {
        self.out.buffer_t_ms.push(t);
        self.out.buffer_ms.push(self.delivered - self.played);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: u32 = 1000; // 1 sample = 1 ms keeps the arithmetic readable

    #[test]
    fn faster_than_real_time_never_stalls() {
        // 500 ms of audio every 100 ms.
        let t = [100.0, 200.0, 300.0, 400.0];
        let n = [500, 500, 500, 500];
        let p = simulate(&t, &n, SR, 0.0).unwrap();
        assert_eq!(p.underruns, 0);
        assert_eq!(p.stall_total_ms, 0.0);
        assert_eq!(p.min_prebuffer_ms, 0.0);
    }

    #[test]
    fn uniformly_slow_stream_stalls_every_chunk() {
        // 100 ms of audio arriving every 150 ms: 50 ms stall before each later chunk.
        let t = [0.0, 150.0, 300.0, 450.0];
        let n = [100, 100, 100, 100];
        let p = simulate(&t, &n, SR, 0.0).unwrap();
        assert_eq!(p.underruns, 3);
        assert!((p.stall_total_ms - 150.0).abs() < 1e-9);
        assert!((p.stall_max_ms - 50.0).abs() < 1e-9);
        // Starting 150 ms late avoids all stalls: t_3 - D_3 = 450 - 300.
        assert!((p.min_prebuffer_ms - 150.0).abs() < 1e-9);
        let fixed = simulate(&t, &n, SR, p.min_prebuffer_ms).unwrap();
        assert_eq!(fixed.underruns, 0);
        let almost = simulate(&t, &n, SR, p.min_prebuffer_ms - 1.0).unwrap();
        assert_eq!(almost.underruns, 1);
    }

    #[test]
    fn one_late_chunk_is_one_stall() {
        let t = [0.0, 100.0, 900.0];
        let n = [300, 300, 300];
        let p = simulate(&t, &n, SR, 0.0).unwrap();
        assert_eq!(p.underruns, 1);
        assert_eq!(p.stalls_ms, vec![[600.0, 900.0]]);
        assert!((p.underruns_per_10min - 1.0 / (0.9 / 600.0)).abs() < 1e-6);
    }

    #[test]
    fn buffer_never_negative_and_ends_empty() {
        let t = [10.0, 20.0, 500.0, 520.0];
        let n = [50, 400, 10, 300];
        let p = simulate(&t, &n, SR, 0.0).unwrap();
        assert!(p.buffer_ms.iter().all(|&b| b >= -1e-9));
        assert_eq!(*p.buffer_ms.last().unwrap(), 0.0);
        assert!(p.buffer_t_ms.windows(2).all(|w| w[1] >= w[0]));
    }

    #[test]
    fn no_audio_is_no_result() {
        assert!(simulate(&[], &[], SR, 0.0).is_none());
        assert!(simulate(&[5.0], &[0], SR, 0.0).is_none());
    }
}
