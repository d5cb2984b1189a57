//! Audio correctness and loudness of one trial's audio.
//!
//! Loudness follows ITU-R BS.1770-4 / EBU R128 through the `ebur128` crate (a port of
//! libebur128): integrated loudness with the −70 LUFS absolute and −10 LU relative gates, loudness
//! range (EBU Tech 3342) and true peak by 4× oversampling (BS.1770-4 Annex 2). The single mono
//! channel is weighted as one channel (like ffmpeg's `ebur128` and pyloudnorm), so a mono file
//! measures 3 dB lower than the same signal played as dual mono.
//! Integrated loudness needs at least one 400 ms gating block: shorter audio gets no number.

use super::audible::{audible_windows, WINDOW_S};
use ebur128::{EbuR128, Mode};
use kokoro_bench_bundle::schema::Quality;
use kokoro_bench_bundle::Real;

/// Shortest audio with a defined integrated loudness, seconds.
pub const MIN_LOUDNESS_S: f64 = 0.4;

/// Seconds of audio per phoneme token considered plausible (at speed 1.0).
pub const PLAUSIBLE_S_PER_PHONEME: [f64; 2] = [0.03, 0.16];

/// Inputs for the analysis.
pub struct QualityInput<'a> {
    /// Audio, mono.
    pub samples: &'a [f32],
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Sample index where each chunk after the first begins.
    pub joins: &'a [usize],
    /// Phoneme tokens synthesised (for the plausible-duration check).
    pub phonemes: Option<usize>,
    /// Speed factor.
    pub speed: f64,
    /// Audibility threshold, dBFS.
    pub audible_threshold_dbfs: f64,
}

fn db(linear: f64) -> f64 {
    20.0 * linear.log10()
}

