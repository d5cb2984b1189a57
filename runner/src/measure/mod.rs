//! Measurement helpers: audibility, audio quality and loudness, memory/CPU sampling, machine
//! facts, WAV and CSV output.

pub mod audible;
pub mod machine;
pub mod memory;
pub mod powermetrics;
pub mod process;
pub mod quality;
pub mod wav;
