//! Response heads and transfer framing: the status line and headers (interim `1xx` heads skipped
//! by the caller), how the body ends (length, chunked, connection close), and the chunked
//! decoder — with bounds, so a hostile or broken server cannot make the client buffer without
//! limit: headers ≤ 64 KiB, a chunk-size line ≤ 1 KiB, conflicting `Content-Length` refused.

use super::error::WireError;

/// Longest header section accepted.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Longest chunk-size (or trailer) line accepted.
pub const MAX_CHUNK_LINE_BYTES: usize = 1024;

/// Status and headers of a response.
#[derive(Clone, Debug)]
pub struct Head {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The response said `HTTP/1.1` (may keep the connection).
    pub http11: bool,
}

impl Head {
    /// First header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// An interim response (`100 Continue`, `103 Early Hints`): a final one follows.
    pub fn is_interim(&self) -> bool {
        (100..200).contains(&self.status) && self.status != 101
    }
}

/// Parses a header section (without the blank line).
///
/// # Errors
/// [`WireError::Protocol`] for a malformed status line.
pub fn parse_head(raw: &[u8]) -> Result<Head, WireError> {
    let text = String::from_utf8_lossy(raw).into_owned();
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .filter(|_| status_line.starts_with("HTTP/"))
        .ok_or_else(|| WireError::Protocol(format!("bad status line {status_line:?}")))?;
    let headers = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    Ok(Head {
        status,
        headers,
        http11: status_line.starts_with("HTTP/1.1"),
    })
}

/// How a body ends.
pub enum Framing {
    /// After this many more bytes.
    Length(usize),
    /// Chunked transfer coding.
    Chunked {
        /// Bytes left in the current chunk.
        remaining: usize,
        /// Where the decoder is.
        state: ChunkState,
    },
    /// When the server closes the connection.
    Close,
}

/// The chunked decoder's position.
#[derive(PartialEq)]
pub enum ChunkState {
    /// Expecting a chunk-size line.
    Size,
    /// Inside chunk data.
    Data,
    /// Expecting the CRLF after chunk data.
    DataEnd,
    /// After the last chunk: trailer lines until an empty one.
    Trailers,
    /// The body is complete.
    Done,
}

/// How the body of `head` is framed.
///
/// # Errors
/// [`WireError::Protocol`] for `Content-Length` values that disagree or are not numbers.
pub fn framing(head: &Head) -> Result<Framing, WireError> {
    if head
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        // RFC 9112 §6.3: chunked wins over any Content-Length.
        return Ok(Framing::Chunked {
            remaining: 0,
            state: ChunkState::Size,
        });
    }
    let mut lengths = head
        .headers
        .iter()
        .filter(|(k, _)| k == "content-length")
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()));
    let Some(first) = lengths.next() else {
        return Ok(Framing::Close);
    };
    let n: usize = first
        .parse()
        .map_err(|_| WireError::Protocol(format!("Content-Length `{first}` is not a number")))?;
    if let Some(other) = lengths.find(|v| v.parse::<usize>().ok() != Some(n)) {
        return Err(WireError::Protocol(format!(
            "conflicting Content-Length headers ({first} and {other}): the body's end is ambiguous"
        )));
    }
    Ok(Framing::Length(n))
}

/// Removes transfer framing from `raw`; returns the payload bytes available now and whether the
/// body is complete.
///
/// # Errors
/// [`WireError::Protocol`] for a bad or oversized chunk-size line.
pub fn unframe(framing: &mut Framing, raw: &mut Vec<u8>) -> Result<(Vec<u8>, bool), WireError> {
    match framing {
        Framing::Close => Ok((std::mem::take(raw), false)),
        Framing::Length(left) => {
            let n = (*left).min(raw.len());
            *left -= n;
            Ok((raw.drain(..n).collect(), *left == 0))
        }
        Framing::Chunked { remaining, state } => unchunk(remaining, state, raw),
    }
}

