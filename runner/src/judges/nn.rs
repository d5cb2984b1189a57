//! The few network pieces the Rust judges share (Whisper, DistillMOS): dense layers, layer
//! normalisation and multi-head attention, in f32 on ndarray.

use ndarray::{s, Array1, Array2, ArrayView2};

/// A dense layer, `x · w_t + b`.
pub struct Linear {
    /// `[in, out]`.
    pub w_t: Array2<f32>,
    /// `[out]`.
    pub b: Array1<f32>,
}

impl Linear {
    /// `[rows, in]` → `[rows, out]`.
    pub fn apply(&self, x: &ArrayView2<f32>) -> Array2<f32> {
        x.dot(&self.w_t) + &self.b
    }
}

/// Layer normalisation over each row (ε = 1e-5, torch's and CTranslate2's default).
pub struct Norm {
    /// Scale per column.
    pub gamma: Array1<f32>,
    /// Shift per column.
    pub beta: Array1<f32>,
}

impl Norm {
    /// Each row normalised, scaled and shifted.
    pub fn apply(&self, x: &ArrayView2<f32>) -> Array2<f32> {
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            let n = row.len() as f32;
            let mean = row.sum() / n;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            let inv = 1.0 / (var + 1e-5).sqrt();
            for ((v, g), b) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
                *v = (*v - mean) * inv * g + b;
            }
        }
        out
    }
}

/// Scaled dot-product attention for each head: `q [tq, d]` against `k, v [tk, d]`, heads
/// splitting `d` evenly; softmax-weighted values `[tq, d]`.
pub fn attend(
    q: &ArrayView2<f32>,
    k: &ArrayView2<f32>,
    v: &ArrayView2<f32>,
    heads: usize,
) -> Array2<f32> {
    let d = q.ncols();
    let dh = d / heads;
    let scale = 1.0 / (dh as f32).sqrt();
    let mut out = Array2::<f32>::zeros((q.nrows(), d));
    for h in 0..heads {
        let cols = s![.., h * dh..(h + 1) * dh];
        let mut scores = q.slice(cols).dot(&k.slice(cols).t());
        for mut row in scores.rows_mut() {
            let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            row.mapv_inplace(|v| ((v - max) * scale).exp());
            let sum = row.sum();
            row /= sum;
        }
        out.slice_mut(cols).assign(&scores.dot(&v.slice(cols)));
    }
    out
}
