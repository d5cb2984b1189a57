//! The dual suite: one session against two behind a router, per concurrency level.

use super::{or_dash, Block, Cell, Section, Table};
use crate::stats::median;
use crate::Bundle;

/// The dual section.
pub fn section(b: &Bundle) -> Option<Section> {
    let d = b.dual.as_ref()?;
    let mut t = Table::new(
        "dual-levels",
        &[
            "mode",
            "clients",
            "audio s / wall s",
            "TTFA p50",
            "RTF p50",
            "served by session 0 / 1",
        ],
    );
    for l in &d.levels {
        let ttfa: Vec<f64> = l.ttfa_ms.iter().flatten().copied().collect();
        let rtf: Vec<f64> = l.rtf.iter().flatten().copied().collect();
        let zero = l.served_by.iter().filter(|&&s| s == 0).count();
        t.rows.push(vec![
            Cell::text(&l.mode),
            Cell::num(l.concurrency.to_string()),
            Cell::num(format!("{:.2}", l.audio_s_per_s)),
            Cell::num(or_dash(median(&ttfa), |v| format!("{v:.0} ms"))),
            Cell::num(or_dash(median(&rtf), |v| format!("{v:.3}"))),
            Cell::num(format!("{zero} / {}", l.served_by.len() - zero)),
        ]);
    }
    Some(Section {
        id: "dual",
        title: format!(
            "Dual sessions (policy {}, {} threads in total)",
            d.policy, d.total_threads
        ),
        blocks: vec![Block::Table(t)],
    })
}
