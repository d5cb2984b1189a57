//! The judges suite: models that listen to the audio a run kept and score it, after the timed
//! trials (never inside one). Per-trial scores live on the trial ([`TrialJudges`]); what judged
//! and how ([`JudgesResult`]) on the bundle.

use serde::{Deserialize, Serialize};

/// What judged a run's audio, and what it cost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JudgesResult {
    /// Every judging model used: name, package, file hash and runtime.
    pub models: Vec<JudgeModel>,
    /// Why nothing (or only part) was judged: a missing or mismatched model file, no kept audio.
    /// The suite is *skipped* then, never passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Trials whose audio at least one judge scored (a judge that failed on a trial is listed in
    /// `not_judged`).
    pub judged_trials: u32,
    /// Seconds of audio judged.
    pub judged_audio_s: f64,
    /// Wall time spent judging (resampling, features, models), ms.
    pub judge_ms: f64,
    /// Model loading, ms (once per run, not in `judge_ms`).
    pub load_ms: f64,
    /// When judging ran: always after the timed trials, on the saved WAVs.
    pub when: String,
    /// The reference print speaker similarity is measured against, described.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voiceprint: Option<String>,
    /// Judges that could not score this run or one of its trials, each with why (e.g. no
    /// reference print for a voice the set-up pack lacks; `medium #2: DNSMOS: …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_judged: Vec<String>,
}

/// One judging model as used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JudgeModel {
    /// What it judges and its name, e.g. `DNSMOS P.835 (SIG/BAK/OVRL)`.
    pub name: String,
    /// The registry package it came from, with version (`speechmos==0.0.1.1`).
    pub package: String,
    /// SHA-256 of the package file as downloaded.
    pub package_sha256: String,
    /// The model file inside the package.
    pub file: String,
    /// SHA-256 of the model file.
    pub sha256: String,
    /// What ran it (`ONNX Runtime 1.31.1, CPU`).
    pub runtime: String,
}

/// The judges' scores for one trial's audio.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TrialJudges {
    /// DistillMOS's predicted mean opinion score, 1–5 (clean Kokoro int8 ≈ 3.6–4.6 per clip;
    /// its weights noised by ±2 LSB, still as fast, ≈ 2.1–3.4; white noise ≈ 1.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mos: Option<f64>,
    /// DNSMOS (P.835 and P.808), when it judged this trial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnsmos: Option<DnsmosScores>,
    /// Cosine similarity of the audio's GE2E speaker embedding to the voice's reference print
    /// (same voice ≈ 0.95, another voice ≤ 0.75).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_similarity: Option<f64>,
    /// Streamed pieces (engine targets): speaker similarity of each piece to the next, one per
    /// join (`null` where a piece had nothing audible). A join where the voice changes scores
    /// low.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub join_similarity: Vec<Option<f64>>,
    /// What Whisper heard, scored against the text sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asr: Option<AsrScores>,
    /// Wall time spent judging this trial's audio, ms.
    pub judge_ms: f64,
    /// Why this trial's audio could not be judged (its WAV unreadable, a model error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Intelligibility: Whisper tiny.en's transcript of the audio against the text that was sent.
/// Both texts are normalised alike before counting (see `transcript::normalize`); the page
/// recomputes the word alignment from the two texts stored here.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AsrScores {
    /// The text that was to be spoken (the case's text, with a spoken nonce clause if one was
    /// sent).
    pub reference: String,
    /// What the recogniser heard, as it wrote it.
    pub transcript: String,
    /// Word error rate: (substituted + missed + added words) ÷ reference words.
    pub wer: f64,
    /// Character error rate over the normalised texts.
    pub cer: f64,
    /// Words in the normalised reference (WER's denominator).
    pub reference_words: u32,
}

/// DNSMOS predicted opinion scores (1–5, higher is better), averaged over its 9.01 s windows.
/// Microsoft's DNS-challenge metric: it hears noise and distortion, not naturalness (reversed
/// speech still scores well on P.808).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DnsmosScores {
    /// P.835 speech signal quality.
    pub sig: f64,
    /// P.835 background (noise) quality.
    pub bak: f64,
    /// P.835 overall quality.
    pub ovrl: f64,
    /// P.808 overall quality.
    pub p808: f64,
    /// 9.01 s windows averaged (audio shorter than one window is repeated to fill it).
    pub windows: u32,
}
