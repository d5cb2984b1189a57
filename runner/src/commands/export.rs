//! A finished run's numbers for other tools: the formats `run --export-*` writes, and
//! `export --bundle B --format F` for a bundle already on disk (the CI scripts turn a run's gates
//! into annotations this way).

pub use crate::cli::Feed;
use anyhow::Result;
use kokoro_bench_bundle::{export, feeds, Bundle};

impl Feed {
    /// The text of this format for `b`.
    ///
    /// # Errors
    /// JSON serialisation (does not fail for these types; passed on anyway).
    pub fn render(self, b: &Bundle) -> Result<String> {
        let json = |v: &dyn erased::Json| -> Result<String> { Ok(v.pretty()? + "\n") };
        Ok(match self {
            Feed::Csv => export::Format::Csv.render(&export::rows(b))?,
            Feed::Markdown => export::Format::Markdown.render(&export::rows(b))?,
            Feed::Json => export::Format::Json.render(&export::rows(b))?,
            Feed::Bmf => json(&feeds::bmf(b))?,
            Feed::Benchmark => json(&feeds::benchmark(b))?,
            Feed::Junit => feeds::junit(b),
            Feed::Annotations => {
                let lines = feeds::annotations(b);
                if lines.is_empty() {
                    String::new()
                } else {
                    lines.join("\n") + "\n"
                }
            }
        })
    }
}

/// Pretty JSON for the two feed shapes without naming their types twice.
mod erased {
    /// Something serialisable as pretty JSON.
    pub trait Json {
        /// The JSON text.
        fn pretty(&self) -> serde_json::Result<String>;
    }
    impl<T: serde::Serialize> Json for T {
        fn pretty(&self) -> serde_json::Result<String> {
            serde_json::to_string_pretty(self)
        }
    }
}
