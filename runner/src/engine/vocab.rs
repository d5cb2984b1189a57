//! The model vocabulary: phoneme symbol → token id (`vocab.json`, `{"vocab": {"a": 43, …}}`).

use std::collections::HashMap;
use std::path::Path;

/// Largest number of phoneme tokens per model call (512 minus the two pad tokens).
pub const MAX_PHONEMES: usize = 510;

/// Phoneme → id map.
pub struct Vocab {
    map: HashMap<char, i64>,
}

/// Tokens of one phoneme string.
#[derive(Clone, Debug, PartialEq)]
pub struct Tokens {
    /// Token ids without padding.
    pub ids: Vec<i64>,
    /// Characters of the phoneme string that are not in the vocabulary (dropped).
    pub dropped: Vec<char>,
}

impl Vocab {
    /// Reads `vocab.json`.
    ///
    /// # Errors
    /// A message naming the file when it cannot be read or is not `{"vocab": {symbol: id}}`.
    pub fn load(path: &Path) -> Result<Vocab, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read vocabulary: {e} ({})", path.display()))?;
        Self::parse(&bytes).map_err(|e| format!("{e} ({})", path.display()))
    }

    /// Parses vocabulary JSON (`{"vocab": {...}}` or a bare map).
    ///
    /// # Errors
    /// A message when the JSON has the wrong shape.
    pub fn parse(bytes: &[u8]) -> Result<Vocab, String> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("vocabulary is not JSON: {e}"))?;
        let obj = v
            .get("vocab")
            .unwrap_or(&v)
            .as_object()
            .ok_or("vocabulary must be a JSON object of symbol → id")?;
        let mut map = HashMap::new();
        for (k, id) in obj {
            let mut chars = k.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return Err(format!("vocabulary key `{k}` is not a single character"));
            };
            let id = id
                .as_i64()
                .ok_or_else(|| format!("vocabulary id of `{k}` is not an integer"))?;
            map.insert(c, id);
        }
        if map.is_empty() {
            return Err("vocabulary is empty".into());
        }
        Ok(Vocab { map })
    }

    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the vocabulary is empty (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Maps a phoneme string to ids, dropping (and reporting) unknown characters.
    pub fn encode(&self, phonemes: &str) -> Tokens {
        let mut t = Tokens {
            ids: Vec::with_capacity(phonemes.len()),
            dropped: Vec::new(),
        };
        for c in phonemes.chars() {
            match self.map.get(&c) {
                Some(&id) => t.ids.push(id),
                None => t.dropped.push(c),
            }
        }
        t
    }
}

/// Splits a phoneme string into pieces of at most [`MAX_PHONEMES`] characters, cutting after the
/// last punctuation mark (else space) before the limit.
pub fn split_phonemes(phonemes: &str) -> Vec<String> {
    let chars: Vec<char> = phonemes.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    while chars.len() - start > MAX_PHONEMES {
        let window = &chars[start..start + MAX_PHONEMES];
        let cut = window
            .iter()
            .rposition(|c| ".!?;:,—…".contains(*c))
            .or_else(|| window.iter().rposition(|c| *c == ' '))
            .map(|i| i + 1)
            .unwrap_or(MAX_PHONEMES);
        out.push(
            chars[start..start + cut]
                .iter()
                .collect::<String>()
                .trim()
                .to_string(),
        );
        start += cut;
    }
    let rest: String = chars[start..].iter().collect::<String>().trim().to_string();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_reports_unknown_symbols() {
        let v = Vocab::parse(br#"{"vocab": {"a": 43, "b": 44, " ": 16}}"#).unwrap();
        let t = v.encode("ab a❓");
        assert_eq!(t.ids, vec![43, 44, 16, 43]);
        assert_eq!(t.dropped, vec!['❓']);
        assert!(Vocab::parse(br#"{"vocab": {"ab": 1}}"#).is_err());
        assert!(Vocab::parse(b"[]").is_err());
    }

    #[test]
    fn long_phoneme_strings_split_at_punctuation_within_the_limit() {
        let sentence = "ðə kwˈɪk bɹˈWn fˈɑks, ʤˈʌmps ˈOvəɹ ðə lˈAzi dˈɔɡ. ";
        let long = sentence.repeat(30);
        let parts = split_phonemes(&long);
        assert!(parts.len() > 1);
        for p in &parts {
            assert!(p.chars().count() <= MAX_PHONEMES);
            assert!(
                p.ends_with(',') || p.ends_with('.') || p == parts.last().unwrap(),
                "{p}"
            );
        }
        let joined: usize = parts
            .iter()
            .map(|p| p.chars().filter(|c| !c.is_whitespace()).count())
            .sum();
        assert_eq!(joined, long.chars().filter(|c| !c.is_whitespace()).count());
    }
}
