//! DistillMOS (Microsoft, `distillmos` 0.9.1, "variant 7"): a predicted mean opinion score
//! (1–5) for speech, in Rust, from the wheel's weights converted once at set-up
//! ([`super::assets::DISTILLMOS`]). The network, as `distillmos/sqa.py` and `xls_r_sqa` build it:
//!
//! 1. the 16 kHz clip cut into 7.68 s segments (zero-padded when shorter; when longer, segments
//!    spread evenly at most 1 s apart), each scaled to a peak of 1;
//! 2. a 320-sample Hann STFT every 160 samples (mirrored 80-sample edges), each bin's magnitude
//!    compressed to the power 0.3 keeping its phase → real and imaginary planes;
//! 3. six 3×3 convolutions with leaky ReLU (0.1), halving frequency from the second and time at
//!    the last → 384 frames of 256 × 4 features;
//! 4. batch norm (running statistics), a projection to 200, a sinusoidal position code, seven
//!    post-norm transformer layers (8 heads, ReLU feed-forward of 400), batch norm;
//! 5. attention pooling over time → one number → sigmoid; MOS = 1 + 4 × the segments' mean.
//!
//! Parity with the Python package on the same 16 kHz audio: `scripts/torch-judges-parity.sh`.

use super::nn::{attend, Linear, Norm};
use super::npz::Npz;
use anyhow::Result;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use std::path::Path;
use std::sync::Arc;

/// The rate the model hears.
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// One segment: 7.68 s.
const SEGMENT_SAMPLES: usize = 122_880;
/// The most a segment start moves from the one before.
const MAX_HOP_SAMPLES: usize = 16_000;
const WIN: usize = 320;
const HOP: usize = 160;
const BINS: usize = WIN / 2 + 1;
/// STFT frames of one segment (mirrored by `(WIN - HOP) / 2` at each edge).
const FRAMES: usize = (SEGMENT_SAMPLES + (WIN - HOP) - WIN) / HOP + 1;
/// Channels after each convolution; frequency is halved from the second, time at the last.
const CHANNELS: [usize; 6] = [64, 64, 128, 256, 256, 256];
const WIDTH: usize = 200;
const HEADS: usize = 8;
const LAYERS: usize = 7;

/// A 3×3 convolution over `[freq, time, channel]` planes, no padding in frequency, one frame of
/// zeros each side in time; weights as `[(kf · 3 + kt) · c_in + c, c_out]`.
struct Conv {
    w: Array2<f32>,
    b: Array1<f32>,
    c_in: usize,
    f_stride: usize,
    t_stride: usize,
}

/// Batch normalisation with running statistics, as a scale and a shift per feature.
struct BatchNorm {
    scale: Array1<f32>,
    shift: Array1<f32>,
}

struct EncoderLayer {
    qkv: Linear,
    out: Linear,
    norm1: Norm,
    up: Linear,
    down: Linear,
    norm2: Norm,
}

/// The model, loaded.
pub struct DistillMos {
    convs: Vec<Conv>,
    norm_input: BatchNorm,
    norm_wrapper: BatchNorm,
    proj: Linear,
    position: Array2<f32>,
    layers: Vec<EncoderLayer>,
    norm_trans: BatchNorm,
    pool_hidden: Linear,
    pool_attention: Linear,
    pool_out: Linear,
    window: Vec<f32>,
    fft: Arc<dyn Fft<f32>>,
}

/// Where each segment starts: `int(c × overlength)` for `c` in `linspace(0, 1, hops)`.
fn segment_starts(n_samples: usize) -> Vec<usize> {
    let over = n_samples.saturating_sub(SEGMENT_SAMPLES);
    let hops = over.div_ceil(MAX_HOP_SAMPLES) + 1;
    if hops == 1 {
        return vec![0];
    }
    let step = 1.0 / (hops - 1) as f64;
    (0..hops)
        .map(|i| {
            let c = if i == hops - 1 { 1.0 } else { i as f64 * step };
            (c * over as f64) as usize
        })
        .collect()
}

fn leaky_relu(x: f32) -> f32 {
    if x >= 0.0 {
        x
    } else {
        0.1 * x
    }
}

impl Conv {
    fn load(
        npz: &Npz,
        name: &str,
        c_in: usize,
        c_out: usize,
        strides: (usize, usize),
    ) -> Result<Conv> {
        let torch = npz.values(&format!("{name}.weight"), c_out * c_in * 9)?;
        let mut w = Array2::<f32>::zeros((9 * c_in, c_out));
        for (i, v) in torch.iter().enumerate() {
            let (co, ci, k) = (i / (c_in * 9), (i / 9) % c_in, i % 9);
            w[[k * c_in + ci, co]] = *v;
        }
        Ok(Conv {
            w,
            b: npz.vector(&format!("{name}.bias"), c_out)?,
            c_in,
            f_stride: strides.0,
            t_stride: strides.1,
        })
    }

