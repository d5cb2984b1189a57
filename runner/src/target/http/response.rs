//! One request on the wire and its response read piece by piece: status and headers, then the
//! body with transfer framing (length, chunked, close) and gzip removed *here*, every piece
//! stamped with the instant its bytes arrived. Nothing is buffered or decoded behind the
//! caller's back, so streaming stays visible.

use super::conn::{connect, put_idle, take_idle, Conn, ConnectTiming, PoolKey};
use super::error::{io_err, WireError};
use super::url::Url;
use flate2::write::GzDecoder;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Status and headers of a response.
#[derive(Clone, Debug)]
pub struct Head {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// First header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

enum Framing {
    Length(usize),
    Chunked { remaining: usize, state: ChunkState },
    Close,
}

#[derive(PartialEq)]
enum ChunkState {
    Size,
    Data,
    DataEnd,
    Trailers,
    Done,
}

/// Reads a response body read by read, with timestamps. A kept-alive connection goes back to
/// its thread's pool when the body was read to its end.
pub struct Body {
    stream: Option<Conn>,
    pool: Option<PoolKey>,
    raw: Vec<u8>,
    framing: Framing,
    gzip: Option<GzDecoder<Vec<u8>>>,
    timeout: Duration,
    /// Whether the body was gzip-encoded (and decoded here).
    pub gzip_encoded: bool,
    done: bool,
}

/// Sends the request and reads up to the end of the response headers. Returns the bytes read
/// and where the headers end. On a `reused` kept-alive connection, a failure before a single byte
/// came back means the server had closed it: `Ok(None)`, so the caller can send again on a new
/// connection. On a new connection every failure is an error.
fn exchange(
    stream: &mut Conn,
    request: &[u8],
    timeout: Duration,
    reused: bool,
) -> Result<Option<(Vec<u8>, usize)>, WireError> {
    let stale = |e: &std::io::Error| {
        reused
            && !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            )
    };
    if let Err(e) = stream.write_all(request).and_then(|_| stream.flush()) {
        return if stale(&e) {
            Ok(None)
        } else {
            Err(io_err(e, timeout))
        };
    }
    let mut raw = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok(Some((raw, i)));
        }
        if raw.len() > 64 * 1024 {
            return Err(WireError::Protocol("response headers over 64 KiB".into()));
        }
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if raw.is_empty() && stale(&e) => return Ok(None),
            Err(e) => return Err(io_err(e, timeout)),
        };
        if n == 0 {
            if raw.is_empty() && reused {
                return Ok(None);
            }
            return Err(WireError::EndedEarly(
                "connection closed before the response headers".into(),
            ));
        }
        raw.extend_from_slice(&chunk[..n]);
    }
}

/// A POST to send.
pub struct Post<'a> {
    /// Where.
    pub url: &'a Url,
    /// TLS settings for `https://`.
    pub tls: Option<&'a super::tls::TlsConfig>,
    /// Extra request headers.
    pub headers: &'a [(String, String)],
    /// The JSON body.
    pub body: &'a [u8],
    /// Per-read/write timeout.
    pub timeout: Duration,
    /// Reuse this thread's idle connection and keep this one for the next request.
    pub keep_alive: bool,
}

/// A response whose status and headers have arrived; the body is read with [`Body::next_piece`].
pub struct Response {
    /// Status and headers.
    pub head: Head,
    /// When the end of the headers arrived.
    pub headers_at: Instant,
    /// The body, read piece by piece.
    pub body: Body,
    /// How the connection was set up.
    pub timing: ConnectTiming,
}