/// Analyses the audio.
pub fn analyse(input: &QualityInput<'_>) -> Quality {
    let s = input.samples;
    let sr = input.sample_rate_hz;
    let dur_s = s.len() as f64 / sr as f64;
    let mut q = Quality {
        sample_peak_dbfs: Real(f64::NAN),
        true_peak_dbtp: Real(f64::NAN),
        ..Default::default()
    };
    q.nonfinite_samples = s.iter().filter(|x| !x.is_finite()).count() as u64;
    let finite: Vec<f32> = s
        .iter()
        .map(|&x| if x.is_finite() { x } else { 0.0 })
        .collect();
    q.clipped_samples = finite.iter().filter(|x| x.abs() >= 1.0).count() as u64;
    q.dc_offset = if finite.is_empty() {
        0.0
    } else {
        finite.iter().map(|&x| x as f64).sum::<f64>() / finite.len() as f64
    };

    match EbuR128::new(
        1,
        sr,
        Mode::I | Mode::LRA | Mode::SAMPLE_PEAK | Mode::TRUE_PEAK,
    ) {
        Ok(mut meter) => {
            if meter.add_frames_f32(&finite).is_ok() {
                q.sample_peak_dbfs = Real(meter.sample_peak(0).map(db).unwrap_or(f64::NAN));
                q.true_peak_dbtp = Real(meter.true_peak(0).map(db).unwrap_or(f64::NAN));
                if dur_s < MIN_LOUDNESS_S {
                    q.loudness_undefined_reason = Some(format!(
                        "{:.0} ms of audio: integrated loudness needs at least 400 ms",
                        dur_s * 1000.0
                    ));
                } else {
                    match meter.loudness_global() {
                        Ok(l) if l.is_finite() => q.integrated_lufs = Some(Real(l)),
                        _ => {
                            q.loudness_undefined_reason = Some(
                                "every block is below the −70 LUFS absolute gate (silence)".into(),
                            )
                        }
                    }
                    q.loudness_range_lu = meter
                        .loudness_range()
                        .ok()
                        .filter(|v| v.is_finite())
                        .map(Real);
                }
            }
        }
        Err(e) => q
            .problems
            .push(format!("loudness meter could not start: {e}")),
    }

    let win = audible_windows(&finite, sr, input.audible_threshold_dbfs);
    let w_ms = WINDOW_S * 1000.0;
    match (win.iter().position(|&a| a), win.iter().rposition(|&a| a)) {
        (Some(first), Some(last)) => {
            q.leading_silence_ms = first as f64 * w_ms;
            q.trailing_silence_ms = (win.len() - 1 - last) as f64 * w_ms;
            let mut run = 0usize;
            let mut longest = 0usize;
            for &a in &win[first..=last] {
                run = if a { 0 } else { run + 1 };
                longest = longest.max(run);
            }
            q.longest_internal_silence_ms = longest as f64 * w_ms;
        }
        _ => {
            q.leading_silence_ms = dur_s * 1000.0;
            q.problems.push("no audible audio at all".into());
        }
    }

    let mut steps: Vec<f64> = finite
        .windows(2)
        .map(|w| (w[1] - w[0]).abs() as f64)
        .collect();
    steps.sort_by(f64::total_cmp);
    q.median_abs_step = steps.get(steps.len() / 2).copied().unwrap_or(0.0);
    q.join_steps = input
        .joins
        .iter()
        .filter(|&&j| j > 0 && j < finite.len())
        .map(|&j| (finite[j] - finite[j - 1]).abs() as f64)
        .collect();
    let click = (20.0 * q.median_abs_step).max(0.05);
    let clicks = q.join_steps.iter().filter(|&&st| st > click).count();
    if clicks > 0 {
        q.problems.push(format!(
            "{clicks} join(s) with a step above {click:.3} (possible click)"
        ));
    }

    if q.nonfinite_samples > 0 {
        q.problems
            .push(format!("{} NaN/∞ samples", q.nonfinite_samples));
    }
    if q.clipped_samples > 0 {
        q.problems
            .push(format!("{} clipped samples", q.clipped_samples));
    }
    if q.dc_offset.abs() > 0.01 {
        q.problems.push(format!("DC offset {:.4}", q.dc_offset));
    }
    if let Some(n) = input.phonemes.filter(|&n| n > 0) {
        let range = [
            n as f64 * PLAUSIBLE_S_PER_PHONEME[0] / input.speed,
            n as f64 * PLAUSIBLE_S_PER_PHONEME[1] / input.speed,
        ];
        if dur_s < range[0] || dur_s > range[1] {
            q.problems.push(format!(
                "{dur_s:.2} s of audio for {n} phonemes is outside the plausible {:.2}–{:.2} s",
                range[0], range[1]
            ));
        }
        q.expected_duration_s = Some(range);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: u32 = 48_000;

    fn input(s: &[f32]) -> QualityInput<'_> {
        QualityInput {
            samples: s,
            sample_rate_hz: SR,
            joins: &[],
            phonemes: None,
            speed: 1.0,
            audible_threshold_dbfs: -50.0,
        }
    }

    fn sine(freq: f64, amp: f64, phase: f64, seconds: f64) -> Vec<f32> {
        (0..(SR as f64 * seconds) as usize)
            .map(|i| {
                (amp * (2.0 * std::f64::consts::PI * freq * i as f64 / SR as f64 + phase).sin())
                    as f32
            })
            .collect()
    }

    /// EBU Tech 3341 test 1 uses a 1 kHz sine at −23 dBFS on both stereo channels → −23.0 LUFS.
    /// The same sine on one channel is 3.01 dB quieter: −26.0 LUFS (±0.1 LU per Tech 3341).
    #[test]
    fn ebu_1khz_sine_loudness() {
        let amp = 10f64.powf(-23.0 / 20.0);
        let q = analyse(&input(&sine(1000.0, amp, 0.0, 20.0)));
        let l = q.integrated_lufs.unwrap().0;
        assert!((l - (-26.01)).abs() < 0.1, "{l}");
        assert!(q.loudness_range_lu.unwrap().0 < 0.5);
        assert!((q.sample_peak_dbfs.0 - (-23.0)).abs() < 0.01);
    }

    /// EBU Tech 3341 true-peak signals: a sine at fs/4 with a 45° phase offset has samples at
    /// ±amp·√½, so the sample peak is 3.01 dB below the true peak. At amplitude 0.5 the true peak is
    /// −6.02 dBTP (Tech 3341 allows +0.2/−0.4 dB for the meter).
    #[test]
    fn true_peak_sees_between_samples() {
        let q = analyse(&input(&sine(
            SR as f64 / 4.0,
            0.5,
            std::f64::consts::FRAC_PI_4,
            3.0,
        )));
        assert!(
            (q.sample_peak_dbfs.0 - (-9.03)).abs() < 0.02,
            "{}",
            q.sample_peak_dbfs
        );
        let tp = q.true_peak_dbtp.0;
        assert!(tp > -6.02 - 0.4 && tp < -6.02 + 0.2, "{tp}");
    }

    #[test]
    fn short_audio_has_no_integrated_loudness() {
        let q = analyse(&input(&sine(1000.0, 0.1, 0.0, 0.3)));
        assert!(q.integrated_lufs.is_none());
        assert!(q.loudness_undefined_reason.unwrap().contains("400 ms"));
    }

    #[test]
    fn broken_audio_is_flagged() {
        let mut s = vec![0.0f32; SR as usize / 2];
        s.extend(sine(440.0, 0.5, 0.0, 1.0));
        s[SR as usize] = f32::NAN;
        s[SR as usize + 10] = 1.5;
        let joins = [SR as usize + 100];
        s[SR as usize + 100] = 0.9;
        s[SR as usize + 99] = -0.9;
        let q = analyse(&QualityInput {
            joins: &joins,
            phonemes: Some(200),
            ..input(&s)
        });
        assert_eq!(q.nonfinite_samples, 1);
        assert_eq!(q.clipped_samples, 1);
        assert!((q.leading_silence_ms - 500.0).abs() < 11.0);
        assert!(
            q.problems.iter().any(|p| p.contains("click")),
            "{:?}",
            q.problems
        );
        assert!(
            q.problems.iter().any(|p| p.contains("plausible")),
            "{:?}",
            q.problems
        );
    }
}
