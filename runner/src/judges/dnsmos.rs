//! DNSMOS (Microsoft's DNS-challenge quality predictor) as `speechmos` runs it: 16 kHz audio in
//! 9.01 s windows a second apart (shorter audio is repeated to fill one), the P.835 network on
//! the raw window (SIG/BAK/OVRL through its published polynomial calibration) and the P.808
//! network on the window's log-mel spectrogram; scores averaged over windows.

use super::mel::{power_to_db_ref_max, MelSpec};
use crate::engine::runtime::Runtime;
use anyhow::{anyhow, bail, Context, Result};
use kokoro_bench_bundle::schema::DnsmosScores;
use ort::session::Session;
use ort::value::Tensor;
use std::path::Path;

/// The sample rate DNSMOS hears.
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// One window: 9.01 s.
const WINDOW_SAMPLES: usize = 144_160;
/// Windows start a second apart.
const HOP_SAMPLES: usize = 16_000;

/// The two DNSMOS networks, loaded.
pub struct Dnsmos {
    p835: Session,
    p808: Session,
    mel: MelSpec,
}

/// Judging runs with the target stopped: every core is free.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn session(rt: &Runtime, path: &Path) -> Result<Session> {
    Session::builder(&rt.env)
        .map_err(|e| anyhow!("{e}"))?
        .with_intra_threads(threads())
        .map_err(|e| anyhow!("{e}"))?
        .commit_from_file(path)
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("cannot load the DNSMOS model {}", path.display()))
}

/// `speechmos`'s non-personalised polynomial calibrations (`np.poly1d` coefficients, highest
/// power first).
fn calibrate(raw: [f32; 3]) -> (f64, f64, f64) {
    let poly = |c: [f64; 3], x: f32| {
        let x = f64::from(x);
        c[0] * x * x + c[1] * x + c[2]
    };
    (
        poly([-0.08397278, 1.22083953, 0.0052439], raw[0]),
        poly([-0.13166888, 1.60915514, -0.39604546], raw[1]),
        poly([-0.06766283, 1.11546468, 0.04602535], raw[2]),
    )
}

impl Dnsmos {
    /// Loads P.835 (`sig_bak_ovr.onnx`) and P.808 (`model_v8.onnx`).
    ///
    /// # Errors
    /// A file ONNX Runtime cannot load, with its path.
    pub fn load(rt: &Runtime, p835: &Path, p808: &Path) -> Result<Dnsmos> {
        Ok(Dnsmos {
            p835: session(rt, p835)?,
            p808: session(rt, p808)?,
            mel: MelSpec::new(SAMPLE_RATE_HZ, 321, 160, 120),
        })
    }

    /// Scores 16 kHz audio.
    ///
    /// # Errors
    /// Empty audio, or a model that fails to run.
    pub fn score(&mut self, audio_16k: &[f32]) -> Result<DnsmosScores> {
        if audio_16k.is_empty() {
            bail!("no audio to judge");
        }
        // speechmos refuses values outside ±1; a clipped server's audio is judged as heard.
        let mut audio: Vec<f32> = audio_16k.iter().map(|s| s.clamp(-1.0, 1.0)).collect();
        while audio.len() < WINDOW_SAMPLES {
            audio.extend_from_within(..);
        }
        // int(floor(len / fs) - 9.01) + 1, as speechmos counts them.
        let whole_s = (audio.len() / HOP_SAMPLES) as f64;
        let windows = ((whole_s - 9.01) as i64 + 1).max(1) as usize;
        let mut sum = [0.0f64; 4];
        let mut n = 0u32;
        for w in 0..windows {
            let start = w * HOP_SAMPLES;
            let Some(seg) = audio.get(start..start + WINDOW_SAMPLES) else {
                continue;
            };
            let (sig, bak, ovrl) = calibrate(self.p835_raw(seg)?);
            let p808 = self.p808_score(&seg[..WINDOW_SAMPLES - 160])?;
            for (s, v) in sum.iter_mut().zip([sig, bak, ovrl, p808]) {
                *s += v;
            }
            n += 1;
        }
        let mean = |i: usize| sum[i] / f64::from(n.max(1));
        Ok(DnsmosScores {
            sig: mean(0),
            bak: mean(1),
            ovrl: mean(2),
            p808: mean(3),
            windows: n,
        })
    }

