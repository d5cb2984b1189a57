//! Whisper's network (tiny.en: 4 + 4 pre-norm transformer layers, 384 wide, 6 heads) in f32
//! with ndarray, on the weights CTranslate2's converter wrote (fused QKV in the encoder and
//! decoder self-attention, fused KV in cross-attention, exact-erf GELU). The encoder hears 30 s of
//! log-mel (3000 frames → 1500 positions); the decoder runs one token at a time with cached keys
//! and values.

use super::super::ct2::Tensor;
use super::super::nn::{attend, Linear, Norm};
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::stats::erf::erf;
use ndarray::{s, Array1, Array2, ArrayView2};
use std::collections::HashMap;

/// Mel bands the encoder takes.
pub const N_MELS: usize = 80;
/// Mel frames in the encoder's fixed 30 s window.
pub const N_FRAMES: usize = 3000;
/// Positions the decoder has (prompt + generated tokens).
pub const N_TEXT_CTX: usize = 448;

struct Ffn {
    norm: Norm,
    up: Linear,
    down: Linear,
}

impl Ffn {
    fn apply(&self, x: &ArrayView2<f32>) -> Array2<f32> {
        let mut h = self.up.apply(&self.norm.apply(x).view());
        h.mapv_inplace(gelu);
        self.down.apply(&h.view())
    }
}

struct EncoderLayer {
    norm: Norm,
    qkv: Linear,
    out: Linear,
    ffn: Ffn,
}

struct DecoderLayer {
    self_norm: Norm,
    self_qkv: Linear,
    self_out: Linear,
    cross_norm: Norm,
    cross_q: Linear,
    cross_kv: Linear,
    cross_out: Linear,
    ffn: Ffn,
}

/// The network's weights.
pub struct Net {
    conv1: Linear,
    conv2: Linear,
    enc_pos: Array2<f32>,
    encoder: Vec<EncoderLayer>,
    enc_norm: Norm,
    embeddings: Array2<f32>,
    dec_pos: Array2<f32>,
    decoder: Vec<DecoderLayer>,
    dec_norm: Norm,
    heads: usize,
    width: usize,
}

/// Cross-attention keys and values of one encoded 30 s window, per decoder layer; shared by
/// every hypothesis decoded from it.
pub struct Encoded {
    cross: Vec<(Array2<f32>, Array2<f32>)>,
}

/// One hypothesis's self-attention cache: per decoder layer, the keys and values of the tokens
/// fed so far (row-major, `len × width`). Cloned when a beam splits.
#[derive(Clone, Default)]
pub struct Cache {
    layers: Vec<(Vec<f32>, Vec<f32>)>,
    len: usize,
}

/// GELU with the exact error function (CTranslate2's `GELU`, Whisper's `nn.GELU()`).
fn gelu(x: f32) -> f32 {
    let x64 = f64::from(x);
    (0.5 * x64 * (1.0 + erf(x64 / std::f64::consts::SQRT_2))) as f32
}

/// `[time, channels]` → `[time_out, channels × 3]` for a width-3, padding-1 convolution.
fn im2col(x: &ArrayView2<f32>, stride: usize) -> Array2<f32> {
    let (t_in, c) = x.dim();
    let t_out = (t_in - 1) / stride + 1;
    let mut cols = Array2::<f32>::zeros((t_out, c * 3));
    for t in 0..t_out {
        for k in 0..3 {
            let Some(src) = (t * stride + k).checked_sub(1).filter(|&i| i < t_in) else {
                continue;
            };
            for ch in 0..c {
                cols[[t, ch * 3 + k]] = x[[src, ch]];
            }
        }
    }
    cols
}

struct Weights(HashMap<String, Tensor>);

