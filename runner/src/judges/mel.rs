//! Mel spectrograms exactly as librosa computes them, for models trained on librosa features
//! (DNSMOS P.808): `feature.melspectrogram` with a periodic Hann window over centred,
//! zero-padded frames, the power spectrum, Slaney's mel scale with area-normalised triangles,
//! then `power_to_db(ref=max, amin=1e-10, top_db=80)`.

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// A mel filterbank and the transform that feeds it.
pub struct MelSpec {
    n_fft: usize,
    hop: usize,
    window: Vec<f64>,
    /// `n_mels` rows of `n_fft / 2 + 1` weights.
    filters: Vec<Vec<f64>>,
    fft: Arc<dyn Fft<f64>>,
}

impl MelSpec {
    /// A transform of `n_fft`-sample frames every `hop` samples onto `n_mels` bands from 0 Hz to
    /// Nyquist.
    pub fn new(sample_rate_hz: u32, n_fft: usize, hop: usize, n_mels: usize) -> MelSpec {
        // scipy's get_window('hann', n, fftbins=True): the periodic Hann window.
        let window = (0..n_fft)
            .map(|n| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / n_fft as f64).cos())
            .collect();
        MelSpec {
            n_fft,
            hop,
            window,
            filters: slaney_filters(sample_rate_hz as f64, n_fft, n_mels),
            fft: FftPlanner::new().plan_fft_forward(n_fft),
        }
    }

    /// Power mel spectrogram: one row of `n_mels` values per frame. Frames are centred (the
    /// signal is padded with `n_fft / 2` zeros on each side), as many as fit whole in the
    /// padded signal: `1 + (len + 2 ⌊n_fft / 2⌋ − n_fft) / hop`.
    pub fn power(&self, y: &[f32]) -> Vec<Vec<f64>> {
        self.power_padded(y, false)
    }

    /// As [`MelSpec::power`], the signal's edges mirrored instead of zero-padded (numpy's
    /// `reflect`: the edge sample itself is not repeated), as torch and Whisper's front ends
    /// centre their frames.
    pub fn power_reflect(&self, y: &[f32]) -> Vec<Vec<f64>> {
        self.power_padded(y, true)
    }

    fn power_padded(&self, y: &[f32], reflect: bool) -> Vec<Vec<f64>> {
        let pad = self.n_fft / 2;
        let mut padded = vec![0.0f64; y.len() + 2 * pad];
        for (d, &s) in padded[pad..].iter_mut().zip(y) {
            *d = f64::from(s);
        }
        if reflect && y.len() > pad {
            for i in 0..pad {
                padded[pad - 1 - i] = f64::from(y[i + 1]);
                padded[pad + y.len() + i] = f64::from(y[y.len() - 2 - i]);
            }
        }
        let frames = if padded.len() >= self.n_fft {
            1 + (padded.len() - self.n_fft) / self.hop
        } else {
            0
        };
        let bins = self.n_fft / 2 + 1;
        let mut buf = vec![Complex::new(0.0, 0.0); self.n_fft];
        let mut power = vec![0.0f64; bins];
        (0..frames)
            .map(|f| {
                let frame = &padded[f * self.hop..f * self.hop + self.n_fft];
                for ((b, &s), &w) in buf.iter_mut().zip(frame).zip(&self.window) {
                    *b = Complex::new(s * w, 0.0);
                }
                self.fft.process(&mut buf);
                for (p, c) in power.iter_mut().zip(&buf) {
                    *p = c.norm_sqr();
                }
                self.filters
                    .iter()
                    .map(|row| row.iter().zip(&power).map(|(w, p)| w * p).sum())
                    .collect()
            })
            .collect()
    }
}

/// librosa's `power_to_db(S, ref=np.max, amin=1e-10, top_db)`, in place.
pub fn power_to_db_ref_max(spec: &mut [Vec<f64>], top_db: f64) {
    const AMIN: f64 = 1e-10;
    let reference = spec
        .iter()
        .flatten()
        .fold(0.0f64, |m, &v| m.max(v))
        .max(AMIN);
    let offset = 10.0 * reference.log10();
    let mut top = f64::NEG_INFINITY;
    for v in spec.iter_mut().flatten() {
        *v = 10.0 * v.max(AMIN).log10() - offset;
        top = top.max(*v);
    }
    for v in spec.iter_mut().flatten() {
        *v = v.max(top - top_db);
    }
}

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Slaney's mel scale (librosa's default, `htk=False`): linear below 1 kHz, logarithmic above.
fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

/// librosa's `filters.mel(sr, n_fft, n_mels, fmin=0, fmax=sr/2, norm="slaney")`.
fn slaney_filters(sample_rate_hz: f64, n_fft: usize, n_mels: usize) -> Vec<Vec<f64>> {
    let bins = n_fft / 2 + 1;
    let fft_hz: Vec<f64> = (0..bins)
        .map(|k| k as f64 * sample_rate_hz / n_fft as f64)
        .collect();
    let top = hz_to_mel(sample_rate_hz / 2.0);
    let mel_hz: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(top * i as f64 / (n_mels + 1) as f64))
        .collect();
    (0..n_mels)
        .map(|i| {
            let (lo, mid, hi) = (mel_hz[i], mel_hz[i + 1], mel_hz[i + 2]);
            let area = 2.0 / (hi - lo);
            fft_hz
                .iter()
                .map(|&f| {
                    let rising = (f - lo) / (mid - lo);
                    let falling = (hi - f) / (hi - mid);
                    rising.min(falling).max(0.0) * area
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips_and_bends_at_one_kilohertz() {
        for hz in [0.0, 300.0, 999.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9, "{hz}");
        }
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        assert!((hz_to_mel(6400.0) - 42.0).abs() < 1e-9);
    }

    #[test]
    fn a_tone_lights_the_band_that_holds_it_and_frames_are_centred() {
        let sr = 16_000;
        let spec = MelSpec::new(sr, 321, 160, 120);
        let tone: Vec<f32> = (0..16_000)
            .map(|i| (2.0 * std::f32::consts::PI * 1_000.0 * i as f32 / sr as f32).sin())
            .collect();
        let p = spec.power(&tone);
        // An odd n_fft: 1 + (16000 + 320 − 321) / 160, as librosa gives (900 for DNSMOS's 144000).
        assert_eq!(p.len(), 100);
        let mid = &p[50];
        let loudest = (0..120).max_by(|&a, &b| mid[a].total_cmp(&mid[b])).unwrap();
        // Band centres: the band whose triangle peaks nearest 1 kHz.
        let top = hz_to_mel(8_000.0);
        let centre = |i: usize| mel_to_hz(top * (i + 1) as f64 / 121.0);
        assert!(
            (centre(loudest) - 1_000.0).abs() < 80.0,
            "{}",
            centre(loudest)
        );
        let mut db = p.clone();
        power_to_db_ref_max(&mut db, 80.0);
        let max = db.iter().flatten().fold(f64::MIN, |m, &v| m.max(v));
        let min = db.iter().flatten().fold(f64::MAX, |m, &v| m.min(v));
        assert!(max.abs() < 1e-9 && (min + 80.0).abs() < 1e-9, "{max} {min}");
    }
}
