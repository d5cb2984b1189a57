//! Components every page shares: charts, the streaming timeline, and the renderer of the bundle
//! crate's presentation sections (the same rows the CLI prints as Markdown).

pub mod charts;
pub mod section;
pub mod timeline;
