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

/// Trial numbers as ranges: `1–3, 5`.
pub fn ranges(ids: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}–{}", ids[i], ids[j])
        } else {
            ids[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// A message for one line: whitespace runs collapsed, at most 400 characters.
fn one_line(m: &str) -> String {
    let flat: String = m.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 400 {
        format!("{}…", flat.chars().take(400).collect::<String>())
    } else {
        flat
    }
}

/// Failed trials grouped by case and error: `short: trials 1–3 (http_5xx): message` — the same
/// failure of every trial is said once, with the trials it hit.
pub fn failure_lines(b: &Bundle) -> Vec<String> {
    let mut groups: Vec<(&str, &str, &str, Vec<u32>)> = Vec::new();
    for c in &b.cases {
        for t in c.failed() {
            let Some(e) = t.error.as_ref() else { continue };
            match groups
                .iter_mut()
                .find(|g| g.0 == c.id && g.1 == e.kind.as_str() && g.2 == e.message)
            {
                Some(g) => g.3.push(t.index),
                None => groups.push((&c.id, e.kind.as_str(), &e.message, vec![t.index])),
            }
        }
    }
    groups
        .into_iter()
        .map(|(case, kind, msg, ids)| {
            let which = if ids.len() == 1 {
                format!("trial {}", ids[0])
            } else {
                format!("{} trials ({})", ids.len(), ranges(&ids))
            };
            format!("{case}: {which} ({kind}): {}", one_line(msg))
        })
        .collect()
}

/// Failed trials, each distinct error once with the trials it hit.
pub fn failures(b: &Bundle) -> Option<Section> {
    let lines = failure_lines(b);
    (!lines.is_empty()).then(|| Section {
        id: "failures",
        title: "Failed trials".into(),
        blocks: vec![Block::List(lines)],
    })
}

/// The run's notes (warnings first keep their order as written).
pub fn notes(b: &Bundle) -> Option<Section> {
    // The same note written many times (one per trial, by an older writer) is said once.
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for n in &b.notes {
        match seen.iter_mut().find(|(m, _)| *m == n.message) {
            Some(s) => s.1 += 1,
            None => seen.push((&n.message, 1)),
        }
    }
    let mut blocks: Vec<Block> = Vec::new();
    for n in &b.notes {
        let Some(i) = seen.iter().position(|(m, _)| *m == n.message) else {
            continue;
        };
        let (msg, times) = seen.remove(i);
        let text = if times > 1 {
            format!("{} (×{times})", one_line(msg))
        } else {
            one_line(msg)
        };
        blocks.push(match n.level {
            NoteLevel::Warn => Block::Warning(text),
            NoteLevel::Info => Block::Muted(text),
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ErrorKind, TrialError};

    #[test]
    fn the_same_failure_is_said_once_with_its_trials() {
        let mut b = crate::testing::bundle_with_ttfa(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        for (i, t) in b.cases[0].trials.iter_mut().enumerate() {
            if i != 3 {
                t.error = Some(TrialError {
                    kind: ErrorKind::Http5xx,
                    message: "HTTP 500:\n   {\"detail\":   \"boom\"}".into(),
                });
            }
        }
        let lines = failure_lines(&b);
        assert_eq!(
            lines,
            ["medium: 4 trials (0–2, 4) (http_5xx): HTTP 500: {\"detail\": \"boom\"}"]
        );
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), "1–3, 7, 9–10");
    }
}
