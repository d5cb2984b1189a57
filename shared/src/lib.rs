//! # kokoro-bench-bundle
//!
//! The bundle a kokoro-bench run is written as, and the pure logic every reader shares: schema
//! types ([`schema`]), reading with version checks and migrations ([`read`], [`legacy`]),
//! statistics ([`stats`]), the metric registry ([`metrics`]), gates ([`gates`]), comparisons
//! ([`compare`]) and the playback-clock simulation ([`playback`]).
//!
//! The crate does no IO, reads no clock and starts no thread, so it compiles natively and to
//! `wasm32-unknown-unknown`: the CLI and the report page compute identical verdicts. The optional
//! `schema` feature derives a JSON Schema (schemars) for the committed `bundle.schema.json`.

#![warn(missing_docs)]

pub mod compare;
pub mod gates;
pub mod history;
pub mod index;
pub mod legacy;
pub mod metrics;
pub mod playback;
pub mod read;
mod real;
pub mod schema;
pub mod stats;
#[cfg(test)]
pub(crate) mod testing;

pub use read::{read_bundle, to_json, Loaded, Origin, ReadError};
pub use real::Real;
pub use schema::{Bundle, SCHEMA_ID, SCHEMA_VERSION};

/// The JSON Schema of [`Bundle`], pretty-printed (feature `schema`).
#[cfg(feature = "schema")]
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Bundle);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
