//! Renders sections as Markdown: the CLI's end-of-run summary, `summary.md`, and text for PR
//! comments. Readable in a terminal as it is.

use super::{Block, Section, Table};
use std::fmt::Write;

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn table(o: &mut String, t: &Table) {
    let _ = writeln!(
        o,
        "| {} |",
        t.headings
            .iter()
            .map(|h| escape(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(o, "|{}", "---|".repeat(t.headings.len()));
    for r in &t.rows {
        let _ = writeln!(
            o,
            "| {} |",
            r.iter()
                .map(|c| escape(&c.text))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
}

/// One section as Markdown; the first section of a document gets a level-1 heading.
pub fn section(o: &mut String, s: &Section, first: bool) {
    if !s.title.is_empty() {
        let _ = writeln!(o, "{} {}\n", if first { "#" } else { "##" }, s.title);
    }
    for b in &s.blocks {
        match b {
            Block::Text(t) | Block::Muted(t) => {
                let _ = writeln!(o, "{t}\n");
            }
            Block::Warning(t) => {
                let _ = writeln!(o, "> {t}\n");
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(o, "- {i}");
                }
                o.push('\n');
            }
            Block::Table(t) => {
                table(o, t);
                o.push('\n');
            }
            Block::Transcript { label, edits } => {
                let _ = writeln!(o, "{label}: {}\n", crate::transcript::wdiff(edits));
            }
        }
    }
}

/// A document of sections.
pub fn render(sections: &[Section]) -> String {
    let mut o = String::new();
    for (i, s) in sections.iter().enumerate() {
        section(&mut o, s, i == 0);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::Cell;

    #[test]
    fn tables_escape_pipes_and_headings_nest() {
        let mut t = Table::new("t", &["a", "b"]);
        t.rows.push(vec![Cell::text("x|y"), Cell::num("1")]);
        let s = [
            Section {
                id: "h",
                title: "Run".into(),
                blocks: vec![Block::Text("hello".into())],
            },
            Section {
                id: "t",
                title: "Table".into(),
                blocks: vec![Block::Table(t), Block::List(vec!["one".into()])],
            },
        ];
        let md = render(&s);
        assert!(md.starts_with("# Run\n\nhello\n"), "{md}");
        assert!(
            md.contains("## Table\n\n| a | b |\n|---|---|\n| x\\|y | 1 |\n"),
            "{md}"
        );
        assert!(md.contains("- one\n"), "{md}");
    }
}
