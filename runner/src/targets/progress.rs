//! What a request in flight has delivered so far, for someone watching from another thread (a
//! listener who interrupts after hearing part of the audio). Every target reports each chunk of
//! audio as it arrives; without a watcher nothing is reported.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// Audio delivered so far by one request (or by the requests of one turn).
#[derive(Debug, Default)]
pub struct Progress {
    first_audio: OnceLock<Instant>,
    samples: AtomicU64,
    rate_hz: AtomicU32,
}

impl Progress {
    /// A chunk of `samples` samples at `rate_hz` arrived now.
    pub fn audio(&self, samples: usize, rate_hz: u32) {
        if samples == 0 {
            return;
        }
        self.first_audio.get_or_init(Instant::now);
        self.rate_hz.store(rate_hz, Ordering::Relaxed);
        self.samples.fetch_add(samples as u64, Ordering::Relaxed);
    }

    /// When the first audio arrived, if it has.
    pub fn first_audio(&self) -> Option<Instant> {
        self.first_audio.get().copied()
    }

    /// Seconds of audio delivered so far.
    pub fn delivered_s(&self) -> f64 {
        let rate = self.rate_hz.load(Ordering::Relaxed);
        if rate == 0 {
            return 0.0;
        }
        self.samples.load(Ordering::Relaxed) as f64 / f64::from(rate)
    }
}

/// Reports a chunk to the request's watcher, if it has one.
pub fn report(progress: Option<&Progress>, samples: usize, rate_hz: u32) {
    if let Some(p) = progress {
        p.audio(samples, rate_hz);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_add_up_to_seconds_and_the_first_one_is_timed_once() {
        let p = Progress::default();
        assert_eq!(p.delivered_s(), 0.0);
        assert!(p.first_audio().is_none());
        p.audio(0, 24_000);
        assert!(p.first_audio().is_none(), "an empty chunk is not audio");
        p.audio(12_000, 24_000);
        let first = p.first_audio().unwrap();
        p.audio(36_000, 24_000);
        assert_eq!(p.first_audio(), Some(first));
        assert!((p.delivered_s() - 2.0).abs() < 1e-9);
    }
}
