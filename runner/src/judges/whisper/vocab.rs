//! Whisper's vocabulary: GPT-2 byte-level BPE tokens (`vocabulary.txt`, one per line, id = line
//! number), turned back into text, and the token ids decoding needs (from `config.json`).

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;

/// End of text: decoding stops here.
pub const EOT: usize = 50_256;
/// Start of transcript: the first prompt token.
pub const SOT: usize = 50_257;
/// No timestamps: the second prompt token (plain text, no segment times).
pub const NO_TIMESTAMPS: usize = 50_362;

/// The vocabulary, as bytes per token.
pub struct Vocab {
    bytes: Vec<Vec<u8>>,
    /// Token ids never to generate (`config.json`'s `suppress_ids`).
    pub suppress: Vec<usize>,
    /// Token ids not to generate first (`suppress_ids_begin`: a lone space, end of text).
    pub suppress_begin: Vec<usize>,
}

/// GPT-2's `bytes_to_unicode` inverted: the printable stand-in character of every byte.
fn byte_decoder() -> HashMap<char, u8> {
    let mut out = HashMap::new();
    let mut next = 256u32;
    for b in 0..=255u8 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let c = if printable {
            char::from(b)
        } else {
            let c = char::from_u32(next).unwrap_or('?');
            next += 1;
            c
        };
        out.insert(c, b);
    }
    out
}

impl Vocab {
    /// Reads `vocabulary.txt` and `config.json` from a CTranslate2 Whisper folder.
    ///
    /// # Errors
    /// Files missing or malformed, with their path.
    pub fn load(vocabulary: &Path, config: &Path) -> Result<Vocab> {
        let text = std::fs::read_to_string(vocabulary)
            .with_context(|| format!("cannot read {}", vocabulary.display()))?;
        let decoder = byte_decoder();
        let bytes: Vec<Vec<u8>> = text
            .split('\n')
            .map(|token| {
                // Special tokens (`<|…|>`) are not byte-encoded; they are never printed.
                if token.starts_with("<|") {
                    Vec::new()
                } else {
                    token
                        .chars()
                        .filter_map(|c| decoder.get(&c).copied())
                        .collect()
                }
            })
            .collect();
        if bytes.len() <= NO_TIMESTAMPS {
            bail!(
                "{} has {} tokens: not Whisper's English vocabulary",
                vocabulary.display(),
                bytes.len()
            );
        }
        let config_text = std::fs::read_to_string(config)
            .with_context(|| format!("cannot read {}", config.display()))?;
        let json: serde_json::Value = serde_json::from_str(&config_text)
            .with_context(|| format!("not JSON: {}", config.display()))?;
        let ids = |key: &str| -> Result<Vec<usize>> {
            json.get(key)
                .and_then(|v| v.as_array())
                .with_context(|| format!("no {key} in {}", config.display()))?
                .iter()
                .map(|v| {
                    v.as_u64()
                        .map(|n| n as usize)
                        .with_context(|| format!("{key}: not a token id"))
                })
                .collect()
        };
        Ok(Vocab {
            bytes,
            suppress: ids("suppress_ids")?,
            suppress_begin: ids("suppress_ids_begin")?,
        })
    }

    /// The text of generated tokens (special tokens print nothing).
    pub fn decode(&self, tokens: &[usize]) -> String {
        let bytes: Vec<u8> = tokens
            .iter()
            .filter_map(|&t| self.bytes.get(t))
            .flatten()
            .copied()
            .collect();
        String::from_utf8_lossy(&bytes).trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_decoder_covers_every_byte_once() {
        let d = byte_decoder();
        assert_eq!(d.len(), 256);
        assert_eq!(d[&'Ġ'], b' ');
        assert_eq!(d[&'Ċ'], b'\n');
        assert_eq!(d[&'a'], b'a');
    }
}
