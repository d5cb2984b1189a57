//! References to files written beside the bundle, and precomputed waveform peaks.

use serde::{Deserialize, Serialize};

/// A WAV file written beside the bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AudioRef {
    /// Path relative to the bundle's folder, `/`-separated.
    pub path: String,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
    /// Duration from the counted samples, seconds.
    pub duration_s: f64,
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Min/max peaks for drawing.
    pub waveform: Waveform,
}

/// A CSV trace written beside the bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TraceRef {
    /// Path relative to the bundle's folder, `/`-separated.
    pub path: String,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
}

/// Waveform peaks: per bucket of `bucket_samples` samples, the minimum and maximum, scaled to
/// `i16` (−32768…32767 ↔ −1.0…1.0) to keep the bundle compact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Waveform {
    /// Samples per bucket.
    pub bucket_samples: u32,
    /// Per-bucket minimum.
    pub min: Vec<i16>,
    /// Per-bucket maximum.
    pub max: Vec<i16>,
}

impl Waveform {
    /// Computes `buckets` min/max pairs over `samples` (fewer when there are fewer samples).
    pub fn from_samples(samples: &[f32], buckets: usize) -> Waveform {
        if samples.is_empty() || buckets == 0 {
            return Waveform::default();
        }
        let bucket_samples = samples.len().div_ceil(buckets).max(1);
        let scale = |v: f32| (v.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        let (mut min, mut max) = (Vec::new(), Vec::new());
        for chunk in samples.chunks(bucket_samples) {
            let (lo, hi) = chunk
                .iter()
                .filter(|v| v.is_finite())
                .fold((0.0f32, 0.0f32), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            min.push(scale(lo));
            max.push(scale(hi));
        }
        Waveform {
            bucket_samples: bucket_samples as u32,
            min,
            max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_bound_the_signal() {
        let s: Vec<f32> = (0..1000).map(|i| ((i as f32) * 0.05).sin() * 0.5).collect();
        let w = Waveform::from_samples(&s, 10);
        assert_eq!(w.min.len(), 10);
        assert_eq!(w.bucket_samples, 100);
        assert!(w.max.iter().all(|&v| (0..=16384).contains(&v)));
        assert!(w.min.iter().all(|&v| (-16384..=0).contains(&v)));
        assert!(w.max.iter().any(|&v| v > 16000));
    }

    #[test]
    fn empty_input_gives_empty_waveform() {
        assert!(Waveform::from_samples(&[], 10).min.is_empty());
    }
}
