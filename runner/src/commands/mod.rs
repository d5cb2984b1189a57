//! Command implementations. Each returns the process exit code: 0 ok, 1 a gate failed or a
//! comparison regressed, 2 the command could not be done (an `Err`).

pub mod bundles;
pub mod compare;
pub mod history;
pub mod run;
pub mod site;
pub mod table;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: a gate failed or a comparison regressed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code: the command could not be done.
pub const EXIT_ERROR: i32 = 2;
/// Exit code: the run was interrupted (Ctrl-C); what it measured is written.
pub const EXIT_INTERRUPTED: i32 = 130;
