//! Presentation rows: each part of a run turned into labelled text and tables *once*, so the CLI
//! summary (Markdown, [`markdown`]) and the report page (HTML) say the same thing in the same
//! words. Sections know nothing about either output; renderers know nothing about suites.
//!
//! [`RUN_SECTIONS`] is the registry: one function per section, in reading order. A suite that
//! adds a result adds one file here, one line there and its [`suite_home`].

pub mod agent;
pub mod barge;
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

use crate::schema::{GateStatus, SuiteKind};
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

/// A section of a run: its id (the [`Section::id`] it returns) and the function that builds it.
pub type SectionFn = (&'static str, fn(&Bundle) -> Option<Section>);

/// The run-level sections, in reading order — the registry a suite adds one line to.
pub const RUN_SECTIONS: &[SectionFn] = &[
    ("header", header::section),
    ("cases", cases::section),
    ("machine", machine::section),
    ("cadence", cases::cadence),
    ("joins", cases::joins),
    ("http", cases::http),
    ("command", command::section),
    ("cold", cases::cold),
    ("memory", memory::section),
    ("soak", soak::section),
    ("agent", agent::section),
    ("barge", barge::section),
    ("capacity", capacity::section),
    ("versus", versus::section),
    ("providers", providers::section),
    ("dual", dual::section),
    ("hardware", hardware::section),
    ("judges", judges::section),
    ("gates", gates::section),
    ("audio-problems", problems::audio),
    ("failures", problems::failures),
    ("notes", problems::notes),
];

/// Every section of a run, in reading order (sections with nothing to say are left out).
pub fn run_sections(b: &Bundle) -> Vec<Section> {
    RUN_SECTIONS.iter().filter_map(|(_, f)| f(b)).collect()
}

/// Where a reader finds what a suite measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuiteHome {
    /// Columns of the per-case table (the trial loop's own numbers).
    CaseRows,
    /// A section of its own: the id in [`RUN_SECTIONS`] (and the page's section of that id).
    Section(&'static str),
}

/// Where each suite's results are shown. The match is exhaustive, so a new [`SuiteKind`] does not
/// compile until its home is chosen; the registry tests then check the section exists here and on
/// the page. `None` for a suite this build does not know.
pub fn suite_home(kind: &SuiteKind) -> Option<SuiteHome> {
    use SuiteHome::{CaseRows, Section};
    Some(match kind {
        SuiteKind::Ttfa | SuiteKind::Rtf | SuiteKind::Streaming | SuiteKind::Quality => CaseRows,
        SuiteKind::Memory => Section("memory"),
        SuiteKind::Soak => Section("soak"),
        SuiteKind::Providers => Section("providers"),
        SuiteKind::Hardware => Section("hardware"),
        SuiteKind::Dual => Section("dual"),
        SuiteKind::Capacity => Section("capacity"),
        SuiteKind::Versus => Section("versus"),
        SuiteKind::Judges => Section("judges"),
        SuiteKind::Agent => Section("agent"),
        SuiteKind::Other(_) => return None,
    })
}

/// The section ids the page must render itself (one per suite with a home of its own).
pub fn suite_section_ids() -> Vec<&'static str> {
    SuiteKind::KNOWN
        .iter()
        .filter_map(|k| match suite_home(k) {
            Some(SuiteHome::Section(id)) => Some(id),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_with_a_section_of_its_own_is_registered_once_under_its_id() {
        for id in suite_section_ids() {
            let n = RUN_SECTIONS.iter().filter(|(i, _)| *i == id).count();
            assert_eq!(
                n, 1,
                "suite section {id} registered {n} times in RUN_SECTIONS"
            );
        }
        for (i, (id, _)) in RUN_SECTIONS.iter().enumerate() {
            assert!(RUN_SECTIONS[..i].iter().all(|(o, _)| o != id), "{id} twice");
        }
    }

    #[test]
    fn each_section_returns_the_id_it_is_registered_under() {
        let fixtures = [
            include_str!("../../fixtures/v1/engine-progressive-3cases.json"),
            include_str!("../../fixtures/v2/engine-capacity-2sessions.json"),
            include_str!("../../fixtures/v2/engine-turns-2cases.json"),
        ];
        let mut seen = 0;
        for text in fixtures {
            let b: Bundle = serde_json::from_str(text).unwrap();
            for (id, f) in RUN_SECTIONS {
                if let Some(s) = f(&b) {
                    assert_eq!(s.id, *id);
                    seen += 1;
                }
            }
        }
        assert!(
            seen >= 10,
            "only {seen} sections rendered from the fixtures"
        );
    }

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
