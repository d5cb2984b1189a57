//! What went wrong or needs weighing: audio problems, failed trials with their errors, and the
//! run's notes.

use super::{Block, Section};
use crate::schema::{NoteLevel, SuiteKind};
use crate::Bundle;

/// Audio problems found by the quality suite, per trial.
pub fn audio(b: &Bundle) -> Option<Section> {
    let lines: Vec<String> = b
        .cases
        .iter()
        .flat_map(|c| {
            c.trials
                .iter()
                .filter_map(move |t| t.quality.as_ref().map(|q| (c, t, q)))
        })
        .filter(|(_, _, q)| !q.problems.is_empty())
        .map(|(c, t, q)| format!("{} trial {}: {}", c.id, t.index, q.problems.join("; ")))
        .collect();
    let mut blocks = Vec::new();
    if !lines.is_empty() {
        blocks.push(Block::List(lines));
    }
    if b.has_suite(&SuiteKind::Quality) {
        blocks.push(Block::Muted("Raw Kokoro output is not loudness-normalised; a −16 LUFS band describes a server that normalises.".into()));
    }
    (!blocks.is_empty()).then(|| Section {
        id: "audio-problems",
        title: if blocks.len() > 1 {
            "Audio problems".into()
        } else {
            String::new()
        },
        blocks,
    })
}

/// Failed trials, each with its error.
pub fn failures(b: &Bundle) -> Option<Section> {
    let lines: Vec<String> = b
        .cases
        .iter()
        .flat_map(|c| c.failed().map(move |t| (c, t)))
        .map(|(c, t)| {
            let e = t.error.as_ref();
            format!(
                "{} trial {} ({}): {}",
                c.id,
                t.index,
                e.map(|e| e.kind.as_str()).unwrap_or(""),
                e.map(|e| e.message.as_str()).unwrap_or("")
            )
        })
        .collect();
    (!lines.is_empty()).then(|| Section {
        id: "failures",
        title: "Failed trials".into(),
        blocks: vec![Block::List(lines)],
    })
}

/// The run's notes (warnings first keep their order as written).
pub fn notes(b: &Bundle) -> Option<Section> {
    let mut blocks: Vec<Block> = b
        .notes
        .iter()
        .map(|n| match n.level {
            NoteLevel::Warn => Block::Warning(n.message.clone()),
            NoteLevel::Info => Block::Muted(n.message.clone()),
        })
        .collect();
    blocks.extend(
        b.caveats
            .iter()
            .map(|c| Block::Warning(format!("{}: {}", c.metric, c.message))),
    );
    (!blocks.is_empty()).then(|| Section {
        id: "notes",
        title: "Notes".into(),
        blocks,
    })
}
