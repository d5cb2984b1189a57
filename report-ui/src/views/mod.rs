//! Pages and the components they share.

pub mod charts;
pub mod compare;
pub mod extras;
pub mod history;
pub mod run;
pub mod runs;
