//! The judges section: per judged trial, what the listening models scored, beside the models
//! that scored it and what judging cost — or, when the suite was skipped, why.

use super::{Block, Cell, Section, Table, Tone};
use crate::metrics::Metric;
use crate::Bundle;

/// DNSMOS columns, in order.
const DNSMOS: [Metric; 4] = [
    Metric::DnsmosOvrl,
    Metric::DnsmosSig,
    Metric::DnsmosBak,
    Metric::DnsmosP808,
];

/// The tone a predicted opinion score deserves: bad below 2.5 (garbage), a warning below 3.
fn tone(v: f64) -> Tone {
    if v < 2.5 {
        Tone::Bad
    } else if v < 3.0 {
        Tone::Warn
    } else {
        Tone::Plain
    }
}

/// The judges section.
pub fn section(b: &Bundle) -> Option<Section> {
    let j = b.judges.as_ref()?;
    let mut blocks = Vec::new();
    if let Some(why) = &j.skipped {
        blocks.push(Block::Warning(format!("Skipped, not passed: {why}")));
    }
    let mut headings = vec!["case", "trial", "audio"];
    headings.extend(DNSMOS.iter().map(|m| m.label()));
    headings.push("judged in");
    let mut t = Table::new("judges", &headings);
    for c in &b.cases {
        for tr in &c.trials {
            let Some(tj) = &tr.judges else { continue };
            let mut row = vec![
                Cell::text(c.id.clone()),
                Cell::num(format!("#{}", tr.index)),
                Cell::num(format!("{:.2} s", tr.audio_s)),
            ];
            for m in DNSMOS {
                row.push(match m.trial_value(tr) {
                    Some(v) => Cell {
                        tone: tone(v),
                        ..Cell::num(m.format(v))
                    }
                    .hint(m.definition()),
                    None => {
                        Cell::toned(tj.error.clone().unwrap_or_else(|| "—".into()), Tone::NoData)
                    }
                });
            }
            row.push(Cell::num(format!("{:.0} ms", tj.judge_ms)));
            t.rows.push(row);
        }
    }
    if !t.rows.is_empty() {
        blocks.push(Block::Table(t));
    }
    if !j.models.is_empty() {
        blocks.push(Block::Muted(format!(
            "Judged {} trial(s), {:.1} s of audio, in {:.1} s ({:.2} s per second of audio), {}. Models: {}.",
            j.judged_trials,
            j.judged_audio_s,
            j.judge_ms / 1000.0,
            if j.judged_audio_s > 0.0 { j.judge_ms / 1000.0 / j.judged_audio_s } else { 0.0 },
            j.when,
            j.models
                .iter()
                .map(|m| format!("{} ({}, {}…, {})", m.name, m.package, &m.sha256[..m.sha256.len().min(12)], m.runtime))
                .collect::<Vec<_>>()
                .join("; ")
        )));
        blocks.push(Block::Muted(
            "DNSMOS predicts how listeners rate noise and distortion (1–5); it does not hear whether the words are right or the voice is natural. Below 2.5 is garbage, not a preference.".into(),
        ));
    }
    Some(Section {
        id: "judges",
        title: "Judges (predicted quality)".into(),
        blocks,
    })
}