impl Weights {
    fn matrix(&self, name: &str) -> Result<Array2<f32>> {
        let t = self
            .0
            .get(name)
            .with_context(|| format!("{name} missing"))?;
        let rows = t.dims[0];
        let cols = t.dims[1..].iter().product();
        Ok(Array2::from_shape_vec((rows, cols), t.data.clone())?)
    }
    fn vector(&self, name: &str) -> Result<Array1<f32>> {
        let t = self
            .0
            .get(name)
            .with_context(|| format!("{name} missing"))?;
        Ok(Array1::from(t.data.clone()))
    }
    fn linear(&self, prefix: &str) -> Result<Linear> {
        Ok(Linear {
            w_t: self
                .matrix(&format!("{prefix}/weight"))?
                .reversed_axes()
                .as_standard_layout()
                .to_owned(),
            b: self.vector(&format!("{prefix}/bias"))?,
        })
    }
    fn norm(&self, prefix: &str) -> Result<Norm> {
        Ok(Norm {
            gamma: self.vector(&format!("{prefix}/gamma"))?,
            beta: self.vector(&format!("{prefix}/beta"))?,
        })
    }
    fn ffn(&self, prefix: &str) -> Result<Ffn> {
        Ok(Ffn {
            norm: self.norm(&format!("{prefix}/ffn/layer_norm"))?,
            up: self.linear(&format!("{prefix}/ffn/linear_0"))?,
            down: self.linear(&format!("{prefix}/ffn/linear_1"))?,
        })
    }
    fn layers(&self, prefix: &str) -> usize {
        (0..)
            .take_while(|i| {
                self.0
                    .contains_key(&format!("{prefix}/layer_{i}/ffn/linear_0/weight"))
            })
            .count()
    }
}