fn line(raw: &[u8]) -> Result<Option<usize>, WireError> {
    match raw.windows(2).position(|w| w == b"\r\n") {
        Some(i) if i <= MAX_CHUNK_LINE_BYTES => Ok(Some(i)),
        None if raw.len() <= MAX_CHUNK_LINE_BYTES => Ok(None),
        _ => Err(WireError::Protocol(format!(
            "a chunk-size or trailer line longer than {MAX_CHUNK_LINE_BYTES} bytes"
        ))),
    }
}

fn unchunk(
    remaining: &mut usize,
    state: &mut ChunkState,
    raw: &mut Vec<u8>,
) -> Result<(Vec<u8>, bool), WireError> {
    let mut out = Vec::new();
    loop {
        match state {
            ChunkState::Size => {
                let Some(i) = line(raw)? else {
                    return Ok((out, false));
                };
                let text = String::from_utf8_lossy(&raw[..i]).into_owned();
                let hex = text.split(';').next().unwrap_or("").trim();
                *remaining = usize::from_str_radix(hex, 16)
                    .map_err(|_| WireError::Protocol(format!("bad chunk size {text:?}")))?;
                raw.drain(..i + 2);
                *state = if *remaining == 0 {
                    ChunkState::Trailers
                } else {
                    ChunkState::Data
                };
            }
            ChunkState::Data => {
                let n = (*remaining).min(raw.len());
                out.extend(raw.drain(..n));
                *remaining -= n;
                if *remaining > 0 {
                    return Ok((out, false));
                }
                *state = ChunkState::DataEnd;
            }
            ChunkState::DataEnd => {
                if raw.len() < 2 {
                    return Ok((out, false));
                }
                raw.drain(..2);
                *state = ChunkState::Size;
            }
            ChunkState::Trailers => {
                let Some(i) = line(raw)? else {
                    return Ok((out, false));
                };
                raw.drain(..i + 2);
                if i == 0 {
                    *state = ChunkState::Done;
                }
            }
            ChunkState::Done => return Ok((out, true)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(lines: &str) -> Head {
        parse_head(format!("HTTP/1.1 200 OK\r\n{lines}").as_bytes()).unwrap()
    }

    #[test]
    fn content_length_conflicts_are_refused_and_chunked_wins() {
        assert!(matches!(
            framing(&head("Content-Length: 5")),
            Ok(Framing::Length(5))
        ));
        assert!(matches!(
            framing(&head("Content-Length: 5\r\nContent-Length: 5")),
            Ok(Framing::Length(5))
        ));
        let e = framing(&head("Content-Length: 5\r\nContent-Length: 7"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("conflicting"), "{e}");
        assert!(framing(&head("Content-Length: 5, 6")).is_err());
        assert!(framing(&head("Content-Length: lots")).is_err());
        assert!(matches!(
            framing(&head("Transfer-Encoding: chunked\r\nContent-Length: 9")),
            Ok(Framing::Chunked { .. })
        ));
        assert!(matches!(framing(&head("X: y")), Ok(Framing::Close)));
    }

    #[test]
    fn chunked_bodies_decode_across_reads_and_long_lines_are_refused() {
        let mut f = framing(&head("Transfer-Encoding: chunked")).unwrap();
        let mut raw = b"5;ext=1\r\nhel".to_vec();
        assert_eq!(unframe(&mut f, &mut raw).unwrap(), (b"hel".to_vec(), false));
        raw.extend_from_slice(b"lo\r\n0\r\nX-T: 1\r\n\r\n");
        assert_eq!(unframe(&mut f, &mut raw).unwrap(), (b"lo".to_vec(), true));
        let mut f = framing(&head("Transfer-Encoding: chunked")).unwrap();
        let mut endless = vec![b'1'; MAX_CHUNK_LINE_BYTES + 10];
        assert!(unframe(&mut f, &mut endless).is_err());
        assert!(parse_head(b"HTTP/1.1 103 Early Hints")
            .unwrap()
            .is_interim());
        assert!(!parse_head(b"HTTP/1.1 101 Switching").unwrap().is_interim());
        assert!(parse_head(b"garbage").is_err());
    }
}
