//! The one entry point from bytes to the latest [`Bundle`]: probe the version, migrate older
//! versions step by step, refuse newer ones, and report malformed input with its JSON path.
//!
//! Migration chain: see [`crate::migrate`] (one file per step). The legacy Python `run_bench.py`
//! v2 result format (no `schema_version`, top-level `config`/`measurements`/`summary`/`gates`)
//! enters through [`crate::migrate::legacy_run_bench`].

pub use crate::error::{ReadError, MAX_BUNDLE_BYTES};
use crate::migrate::{self, legacy_run_bench};
use crate::schema::{Bundle, SCHEMA_VERSION};
use serde_json::Value;

/// Where a loaded bundle came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The current schema; nothing was changed.
    Current,
    /// An older schema, migrated.
    OlderSchema(u32),
    /// The legacy Python `run_bench.py` v2 result JSON, converted.
    LegacyRunBench,
}

/// A bundle as read, with what was done to it.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The bundle in the current schema.
    pub bundle: Bundle,
    /// What it was before.
    pub origin: Origin,
    /// One line per migration step applied.
    pub migrations: Vec<String>,
}

/// Reads bytes into the latest [`Bundle`].
///
/// # Errors
/// [`ReadError`] for oversize input, non-JSON, newer schemas, unknown formats and schema
/// violations (with the JSON path).
pub fn read_bundle(bytes: &[u8]) -> Result<Loaded, ReadError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(ReadError::TooLarge(bytes.len()));
    }
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| ReadError::NotJson(e.to_string()))?;
    let Some(obj) = value.as_object() else {
        return Err(ReadError::UnknownFormat(
            "the top level is not a JSON object".into(),
        ));
    };
    match obj.get("schema_version") {
        Some(v) => {
            let version = v
                .as_u64()
                .filter(|&n| n >= 1 && n <= u32::MAX as u64)
                .ok_or_else(|| ReadError::UnknownFormat(format!("`schema_version` must be a positive integer, found {v}")))?
                as u32;
            if version > SCHEMA_VERSION {
                return Err(ReadError::TooNew(version));
            }
            let (value, migrations) = migrate::upgrade(value, version)?;
            let bundle = from_value(value, version)?;
            let origin = if version == SCHEMA_VERSION { Origin::Current } else { Origin::OlderSchema(version) };
            Ok(Loaded { bundle, origin, migrations })
        }
        None if legacy_run_bench::looks_like(&value) => {
            let (bundle, migrations) = legacy_run_bench::convert(&value)?;
            Ok(Loaded { bundle, origin: Origin::LegacyRunBench, migrations })
        }
        None => Err(ReadError::UnknownFormat(
            "no `schema_version` field, and not a legacy run_bench.py result (`config` + `measurements`)".into(),
        )),
    }
}

fn from_value(value: Value, version: u32) -> Result<Bundle, ReadError> {
    serde_path_to_error::deserialize(value).map_err(|e| ReadError::Invalid {
        version,
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Serialises a bundle as pretty JSON (the on-disk form).
///
/// # Errors
/// Only if serialisation itself fails (it cannot for these types).
pub fn to_json(bundle: &Bundle) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = serde_json::to_vec_pretty(bundle)?;
    out.push(b'\n');
    Ok(out)
}
