//! Natural joins: every Kokoro call starts with ≈ 270 ms and ends with ≈ 700 ms of silence, so
//! chunks played back to back put pauses of ≈ 1 s *inside* sentences, and the first sample a
//! listener receives is a quarter second of nothing. With [`Joins::Natural`] the engine trims each
//! piece's silence to the pause the text calls for at that point — what whole-text synthesis of
//! the same words puts there — and keeps the 5 ms click-free fades at the new edges.
//!
//! The pauses were measured on whole-text synthesis of the `short`, `medium` and `long` presets
//! (int8 model, −50 dBFS 10 ms windows, see `docs/measurements.md`): ≈ 0 between words of a
//! clause, 230–520 ms after a comma, 570–610 ms after a sentence end.

use super::fade;
use crate::measure::audible::{audible_windows, DEFAULT_THRESHOLD_DBFS, WINDOW_S};
use clap::ValueEnum;
use serde::Serialize;

/// What the engine does with the silence at the edges of each synthesised piece.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Joins {
    /// Trim each piece's edges to the pause the text calls for (the first piece starts within
    /// [`EDGE_KEEP_MS`] of speech; the last keeps its natural ending).
    #[default]
    Natural,
    /// The model's output untouched (only the fades at joins).
    Raw,
}

impl Joins {
    /// Name as recorded in bundles.
    pub fn name(self) -> &'static str {
        match self {
            Joins::Natural => "natural",
            Joins::Raw => "raw",
        }
    }
}

/// Silence kept before the first audible window and after the last one, ms (soft onsets and
/// decays sit just under the audibility threshold).
pub const EDGE_KEEP_MS: f64 = 20.0;

/// Where a piece ends in the text: decides the pause that follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// Between two words of one clause.
    Word,
    /// After `, ; : —`.
    Clause,
    /// After `. ! ? …`.
    Sentence,
}

impl Boundary {
    /// The boundary after the last word of `text` (closing quotes and brackets ignored). A title
    /// abbreviation ("Dr.", "Mr.") ends no sentence: "Dr. | Patel" is one name.
    pub fn after(text: &str) -> Boundary {
        let t = text.trim_end().trim_end_matches(['"', '\'', ')', '”', '’']);
        if is_title_abbreviation(t) {
            Boundary::Word
        } else if t.ends_with(['.', '!', '?', '…']) {
            Boundary::Sentence
        } else if t.ends_with([',', ';', ':', '—']) {
            Boundary::Clause
        } else {
            Boundary::Word
        }
    }

    /// The silence whole-text synthesis puts at this boundary, ms (see the module docs).
    pub fn pause_ms(self) -> f64 {
        match self {
            Boundary::Word => 0.0,
            Boundary::Clause => 250.0,
            Boundary::Sentence => 580.0,
        }
    }
}

/// Abbreviations that stand before a name and so never end a sentence in practice (lower case,
/// without the full stop).
pub const TITLES: [&str; 8] = ["mr", "mrs", "ms", "dr", "prof", "st", "mt", "vs"];

/// Whether the last word of `text` is a title abbreviation with its full stop ("Dr.").
fn is_title_abbreviation(text: &str) -> bool {
    let Some(word) = text.strip_suffix('.') else {
        return false;
    };
    let word = word
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    TITLES.contains(&word.to_lowercase().as_str())
}

/// What trimming removed from one piece, ms of audio.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Trimmed {
    /// Silence removed before the speech.
    pub leading_ms: f64,
    /// Silence removed after the speech.
    pub trailing_ms: f64,
}

/// Where this piece sits in the stream.
#[derive(Clone, Copy, Debug)]
pub struct Edges {
    /// The first piece of the request (its leading silence is trimmed to [`EDGE_KEEP_MS`]).
    pub first: bool,
    /// The pause that follows this piece; `None` for the last piece (its ending is kept).
    pub then: Option<Boundary>,
}

/// Shapes one piece for delivery: trims it per `joins` and fades every edge that meets another
/// piece. Audio with no audible window is left as it is (there is nothing to align to).
pub fn shape(samples: &mut Vec<f32>, sample_rate_hz: u32, joins: Joins, edges: Edges) -> Trimmed {
    let mut trimmed = Trimmed::default();
    if joins == Joins::Natural {
        trimmed = trim(samples, sample_rate_hz, edges);
    }
    if !edges.first || trimmed.leading_ms > 0.0 {
        fade(samples, false);
    }
    if edges.then.is_some() {
        fade(samples, true);
    }
    trimmed
}

fn trim(samples: &mut Vec<f32>, sample_rate_hz: u32, edges: Edges) -> Trimmed {
    let audible = audible_windows(samples, sample_rate_hz, DEFAULT_THRESHOLD_DBFS);
    let (Some(first), Some(last)) = (
        audible.iter().position(|&a| a),
        audible.iter().rposition(|&a| a),
    ) else {
        return Trimmed::default();
    };
    let window = (sample_rate_hz as f64 * WINDOW_S).round() as usize;
    let per_ms = sample_rate_hz as f64 / 1000.0;
    let keep = (EDGE_KEEP_MS * per_ms) as usize;
    let speech_start = first * window;
    let speech_end = ((last + 1) * window).min(samples.len());
    // Whatever the previous piece kept as its pause is the whole pause: this one starts at speech.
    let start = speech_start.saturating_sub(keep);
    let end = match edges.then {
        None => samples.len(),
        Some(b) => {
            let pause = (b.pause_ms() * per_ms) as usize;
            (speech_end + keep.max(pause)).min(samples.len())
        }
    };
    let trimmed = Trimmed {
        leading_ms: start as f64 / per_ms,
        trailing_ms: (samples.len() - end) as f64 / per_ms,
    };
    samples.truncate(end);
    samples.drain(..start);
    trimmed
}

