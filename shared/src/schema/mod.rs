//! The bundle schema, version 1: the types a run is written as.
//!
//! Field names carry their units (`ttfa_ms`, `peak_rss_bytes`, `sample_rate_hz`). Times inside a run
//! are milliseconds relative to a stated origin; wall-clock instants are RFC 3339 strings plus Unix
//! milliseconds. Values that may be non-finite are [`Real`](crate::Real).

mod artifacts;
mod bundle;
mod machine;
mod provenance;
mod results;
mod series;
mod variants;

pub use artifacts::*;
pub use bundle::*;
pub use machine::*;
pub use provenance::*;
pub use results::*;
pub use series::*;
pub use variants::*;
