//! "Audible": the first 10 ms window whose RMS reaches a threshold (default −50 dBFS).
//! Digital silence or a header sent early does not count as audio a listener hears.

/// Window length, seconds.
pub const WINDOW_S: f64 = 0.010;

/// Default audibility threshold, dBFS.
pub const DEFAULT_THRESHOLD_DBFS: f64 = -50.0;

/// Per-window audibility of `samples` (non-overlapping 10 ms windows; a trailing partial window
/// counts when it is at least half a window long).
pub fn audible_windows(samples: &[f32], sample_rate_hz: u32, threshold_dbfs: f64) -> Vec<bool> {
    let w = ((sample_rate_hz as f64 * WINDOW_S).round() as usize).max(1);
    let threshold = 10f64.powf(threshold_dbfs / 20.0);
    samples
        .chunks(w)
        .filter(|c| c.len() * 2 >= w)
        .map(|c| {
            let ms = c
                .iter()
                .map(|&x| {
                    if x.is_finite() {
                        (x as f64).powi(2)
                    } else {
                        0.0
                    }
                })
                .sum::<f64>()
                / c.len() as f64;
            ms.sqrt() >= threshold
        })
        .collect()
}

/// Index of the first sample of the first audible window.
pub fn first_audible_sample(
    samples: &[f32],
    sample_rate_hz: u32,
    threshold_dbfs: f64,
) -> Option<usize> {
    let w = ((sample_rate_hz as f64 * WINDOW_S).round() as usize).max(1);
    audible_windows(samples, sample_rate_hz, threshold_dbfs)
        .iter()
        .position(|&a| a)
        .map(|i| i * w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_then_tone() {
        let sr = 24_000;
        let mut s = vec![0.0f32; 2400]; // 100 ms silence
        s.extend((0..2400).map(|i| 0.1 * (i as f32 * 0.1).sin()));
        assert_eq!(first_audible_sample(&s, sr, -50.0), Some(2400));
        assert_eq!(first_audible_sample(&vec![0.0; 5000], sr, -50.0), None);
        // A −60 dBFS hiss is not audible at −50.
        let hiss: Vec<f32> = (0..4800)
            .map(|i| if i % 2 == 0 { 0.001 } else { -0.001 })
            .collect();
        assert_eq!(first_audible_sample(&hiss, sr, -50.0), None);
    }
}
