//! Barge-in (`--interrupt-after`): per case, when the listener interrupted, how soon the stream
//! closed, how soon the serving process's CPU fell back to idle, and the next request's first
//! audio against the same text on an idle target.

use super::{or_dash, Block, Cell, Section, Table, Tone};
use crate::describe::interrupt as describe;
use crate::metrics::Metric;
use crate::schema::{BargeTrace, Case};
use crate::stats::median;
use crate::Bundle;

/// The interrupted trials of a case.
fn barges(c: &Case) -> impl Iterator<Item = &BargeTrace> {
    c.measured().filter_map(|t| t.barge.as_ref())
}

/// The barge-in section.
pub fn section(b: &Bundle) -> Option<Section> {
    let setting = b.plan.interrupt.as_ref()?;
    let mut t = Table::new(
        "barge",
        &[
            "Case",
            "Interrupted",
            "Stream closed p50",
            "Server released p50",
            "Not released",
            "Next TTFA p50",
            "Fresh TTFA",
        ],
    );
    let mut fresh = None;
    let mut idle = None;
    for c in &b.cases {
        let all: Vec<&BargeTrace> = barges(c).collect();
        if all.is_empty() {
            continue;
        }
        fresh = fresh.or(all.iter().find_map(|x| x.fresh_next_ttfa_ms));
        idle = idle.or(all.iter().find_map(|x| x.idle_cpu_pct));
        let p50 = |m: Metric| or_dash(median(&m.case_values(c)), |v| m.format(v));
        let watched: Vec<&&BargeTrace> = all.iter().filter(|x| x.watched_ms > 0.0).collect();
        let stuck = watched.iter().filter(|x| x.release_ms.is_none()).count();
        let heard = median(&all.iter().map(|x| x.after_heard_ms).collect::<Vec<_>>());
        t.rows.push(vec![
            Cell::text(&c.id),
            Cell::num(format!(
                "{} × after {}",
                all.len(),
                or_dash(heard, |v| format!("{:.1} s", v / 1000.0))
            )),
            Cell::num(p50(Metric::BargeCloseMs)),
            Cell::num(p50(Metric::BargeReleaseMs)),
            if stuck > 0 {
                Cell::toned(format!("{stuck} of {}", watched.len()), Tone::Warn)
                    .hint("the CPU stayed above idle for the whole watch (--release-watch)")
            } else {
                Cell::num(format!("0 of {}", watched.len()))
            },
            Cell::num(p50(Metric::BargeNextTtfaMs)),
            Cell::num(or_dash(
                all.iter().find_map(|x| x.fresh_next_ttfa_ms),
                |v| Metric::BargeNextTtfaMs.format(v),
            )),
        ]);
    }
    if t.rows.is_empty() {
        return None;
    }
    Some(Section {
        id: "barge",
        title: "Barge-in".into(),
        blocks: vec![
            Block::Text(format!(
                "Each measured request {}, and the client closed the stream; the first request of each case was heard to the end (it gives the audio's length). Even trials then watched the serving process's CPU (idle: {}); odd trials sent \"{}\" at once (on an idle target its first audio came in {}).",
                describe(Some(setting)),
                or_dash(idle, |v| format!("{v:.0} % of one core")),
                setting.next_text,
                or_dash(fresh, |v| Metric::BargeNextTtfaMs.format(v)),
            )),
            Block::Table(t),
            Block::Muted("Stream closed: the interruption → the request ended on our side. Server released: the interruption → the first 100 ms window with the serving process's CPU within 10 points of idle (polled every 20 ms; clock ticks are 10 ms). A server that goes on synthesising the abandoned text holds the CPU and delays the next request's first audio.".into()),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_without_interruptions_has_no_barge_section() {
        let b = crate::testing::bundle_with_ttfa(&[500.0, 510.0]);
        assert!(section(&b).is_none());
    }
}
