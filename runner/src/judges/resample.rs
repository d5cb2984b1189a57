//! Sample-rate conversion for the judges (their models hear 16 kHz): rubato's synchronous FFT
//! resampler over the whole clip, start-up delay trimmed.

use anyhow::{Context, Result};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

/// `samples` at `from_hz`, converted to `to_hz` (a copy when the rates match).
///
/// # Errors
/// A rate of 0 or a resampler that refuses the ratio.
pub fn resample(samples: &[f32], from_hz: u32, to_hz: u32) -> Result<Vec<f32>> {
    if from_hz == to_hz || samples.is_empty() {
        return Ok(samples.to_vec());
    }
    let mut r = Fft::<f32>::new(from_hz as usize, to_hz as usize, 1024, 1, FixedSync::Both)
        .with_context(|| format!("cannot resample {from_hz} Hz to {to_hz} Hz"))?;
    let input = InterleavedSlice::new(samples, 1, samples.len())
        .context("internal: resampler input size")?;
    let out = r
        .process_all(&input, samples.len(), None)
        .with_context(|| format!("resampling {from_hz} Hz to {to_hz} Hz failed"))?;
    Ok(out.take_data())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_duration_and_a_tone_below_the_new_nyquist() {
        let tone = |sr: u32, n: usize| -> Vec<f32> {
            (0..n)
                .map(|i| (2.0 * std::f32::consts::PI * 440.0 * i as f32 / sr as f32).sin())
                .collect()
        };
        let x = tone(24_000, 24_000);
        let y = resample(&x, 24_000, 16_000).unwrap();
        assert!((y.len() as i64 - 16_000).abs() <= 1, "{}", y.len());
        let want = tone(16_000, y.len());
        // Away from the edges the resampled tone is the tone.
        let err = y[2_000..14_000]
            .iter()
            .zip(&want[2_000..14_000])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(err < 1e-3, "{err}");
        assert_eq!(resample(&x, 24_000, 24_000).unwrap(), x);
    }
}
