//! The trace every target produces, and what is computed from it the same way for all of them.

use crate::measure::audible::first_audible_sample;
use kokoro_bench_bundle::playback::play_time_ms;
use kokoro_bench_bundle::schema::Trial;

/// A trial and the audio it produced.
pub struct TrialOutput {
    /// Measurements.
    pub trial: Trial,
    /// Audio (all delivered chunks, joined).
    pub samples: Vec<f32>,
    /// Sample index where each chunk after the first starts (synthesis joins; empty for targets
    /// whose pieces are socket or pipe reads, not model calls).
    pub joins: Vec<usize>,
}

/// Fills what every target computes the same way from the chunk series and the audio: the
/// leading silence, the heard-speech latency (when a real-time player starting at the first audio
/// plus `prebuffer_ms` plays the first audible window), the arrival of the chunk holding it, and
/// RTF. Needs `chunks`, `total_ms`, `sample_rate_hz`, `audio_s` and `error` set.
pub fn finish(trial: &mut Trial, samples: &[f32], audible_threshold_dbfs: f64, prebuffer_ms: f64) {
    if let Some(i) = first_audible_sample(samples, trial.sample_rate_hz, audible_threshold_dbfs) {
        let lead_ms = i as f64 * 1000.0 / trial.sample_rate_hz.max(1) as f64;
        trial.leading_silence_ms = Some(lead_ms);
        trial.heard_ms = play_time_ms(
            &trial.chunks.t_ms,
            &trial.chunks.samples,
            trial.sample_rate_hz,
            prebuffer_ms,
            lead_ms,
        );
        let mut acc = 0usize;
        for (k, &n) in trial.chunks.samples.iter().enumerate() {
            acc += n as usize;
            if i < acc {
                trial.ttfa_audible_ms = Some(trial.chunks.t_ms[k]);
                break;
            }
        }
    }
    if trial.error.is_none() && trial.audio_s > 0.0 {
        trial.rtf = trial.total_ms.map(|t| t / 1000.0 / trial.audio_s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kokoro_bench_bundle::schema::ChunkSeries;

    #[test]
    fn silence_before_speech_counts_on_the_playback_clock() {
        // 1 s of silence, then speech, all in one chunk at 300 ms: the first sample arrives at
        // 300 ms, the audible chunk too, but a listener hears speech at 1300 ms.
        let sr = 24_000;
        let mut samples = vec![0.0f32; sr as usize];
        samples.extend((0..sr).map(|i| 0.2 * (i as f32 * 0.07).sin()));
        let mut t = Trial {
            sample_rate_hz: sr,
            total_ms: Some(300.0),
            audio_s: 2.0,
            ttfa_ms: Some(300.0),
            chunks: ChunkSeries {
                t_ms: vec![300.0],
                samples: vec![2 * sr],
                ..Default::default()
            },
            ..Default::default()
        };
        finish(&mut t, &samples, -50.0, 0.0);
        assert_eq!(t.ttfa_audible_ms, Some(300.0));
        assert_eq!(t.leading_silence_ms, Some(1000.0));
        assert!((t.heard_ms.unwrap() - 1300.0).abs() < 1e-6);
        finish(&mut t, &samples, -50.0, 200.0);
        assert!(
            (t.heard_ms.unwrap() - 1500.0).abs() < 1e-6,
            "a pre-buffer delays the player"
        );
        let mut quiet = Trial {
            sample_rate_hz: sr,
            ..Default::default()
        };
        finish(&mut quiet, &vec![0.0; 4800], -50.0, 0.0);
        assert_eq!((quiet.heard_ms, quiet.leading_silence_ms), (None, None));
    }
}
