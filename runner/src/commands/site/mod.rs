//! The report site's commands: `publish` (merge runs into a built site), `view` (serve it like a
//! static host) and `export --zip` (one file for offline review).

pub mod export;
pub mod publish;
pub mod sources;
pub mod view;

pub use export::export;
pub use publish::publish;
pub use view::view;
