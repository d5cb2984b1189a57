//! Pages and the components they share.

pub mod charts;
pub mod compare;
pub mod run;
pub mod runs;
