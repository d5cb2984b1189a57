//! Why bytes could not be read as a bundle (shared by [`crate::read`] and [`crate::migrate`]).

use crate::schema::SCHEMA_VERSION;

/// Largest bundle accepted, bytes (a bundle with every trial of a long soak is a few MB).
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

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
