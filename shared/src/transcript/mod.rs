//! Intelligibility arithmetic shared by the runner and the page: a transcript is compared with
//! the text that was spoken after both are normalised the same way ([`normalize`]: case,
//! punctuation, numbers and times spelled out), word by word ([`align`]): word error rate, the
//! character error rate, and the edits the page highlights.

pub mod align;
pub mod normalize;

pub use align::{align, Edit};
pub use normalize::words;

/// Words as heard, with `[-missed-]`, `{+added+}` and `[-said-]{+heard+}` marks (wdiff's
/// notation), for text renderings.
pub fn wdiff(edits: &[Edit]) -> String {
    edits
        .iter()
        .map(|e| match e {
            Edit::Same(w) => w.clone(),
            Edit::Deleted(w) => format!("[-{w}-]"),
            Edit::Inserted(w) => format!("{{+{w}+}}"),
            Edit::Substituted { reference, heard } => format!("[-{reference}-]{{+{heard}+}}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A transcript scored against its reference.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    /// (substitutions + deletions + insertions) ÷ reference words; 1.0 for an empty transcript,
    /// above 1 when the transcript adds words.
    pub wer: f64,
    /// The same over characters of the normalised texts (spaces included).
    pub cer: f64,
    /// Words in the normalised reference.
    pub reference_words: usize,
    /// The word alignment, reference order.
    pub edits: Vec<Edit>,
}

/// Scores `hypothesis` (what the listener heard) against `reference` (what was to be said).
pub fn score(reference: &str, hypothesis: &str) -> Scored {
    let r = words(reference);
    let h = words(hypothesis);
    let edits = align(&r, &h);
    let errors = edits.iter().filter(|e| !matches!(e, Edit::Same(_))).count();
    let rc: Vec<char> = r.join(" ").chars().collect();
    let hc: Vec<char> = h.join(" ").chars().collect();
    let char_errors = align::distance(&rc, &hc);
    Scored {
        wer: rate(errors, r.len(), h.len()),
        cer: rate(char_errors, rc.len(), hc.len()),
        reference_words: r.len(),
        edits,
    }
}

fn rate(errors: usize, reference_len: usize, hypothesis_len: usize) -> f64 {
    if reference_len == 0 {
        // Nothing was to be said: any word heard is wrong.
        return if hypothesis_len == 0 { 0.0 } else { 1.0 };
    }
    errors as f64 / reference_len as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wer_counts_every_kind_of_error_and_ignores_spelling_of_numbers() {
        let s = score(
            "Please call the doctor at nine.",
            "please call the Doctor at 9",
        );
        assert_eq!(s.wer, 0.0);
        assert_eq!(s.cer, 0.0);
        let s = score("the east wing is closed", "the west wing closed today");
        // west≠east (sub), is (del), today (ins): 3 of 5.
        assert!((s.wer - 0.6).abs() < 1e-12, "{}", s.wer);
        assert!(s.cer > 0.0 && s.cer < s.wer);
        assert_eq!(score("half of it", "").wer, 1.0);
        assert_eq!(score("", "").wer, 0.0);
        assert_eq!(score("", "words").wer, 1.0);
    }

    #[test]
    fn a_missing_tail_is_deletions() {
        let reference = "The museum opens at ten on weekdays and at noon on Sundays.";
        let s = score(reference, "The museum opens at 10 on weekdays");
        // Five of twelve words are missing.
        assert!((s.wer - 5.0 / 12.0).abs() < 1e-12, "{}", s.wer);
        assert!(s
            .edits
            .iter()
            .rev()
            .take(5)
            .all(|e| matches!(e, Edit::Deleted(_))));
    }
}
