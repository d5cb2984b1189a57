//! Voice-agent turns (`--text-arrival`, the agent suite): how text arrived, and the figures a
//! voice agent is judged by per turn size — heard speech after the first token, end of turn
//! after the last, each piece's own TTFA, stalls between pieces, pieces per turn.

use super::{or_dash, Block, Cell, Section, Table};
use crate::describe::arrival as describe;
use crate::metrics::Metric;
use crate::schema::Case;
use crate::stats::{mean, median};
use crate::Bundle;

/// Turn sizes, in words: the classes voice agents meet (a reply of a word or three, a short
/// sentence, a full answer).
pub const SIZES: [(u32, u32, &str); 4] = [
    (1, 3, "1–3 words"),
    (4, 8, "4–8 words"),
    (9, 20, "9–20 words"),
    (21, u32::MAX, "21+ words"),
];

/// The size class of a text, by its words.
pub fn size_of(text: &str) -> &'static str {
    let n = text.split_whitespace().count() as u32;
    SIZES
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&n))
        .map_or(SIZES[0].2, |s| s.2)
}

/// The agent section.
pub fn section(b: &Bundle) -> Option<Section> {
    let arrival = b.plan.text_arrival.as_ref()?;
    let text_of = |c: &Case| {
        b.provenance
            .corpus
            .iter()
            .find(|t| t.id == c.id)
            .map(|t| t.text.as_str())
    };
    let mut t = Table::new(
        "agent",
        &[
            "Turn size",
            "Cases",
            "Turns",
            "Heard after first token p50",
            "End of turn p50",
            "Piece TTFA p50",
            "Stall / turn (mean)",
            "Pieces / turn",
        ],
    );
    for (_, _, label) in SIZES {
        let cases: Vec<&Case> = b
            .cases
            .iter()
            .filter(|c| text_of(c).is_some_and(|x| size_of(x) == label))
            .collect();
        if cases.is_empty() {
            continue;
        }
        let values =
            |m: Metric| -> Vec<f64> { cases.iter().flat_map(|c| m.case_values(c)).collect() };
        let p50 = |m: Metric| or_dash(median(&values(m)), |v| m.format(v));
        let stalls = values(Metric::StallTotalMs);
        let turns = values(Metric::TurnPieces).len();
        t.rows.push(vec![
            Cell::text(label),
            Cell::num(cases.len().to_string()),
            Cell::num(turns.to_string()),
            Cell::num(p50(Metric::HeardMs)),
            Cell::num(p50(Metric::EndOfTurnMs)),
            Cell::num(p50(Metric::PieceTtfaMs)),
            Cell::num(or_dash(mean(&stalls), |v| format!("{v:.0} ms"))),
            Cell::num(or_dash(median(&values(Metric::TurnPieces)), |v| {
                format!("{v:.0}")
            })),
        ]);
    }
    Some(Section {
        id: "agent",
        title: "Voice-agent turns".into(),
        blocks: vec![
            Block::Text(format!(
                "{}; every piece was one request, sent when the aggregator released it and the previous request had ended, and the pieces' audio played back to back.",
                capitalised(&describe(arrival))
            )),
            Block::Table(t),
            Block::Muted("Heard after first token: the first token → a real-time player plays the first audible sound (the case table's heard speech counts from the first token too). End of turn: the last token → the player finishes the turn's audio. Stalls count the player waiting between pieces, whether for synthesis or for text.".into()),
        ],
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_sizes_follow_word_counts() {
        assert_eq!(size_of("Sure."), "1–3 words");
        assert_eq!(size_of("Your table is booked for seven."), "4–8 words");
        assert_eq!(size_of(&"word ".repeat(20)), "9–20 words");
        assert_eq!(size_of(&"word ".repeat(21)), "21+ words");
    }

    #[test]
    fn a_run_without_text_arrival_has_no_agent_section() {
        let b = crate::testing::bundle_with_ttfa(&[100.0, 110.0]);
        assert!(section(&b).is_none());
    }
}
