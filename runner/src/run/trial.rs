//! One trial on the in-process engine: submit, timestamp every chunk as the consumer receives it,
//! and turn the trace into a [`Trial`] with its audio.

use crate::engine::{EngineHandle, SynthEvent, SynthRequest, SAMPLE_RATE_HZ};
use crate::measure::audible::first_audible_sample;
use kokoro_bench_bundle::schema::{ChunkSeries, Trial, TrialError, TrialKind};
use std::time::Instant;

/// A trial and the audio it produced.
pub struct TrialOutput {
    /// Measurements.
    pub trial: Trial,
    /// Audio (all delivered chunks, joined).
    pub samples: Vec<f32>,
    /// Sample index where each chunk after the first starts.
    pub joins: Vec<usize>,
}

/// Fills what every target computes the same way from the chunk series and the audio: first
/// audible sample (available when the chunk holding it arrived) and RTF. Needs `chunks`,
/// `total_ms`, `sample_rate_hz`, `audio_s` and `error` set.
pub fn finish(trial: &mut Trial, samples: &[f32], audible_threshold_dbfs: f64) {
    if let Some(i) = first_audible_sample(samples, trial.sample_rate_hz, audible_threshold_dbfs) {
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

/// Runs one synthesis and measures it. `run_origin` aligns the trial with the memory series.
pub fn run_trial(
    engine: &EngineHandle,
    req: SynthRequest,
    index: u32,
    kind: TrialKind,
    run_origin: Instant,
    audible_threshold_dbfs: f64,
) -> TrialOutput {
    let start = Instant::now();
    let mut trial = Trial {
        index,
        kind,
        start_ms: start.duration_since(run_origin).as_secs_f64() * 1000.0,
        sample_rate_hz: SAMPLE_RATE_HZ,
        ..Default::default()
    };
    let mut samples: Vec<f32> = Vec::new();
    let mut joins = Vec::new();
    let mut chunks = ChunkSeries::default();
    let mut phonemes = 0u32;
    let ms = |t: Instant| t.duration_since(start).as_secs_f64() * 1000.0;
    match engine.synthesize(req) {
        Err(e) => {
            trial.error = Some(TrialError {
                kind: "request".into(),
                message: e.to_string(),
            })
        }
        Ok(rx) => loop {
            match rx.recv() {
                Ok(SynthEvent::Chunk(c)) => {
                    let t = ms(Instant::now());
                    if !samples.is_empty() {
                        joins.push(samples.len());
                    }
                    chunks.t_ms.push(t);
                    chunks.samples.push(c.samples.len() as u32);
                    chunks.inference_ms.push(c.inference_ms);
                    chunks.g2p_ms.push(c.g2p_ms);
                    chunks.phonemes.push(c.phonemes as u32);
                    chunks.text.push(c.text);
                    phonemes += c.phonemes as u32;
                    samples.extend_from_slice(&c.samples);
                }
                Ok(SynthEvent::Done) => {
                    trial.total_ms = chunks.t_ms.last().copied();
                    break;
                }
                Ok(SynthEvent::Failed(m)) => {
                    trial.error = Some(TrialError {
                        kind: "synthesis".into(),
                        message: m,
                    });
                    break;
                }
                Err(_) => {
                    trial.error = Some(TrialError {
                        kind: "engine".into(),
                        message: "the engine thread stopped".into(),
                    });
                    break;
                }
            }
        },
    }
    let sr = SAMPLE_RATE_HZ as f64;
    trial.samples = samples.len() as u64;
    trial.audio_s = samples.len() as f64 / sr;
    trial.phonemes = (phonemes > 0).then_some(phonemes);
    if let Some(&t0) = chunks.t_ms.first() {
        trial.ttfa_ms = Some(t0);
        trial.first_g2p_ms = chunks.g2p_ms.first().copied();
        trial.first_inference_ms = chunks.inference_ms.first().copied();
        trial.first_handoff_ms = Some(t0 - chunks.g2p_ms[0] - chunks.inference_ms[0]);
    }
    trial.chunks = chunks;
    finish(&mut trial, &samples, audible_threshold_dbfs);
    if trial.error.is_none() && trial.audio_s > 0.0 {
        trial.inference_rtf =
            Some(trial.chunks.inference_ms.iter().sum::<f64>() / 1000.0 / trial.audio_s);
    }
    TrialOutput {
        trial,
        samples,
        joins,
    }
}
