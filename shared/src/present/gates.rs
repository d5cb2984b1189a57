//! The gate board: every gate with its value, band, sample count, status and reason.

use super::{or_dash, Block, Cell, Section, Table, Tone};
use crate::schema::GateStatus;
use crate::Bundle;

/// A gate status in words, as the summary prints it.
pub fn status_label(s: GateStatus) -> &'static str {
    match s {
        GateStatus::Pass => "PASS",
        GateStatus::Warn => "WARN",
        GateStatus::Fail => "FAIL",
        GateStatus::NoData => "NO DATA",
        GateStatus::Off => "off",
    }
}

/// The gates section (absent when no gates were evaluated).
pub fn section(b: &Bundle) -> Option<Section> {
    if b.gates.is_empty() {
        return None;
    }
    let mut t = Table::new(
        "gate-board",
        &["status", "gate", "case", "value", "band", "n", "why"],
    );
    for g in &b.gates {
        let mut gate = Cell::text(&g.rule.id);
        if let Some(n) = &g.rule.note {
            gate = gate.hint(n.clone());
        }
        t.rows.push(vec![
            Cell::toned(status_label(g.status), Tone::of_gate(g.status)),
            gate,
            Cell::text(g.case.as_deref().unwrap_or("all")),
            Cell::num(or_dash(g.value, |v| g.rule.metric.format(v))),
            Cell::num(g.rule.bound.describe(g.rule.metric)),
            Cell::num(g.samples.to_string()),
            Cell::text(&g.reason),
        ]);
    }
    Some(Section {
        id: "gates",
        title: "Gates".into(),
        blocks: vec![Block::Table(t)],
    })
}
