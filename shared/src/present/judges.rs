//! The judges section: per judged trial, what the listening models scored, beside the models
//! that scored it and what judging cost — or, when the suite was skipped, why.

use super::{Block, Cell, Section, Table, Tone};
use crate::metrics::Metric;
use crate::Bundle;

/// The judges' columns, in order.
pub const COLUMNS: [Metric; 8] = [
    Metric::Wer,
    Metric::Mos,
    Metric::SpeakerSimilarity,
    Metric::JoinSimilarityMin,
    Metric::DnsmosOvrl,
    Metric::DnsmosSig,
    Metric::DnsmosBak,
    Metric::DnsmosP808,
];

/// The tone a score deserves: predicted opinion bad below 2.5 (garbage), a warning below 3;
/// speaker similarity bad below 0.9 (not the voice), a warning below 0.93; word error rate bad
/// above 0.3 (not the text), a warning above 0.1.
fn tone(m: Metric, v: f64) -> Tone {
    if m == Metric::Wer {
        return if v > 0.3 {
            Tone::Bad
        } else if v > 0.1 {
            Tone::Warn
        } else {
            Tone::Plain
        };
    }
    let (bad, warn) = match m {
        Metric::SpeakerSimilarity => (0.9, 0.93),
        // Clean joins score 0.84–0.98, another voice after a join ≈ 0.5.
        Metric::JoinSimilarityMin => (0.7, 0.8),
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

/// Per judged trial (first per case, or every one with errors), the words heard against the
/// words sent.
fn transcripts(b: &Bundle) -> Vec<Block> {
    let mut out = Vec::new();
    for c in &b.cases {
        let mut shown_clean = false;
        for tr in &c.trials {
            let Some(asr) = tr.judges.as_ref().and_then(|j| j.asr.as_ref()) else {
                continue;
            };
            let scored = crate::transcript::score(&asr.reference, &asr.transcript);
            let clean = scored
                .edits
                .iter()
                .all(|e| matches!(e, crate::transcript::Edit::Same(_)));
            if clean && shown_clean {
                continue;
            }
            shown_clean |= clean;
            out.push(Block::Transcript {
                label: format!(
                    "{} #{} · WER {}",
                    c.id,
                    tr.index,
                    Metric::Wer.format(asr.wer)
                ),
                edits: scored.edits,
            });
        }
    }
    out
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
    blocks.extend(transcripts(b));
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
            "Word error rate: what Whisper tiny.en heard against the text sent, both normalised (case, punctuation, numbers spelled out); the recogniser makes its own mistakes (≈ ±4 points over 10 sentences), so compare runs rather than read it against zero. Speaker similarity: the same voice scores ≈ 0.95, another voice ≤ 0.75. Voice across joins: the lowest similarity of one streamed piece to the next (pieces of 1.6 s or more; clean joins 0.84–0.98, another voice ≈ 0.5). DNSMOS predicts how listeners rate noise and distortion (1–5); it does not hear whether the words are right. Below 2.5 is garbage, not a preference.".into(),
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