impl Post<'_> {
    fn request_bytes(&self) -> Vec<u8> {
        let mut req = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept-Encoding: identity\r\nConnection: {}\r\nContent-Length: {}\r\n",
            self.url.path,
            self.url.host_header(),
            if self.keep_alive { "keep-alive" } else { "close" },
            self.body.len()
        );
        for (k, v) in self.headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        let mut request = req.into_bytes();
        request.extend_from_slice(self.body);
        request
    }

    /// Sends the request on a reused or new connection; returns it with the bytes read up to
    /// the end of the headers.
    fn send(&self, key: &PoolKey) -> Result<(Conn, ConnectTiming, Vec<u8>, usize), WireError> {
        let request = self.request_bytes();
        let idle = if self.keep_alive {
            take_idle(key)
        } else {
            None
        };
        if let Some(mut conn) = idle {
            if let Some((raw, end)) = exchange(&mut conn, &request, self.timeout, true)? {
                let timing = ConnectTiming {
                    reused: true,
                    ..Default::default()
                };
                return Ok((conn, timing, raw, end));
            }
            let (mut conn, mut timing) = connect(self.url, self.tls, self.timeout)?;
            timing.retried = true;
            let (raw, end) =
                exchange(&mut conn, &request, self.timeout, false)?.ok_or_else(|| {
                    WireError::EndedEarly("connection closed before the response headers".into())
                })?;
            return Ok((conn, timing, raw, end));
        }
        let (mut conn, timing) = connect(self.url, self.tls, self.timeout)?;
        let (raw, end) = exchange(&mut conn, &request, self.timeout, false)?.ok_or_else(|| {
            WireError::EndedEarly("connection closed before the response headers".into())
        })?;
        Ok((conn, timing, raw, end))
    }

    /// Sends the POST and reads the status line and headers.
    ///
    /// # Errors
    /// Connect, IO, timeout and protocol errors.
    pub fn send_and_read_head(&self) -> Result<Response, WireError> {
        let key = PoolKey::of(self.url);
        let (stream, timing, raw, end) = self.send(&key)?;
        let headers_at = Instant::now();
        let (head, http11) = parse_head(&raw[..end])?;
        let framing = framing(&head);
        let gzip_encoded = head
            .header("content-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("gzip"));
        let reusable = self.keep_alive
            && !matches!(framing, Framing::Close)
            && http11
            && !head
                .header("connection")
                .is_some_and(|v| v.to_ascii_lowercase().contains("close"));
        let body = Body {
            stream: Some(stream),
            pool: reusable.then_some(key),
            raw: raw[end + 4..].to_vec(),
            framing,
            gzip: gzip_encoded.then(|| GzDecoder::new(Vec::new())),
            timeout: self.timeout,
            gzip_encoded,
            done: false,
        };
        Ok(Response {
            head,
            headers_at,
            body,
            timing,
        })
    }
}

/// Parses the status line and headers; returns whether the response is HTTP/1.1.
fn parse_head(raw: &[u8]) -> Result<(Head, bool), WireError> {
    let text = String::from_utf8_lossy(raw).into_owned();
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| WireError::Protocol(format!("bad status line {status_line:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    Ok((
        Head { status, headers },
        status_line.starts_with("HTTP/1.1"),
    ))
}

fn framing(head: &Head) -> Framing {
    if head
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        Framing::Chunked {
            remaining: 0,
            state: ChunkState::Size,
        }
    } else if let Some(n) = head.header("content-length").and_then(|v| v.parse().ok()) {
        Framing::Length(n)
    } else {
        Framing::Close
    }
}

impl Body {
    /// The next piece of decoded body with the time its bytes arrived; `None` at the end.
    ///
    /// # Errors
    /// Timeout, IO, early end, or bad chunk framing.
    pub fn next_piece(&mut self) -> Result<Option<(Instant, Vec<u8>)>, WireError> {
        loop {
            if self.done {
                return Ok(None);
            }
            // First consume what is already buffered (bytes that came with the headers).
            let t = Instant::now();
            let framed = self.unframe()?;
            if !framed.is_empty() {
                let decoded = self.decode(&framed)?;
                if !decoded.is_empty() {
                    return Ok(Some((t, decoded)));
                }
                continue;
            }
            if self.done {
                return Ok(None);
            }
            let mut chunk = [0u8; 16 * 1024];
            let Some(stream) = self.stream.as_mut() else {
                return Err(WireError::Io("connection already released".into()));
            };
            let n = match stream.read(&mut chunk) {
                Ok(n) => n,
                // A TLS peer that closes without close_notify: the end of the bytes, judged by the
                // framing below like a plain close.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
                Err(e) => return Err(io_err(e, self.timeout)),
            };
            if n == 0 {
                return match self.framing {
                    Framing::Close => {
                        self.done = true;
                        Ok(None)
                    }
                    Framing::Length(left) => Err(WireError::EndedEarly(format!(
                        "{left} byte(s) of the declared length never arrived"
                    ))),
                    Framing::Chunked { .. } => Err(WireError::EndedEarly(
                        "connection closed before the final chunk".into(),
                    )),
                };
            }
            self.raw.extend_from_slice(&chunk[..n]);
        }
    }

