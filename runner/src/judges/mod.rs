//! Judges: models that listen to the audio a run kept and score it, so a result that got faster
//! by getting worse shows it. They run after the timed trials, on the saved WAVs
//! ([`crate::suites::judges`]), never inside a trial.
//!
//! | module | does |
//! |---|---|
//! | [`assets`] | pins each model to its registry package and file SHA-256; `setup --judges` |
//! | [`resample`] | rubato FFT resampling to the 16 kHz the models hear |
//! | [`mel`] | librosa-identical log-mel features |
//! | [`dnsmos`] | DNSMOS P.835 (SIG/BAK/OVRL) and P.808 |
//! | [`panel`] | every judge loaded once; judges a clip; reads WAVs |

pub mod assets;
pub mod dnsmos;
pub mod mel;
pub mod panel;
pub mod resample;
