//! Damaged models for proving the judges work: the int8 weights of an ONNX model with
//! ±`lsb` of deterministic noise — a bad quantisation that still runs at full speed and whose
//! latency looks normal. The protobuf is walked, never re-encoded: each int8/uint8 weight tensor's
//! `raw_data` is changed in place, so the file keeps its size and layout.

use anyhow::{bail, Result};

/// Reads a protobuf varint at `*i`.
fn varint(b: &[u8], i: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*i)?;
        *i += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The fields of one message: (field number, wire type, value start, value end), where a varint
/// field's "value" is its encoded bytes.
fn fields(b: &[u8]) -> Option<Vec<(u64, u64, usize, usize)>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let key = varint(b, &mut i)?;
        let (field, wire) = (key >> 3, key & 7);
        let start = i;
        match wire {
            0 => {
                varint(b, &mut i)?;
            }
            1 => i += 8,
            2 => {
                let len = usize::try_from(varint(b, &mut i)?).ok()?;
                let s = i;
                i = s.checked_add(len)?;
                out.push((field, wire, s, i));
                continue;
            }
            5 => i += 4,
            _ => return None,
        }
        out.push((field, wire, start, i));
    }
    (i == b.len()).then_some(out)
}

/// Weight tensors smaller than this are left alone (zero points, scales' companions).
const MIN_WEIGHT_BYTES: usize = 1024;

/// Adds noise to one TensorProto's raw int8/uint8 data; returns the bytes changed.
fn damage_tensor(b: &mut [u8], lsb: i32, seed: &mut u64) -> usize {
    let Some(fs) = fields(b) else { return 0 };
    let mut data_type = 0u64;
    for &(f, w, s, _) in &fs {
        if f == 2 && w == 0 {
            let mut i = s;
            data_type = varint(b, &mut i).unwrap_or(0);
        }
    }
    // TensorProto.DataType: 2 = UINT8, 3 = INT8.
    let signed = match data_type {
        2 => false,
        3 => true,
        _ => return 0,
    };
    let Some(&(_, _, s, e)) = fs.iter().find(|&&(f, w, _, _)| f == 9 && w == 2) else {
        return 0;
    };
    if e - s < MIN_WEIGHT_BYTES {
        return 0;
    }
    for byte in &mut b[s..e] {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let step = ((*seed >> 33) % (2 * lsb as u64 + 1)) as i32 - lsb;
        *byte = if signed {
            (i32::from(*byte as i8) + step).clamp(-128, 127) as i8 as u8
        } else {
            (i32::from(*byte) + step).clamp(0, 255) as u8
        };
    }
    e - s
}

/// Noises every int8/uint8 weight tensor of an ONNX model (graph initializers and `Constant`
/// nodes) by up to ±`lsb`, deterministically. Returns the weight bytes changed.
///
/// # Errors
/// Bytes that are not an ONNX model, or a model with no int8 weights to damage.
pub fn noise_int8_weights(model: &mut [u8], lsb: i32) -> Result<usize> {
    let Some(top) = fields(model) else {
        bail!("not an ONNX model (the protobuf does not parse)");
    };
    let mut seed = 0x5eed_u64;
    let mut changed = 0;
    // ModelProto.graph = 7; GraphProto.node = 1, initializer = 5; NodeProto.attribute = 5;
    // AttributeProto.t = 5.
    for &(_, _, gs, ge) in top.iter().filter(|f| f.0 == 7 && f.1 == 2) {
        let graph_fields = fields(&model[gs..ge]).unwrap_or_default();
        for (f, w, s, e) in graph_fields {
            let (s, e) = (gs + s, gs + e);
            match (f, w) {
                (5, 2) => changed += damage_tensor(&mut model[s..e], lsb, &mut seed),
                (1, 2) => {
                    for (af, aw, as_, ae) in fields(&model[s..e]).unwrap_or_default() {
                        if (af, aw) != (5, 2) {
                            continue;
                        }
                        let (as_, ae) = (s + as_, s + ae);
                        for (tf, tw, ts, te) in fields(&model[as_..ae]).unwrap_or_default() {
                            if (tf, tw) == (5, 2) {
                                changed +=
                                    damage_tensor(&mut model[as_ + ts..as_ + te], lsb, &mut seed);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if changed == 0 {
        bail!("the model has no int8/uint8 weight tensors to damage");
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused() {
        assert!(noise_int8_weights(&mut [0xff, 0xff, 0xff], 2).is_err());
    }
}