    fn decode(&mut self, bytes: &[u8]) -> Result<Vec<u8>, WireError> {
        match &mut self.gzip {
            None => Ok(bytes.to_vec()),
            Some(gz) => {
                gz.write_all(bytes)
                    .map_err(|e| WireError::Protocol(format!("bad gzip body: {e}")))?;
                gz.flush().ok();
                Ok(std::mem::take(gz.get_mut()))
            }
        }
    }

    /// Removes transfer framing from the buffered bytes; returns payload bytes available now.
    fn unframe(&mut self) -> Result<Vec<u8>, WireError> {
        match &mut self.framing {
            Framing::Close => Ok(std::mem::take(&mut self.raw)),
            Framing::Length(left) => {
                let n = (*left).min(self.raw.len());
                *left -= n;
                if *left == 0 {
                    self.done = true;
                }
                Ok(self.raw.drain(..n).collect())
            }
            Framing::Chunked { remaining, state } => {
                let mut out = Vec::new();
                loop {
                    match state {
                        ChunkState::Size => {
                            let Some(i) = self.raw.windows(2).position(|w| w == b"\r\n") else {
                                return Ok(out);
                            };
                            let line = String::from_utf8_lossy(&self.raw[..i]).into_owned();
                            let hex = line.split(';').next().unwrap_or("").trim();
                            *remaining = usize::from_str_radix(hex, 16).map_err(|_| {
                                WireError::Protocol(format!("bad chunk size {line:?}"))
                            })?;
                            self.raw.drain(..i + 2);
                            *state = if *remaining == 0 {
                                ChunkState::Trailers
                            } else {
                                ChunkState::Data
                            };
                        }
                        ChunkState::Data => {
                            let n = (*remaining).min(self.raw.len());
                            out.extend(self.raw.drain(..n));
                            *remaining -= n;
                            if *remaining > 0 {
                                return Ok(out);
                            }
                            *state = ChunkState::DataEnd;
                        }
                        ChunkState::DataEnd => {
                            if self.raw.len() < 2 {
                                return Ok(out);
                            }
                            self.raw.drain(..2);
                            *state = ChunkState::Size;
                        }
                        ChunkState::Trailers => {
                            let Some(i) = self.raw.windows(2).position(|w| w == b"\r\n") else {
                                return Ok(out);
                            };
                            self.raw.drain(..i + 2);
                            if i == 0 {
                                *state = ChunkState::Done;
                            }
                        }
                        ChunkState::Done => {
                            self.done = true;
                            return Ok(out);
                        }
                    }
                }
            }
        }
    }

    /// Whether the body was read to its end with nothing left over (the connection can carry
    /// another request).
    fn complete(&self) -> bool {
        self.done && self.raw.is_empty()
    }

    /// Reads the rest as text (for error bodies), bounded to 64 KiB.
    pub fn text(mut self) -> String {
        let mut all = Vec::new();
        while let Ok(Some((_, b))) = self.next_piece() {
            all.extend(b);
            if all.len() > 64 * 1024 {
                break;
            }
        }
        String::from_utf8_lossy(&all).trim().to_string()
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        if !self.complete() {
            return;
        }
        if let (Some(key), Some(conn)) = (self.pool.take(), self.stream.take()) {
            put_idle(key, conn);
        }
    }
}
