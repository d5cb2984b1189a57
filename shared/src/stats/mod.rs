//! Statistics for small benchmark samples, each method with its reference.
//!
//! * [`percentile`]: Hyndman & Fan (1996) definition 7 (linear interpolation between order
//!   statistics; R's default and NumPy's `linear`). With fewer than 20 samples p95 lies between the
//!   two largest values: always read it with its sample count.
//! * [`bootstrap`]: percentile bootstrap (Efron & Tibshirani 1993, ch. 13), seeded and reproducible.
//! * [`mann_whitney`]: Mann & Whitney (1947) U test, exact for small untied samples, normal
//!   approximation with tie and continuity correction otherwise; Hodges & Lehmann (1963) shift.
//! * [`outliers`]: Iglewicz & Hoaglin (1993) modified z-score; outliers are marked, never removed.
//! * [`hierarchical`]: the two-stage bootstrap for trials measured in rounds (rounds, then trials
//!   inside each), so an interval contains the round-to-round spread.
//! * [`changepoint`]: binary segmentation (Scott & Knott 1974) with a BIC-style penalty (long
//!   soak series).
//! * [`edivisive`]: E-divisive change points (Matteson & James 2014) tested by Welch's t
//!   ([`student`]), as Hunter / Apache Otava run them on histories of run medians.
//! * [`theil_sen`]: Theil (1950) / Sen (1968) robust slope.

pub mod bootstrap;
pub mod changepoint;
pub mod edivisive;
pub mod erf;
pub mod hierarchical;
pub mod mann_whitney;
pub mod outliers;
mod rng;
pub mod student;
mod summary;
pub mod theil_sen;

pub use rng::SplitMix64;
pub use summary::{mean, median, percentile, Summary};