    fn p835_raw(&mut self, seg: &[f32]) -> Result<[f32; 3]> {
        let input = Tensor::from_array(([1i64, seg.len() as i64], seg.to_vec()))
            .map_err(|e| anyhow!("{e}"))?;
        let out = self
            .p835
            .run(ort::inputs!["input_1" => input])
            .map_err(|e| anyhow!("DNSMOS P.835 failed: {e}"))?;
        let (_, v) = out[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| anyhow!("DNSMOS P.835 output: {e}"))?;
        match v {
            [sig, bak, ovrl, ..] => Ok([*sig, *bak, *ovrl]),
            _ => bail!("DNSMOS P.835 returned {} values, expected 3", v.len()),
        }
    }

    fn p808_score(&mut self, seg: &[f32]) -> Result<f64> {
        let mut spec = self.mel.power(seg);
        power_to_db_ref_max(&mut spec, 80.0);
        let frames = spec.len();
        let flat: Vec<f32> = spec
            .iter()
            .flatten()
            .map(|&db| ((db + 40.0) / 40.0) as f32)
            .collect();
        let bands = flat.len() / frames.max(1);
        let input = Tensor::from_array(([1i64, frames as i64, bands as i64], flat))
            .map_err(|e| anyhow!("{e}"))?;
        let out = self
            .p808
            .run(ort::inputs!["input_1" => input])
            .map_err(|e| anyhow!("DNSMOS P.808 failed: {e}"))?;
        let (_, v) = out[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| anyhow!("DNSMOS P.808 output: {e}"))?;
        v.first()
            .map(|&x| f64::from(x))
            .context("DNSMOS P.808 returned nothing")
    }
}

/// DNSMOS as a judge: P.835 (speech, background, overall) and P.808 on ONNX Runtime.
pub struct DnsmosJudge {
    model: Dnsmos,
    runtime: String,
}

impl super::contract::Judge for DnsmosJudge {
    fn name(&self) -> &'static str {
        "DNSMOS"
    }

    fn judge(
        &mut self,
        heard: &super::contract::Heard<'_>,
        out: &mut kokoro_bench_bundle::schema::TrialJudges,
    ) -> Result<()> {
        out.dnsmos = Some(self.model.score(heard.audio)?);
        Ok(())
    }

    fn models(&self) -> Vec<kokoro_bench_bundle::schema::JudgeModel> {
        super::contract::provenance(&super::assets::SPEECHMOS, &self.runtime)
    }
}

fn load_judge(
    files: &[std::path::PathBuf],
    setting: &super::contract::Setting<'_>,
) -> Result<Box<dyn super::contract::Judge>> {
    let [p835, p808] = files else {
        bail!("internal: DNSMOS needs two model files");
    };
    Ok(Box::new(DnsmosJudge {
        model: Dnsmos::load(setting.rt, p835, p808)?,
        runtime: format!("ONNX Runtime {}, CPU", setting.rt.version),
    }))
}

/// The registry's line for DNSMOS.
pub const ENTRY: super::contract::Entry = super::contract::Entry {
    name: "DNSMOS",
    package: &super::assets::SPEECHMOS,
    load: load_judge,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_is_speechmos_polynomials() {
        let (sig, bak, ovrl) = calibrate([3.0, 3.0, 3.0]);
        assert!((sig - (-0.08397278 * 9.0 + 1.22083953 * 3.0 + 0.0052439)).abs() < 1e-9);
        assert!(bak > 3.0 && ovrl < sig + 1.0);
    }
}
