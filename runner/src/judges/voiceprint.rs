//! A voice's reference print: the GE2E embedding of the *clean* set-up model (its published
//! SHA-256 checked) reading fixed sentences in that voice, made once and cached beside the
//! judging models. Trials are compared with it, so a model that still runs but no longer sounds
//! like its voice (bad quantisation, a drifted variant, a server using another voice) shows.

use super::ge2e::{Ge2e, SAMPLE_RATE_HZ};
use super::resample::resample;
use crate::engine::g2p::{Lang, Phonemizer};
use crate::engine::model::KokoroModel;
use crate::engine::runtime::Runtime;
use crate::engine::vocab::Vocab;
use crate::engine::voices::VoicePack;
use crate::fsutil::{atomic_write, sha256_file};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What the reference voice reads (not the benchmark's presets, so a trial is never compared
/// with its own text).
pub const REFERENCE_TEXTS: [&str; 3] = [
    "The quick brown fox jumps over the lazy dog, and nobody seems to mind.",
    "Could you call me back after lunch? I will be at my desk until five.",
    "Every library in the city opens its doors early on the first Monday of May.",
];

/// A cached reference print.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Voiceprint {
    /// The voice.
    pub voice: String,
    /// SHA-256 of the clean model that read it.
    pub model_sha256: String,
    /// Seconds of reference audio.
    pub audio_s: f64,
    /// The L2-normalised embedding.
    pub embedding: Vec<f32>,
}

impl Voiceprint {
    /// How the bundle describes it.
    pub fn describe(&self) -> String {
        format!(
            "voice `{}` read by the clean set-up model (SHA-256 {}…): {} fixed sentences, {:.1} s",
            self.voice,
            &self.model_sha256[..12.min(self.model_sha256.len())],
            REFERENCE_TEXTS.len(),
            self.audio_s
        )
    }
}

/// The voice's print from the cache under `judges_dir`, made with the set-up model when absent.
///
/// # Errors
/// The model not set up or not matching its published hash, or a voice the pack lacks.
pub fn load_or_make(
    ge2e: &Ge2e,
    judges_dir: &Path,
    rt: &Runtime,
    voice: &str,
    audible_dbfs: f64,
) -> Result<Voiceprint> {
    let assets = crate::setup::default_assets()
        .context("the Kokoro model is not set up: run `kokoro-bench setup`")?;
    let expected = crate::setup::read_expected_sha(&assets.model.with_file_name("model.sha256"))?;
    let cache = judges_dir
        .join("voiceprints")
        .join(format!("{}-{voice}.json", &expected[..16]));
    if let Ok(bytes) = std::fs::read(&cache) {
        if let Ok(p) = serde_json::from_slice::<Voiceprint>(&bytes) {
            if p.model_sha256 == expected && p.voice == voice {
                return Ok(p);
            }
        }
    }
    if sha256_file(&assets.model)? != expected {
        bail!(
            "the set-up model no longer matches its published SHA-256, so it cannot be the clean reference: run `kokoro-bench setup` ({})",
            assets.model.display()
        );
    }
    let voices = VoicePack::load(&assets.voices)?;
    voices.check(voice).map_err(|e| anyhow!("{e}"))?;
    let vocab = Vocab::load(&assets.vocab).map_err(anyhow::Error::msg)?;
    let g2p = Phonemizer::new(Lang::EnUs);
    let mut model = KokoroModel::load(rt, &assets.model, &Default::default())?;
    let (mut sum, mut audio_s) = (vec![0.0f32; 256], 0.0);
    for text in REFERENCE_TEXTS {
        let ids = vocab
            .encode(&g2p.phonemize(text).map_err(anyhow::Error::msg)?)
            .ids;
        let style = voices.style_row(voice, ids.len())?.to_vec();
        let audio = model.infer(&ids, &style, 1.0)?;
        audio_s += audio.len() as f64 / f64::from(crate::engine::SAMPLE_RATE_HZ);
        let a16 = resample(&audio, crate::engine::SAMPLE_RATE_HZ, SAMPLE_RATE_HZ)?;
        let e = ge2e
            .embed(&a16, audible_dbfs)?
            .context("the reference audio is silent")?;
        for (s, v) in sum.iter_mut().zip(e) {
            *s += v;
        }
    }
    let n = sum.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
    let print = Voiceprint {
        voice: voice.into(),
        model_sha256: expected,
        audio_s,
        embedding: sum.iter().map(|v| v / n).collect(),
    };
    if let Some(dir) = cache.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    atomic_write(&cache, &serde_json::to_vec(&print)?)?;
    Ok(print)
}
