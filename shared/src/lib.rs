//! # kokoro-bench-bundle
//!
//! The bundle a kokoro-bench run is written as, and the pure logic every reader shares: schema
//! types ([`schema`]), reading with version checks and migrations ([`read`], [`migrate`]),
//! statistics ([`stats`]), the metric registry ([`metrics`]), gates ([`gates`]), comparisons
//! ([`compare`]) and the playback-clock simulation ([`playback`]).
//!
//! The crate does no IO, reads no clock and starts no thread, so it compiles natively and to
//! `wasm32-unknown-unknown`: the CLI and the report page compute identical verdicts. The optional
//! `schema` feature derives a JSON Schema (schemars) for the committed `bundle.schema.json`.

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]
#![cfg_attr(test, allow(clippy::too_many_lines))]

pub mod capacity;
pub mod compare;
pub mod contention;
pub mod describe;
mod error;
pub mod export;
pub mod feeds;
pub mod gates;
pub mod history;
pub mod index;
pub mod metrics;
pub mod migrate;
pub mod outcome;
pub mod playback;
pub mod present;
pub mod read;

pub mod schema;
pub mod shards;
pub mod stats;
#[cfg(test)]
pub(crate) mod testing;
pub mod transcript;

pub use read::{read_bundle, to_json, Loaded, Origin, ReadError};
pub use schema::Real;
pub use schema::{Bundle, SCHEMA_ID, SCHEMA_VERSION};

/// The JSON Schema of [`Bundle`], pretty-printed (feature `schema`).
#[cfg(feature = "schema")]
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Bundle);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
