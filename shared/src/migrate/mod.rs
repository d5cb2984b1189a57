//! Migrations: one file per step, applied in order by [`crate::read_bundle`].
//!
//! A step turns the JSON of schema version `N` into the JSON of `N + 1` ([`Step`]); the chain in
//! [`STEPS`] is walked from a bundle's version up to [`SCHEMA_VERSION`]. Steps work on JSON, so
//! no frozen copy of old types is needed unless a step must parse one. The next version: add
//! `vN_to_vN+1.rs` with one [`Step`], register it in [`STEPS`], commit a `fixtures/vN+1/` bundle
//! from a real run. Old fixtures are never regenerated: each must keep loading through the chain.
//!
//! The legacy Python `run_bench.py` v2 result (no `schema_version`) is not a schema version: it
//! enters through [`legacy_run_bench`], which converts it straight to the current [`Bundle`].

pub mod legacy_run_bench;
pub mod v1_to_v2;

use crate::error::ReadError;
use crate::schema::SCHEMA_VERSION;
use serde_json::Value;

/// One migration step between adjacent schema versions.
pub struct Step {
    /// The version this step reads; it writes `from + 1`.
    pub from: u32,
    /// What the step changes, for people (shown by `migrate` and on the page).
    pub describe: &'static str,
    /// The transformation.
    pub apply: fn(Value) -> Result<Value, ReadError>,
}

/// Every step, oldest first.
pub const STEPS: &[Step] = &[v1_to_v2::STEP];

/// Applies the steps from `version` up to [`SCHEMA_VERSION`]; returns the upgraded JSON and one
/// line per step applied.
///
/// # Errors
/// [`ReadError::UnknownFormat`] when a step is missing from the chain; a step's own error.
pub fn upgrade(mut value: Value, version: u32) -> Result<(Value, Vec<String>), ReadError> {
    let mut lines = Vec::new();
    for v in version..SCHEMA_VERSION {
        let step = STEPS.iter().find(|s| s.from == v).ok_or_else(|| {
            ReadError::UnknownFormat(format!("no migration from schema {v} to {}", v + 1))
        })?;
        value = (step.apply)(value)?;
        lines.push(format!("schema {v} → {}: {}", v + 1, step.describe));
    }
    Ok((value, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_covers_every_older_version() {
        for v in 1..SCHEMA_VERSION {
            assert!(STEPS.iter().any(|s| s.from == v), "no step from {v}");
        }
        let (same, lines) = upgrade(serde_json::json!({"x": 1}), SCHEMA_VERSION).unwrap();
        assert_eq!(same["x"], 1);
        assert!(lines.is_empty());
    }
}
