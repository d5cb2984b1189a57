//! CTranslate2's `model.bin`, read directly: a format version, the spec's name and revision,
//! then every variable as `name, rank, dims, dtype, byte count, bytes`, then aliases (one name
//! standing for another's bytes). Little-endian throughout; strings are u16-length-prefixed and
//! NUL-terminated. Only what Whisper needs is decoded: float16 and float32 tensors, as f32.

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;

/// One tensor: its shape and values (row-major).
#[derive(Debug, Clone)]
pub struct Tensor {
    /// Dimensions, outermost first.
    pub dims: Vec<usize>,
    /// Values, converted to f32.
    pub data: Vec<f32>,
}

/// CTranslate2's data type codes (`ctranslate2::DataType`).
const FLOAT32: u8 = 0;
const FLOAT16: u8 = 4;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let Some(end) = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()) else {
            bail!("truncated at byte {} (wanted {n} more)", self.at);
        };
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> Result<String> {
        let n = usize::from(self.u16()?);
        let b = self.take(n)?;
        Ok(String::from_utf8_lossy(b.strip_suffix(&[0]).unwrap_or(b)).into_owned())
    }
}

/// IEEE half to single precision (subnormals, infinities and NaN included).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x3ff);
    let bits = match (exp, mant) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: normalise.
            let shift = m.leading_zeros() - 21;
            let m = (m << shift) & 0x3ff;
            sign | ((113 - shift) << 23) | (m << 13)
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// Reads every float tensor of a CTranslate2 model (aliases resolved), and the spec's name.
///
/// # Errors
/// An unreadable or truncated file, or a format version this reader does not know, with the path.
pub fn read(path: &Path) -> Result<(String, HashMap<String, Tensor>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&bytes).with_context(|| format!("not a CTranslate2 model: {}", path.display()))
}

fn parse(bytes: &[u8]) -> Result<(String, HashMap<String, Tensor>)> {
    let mut r = Reader { bytes, at: 0 };
    let version = r.u32()?;
    if !(5..=6).contains(&version) {
        bail!("format version {version} (this reader knows 5 and 6)");
    }
    let spec = r.string()?;
    let _revision = r.u32()?;
    let count = r.u32()?;
    let mut out = HashMap::new();
    for _ in 0..count {
        let name = r.string()?;
        let rank = usize::from(r.u8()?);
        let dims = (0..rank)
            .map(|_| r.u32().map(|d| d as usize))
            .collect::<Result<Vec<_>>>()?;
        let dtype = r.u8()?;
        let n_bytes = r.u32()? as usize;
        let raw = r.take(n_bytes)?;
        let data: Vec<f32> = match dtype {
            FLOAT16 => raw
                .chunks_exact(2)
                .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
            FLOAT32 => raw
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            // Scalars (flags, head counts) and integer tensors: not needed.
            _ => continue,
        };
        if data.len() != dims.iter().product::<usize>() {
            bail!("{name}: {} values for shape {dims:?}", data.len());
        }
        out.insert(name, Tensor { dims, data });
    }
    if version >= 5 {
        let aliases = r.u32()?;
        for _ in 0..aliases {
            let alias = r.string()?;
            let target = r.string()?;
            if let Some(t) = out.get(&target).cloned() {
                out.insert(alias, t);
            }
        }
    }
    Ok((spec, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats_convert_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert!(f16_to_f32(0x7c00).is_infinite());
        assert!(f16_to_f32(0x7e00).is_nan());
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
    }

    fn string(s: &str) -> Vec<u8> {
        let mut v = ((s.len() + 1) as u16).to_le_bytes().to_vec();
        v.extend(s.as_bytes());
        v.push(0);
        v
    }

    #[test]
    fn reads_variables_and_aliases_and_refuses_truncation() {
        let mut b = 6u32.to_le_bytes().to_vec();
        b.extend(string("WhisperSpec"));
        b.extend(3u32.to_le_bytes());
        b.extend(2u32.to_le_bytes());
        b.extend(string("w"));
        b.push(2);
        b.extend(1u32.to_le_bytes());
        b.extend(2u32.to_le_bytes());
        b.push(FLOAT16);
        b.extend(4u32.to_le_bytes());
        b.extend([0x00, 0x3c, 0x00, 0xc0]);
        b.extend(string("flag"));
        b.push(0);
        b.push(1);
        b.extend(1u32.to_le_bytes());
        b.push(1);
        b.extend(1u32.to_le_bytes());
        b.extend(string("alias"));
        b.extend(string("w"));
        let (spec, t) = parse(&b).unwrap();
        assert_eq!(spec, "WhisperSpec");
        assert_eq!(t["w"].data, vec![1.0, -2.0]);
        assert_eq!(t["alias"].dims, vec![1, 2]);
        assert!(!t.contains_key("flag"));
        let err = parse(&b[..b.len() - 3]).unwrap_err();
        assert!(format!("{err:#}").contains("truncated"), "{err:#}");
    }
}
