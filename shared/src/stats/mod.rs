//! Statistics for small benchmark samples, each method with its reference.
//!
//! * [`percentile`]: Hyndman & Fan (1996) definition 7 (linear interpolation between order
//!   statistics; R's default and NumPy's `linear`). With fewer than 20 samples p95 lies between the
//!   two largest values: always read it with its sample count.
//! * [`bootstrap`]: percentile bootstrap (Efron & Tibshirani 1993, ch. 13), seeded and reproducible.
//! * [`mann_whitney`]: Mann & Whitney (1947) U test, exact for small untied samples, normal
//!   approximation with tie and continuity correction otherwise; Hodges & Lehmann (1963) shift.
//! * [`outliers`]: Iglewicz & Hoaglin (1993) modified z-score; outliers are marked, never removed.
//! * [`changepoint`]: binary segmentation (Scott & Knott 1974) with a BIC-style penalty.
//! * [`theil_sen`]: Theil (1950) / Sen (1968) robust slope.

pub mod bootstrap;
pub mod changepoint;
pub mod erf;
pub mod mann_whitney;
pub mod outliers;
mod rng;
mod summary;
pub mod theil_sen;

pub use rng::SplitMix64;
pub use summary::{mean, median, percentile, Summary};
