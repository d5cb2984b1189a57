//! The bundle schema, version 1: the types a run is written as, one file per part.
//!
//! Field names carry their units (`ttfa_ms`, `peak_rss_bytes`, `sample_rate_hz`). Times inside a run
//! are milliseconds relative to a stated origin; wall-clock instants are RFC 3339 strings plus Unix
//! milliseconds. Values that may be non-finite are [`Real`].
//!
//! These modules hold data only: no statistics, gates or simulation (those live in the crate's
//! logic modules and add methods from there). That keeps the schema a plain description that can
//! be frozen as `schema::v1` when version 2 comes.
//!
//! Each suite's result has its own file: [`memory`], [`soak`], [`providers`], [`hardware`],
//! [`dual`], [`capacity`]; the per-trial ones are [`playback`] (streaming) and [`quality`].

mod artifacts;
pub mod barge;
mod bundle;
pub mod capacity;
mod case;
mod codes;
pub mod contention;
pub mod dual;
mod gates;
pub mod hardware;
pub mod judges;
mod machine;
pub mod memory;
mod metric;
pub mod playback;
mod provenance;
pub mod providers;
pub mod quality;
mod real;
pub mod soak;
pub mod trials_auto;
pub mod turn;
pub mod versus;

pub use artifacts::*;
pub use barge::*;
pub use bundle::*;
pub use capacity::*;
pub use case::*;
pub use codes::*;
pub use contention::*;
pub use dual::*;
pub use gates::*;
pub use hardware::*;
pub use judges::*;
pub use machine::*;
pub use memory::*;
pub use metric::*;
pub use playback::*;
pub use provenance::*;
pub use providers::*;
pub use quality::*;
pub use real::Real;
pub use soak::*;
pub use trials_auto::*;
pub use turn::*;
pub use versus::*;