    /// `x` as `[f_in, t_in, c_in]` → `([f_out, t_out, c_out], f_out, t_out)`, leaky ReLU applied;
    /// output rows are shared between threads.
    fn apply(&self, x: &[f32], f_in: usize, t_in: usize) -> (Vec<f32>, usize, usize) {
        let f_out = (f_in - 3) / self.f_stride + 1;
        let t_out = (t_in - 1) / self.t_stride + 1;
        let c_out = self.b.len();
        let mut out = vec![0.0f32; f_out * t_out * c_out];
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(f_out);
        let rows_per = f_out.div_ceil(threads);
        std::thread::scope(|scope| {
            for (chunk, block) in out.chunks_mut(rows_per * t_out * c_out).enumerate() {
                scope.spawn(move || {
                    for (r, dst) in block.chunks_mut(t_out * c_out).enumerate() {
                        self.row(x, t_in, chunk * rows_per + r, t_out, dst);
                    }
                });
            }
        });
        (out, f_out, t_out)
    }

    /// One output frequency row: im2col of the three input rows it sees, one matrix product.
    fn row(&self, x: &[f32], t_in: usize, f: usize, t_out: usize, dst: &mut [f32]) {
        let c_in = self.c_in;
        let mut cols = Array2::<f32>::zeros((t_out, 9 * c_in));
        for t in 0..t_out {
            let row = cols.row_mut(t).into_slice().expect("standard layout");
            for kf in 0..3 {
                let fi = f * self.f_stride + kf;
                for kt in 0..3 {
                    let Some(ti) = (t * self.t_stride + kt)
                        .checked_sub(1)
                        .filter(|&i| i < t_in)
                    else {
                        continue;
                    };
                    let src = &x[(fi * t_in + ti) * c_in..][..c_in];
                    row[(kf * 3 + kt) * c_in..][..c_in].copy_from_slice(src);
                }
            }
        }
        let mut y = cols.dot(&self.w) + &self.b;
        y.mapv_inplace(leaky_relu);
        dst.copy_from_slice(y.as_slice().expect("standard layout"));
    }
}

impl BatchNorm {
    fn load(npz: &Npz, name: &str, len: usize) -> Result<BatchNorm> {
        let w = npz.vector(&format!("{name}.weight"), len)?;
        let b = npz.vector(&format!("{name}.bias"), len)?;
        let mean = npz.vector(&format!("{name}.running_mean"), len)?;
        let var = npz.vector(&format!("{name}.running_var"), len)?;
        let scale = &w / &var.mapv(|v| (v + 1e-5).sqrt());
        let shift = &b - &(&mean * &scale);
        Ok(BatchNorm { scale, shift })
    }

    fn apply(&self, x: &mut Array2<f32>) {
        *x *= &self.scale;
        *x += &self.shift;
    }
}

fn linear(npz: &Npz, name: &str, inputs: usize, outputs: usize) -> Result<Linear> {
    Ok(Linear {
        w_t: npz
            .matrix(&format!("{name}.weight"), outputs, inputs)?
            .reversed_axes()
            .as_standard_layout()
            .to_owned(),
        b: npz.vector(&format!("{name}.bias"), outputs)?,
    })
}

fn layer_norm(npz: &Npz, name: &str) -> Result<Norm> {
    Ok(Norm {
        gamma: npz.vector(&format!("{name}.weight"), WIDTH)?,
        beta: npz.vector(&format!("{name}.bias"), WIDTH)?,
    })
}

impl EncoderLayer {
    fn load(npz: &Npz, i: usize) -> Result<EncoderLayer> {
        let p = format!("transformer_pool_attn.transformer.transformer_encoder.layers.{i}");
        Ok(EncoderLayer {
            qkv: Linear {
                w_t: npz
                    .matrix(&format!("{p}.self_attn.in_proj_weight"), 3 * WIDTH, WIDTH)?
                    .reversed_axes()
                    .as_standard_layout()
                    .to_owned(),
                b: npz.vector(&format!("{p}.self_attn.in_proj_bias"), 3 * WIDTH)?,
            },
            out: linear(npz, &format!("{p}.self_attn.out_proj"), WIDTH, WIDTH)?,
            norm1: layer_norm(npz, &format!("{p}.norm1"))?,
            up: linear(npz, &format!("{p}.linear1"), WIDTH, 2 * WIDTH)?,
            down: linear(npz, &format!("{p}.linear2"), 2 * WIDTH, WIDTH)?,
            norm2: layer_norm(npz, &format!("{p}.norm2"))?,
        })
    }