impl Net {
    /// Builds the network from a CTranslate2 Whisper model's tensors.
    ///
    /// # Errors
    /// A tensor missing or of an unexpected shape.
    pub fn new(tensors: HashMap<String, Tensor>, heads: usize) -> Result<Net> {
        let w = Weights(tensors);
        let encoder = (0..w.layers("encoder"))
            .map(|i| {
                let p = format!("encoder/layer_{i}");
                Ok(EncoderLayer {
                    norm: w.norm(&format!("{p}/self_attention/layer_norm"))?,
                    qkv: w.linear(&format!("{p}/self_attention/linear_0"))?,
                    out: w.linear(&format!("{p}/self_attention/linear_1"))?,
                    ffn: w.ffn(&p)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let decoder = (0..w.layers("decoder"))
            .map(|i| {
                let p = format!("decoder/layer_{i}");
                Ok(DecoderLayer {
                    self_norm: w.norm(&format!("{p}/self_attention/layer_norm"))?,
                    self_qkv: w.linear(&format!("{p}/self_attention/linear_0"))?,
                    self_out: w.linear(&format!("{p}/self_attention/linear_1"))?,
                    cross_norm: w.norm(&format!("{p}/attention/layer_norm"))?,
                    cross_q: w.linear(&format!("{p}/attention/linear_0"))?,
                    cross_kv: w.linear(&format!("{p}/attention/linear_1"))?,
                    cross_out: w.linear(&format!("{p}/attention/linear_2"))?,
                    ffn: w.ffn(&p)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let embeddings = w.matrix("decoder/embeddings/weight")?;
        let width = embeddings.ncols();
        let net = Net {
            conv1: w.linear("encoder/conv1")?,
            conv2: w.linear("encoder/conv2")?,
            enc_pos: w.matrix("encoder/position_encodings/encodings")?,
            encoder,
            enc_norm: w.norm("encoder/layer_norm")?,
            embeddings,
            dec_pos: w.matrix("decoder/position_encodings/encodings")?,
            decoder,
            dec_norm: w.norm("decoder/layer_norm")?,
            heads,
            width,
        };
        if net.encoder.is_empty() || net.decoder.is_empty() || width % heads != 0 {
            bail!(
                "{} encoder and {} decoder layers, width {width}: not a Whisper model",
                net.encoder.len(),
                net.decoder.len()
            );
        }
        if net.conv1.w_t.nrows() != N_MELS * 3
            || net.enc_pos.nrows() != N_FRAMES / 2
            || net.dec_pos.nrows() != N_TEXT_CTX
        {
            bail!(
                "unexpected shapes: conv1 {:?}, encoder positions {:?}",
                net.conv1.w_t.dim(),
                net.enc_pos.dim()
            );
        }
        Ok(net)
    }

    /// The vocabulary's size (logits per step).
    pub fn vocab_size(&self) -> usize {
        self.embeddings.nrows()
    }

    /// Encodes one 30 s window of log-mel (`[N_FRAMES, N_MELS]`) into the decoder's
    /// cross-attention keys and values.
    pub fn encode(&self, mel: &ArrayView2<f32>) -> Encoded {
        let mut x = self.conv1.apply(&im2col(mel, 1).view());
        x.mapv_inplace(gelu);
        let mut x = self.conv2.apply(&im2col(&x.view(), 2).view());
        x.mapv_inplace(gelu);
        x += &self.enc_pos;
        for layer in &self.encoder {
            let qkv = layer.qkv.apply(&layer.norm.apply(&x.view()).view());
            let d = self.width;
            let a = attend(
                &qkv.slice(s![.., ..d]),
                &qkv.slice(s![.., d..2 * d]),
                &qkv.slice(s![.., 2 * d..]),
                self.heads,
            );
            x += &layer.out.apply(&a.view());
            x += &layer.ffn.apply(&x.view());
        }
        let encoded = self.enc_norm.apply(&x.view());
        let cross = self
            .decoder
            .iter()
            .map(|l| {
                let kv = l.cross_kv.apply(&encoded.view());
                (
                    kv.slice(s![.., ..self.width]).to_owned(),
                    kv.slice(s![.., self.width..]).to_owned(),
                )
            })
            .collect();
        Encoded { cross }
    }

    /// A cache for a new hypothesis (nothing fed yet).
    pub fn empty_cache(&self) -> Cache {
        Cache {
            layers: vec![(Vec::new(), Vec::new()); self.decoder.len()],
            len: 0,
        }
    }

    /// Feeds one token to each hypothesis (`tokens[i]` at `caches[i]`'s next position) and
    /// returns the next token's logits, one row per hypothesis. The hypotheses share the linear
    /// layers' and the vocabulary projection's passes over the weights.
    ///
    /// # Errors
    /// The decoder's 448 positions are used up, or a token outside the vocabulary.
    pub fn step(
        &self,
        enc: &Encoded,
        caches: &mut [Cache],
        tokens: &[usize],
    ) -> Result<Array2<f32>> {
        let d = self.width;
        let mut x = Array2::<f32>::zeros((tokens.len(), d));
        for ((mut row, &token), cache) in x.rows_mut().into_iter().zip(tokens).zip(caches.iter()) {
            if cache.len >= N_TEXT_CTX || token >= self.vocab_size() {
                bail!(
                    "decoder position {} or token {token} out of range",
                    cache.len
                );
            }
            row.assign(&(&self.embeddings.row(token) + &self.dec_pos.row(cache.len)));
        }
        for (l, (layer, (ck, cv))) in self.decoder.iter().zip(&enc.cross).enumerate() {
            let qkv = layer
                .self_qkv
                .apply(&layer.self_norm.apply(&x.view()).view());
            let mut a = Array2::<f32>::zeros((tokens.len(), d));
            for (i, cache) in caches.iter_mut().enumerate() {
                let (k, v) = &mut cache.layers[l];
                k.extend(qkv.slice(s![i, d..2 * d]).iter());
                v.extend(qkv.slice(s![i, 2 * d..]).iter());
                let n = k.len() / d;
                let k = ArrayView2::from_shape((n, d), k)?;
                let v = ArrayView2::from_shape((n, d), v)?;
                let row = attend(&qkv.slice(s![i..=i, ..d]), &k, &v, self.heads);
                a.row_mut(i).assign(&row.row(0));
            }
            x += &layer.self_out.apply(&a.view());
            let q = layer
                .cross_q
                .apply(&layer.cross_norm.apply(&x.view()).view());
            let a = attend(&q.view(), &ck.view(), &cv.view(), self.heads);
            x += &layer.cross_out.apply(&a.view());
            x += &layer.ffn.apply(&x.view());
        }
        for cache in caches.iter_mut() {
            cache.len += 1;
        }
        let h = self.dec_norm.apply(&x.view());
        Ok(h.dot(&self.embeddings.t()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gelu_matches_reference_values() {
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((gelu(-3.0) + 0.004_049_8).abs() < 1e-6);
        assert_eq!(gelu(0.0), 0.0);
    }

    #[test]
    fn im2col_pads_and_strides() {
        let x = Array2::from_shape_vec((4, 1), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(im2col(&x.view(), 1).row(0).to_vec(), vec![0.0, 1.0, 2.0]);
        assert_eq!(im2col(&x.view(), 1).row(3).to_vec(), vec![3.0, 4.0, 0.0]);
        let s2 = im2col(&x.view(), 2);
        assert_eq!(s2.nrows(), 2);
        assert_eq!(s2.row(1).to_vec(), vec![2.0, 3.0, 4.0]);
    }
}
