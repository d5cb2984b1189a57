//! Measurement helpers: audibility, audio quality and loudness, CPU time and who else used the
//! machine, memory/CPU sampling, machine facts, speed probes, audio parsing (WAV and raw PCM from a stream: `pcm`), WAV files and CSV output.

pub mod audible;
pub mod contention;
pub mod cpu;
pub mod machine;
pub mod memory;
pub mod pcm;
pub mod powermetrics;
pub mod probe;
pub mod process;
pub mod quality;
pub mod wav;

/// Tests that start child processes, or count the children of the test process, take this lock:
/// the test harness runs tests of one binary in parallel threads of one process.
#[cfg(test)]
pub(crate) static CHILDREN: std::sync::Mutex<()> = std::sync::Mutex::new(());
