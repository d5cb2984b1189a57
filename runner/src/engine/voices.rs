//! Voice packs: an `.npz` archive (also `voices-v1.0.bin`) holding one float32 array of shape
//! `(510, 1, 256)` per voice. Style row selection rule: see [`VoicePack::style_row`].

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Rows in a Kokoro voice array: one style vector per phoneme count 1‥510.
pub const STYLE_ROWS: usize = 510;
/// Width of one style vector.
pub const STYLE_DIM: usize = 256;

/// The rule recorded in bundles for picking the style row.
pub const STYLE_ROW_RULE: &str =
    "row = phonemes - 1 (hexgrad KPipeline reference: pack[len(ps) - 1]), clamped to [0, 509]";

/// Errors reading a voice pack.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// IO or zip problem.
    #[error("cannot read voice pack {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// An array that is not float32 `(510, 1, 256)`.
    #[error("voice `{voice}` in {path} is not a float32 (510, 1, 256) array: {message}")]
    Shape {
        /// The file.
        path: String,
        /// The voice.
        voice: String,
        /// What is wrong.
        message: String,
    },
    /// The requested voice is not in the pack.
    #[error("unknown voice `{voice}`; this pack has: {choices} ({path})")]
    Unknown {
        /// Requested.
        voice: String,
        /// Available voices.
        choices: String,
        /// The file.
        path: String,
    },
}

/// All voices of a pack, loaded.
pub struct VoicePack {
    voices: BTreeMap<String, Vec<f32>>,
    path: String,
}

impl VoicePack {
    /// Loads every voice of an `.npz` archive.
    ///
    /// # Errors
    /// [`VoiceError`] when the file cannot be read or an array has the wrong type or shape.
    pub fn load(path: &Path) -> Result<VoicePack, VoiceError> {
        let p = path.display().to_string();
        let err = |m: String| VoiceError::Read {
            path: p.clone(),
            message: m,
        };
        let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
        let mut zip = zip::ZipArchive::new(file)
            .map_err(|e| err(format!("not an .npz (zip) archive: {e}")))?;
        let mut voices = BTreeMap::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| err(e.to_string()))?;
            let Some(name) = entry.name().strip_suffix(".npy").map(str::to_string) else {
                continue;
            };
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| err(e.to_string()))?;
            let data = parse_npy_f32(&bytes, STYLE_ROWS * STYLE_DIM).map_err(|message| {
                VoiceError::Shape {
                    path: p.clone(),
                    voice: name.clone(),
                    message,
                }
            })?;
            voices.insert(name, data);
        }
        if voices.is_empty() {
            return Err(err("the archive contains no .npy arrays".into()));
        }
        Ok(VoicePack { voices, path: p })
    }

    /// Voice ids in the pack.
    pub fn names(&self) -> Vec<&str> {
        self.voices.keys().map(String::as_str).collect()
    }

    /// The style vector for `voice` and a chunk of `phonemes` tokens (see [`STYLE_ROW_RULE`]).
    ///
    /// # Errors
    /// [`VoiceError::Unknown`] naming the choices.
    pub fn style_row(&self, voice: &str, phonemes: usize) -> Result<&[f32], VoiceError> {
        let data = self.voices.get(voice).ok_or_else(|| VoiceError::Unknown {
            voice: voice.into(),
            choices: self.names().join(", "),
            path: self.path.clone(),
        })?;
        let row = phonemes.saturating_sub(1).min(STYLE_ROWS - 1);
        Ok(&data[row * STYLE_DIM..(row + 1) * STYLE_DIM])
    }

    /// Checks that a voice exists.
    ///
    /// # Errors
    /// [`VoiceError::Unknown`] naming the choices.
    pub fn check(&self, voice: &str) -> Result<(), VoiceError> {
        self.style_row(voice, 1).map(|_| ())
    }
}

/// Parses a little-endian float32 C-order `.npy` with `expected` elements.
pub(crate) fn parse_npy_f32(bytes: &[u8], expected: usize) -> Result<Vec<f32>, String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err("missing the .npy magic".into());
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!("unsupported .npy version {v}")),
    };
    let header = std::str::from_utf8(
        bytes
            .get(start..start + header_len)
            .ok_or("truncated header")?,
    )
    .map_err(|_| "header is not text")?;
    if !header.contains("'descr': '<f4'") {
        return Err(format!(
            "dtype is not little-endian float32: {}",
            header.trim()
        ));
    }
    if header.contains("'fortran_order': True") {
        return Err("Fortran order is not supported".into());
    }
    let data = &bytes[start + header_len..];
    if data.len() != expected * 4 {
        return Err(format!(
            "{} values, expected {expected}: {}",
            data.len() / 4,
            header.trim()
        ));
    }
    Ok(data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, values: &[f32]) -> Vec<u8> {
        let mut header = format!(
            "{{'descr': '{descr}', 'fortran_order': False, 'shape': ({},), }}",
            values.len()
        );
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend((header.len() as u16).to_le_bytes());
        b.extend(header.as_bytes());
        for v in values {
            b.extend(v.to_le_bytes());
        }
        b
    }

    #[test]
    fn parses_float32_and_rejects_other_dtypes_and_sizes() {
        assert_eq!(
            parse_npy_f32(&npy("<f4", &[1.0, 2.5]), 2).unwrap(),
            vec![1.0, 2.5]
        );
        assert!(parse_npy_f32(&npy("<f8", &[1.0, 2.5]), 2)
            .unwrap_err()
            .contains("float32"));
        assert!(parse_npy_f32(&npy("<f4", &[1.0]), 2)
            .unwrap_err()
            .contains("expected 2"));
        assert!(parse_npy_f32(b"garbage...", 2).is_err());
    }
}