    /// Post-norm: `x = norm1(x + attention(x))`, `x = norm2(x + ff(x))`.
    fn apply(&self, x: &ArrayView2<f32>) -> Array2<f32> {
        let qkv = self.qkv.apply(x);
        let heard = attend(
            &qkv.slice(s![.., ..WIDTH]),
            &qkv.slice(s![.., WIDTH..2 * WIDTH]),
            &qkv.slice(s![.., 2 * WIDTH..]),
            HEADS,
        );
        let x = self
            .norm1
            .apply(&(x + &self.out.apply(&heard.view())).view());
        let mut h = self.up.apply(&x.view());
        h.mapv_inplace(|v| v.max(0.0));
        self.norm2.apply(&(&x + &self.down.apply(&h.view())).view())
    }
}

impl DistillMos {
    /// Loads the converted weights.
    ///
    /// # Errors
    /// A missing array or one of the wrong size, naming the file.
    pub fn load(path: &Path) -> Result<DistillMos> {
        let npz = Npz::open(path)?;
        let mut convs = Vec::new();
        let mut c_in = 2;
        for (i, &c_out) in CHANNELS.iter().enumerate() {
            let strides = (
                if i >= 1 { 2 } else { 1 },
                if i == CHANNELS.len() - 1 { 2 } else { 1 },
            );
            convs.push(Conv::load(
                &npz,
                &format!("cnn.cnn.{}", 2 * i),
                c_in,
                c_out,
                strides,
            )?);
            c_in = c_out;
        }
        let features = c_in * conv_freq_out();
        let pe_len = FRAMES.div_ceil(2) * WIDTH;
        let p = "transformer_pool_attn";
        Ok(DistillMos {
            convs,
            norm_input: BatchNorm::load(&npz, &format!("{p}.norm_input"), features)?,
            norm_wrapper: BatchNorm::load(&npz, &format!("{p}.transformer.norm"), features)?,
            proj: linear(
                &npz,
                &format!("{p}.transformer.linear_proj"),
                features,
                WIDTH,
            )?,
            position: Array2::from_shape_vec(
                (FRAMES.div_ceil(2), WIDTH),
                npz.values(&format!("{p}.transformer.position_encoding.pe"), pe_len)?,
            )?,
            layers: (0..LAYERS)
                .map(|i| EncoderLayer::load(&npz, i))
                .collect::<Result<_>>()?,
            norm_trans: BatchNorm::load(&npz, &format!("{p}.norm_trans"), WIDTH)?,
            pool_hidden: linear(&npz, &format!("{p}.pool.linear1"), WIDTH, 2 * WIDTH)?,
            pool_attention: linear(&npz, &format!("{p}.pool.linear2"), 2 * WIDTH, 1)?,
            pool_out: linear(&npz, &format!("{p}.pool.linear3"), WIDTH, 1)?,
            window: (0..WIN)
                .map(|n| {
                    (0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / WIN as f64).cos()) as f32
                })
                .collect(),
            fft: FftPlanner::new().plan_fft_forward(WIN),
        })
    }

    /// The predicted MOS (1–5) of a 16 kHz clip: the mean over its segments.
    pub fn score(&self, audio_16k: &[f32]) -> f64 {
        let starts = segment_starts(audio_16k.len());
        let sum: f64 = starts
            .iter()
            .map(|&a| {
                let mut seg = vec![0.0f32; SEGMENT_SAMPLES];
                let end = (a + SEGMENT_SAMPLES).min(audio_16k.len());
                seg[..end - a].copy_from_slice(&audio_16k[a..end]);
                f64::from(self.segment_quality(&seg))
            })
            .sum();
        1.0 + 4.0 * sum / starts.len() as f64
    }

    /// One 7.68 s segment's quality in 0–1.
    fn segment_quality(&self, seg: &[f32]) -> f32 {
        let peak = seg.iter().fold(0.0f32, |m, v| m.max(v.abs())) + 1e-8;
        let seg: Vec<f32> = seg.iter().map(|v| v / peak).collect();
        let (mut x, mut f, mut t) = (self.compressed_spectrum(&seg), BINS, FRAMES);
        for conv in &self.convs {
            (x, f, t) = conv.apply(&x, f, t);
        }
        // [f, t, c] → [t, c · f + f], torch's flatten of (channel, freq).
        let c = CHANNELS[CHANNELS.len() - 1];
        let mut feat = Array2::<f32>::zeros((t, c * f));
        for fi in 0..f {
            for ti in 0..t {
                for ci in 0..c {
                    feat[[ti, ci * f + fi]] = x[(fi * t + ti) * c + ci];
                }
            }
        }
        self.norm_input.apply(&mut feat);
        self.norm_wrapper.apply(&mut feat);
        let mut h = self.proj.apply(&feat.view()) + &self.position;
        for layer in &self.layers {
            h = layer.apply(&h.view());
        }
        self.norm_trans.apply(&mut h);
        self.pool(&h.view())
    }

    /// Attention pooling over time, then the output unit and a sigmoid.
    fn pool(&self, h: &ArrayView2<f32>) -> f32 {
        let mut hidden = self.pool_hidden.apply(h);
        hidden.mapv_inplace(|v| v.max(0.0));
        let scores = self
            .pool_attention
            .apply(&hidden.view())
            .column(0)
            .to_owned();
        let max = scores.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let weights = scores.mapv(|v| (v - max).exp());
        let weights = &weights / weights.sum();
        let pooled = weights.dot(h);
        let q = self.pool_out.apply(&pooled.insert_axis(Axis(0)).view())[[0, 0]];
        1.0 / (1.0 + (-q).exp())
    }

    /// `[BINS, FRAMES, 2]`: each STFT bin's real and imaginary part with the magnitude
    /// compressed to `|X|^0.3`.
    fn compressed_spectrum(&self, seg: &[f32]) -> Vec<f32> {
        let pad = (WIN - HOP) / 2;
        let n = seg.len();
        let padded: Vec<f32> = (0..n + 2 * pad)
            .map(|i| {
                let j = i as isize - pad as isize;
                let j = if j < 0 {
                    -j
                } else if j >= n as isize {
                    2 * (n as isize - 1) - j
                } else {
                    j
                };
                seg[j as usize]
            })
            .collect();
        let mut out = vec![0.0f32; BINS * FRAMES * 2];
        let mut buf = vec![Complex::new(0.0f32, 0.0); WIN];
        for frame in 0..FRAMES {
            for (k, b) in buf.iter_mut().enumerate() {
                *b = Complex::new(padded[frame * HOP + k] * self.window[k], 0.0);
            }
            self.fft.process(&mut buf);
            for (bin, z) in buf.iter().take(BINS).enumerate() {
                let mag = (z.re * z.re + z.im * z.im).sqrt().max(1e-12);
                let gain = mag.powf(0.3) / mag;
                let at = (bin * FRAMES + frame) * 2;
                out[at] = z.re * gain;
                out[at + 1] = z.im * gain;
            }
        }
        out
    }
}

