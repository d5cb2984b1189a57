//! The ttfa and rtf suites: their numbers come from every trial of the case × trial loop itself
//! (first sample, first audible sample, last sample, counted audio), so they only ask for the
//! loop to run.

use super::{BuildInput, Suite};
use anyhow::Result;
use kokoro_bench_bundle::schema::SuiteKind;

/// A suite whose metrics are the trial loop's own.
pub struct LoopSuite(pub SuiteKind);

impl Suite for LoopSuite {
    fn kind(&self) -> SuiteKind {
        self.0.clone()
    }

    fn uses_trials(&self) -> bool {
        true
    }
}

/// Builds the ttfa suite.
///
/// # Errors
/// None: it has no options.
pub fn build_ttfa(_: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    Ok(Box::new(LoopSuite(SuiteKind::Ttfa)))
}

/// Builds the rtf suite.
///
/// # Errors
/// None: it has no options.
pub fn build_rtf(_: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    Ok(Box::new(LoopSuite(SuiteKind::Rtf)))
}
