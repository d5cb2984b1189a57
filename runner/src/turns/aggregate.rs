//! The client-side aggregator: arriving text cut into the pieces a voice agent sends to TTS.
//!
//! The rule is the one Pipecat's sentence aggregator and LiveKit Agents' sentence tokenizer
//! apply: a piece ends at a sentence stop (`.` `!` `?` `…` and the CJK stops `。` `！` `？`,
//! with any closing quote or bracket after it) **once the whitespace after it has arrived** —
//! so `$12.50` or `7:45` are not cut, and the piece is released when the next token shows the
//! sentence really ended. Common abbreviations (`Dr.`, `Mr.`, `e.g.` …) and single initials do
//! not end a sentence. `clause` also cuts at `,` `;` `:` (and `、` `，`), but only once the
//! piece has at least [`CLAUSE_MIN_WORDS`] words (a lone "Well," is not worth a request). At
//! the last token, whatever is left is the last piece.

use super::arrival::Arrival;
use kokoro_bench_bundle::schema::Aggregation;

/// The fewest words a clause piece has (sentence pieces have no minimum).
pub const CLAUSE_MIN_WORDS: usize = 3;

/// Words before a `.` that do not end a sentence.
const ABBREVIATIONS: [&str; 14] = [
    "mr", "mrs", "ms", "dr", "st", "prof", "sr", "jr", "vs", "etc", "e.g", "i.e", "no", "approx",
];

/// One piece to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    /// Its text, trimmed.
    pub text: String,
    /// When the aggregator released it, ms after the first token.
    pub ready_ms: f64,
}

/// Cuts `text`, arriving as `arrivals`, into pieces.
pub fn pieces(text: &str, arrivals: &[Arrival], rule: Aggregation) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut scanned = 0usize;
    for a in arrivals {
        // A boundary at `p` needs the character after it, so scan up to the last arrived one.
        while let Some(p) = next_boundary(text, start, scanned, a.end, rule) {
            push(&mut out, &text[start..p], a.at_ms);
            start = p;
            scanned = p;
        }
        scanned = scanned.max(last_word_start(text, a.end));
    }
    if let Some(last) = arrivals.last() {
        push(&mut out, &text[start..], last.at_ms);
    }
    out
}

fn push(out: &mut Vec<Piece>, text: &str, ready_ms: f64) {
    let t = text.trim();
    if !t.is_empty() {
        out.push(Piece {
            text: t.to_string(),
            ready_ms,
        });
    }
}

/// The first boundary after `from` (scanning from `scan`) whose following whitespace lies before
/// `received`.
fn next_boundary(
    text: &str,
    start: usize,
    scan: usize,
    received: usize,
    rule: Aggregation,
) -> Option<usize> {
    let got = &text[..received];
    let mut it = got[scan..].char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let at = scan + i;
        if !is_stop(c) {
            continue;
        }
        let mut end = at + c.len_utf8();
        // Closing quotes and brackets stay with the sentence.
        while let Some(&(j, q)) = it.peek() {
            if matches!(q, '"' | '\'' | '”' | '’' | ')' | ']' | '」' | '』') {
                end = scan + j + q.len_utf8();
                it.next();
            } else {
                break;
            }
        }
        let cjk = matches!(c, '。' | '！' | '？' | '、' | '，');
        let followed = match got[end..].chars().next() {
            Some(n) => n.is_whitespace() || cjk,
            None => false,
        };
        if !followed {
            continue;
        }
        let piece = &text[start..end];
        let clause = matches!(c, ',' | ';' | ':' | '、' | '，');
        if clause && (rule == Aggregation::Sentence || words(piece) < CLAUSE_MIN_WORDS) {
            continue;
        }
        if c == '.' && abbreviation(piece) {
            continue;
        }
        return Some(end);
    }
    None
}

/// Whether `c` can end a piece (under some rule).
fn is_stop(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '…' | '。' | '！' | '？' | ',' | ';' | ':' | '、' | '，'
    )
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Whether the word ending at the `.` closing `piece` is an abbreviation or an initial.
fn abbreviation(piece: &str) -> bool {
    let word = piece
        .trim_end_matches('.')
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("")
        .trim_start_matches(['(', '"', '\'']);
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
        || (word.chars().count() == 1 && word.chars().all(|c| c.is_uppercase()))
}

/// Where the last (maybe unfinished) word before `end` starts: it is scanned again once more
/// text arrives, so a stop that arrived last is judged when its follower is there.
fn last_word_start(text: &str, end: usize) -> usize {
    text[..end]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::turns::arrival::Pace;

    fn cut(text: &str, rule: Aggregation) -> Vec<(String, f64)> {
        let arrivals = Pace::parse("10words/s").unwrap().schedule(text, 0);
        pieces(text, &arrivals, rule)
            .into_iter()
            .map(|p| (p.text, p.ready_ms))
            .collect()
    }

    #[test]
    fn a_sentence_is_released_when_the_next_word_shows_it_ended() {
        let got = cut(
            "Sure thing. Dr. Patel sees you at 7:45 today! Bye",
            Aggregation::Sentence,
        );
        assert_eq!(
            got,
            [
                ("Sure thing.".to_string(), 200.0),
                ("Dr. Patel sees you at 7:45 today!".to_string(), 900.0),
                ("Bye".to_string(), 900.0),
            ]
        );
    }

    #[test]
    fn prices_and_initials_are_not_cut_and_the_rest_is_sent_at_the_last_token() {
        let got = cut("It costs $12.50 for J. Smith.", Aggregation::Sentence);
        assert_eq!(got, [("It costs $12.50 for J. Smith.".to_string(), 500.0)]);
    }

    #[test]
    fn clauses_need_three_words() {
        let got = cut(
            "Well, I checked the list, and it is ready.",
            Aggregation::Clause,
        );
        let texts: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(texts, ["Well, I checked the list,", "and it is ready."]);
    }

    #[test]
    fn a_stop_that_arrives_last_in_a_token_waits_for_the_next_one() {
        // Tokens: "One" "." then " Two": the first piece is released with " Two".
        let text = "One. Two.";
        let arrivals = [
            Arrival { at_ms: 0.0, end: 3 },
            Arrival {
                at_ms: 10.0,
                end: 4,
            },
            Arrival {
                at_ms: 20.0,
                end: 8,
            },
            Arrival {
                at_ms: 30.0,
                end: 9,
            },
        ];
        let got = pieces(text, &arrivals, Aggregation::Sentence);
        assert_eq!(
            got[0],
            Piece {
                text: "One.".into(),
                ready_ms: 20.0
            }
        );
        assert_eq!(
            got[1],
            Piece {
                text: "Two.".into(),
                ready_ms: 30.0
            }
        );
    }
}