/// Frequency rows left after the convolutions: 161 → 159, then halved five times.
fn conv_freq_out() -> usize {
    (1..CHANNELS.len()).fold(BINS - 2, |f, _| (f - 3) / 2 + 1)
}

/// DistillMOS as a judge: the clip's predicted mean opinion score.
impl super::contract::Judge for DistillMos {
    fn name(&self) -> &'static str {
        "DistillMOS"
    }

    fn judge(
        &mut self,
        heard: &super::contract::Heard<'_>,
        out: &mut kokoro_bench_bundle::schema::TrialJudges,
    ) -> Result<()> {
        out.mos = Some(self.score(heard.audio));
        Ok(())
    }

    fn models(&self) -> Vec<kokoro_bench_bundle::schema::JudgeModel> {
        super::contract::provenance(
            &super::assets::DISTILLMOS,
            "kokoro-bench (Rust CNN + transformer, f32)",
        )
    }
}

fn load_judge(
    files: &[std::path::PathBuf],
    _: &super::contract::Setting<'_>,
) -> Result<Box<dyn super::contract::Judge>> {
    let [weights] = files else {
        anyhow::bail!("internal: DistillMOS needs one weights file");
    };
    Ok(Box::new(DistillMos::load(weights)?))
}

/// The registry's line for DistillMOS.
pub const ENTRY: super::contract::Entry = super::contract::Entry {
    name: "DistillMOS",
    package: &super::assets::DISTILLMOS,
    load: load_judge,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_spread_as_the_package_spreads_them() {
        assert_eq!(segment_starts(1000), vec![0]);
        assert_eq!(segment_starts(SEGMENT_SAMPLES), vec![0]);
        // 0.5 s over: two segments, the second flush with the end.
        assert_eq!(segment_starts(SEGMENT_SAMPLES + 8000), vec![0, 8000]);
        // 2.5 s over: four segments, int(c · 40000) for c in linspace(0, 1, 4).
        assert_eq!(
            segment_starts(SEGMENT_SAMPLES + 40_000),
            vec![0, 13_333, 26_666, 40_000]
        );
    }

    #[test]
    fn shapes_match_the_checkpoint() {
        assert_eq!(FRAMES, 768);
        assert_eq!(conv_freq_out(), 4);
    }
}
