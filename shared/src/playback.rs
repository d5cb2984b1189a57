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

pub use crate::schema::Playback;

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

/// When a player (started at first audio + `prebuffer_ms`, real time, stalling when the buffer
/// is empty) plays the audio at `position_ms` of the stream: the playback clock, in ms since the
/// request. `None` when no audio arrived or the stream is shorter than `position_ms`.
///
/// Audio at position `P` lies in a chunk that starts at `D_i ≤ P` of delivered audio; the player
/// can play it no earlier than `t_i + (P − D_i)` for every chunk that starts at or before `P`
/// (it waits for each to arrive, then plays on), and no earlier than `start + P`. So
/// `play(P) = max(t_0 + prebuffer + P, max_{i: D_i ≤ P} t_i + P − D_i)` — the same player as
/// [`simulate`], in closed form.
pub fn play_time_ms(
    t_ms: &[f64],
    samples: &[u32],
    sample_rate_hz: u32,
    prebuffer_ms: f64,
    position_ms: f64,
) -> Option<f64> {
    let mut delivered_ms = 0.0;
    let mut first = None;
    let mut at = f64::NEG_INFINITY;
    for (&t, &n) in t_ms.iter().zip(samples).filter(|(_, &n)| n > 0) {
        if delivered_ms > position_ms {
            break;
        }
        let t0 = *first.get_or_insert(t);
        at = at
            .max(t + position_ms - delivered_ms)
            .max(t0 + prebuffer_ms.max(0.0) + position_ms);
        delivered_ms += n as f64 * 1000.0 / sample_rate_hz.max(1) as f64;
    }
    (first.is_some() && position_ms <= delivered_ms).then_some(at)
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
    fn the_playback_clock_agrees_with_the_simulation() {
        // Silence leads the first chunk; the player reaches speech late, later still after a stall.
        let t = [100.0, 400.0, 1500.0];
        let n = [200, 300, 400];
        assert_eq!(play_time_ms(&t, &n, SR, 0.0, 0.0), Some(100.0));
        assert_eq!(play_time_ms(&t, &n, SR, 0.0, 150.0), Some(250.0));
        // Position 250 is in the second chunk (arrives 400, starts at 200): played at 450.
        assert_eq!(play_time_ms(&t, &n, SR, 0.0, 250.0), Some(450.0));
        // Position 600: the simulated player stalled 300–400 and 700–1500 to get there.
        let p = simulate(&t, &n, SR, 0.0).unwrap();
        assert_eq!(p.stalls_ms, vec![[300.0, 400.0], [700.0, 1500.0]]);
        let stalled: f64 = p.stalls_ms.iter().map(|s| s[1] - s[0]).sum();
        assert_eq!(100.0 + 600.0 + stalled, 1600.0);
        assert_eq!(play_time_ms(&t, &n, SR, 0.0, 600.0), Some(1600.0));
        // A pre-buffer delays everything by at least itself.
        assert_eq!(play_time_ms(&t, &n, SR, 500.0, 0.0), Some(600.0));
        assert_eq!(
            play_time_ms(&t, &n, SR, 0.0, 10_000.0),
            None,
            "past the end"
        );
        assert_eq!(play_time_ms(&[], &[], SR, 0.0, 0.0), None);
    }

    #[test]
    fn no_audio_is_no_result() {
        assert!(simulate(&[], &[], SR, 0.0).is_none());
        assert!(simulate(&[5.0], &[0], SR, 0.0).is_none());
    }
}
