//! Content encodings, undone here and reported: the client asks for `identity`, so any encoding
//! is the server's choice, and compression can buffer and hide streaming. gzip and deflate
//! (flate2) and br (brotli-decompressor) are decoded incrementally, piece by piece as they
//! arrive; anything else is a clear "not decodable" error naming it.

use super::error::WireError;
use flate2::write::{GzDecoder, ZlibDecoder};
use std::io::Write;

/// A body decoder.
pub enum Decoder {
    /// No encoding.
    Identity,
    /// `gzip`.
    Gzip(Box<GzDecoder<Vec<u8>>>),
    /// `deflate` (a zlib stream, RFC 9110).
    Deflate(Box<ZlibDecoder<Vec<u8>>>),
    /// `br`.
    Brotli(Box<brotli_decompressor::DecompressorWriter<Vec<u8>>>),
}

impl Decoder {
    /// The decoder for a `Content-Encoding` header value (`None`: identity).
    ///
    /// # Errors
    /// [`WireError::NotDecodable`] for an encoding this client cannot undo (or a chain of them).
    pub fn for_header(value: Option<&str>) -> Result<Decoder, WireError> {
        let Some(v) = value.map(|v| v.trim().to_ascii_lowercase()) else {
            return Ok(Decoder::Identity);
        };
        Ok(match v.as_str() {
            "" | "identity" => Decoder::Identity,
            "gzip" | "x-gzip" => Decoder::Gzip(Box::new(GzDecoder::new(Vec::new()))),
            "deflate" => Decoder::Deflate(Box::new(ZlibDecoder::new(Vec::new()))),
            "br" => Decoder::Brotli(Box::new(brotli_decompressor::DecompressorWriter::new(
                Vec::new(),
                4096,
            ))),
            other => return Err(WireError::NotDecodable(other.to_string())),
        })
    }

    /// The encoding's name, when there is one (for the trial's flag).
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Decoder::Identity => None,
            Decoder::Gzip(_) => Some("gzip"),
            Decoder::Deflate(_) => Some("deflate"),
            Decoder::Brotli(_) => Some("br"),
        }
    }

    /// Decodes one piece; returns what can be decoded so far.
    ///
    /// # Errors
    /// [`WireError::Protocol`] when the bytes are not valid for the encoding.
    pub fn decode(&mut self, bytes: &[u8]) -> Result<Vec<u8>, WireError> {
        let bad =
            |e: std::io::Error, name: &str| WireError::Protocol(format!("bad {name} body: {e}"));
        match self {
            Decoder::Identity => Ok(bytes.to_vec()),
            Decoder::Gzip(d) => {
                d.write_all(bytes).map_err(|e| bad(e, "gzip"))?;
                d.flush().ok();
                Ok(std::mem::take(d.get_mut()))
            }
            Decoder::Deflate(d) => {
                d.write_all(bytes).map_err(|e| bad(e, "deflate"))?;
                d.flush().ok();
                Ok(std::mem::take(d.get_mut()))
            }
            Decoder::Brotli(d) => {
                d.write_all(bytes).map_err(|e| bad(e, "br"))?;
                d.flush().ok();
                Ok(std::mem::take(d.get_mut()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{GzEncoder, ZlibEncoder};

    fn decode_all(d: &mut Decoder, bytes: &[u8]) -> Vec<u8> {
        // Piece by piece, as a socket would deliver them.
        bytes.chunks(7).flat_map(|c| d.decode(c).unwrap()).collect()
    }

    #[test]
    fn gzip_and_deflate_decode_incrementally_and_unknown_encodings_are_refused() {
        let body: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&body).unwrap();
        let mut d = Decoder::for_header(Some("gzip")).unwrap();
        assert_eq!(decode_all(&mut d, &gz.finish().unwrap()), body);
        let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&body).unwrap();
        let mut d = Decoder::for_header(Some("Deflate")).unwrap();
        assert_eq!(d.name(), Some("deflate"));
        assert_eq!(decode_all(&mut d, &z.finish().unwrap()), body);
        assert!(Decoder::for_header(None).unwrap().name().is_none());
        let e = Decoder::for_header(Some("zstd")).err().unwrap();
        assert!(e.to_string().contains("zstd"), "{e}");
        assert!(
            Decoder::for_header(Some("gzip, br")).is_err(),
            "chains are refused"
        );
    }
}