/// Silence heard around sample `at` of `samples` (the run of inaudible 10 ms windows that
/// contains it), ms; 0 when `at` falls in speech.
pub fn pause_around(samples: &[f32], at: usize, sample_rate_hz: u32, threshold_dbfs: f64) -> f64 {
    let audible = audible_windows(samples, sample_rate_hz, threshold_dbfs);
    let window = ((sample_rate_hz as f64 * WINDOW_S).round() as usize).max(1);
    let i = (at / window).min(audible.len().saturating_sub(1));
    if audible.get(i).copied().unwrap_or(true) {
        return 0.0;
    }
    let before = audible[..i].iter().rev().take_while(|&&a| !a).count();
    let after = audible[i..].iter().take_while(|&&a| !a).count();
    (before + after) as f64 * WINDOW_S * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: u32 = 24_000;

    /// `lead` ms of silence, `speech` ms of a tone, `trail` ms of silence.
    fn piece(lead: usize, speech: usize, trail: usize) -> Vec<f32> {
        let n = |ms: usize| ms * SR as usize / 1000;
        let mut s = vec![0.0f32; n(lead)];
        s.extend((0..n(speech)).map(|i| 0.3 * (i as f32 * 0.05).sin()));
        s.extend(vec![0.0f32; n(trail)]);
        s
    }

    fn ms(s: &[f32]) -> f64 {
        s.len() as f64 * 1000.0 / SR as f64
    }

    #[test]
    fn boundaries_follow_punctuation() {
        assert_eq!(Boundary::after("The morning train"), Boundary::Word);
        assert_eq!(Boundary::after("late again,"), Boundary::Clause);
        assert_eq!(Boundary::after("He said \"stop.\""), Boundary::Sentence);
        assert_eq!(Boundary::after("really?) "), Boundary::Sentence);
        assert_eq!(Boundary::after("Dr."), Boundary::Word);
        assert_eq!(Boundary::after("said Mr."), Boundary::Word);
        assert_eq!(Boundary::after("the first."), Boundary::Sentence);
        assert_eq!(Boundary::after("Thomas and Elena."), Boundary::Sentence);
    }

    #[test]
    fn natural_joins_keep_the_pause_the_text_calls_for() {
        // A middle piece ending at a comma: 270 ms in front, 700 ms behind, 1 s of speech.
        let mut s = piece(270, 1000, 700);
        let edges = Edges {
            first: false,
            then: Some(Boundary::Clause),
        };
        let t = shape(&mut s, SR, Joins::Natural, edges);
        assert!((t.leading_ms - 250.0).abs() <= 10.0, "{t:?}");
        assert!(
            (ms(&s) - (20.0 + 1000.0 + 250.0)).abs() <= 10.0,
            "{}",
            ms(&s)
        );
        assert_eq!(s[0], 0.0);
        assert_eq!(*s.last().unwrap(), 0.0);
        // Mid-clause: only the edge margins stay.
        let mut s = piece(270, 1000, 700);
        let edges = Edges {
            first: false,
            then: Some(Boundary::Word),
        };
        shape(&mut s, SR, Joins::Natural, edges);
        assert!((ms(&s) - 1040.0).abs() <= 10.0, "{}", ms(&s));
    }

    #[test]
    fn the_first_piece_starts_at_speech_and_the_last_keeps_its_ending() {
        let mut s = piece(270, 500, 700);
        let edges = Edges {
            first: true,
            then: None,
        };
        let t = shape(&mut s, SR, Joins::Natural, edges);
        assert!((t.leading_ms - 250.0).abs() <= 10.0, "{t:?}");
        assert_eq!(t.trailing_ms, 0.0);
        assert!((ms(&s) - 1220.0).abs() <= 10.0);
    }

    #[test]
    fn raw_joins_and_silent_pieces_are_left_alone() {
        let mut s = piece(270, 500, 700);
        let edges = Edges {
            first: true,
            then: Some(Boundary::Word),
        };
        assert_eq!(shape(&mut s, SR, Joins::Raw, edges), Trimmed::default());
        assert!((ms(&s) - 1470.0).abs() < 1.0);
        let mut silent = vec![0.0f32; 4800];
        assert_eq!(
            shape(&mut silent, SR, Joins::Natural, edges),
            Trimmed::default()
        );
        assert_eq!(silent.len(), 4800);
    }

    #[test]
    fn the_pause_around_a_join_is_the_whole_silent_run() {
        let mut s = piece(0, 500, 300);
        s.extend(piece(200, 500, 0));
        let join = 800 * SR as usize / 1000;
        let p = pause_around(&s, join, SR, -50.0);
        assert!((p - 500.0).abs() <= 20.0, "{p}");
        assert_eq!(pause_around(&s, 100 * SR as usize / 1000, SR, -50.0), 0.0);
    }
}
