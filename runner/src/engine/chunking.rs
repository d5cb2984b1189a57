//! Streaming strategies: how a text is cut into chunks that are synthesised one after another.
//!
//! * `adaptive` (default) — sized while streaming from the speed this engine has measured
//!   (`schedule`): the first chunk as small as the machine allows without a later gap,
//!   each next one the largest that will be ready before the delivered audio runs out.
//! * `whole` — the whole text in one chunk (split only at the model's 510-phoneme limit), like
//!   kokoro-onnx's `create`.
//! * `sentence` — one chunk per sentence.
//! * `clause` — one chunk per clause (`, ; : —` and sentence ends).
//! * `progressive` — the fixed schedule: a short first chunk (2–4 words, cut at the first clause boundary if there is
//!   one, else after 3 words) so audio starts early, then chunks that double in size (8, 16, 32,
//!   then at most 48 words), each cut at the last clause boundary within its budget. The worker
//!   synthesises every chunk as soon as the previous one is done, i.e. ahead of playback.
//!
//! Model time is ~0.3 s fixed + ~28 ms per phoneme on a 2-core machine, so TTFA is set by the
//! first chunk's size; growing chunks keep the fixed cost from dominating throughput.

use super::joins::{Boundary, TITLES};
use clap::ValueEnum;
use serde::Serialize;

/// A streaming strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Chunks sized from the measured speed so playback never waits (the default).
    Adaptive,
    /// One call per ≤510-phoneme batch.
    Whole,
    /// One chunk per sentence.
    Sentence,
    /// One chunk per clause.
    Clause,
    /// Fixed schedule: a short first chunk, then doubling chunks (tuned on one machine).
    Progressive,
}

impl Strategy {
    /// Name as recorded in bundles.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Adaptive => "adaptive",
            Strategy::Whole => "whole",
            Strategy::Sentence => "sentence",
            Strategy::Clause => "clause",
            Strategy::Progressive => "progressive",
        }
    }
}

fn ends_sentence(word: &str) -> bool {
    Boundary::after(word) == Boundary::Sentence
}

/// Whether `word` ends a clause or a sentence (closing quotes and brackets ignored).
pub fn ends_clause(word: &str) -> bool {
    Boundary::after(word) != Boundary::Word
}

/// Words a chunk should not end on when more text follows: articles, prepositions,
/// conjunctions, auxiliaries, possessive determiners and subject pronouns (and the titles of
/// [`TITLES`]). Each leans on the word after it, and Kokoro reads a chunk as a whole utterance: a
/// cut after "the" puts the end of an utterance on it ("She finished the | marathon …" was heard
/// by Whisper as another sentence).
const LEANS_ON_NEXT: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "so", "of", "to", "in", "on", "at", "by", "for",
    "with", "from", "into", "onto", "about", "as", "than", "if", "because", "when", "while",
    "where", "which", "who", "whose", "that", "is", "are", "was", "were", "be", "been", "am",
    "has", "have", "had", "do", "does", "did", "will", "would", "can", "could", "should", "may",
    "might", "must", "my", "your", "his", "her", "our", "their", "this", "these", "those", "i",
    "we", "they",
];

/// Whether a chunk ending on `word` leaves it leaning on the next chunk (see [`LEANS_ON_NEXT`]);
/// never true for a word that ends a clause (`and,` is a fine place to cut).
pub fn leans_on_next(word: &str) -> bool {
    if ends_clause(word) {
        return false;
    }
    let bare = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    LEANS_ON_NEXT.contains(&bare.as_str()) || TITLES.contains(&bare.as_str())
}

/// Cuts `text` into chunks. Every word of the text appears in exactly one chunk, in order.
/// `adaptive` is not a fixed cut — the engine plans each chunk from what it measures
/// ([`super::cuts`], which also previews it with the built-in speed prior); asked for here, it is
/// cut as `progressive`.
pub fn chunk_text(text: &str, strategy: Strategy) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Vec::new();
    }
    let groups: Vec<Vec<&str>> = match strategy {
        Strategy::Whole => vec![words],
        Strategy::Sentence => split_after(&words, ends_sentence),
        Strategy::Clause => split_after(&words, ends_clause),
        Strategy::Progressive | Strategy::Adaptive => progressive(&words),
    };
    groups.into_iter().map(|g| g.join(" ")).collect()
}

fn split_after<'a>(words: &[&'a str], boundary: fn(&str) -> bool) -> Vec<Vec<&'a str>> {
    let mut out = vec![Vec::new()];
    for (i, w) in words.iter().enumerate() {
        if let Some(g) = out.last_mut() {
            g.push(*w);
        }
        if boundary(w) && i + 1 < words.len() {
            out.push(Vec::new());
        }
    }
    out
}

fn progressive<'a>(words: &[&'a str]) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut start = 0;
    // First chunk: a clause boundary among words 2..=4, else 3 words.
    let first = (1..4.min(words.len()))
        .find(|&i| ends_clause(words[i]))
        .map(|i| i + 1)
        .unwrap_or(3);
    let mut len = first.min(words.len());
    let mut budget = 8;
    loop {
        out.push(words[start..start + len].to_vec());
        start += len;
        if start >= words.len() {
            break;
        }
        let remaining = words.len() - start;
        let limit = budget.min(remaining);
        // Last clause boundary within the budget (at least half of it), else the budget itself.
        len = (limit / 2..limit)
            .rev()
            .find(|&i| ends_clause(words[start + i]))
            .map(|i| i + 1)
            .unwrap_or(limit);
        // Do not leave a dangling tail of one or two words.
        if remaining - len <= 2 {
            len = remaining;
        }
        budget = (budget * 2).min(48);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The quick brown fox jumps over the lazy dog. Then, after a short rest, it ran \
        all the way home; nobody saw it again! Did anyone care? Not really, because the evening was \
        long and the fire was warm, and the stories went on until midnight.";

    fn words(chunks: &[String]) -> Vec<String> {
        chunks
            .iter()
            .flat_map(|c| c.split_whitespace().map(str::to_string))
            .collect()
    }

    #[test]
    fn every_strategy_covers_the_text_in_order() {
        let expected: Vec<String> = TEXT.split_whitespace().map(str::to_string).collect();
        for s in [
            Strategy::Adaptive,
            Strategy::Whole,
            Strategy::Sentence,
            Strategy::Clause,
            Strategy::Progressive,
        ] {
            let chunks = chunk_text(TEXT, s);
            assert_eq!(words(&chunks), expected, "{s:?}");
            assert!(chunks.iter().all(|c| !c.is_empty()));
        }
        assert_eq!(chunk_text(TEXT, Strategy::Whole).len(), 1);
        assert_eq!(chunk_text(TEXT, Strategy::Sentence).len(), 4);
        assert!(chunk_text(TEXT, Strategy::Clause).len() > 4);
        assert!(chunk_text("   ", Strategy::Progressive).is_empty());
    }

    #[test]
    fn progressive_starts_short_and_grows() {
        let c = chunk_text(TEXT, Strategy::Progressive);
        let n: Vec<usize> = c.iter().map(|c| c.split_whitespace().count()).collect();
        assert!(n[0] >= 2 && n[0] <= 4, "{n:?}");
        assert!(n[1] > n[0], "{n:?}");
        // First chunk of a text that opens with a clause uses that clause.
        let c = chunk_text(
            "Hello there, how are you doing today my friend?",
            Strategy::Progressive,
        );
        assert_eq!(c[0], "Hello there,");
    }
}
