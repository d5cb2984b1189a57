//! `kokoro-bench run`: the plan, the trial loop and the artifacts it leaves.

pub mod artifacts;
pub mod dual;
pub mod leak;
pub mod presets;
pub mod providers;
pub mod soak;
pub mod summary;
pub mod target;
pub mod trial;

mod looprun;

pub use looprun::{execute, RunOptions, RunOutcome, SaveAudio, Suite};
