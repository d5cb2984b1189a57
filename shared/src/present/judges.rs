//! The judges section: per judged trial, what the listening models scored, beside the models
//! that scored it and what judging cost — or, when the suite was skipped, why.

use super::{Block, Cell, Section, Table, Tone};
use crate::metrics::Metric;
use crate::Bundle;

/// The judges' columns, in order.
pub const COLUMNS: [Metric; 5] = [
    Metric::SpeakerSimilarity,
    Metric::DnsmosOvrl,
    Metric::DnsmosSig,
    Metric::DnsmosBak,
    Metric::DnsmosP808,
];

/// The tone a score deserves: predicted opinion bad below 2.5 (garbage), a warning below 3;
/// speaker similarity bad below 0.9 (not the voice), a warning below 0.93.
fn tone(m: Metric, v: f64) -> Tone {
    let (bad, warn) = match m {
        Metric::SpeakerSimilarity => (0.9, 0.93),
        _ => (2.5, 3.0),
    };
    if v < bad {
        Tone::Bad
    } else if v < warn {
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
    headings.extend(COLUMNS.iter().map(|m| m.label()));
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
            for m in COLUMNS {
                row.push(match m.trial_value(tr) {
                    Some(v) => Cell {
                        tone: tone(m, v),
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
        if let Some(p) = &j.voiceprint {
            blocks.push(Block::Muted(format!(
                "Speaker similarity is measured against the {p}."
            )));
        }
        blocks.push(Block::Muted(
            "Speaker similarity: the same voice scores ≈ 0.95, another voice ≤ 0.75. DNSMOS predicts how listeners rate noise and distortion (1–5); it does not hear whether the words are right. Below 2.5 is garbage, not a preference.".into(),
        ));
    }
    for n in &j.not_judged {
        blocks.push(Block::Warning(format!("Not judged: {n}")));
    }
    Some(Section {
        id: "judges",
        title: "Judges (predicted quality)".into(),
        blocks,
    })
}
