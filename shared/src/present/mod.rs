//! Presentation rows: each part of a run turned into labelled text and tables *once*, so the CLI
//! summary (Markdown, [`markdown`]) and the report page (HTML) say the same thing in the same
//! words. Sections know nothing about either output; renderers know nothing about suites.
//!
//! [`run_sections`] is the registry: one function per section, in reading order. A suite that
//! adds a result adds one file here and one line there.

pub mod agent;
pub mod capacity;
pub mod cases;
pub mod command;
pub mod dual;
pub mod gates;
pub mod hardware;
pub mod header;
pub mod judges;
pub mod machine;
pub mod markdown;
pub mod memory;
pub mod problems;
pub mod providers;
pub mod soak;
pub mod versus;

use crate::schema::GateStatus;
use crate::Bundle;

/// A titled part of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Stable id (an HTML anchor, a selector for tests), e.g. `memory`.
    pub id: &'static str,
    /// Heading; empty for a section that continues the previous one.
    pub title: String,
    /// Content, in order.
    pub blocks: Vec<Block>,
}

/// One piece of a section.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A sentence or a line of facts.
    Text(String),
    /// Explanation a reader may skip (how to read the numbers).
    Muted(String),
    /// Something the reader must weigh the numbers with.
    Warning(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table.
    Table(Table),
    /// What a listener (the recogniser) heard against what was to be said, word by word.
    Transcript {
        /// Whose audio, e.g. `medium #1 · WER 3.7 %`.
        label: String,
        /// The alignment of the normalised texts.
        edits: Vec<crate::transcript::Edit>,
    },
}

/// A table of cells; every row has as many cells as there are headings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Stable id, e.g. `gates`.
    pub id: &'static str,
    /// Column headings.
    pub headings: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

/// One cell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// How it should stand out.
    pub tone: Tone,
    /// A number (right-aligned on the page).
    pub numeric: bool,
    /// Longer explanation (a tooltip on the page).
    pub hint: Option<String>,
}

/// How a cell stands out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tone {
    /// Plain text.
    #[default]
    Plain,
    /// Secondary text.
    Muted,
    /// A good outcome (a gate passed).
    Good,
    /// A warning.
    Warn,
    /// A failure.
    Bad,
    /// Nothing could be said (no data, skipped).
    NoData,
}

impl Tone {
    /// The page's CSS badge class for this tone (`None` for plain text).
    pub fn badge_class(self) -> Option<&'static str> {
        match self {
            Tone::Plain | Tone::Muted => None,
            Tone::Good => Some("pass"),
            Tone::Warn => Some("warn"),
            Tone::Bad => Some("fail"),
            Tone::NoData => Some("no_data"),
        }
    }

    /// The tone of a gate status.
    pub fn of_gate(s: GateStatus) -> Tone {
        match s {
            GateStatus::Pass => Tone::Good,
            GateStatus::Warn => Tone::Warn,
            GateStatus::Fail => Tone::Bad,
            GateStatus::NoData => Tone::NoData,
            GateStatus::Off => Tone::Muted,
        }
    }
}

impl Cell {
    /// Plain text.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            ..Default::default()
        }
    }

    /// A number.
    pub fn num(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            numeric: true,
            ..Default::default()
        }
    }

    /// Text with a tone.
    pub fn toned(s: impl Into<String>, tone: Tone) -> Cell {
        Cell {
            text: s.into(),
            tone,
            ..Default::default()
        }
    }

    /// Adds a tooltip.
    pub fn hint(mut self, h: impl Into<String>) -> Cell {
        self.hint = Some(h.into());
        self
    }
}

impl Table {
    /// A table with these headings and no rows yet.
    pub fn new(id: &'static str, headings: &[&str]) -> Table {
        Table {
            id,
            headings: headings.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

/// `—` for a missing value: the one spelling of "nothing here".
pub const DASH: &str = "—";

/// Formats an optional value, `—` when absent.
pub fn or_dash<T>(v: Option<T>, f: impl FnOnce(T) -> String) -> String {
    v.map(f).unwrap_or_else(|| DASH.to_string())
}

/// `1234567` bytes → `1 MB` (decimal megabytes, as the summary always wrote them).
pub fn mb(bytes: Option<u64>) -> String {
    or_dash(bytes, |b| format!("{:.0} MB", b as f64 / 1e6))
}

/// Every section of a run, in reading order (sections with nothing to say are left out).
pub fn run_sections(b: &Bundle) -> Vec<Section> {
    const SECTIONS: &[fn(&Bundle) -> Option<Section>] = &[
        header::section,
        cases::section,
        machine::section,
        cases::cadence,
        cases::joins,
        cases::http,
        command::section,
        cases::cold,
        memory::section,
        soak::section,
        agent::section,
        capacity::section,
        versus::section,
        providers::section,
        dual::section,
        hardware::section,
        judges::section,
        gates::section,
        problems::audio,
        problems::failures,
        problems::notes,
    ];
    SECTIONS.iter().filter_map(|f| f(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_bundle_has_its_sections_and_every_table_is_rectangular() {
        let b: Bundle = serde_json::from_str(include_str!(
            "../../fixtures/v1/engine-progressive-3cases.json"
        ))
        .unwrap();
        let s = run_sections(&b);
        let ids: Vec<&str> = s.iter().map(|s| s.id).collect();
        for id in ["header", "cases", "cadence", "cold", "memory"] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        for sec in &s {
            for block in &sec.blocks {
                if let Block::Table(t) = block {
                    assert!(
                        t.rows.iter().all(|r| r.len() == t.headings.len()),
                        "{}",
                        t.id
                    );
                }
            }
        }
    }
}
