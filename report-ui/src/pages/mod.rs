//! The pages: the run list, one run, a comparison, the history of one metric.

pub mod compare;
pub mod history;
pub mod run;
pub mod runs;
