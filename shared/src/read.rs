//! The one entry point from bytes to the latest [`Bundle`]: probe the version, migrate older
//! versions step by step, refuse newer ones, and report malformed input with its JSON path.
//!
//! Migration chain: every schema version `N < SCHEMA_VERSION` has a frozen copy of its types and a
//! one-step migration `N → N+1`; reading applies the steps in order. Version 1 is the first schema,
//! so today the chain is empty; the legacy Python `run_bench.py` v2 result format (no
//! `schema_version`, top-level `config`/`measurements`/`summary`/`gates`) enters it through
//! [`crate::legacy`].

use crate::schema::{Bundle, SCHEMA_VERSION};
use serde_json::Value;

/// Largest bundle accepted, bytes (a bundle with every trial of a long soak is a few MB).
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

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

/// Why bytes could not be read as a bundle.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Over [`MAX_BUNDLE_BYTES`].
    #[error("the file is {0} bytes; bundles larger than {MAX_BUNDLE_BYTES} bytes are refused")]
    TooLarge(usize),
    /// Not JSON at all.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// Written by a newer kokoro-bench.
    #[error("this bundle was written by a newer kokoro-bench (schema {0}); this build reads schema {SCHEMA_VERSION} and older: update the viewer/runner")]
    TooNew(u32),
    /// JSON, but neither a bundle nor a known legacy format.
    #[error("not a kokoro-bench bundle: {0}")]
    UnknownFormat(String),
    /// A bundle that does not match its schema.
    #[error("invalid bundle (schema {version}) at `{path}`: {message}")]
    Invalid {
        /// Schema version claimed by the file.
        version: u32,
        /// JSON path of the problem, e.g. `cases[0].trials[3].ttfa_ms`.
        path: String,
        /// What is wrong there.
        message: String,
    },
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
            // Future: apply the one-step migrations `version → … → SCHEMA_VERSION` here.
            let bundle = from_value(value, version)?;
            let origin = if version == SCHEMA_VERSION { Origin::Current } else { Origin::OlderSchema(version) };
            Ok(Loaded { bundle, origin, migrations: Vec::new() })
        }
        None if crate::legacy::looks_like(&value) => {
            let (bundle, migrations) = crate::legacy::convert(&value)?;
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
