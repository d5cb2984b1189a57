//! A minimal HTTP/1.1 client over `std::net::TcpStream`, written for measurement: every socket
//! read is timestamped as it happens (no client-side buffering or transparent decompression can
//! hide when bytes arrived), chunked transfer encoding is decoded here, and a gzip body is decoded
//! incrementally *and reported* (compression can hide streaming). By default one connection per
//! request (`Connection: close`), so every trial pays — and records — its own TCP connect and
//! TLS handshake; with keep-alive each thread reuses its connection as a pooling client would,
//! reconnecting once (and saying so) when the server dropped it. `https://` goes through
//! [`super::tls`].

use flate2::write::GzDecoder;
use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// A parsed `http(s)://host:port/path` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path and query.
    pub path: String,
    /// `https://`.
    pub tls: bool,
}

impl Url {
    /// The `Host` header: the port only when it is not the scheme's default; IPv6 in brackets.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == if self.tls { 443 } else { 80 } {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// Parses an `http://` or `https://` URL.
///
/// # Errors
/// A message for other schemes or malformed URLs.
pub fn parse_url(s: &str) -> Result<Url, String> {
    let (rest, tls) = match (s.strip_prefix("http://"), s.strip_prefix("https://")) {
        (Some(r), _) => (r, false),
        (_, Some(r)) => (r, true),
        _ => return Err(format!("{s}: the URL must start with http:// or https://")),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (
            h.to_string(),
            p.parse::<u16>()
                .map_err(|_| format!("{s}: `{p}` is not a port"))?,
        ),
        _ => (authority.to_string(), if tls { 443 } else { 80 }),
    };
    if host.is_empty() {
        return Err(format!("{s}: no host"));
    }
    Ok(Url {
        host: host.trim_matches(['[', ']']).to_string(),
        port,
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        tls,
    })
}

/// Why a request or body read failed.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Could not connect.
    #[error("cannot connect to {0}: {1}")]
    Connect(String, String),
    /// No data within the timeout.
    #[error("timed out after {0:?} waiting for the server")]
    Timeout(Duration),
    /// The connection closed before the body was complete.
    #[error("the stream ended early: {0}")]
    EndedEarly(String),
    /// Malformed HTTP.
    #[error("malformed response: {0}")]
    Protocol(String),
    /// TLS failed (handshake, certificate, or a record error).
    #[error("TLS: {0}")]
    Tls(String),
    /// Other IO.
    #[error("{0}")]
    Io(String),
}

impl WireError {
    /// Short kind for trial errors.
    pub fn kind(&self) -> &'static str {
        match self {
            WireError::Connect(..) => "connect",
            WireError::Timeout(_) => "timeout",
            WireError::EndedEarly(_) => "stream_ended_early",
            WireError::Protocol(_) => "protocol",
            WireError::Tls(_) => "tls",
            WireError::Io(_) => "io",
        }
    }
}

fn io_err(e: std::io::Error, timeout: Duration) -> WireError {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            WireError::Timeout(timeout)
        }
        _ => WireError::Io(e.to_string()),
    }
}

/// A connection: plain TCP, or TLS over it.
pub enum Conn {
    /// `http://`.
    Plain(TcpStream),
    /// `https://`.
    #[cfg(feature = "tls")]
    Tls(Box<super::tls::TlsStream>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            #[cfg(feature = "tls")]
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            #[cfg(feature = "tls")]
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            #[cfg(feature = "tls")]
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// How long setting up the connection took.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ConnectTiming {
    /// Name resolution and TCP connect, ms (`None` when a kept-alive connection was reused).
    pub connect_ms: Option<f64>,
    /// TLS handshake, ms (`https://` on a new connection only).
    pub tls_handshake_ms: Option<f64>,
    /// A kept-alive connection carried the request.
    pub reused: bool,
    /// A kept-alive connection had been closed by the server; the request was sent again on a new
    /// one (the time lost is inside this request's TTFB, as for a real pooling client).
    pub retried: bool,
}

/// Which connections can carry a request.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PoolKey {
    host: String,
    port: u16,
    tls: bool,
}

impl PoolKey {
    fn of(url: &Url) -> PoolKey {
        PoolKey {
            host: url.host.clone(),
            port: url.port,
            tls: url.tls,
        }
    }
}

thread_local! {
    /// One idle kept-alive connection per thread (each soak client is a thread).
    static IDLE: RefCell<Option<(PoolKey, Conn)>> = const { RefCell::new(None) };
}

fn take_idle(key: &PoolKey) -> Option<Conn> {
    IDLE.with(|c| c.borrow_mut().take())
        .filter(|(k, _)| k == key)
        .map(|(_, c)| c)
}

fn tcp_connect(url: &Url, timeout: Duration) -> Result<TcpStream, WireError> {
    let addr = format!("{}:{}", url.host, url.port);
    let addrs: Vec<_> = addr
        .to_socket_addrs()
        .map_err(|e| WireError::Connect(addr.clone(), e.to_string()))?
        .collect();
    let mut last = String::from("no address");
    for a in addrs {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(s) => {
                s.set_nodelay(true).ok();
                s.set_read_timeout(Some(timeout)).ok();
                s.set_write_timeout(Some(timeout)).ok();
                return Ok(s);
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(WireError::Connect(addr, last))
}

/// Connects, with the TLS handshake for `https://` (used as a pre-flight check too).
///
/// # Errors
/// [`WireError::Connect`] with the address and the OS's reason; [`WireError::Tls`] when the
/// handshake fails or `tls` is missing for an `https://` URL.
pub fn connect(
    url: &Url,
    tls: Option<&super::tls::TlsConfig>,
    timeout: Duration,
) -> Result<(Conn, ConnectTiming), WireError> {
    let t0 = Instant::now();
    let tcp = tcp_connect(url, timeout)?;
    let mut timing = ConnectTiming {
        connect_ms: Some(t0.elapsed().as_secs_f64() * 1000.0),
        ..Default::default()
    };
    if !url.tls {
        return Ok((Conn::Plain(tcp), timing));
    }
    let Some(cfg) = tls else {
        return Err(WireError::Tls("an https:// URL needs TLS settings".into()));
    };
    #[cfg(feature = "tls")]
    {
        let t1 = Instant::now();
        let stream = super::tls::handshake(cfg, &url.host, tcp)?;
        timing.tls_handshake_ms = Some(t1.elapsed().as_secs_f64() * 1000.0);
        Ok((Conn::Tls(Box::new(stream)), timing))
    }
    #[cfg(not(feature = "tls"))]
    {
        let _ = (cfg, &mut timing);
        Err(WireError::Tls("this build has no TLS".into()))
    }
}

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

/// Sends a POST and reads the status line and headers.
///
/// # Errors
/// Connect, IO, timeout and protocol errors.
pub fn post(
    url: &Url,
    tls: Option<&super::tls::TlsConfig>,
    headers: &[(String, String)],
    body: &[u8],
    timeout: Duration,
    keep_alive: bool,
) -> Result<(Head, Instant, Body, ConnectTiming), WireError> {
    let key = PoolKey::of(url);
    let mut req = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept-Encoding: identity\r\nConnection: {}\r\nContent-Length: {}\r\n",
        url.path,
        url.host_header(),
        if keep_alive { "keep-alive" } else { "close" },
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut request = req.into_bytes();
    request.extend_from_slice(body);

    let idle = if keep_alive { take_idle(&key) } else { None };
    let (mut stream, timing, reply) = match idle {
        Some(mut conn) => match exchange(&mut conn, &request, timeout, true)? {
            Some(reply) => (
                conn,
                ConnectTiming {
                    reused: true,
                    ..Default::default()
                },
                Some(reply),
            ),
            None => {
                let (conn, mut timing) = connect(url, tls, timeout)?;
                timing.retried = true;
                (conn, timing, None)
            }
        },
        None => {
            let (conn, timing) = connect(url, tls, timeout)?;
            (conn, timing, None)
        }
    };
    let (raw, end) = match reply {
        Some(r) => r,
        None => exchange(&mut stream, &request, timeout, false)?.ok_or_else(|| {
            WireError::EndedEarly("connection closed before the response headers".into())
        })?,
    };
    let t_headers = Instant::now();
    let text = String::from_utf8_lossy(&raw[..end]).into_owned();
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
    let head = Head { status, headers };
    let framing = if head
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
    };
    let gzip_encoded = head
        .header("content-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("gzip"));
    let reusable = keep_alive
        && !matches!(framing, Framing::Close)
        && status_line.starts_with("HTTP/1.1")
        && !head
            .header("connection")
            .is_some_and(|v| v.to_ascii_lowercase().contains("close"));
    let body = Body {
        stream: Some(stream),
        pool: reusable.then_some(key),
        raw: raw[end + 4..].to_vec(),
        framing,
        gzip: gzip_encoded.then(|| GzDecoder::new(Vec::new())),
        timeout,
        gzip_encoded,
        done: false,
    };
    Ok((head, t_headers, body, timing))
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
            IDLE.with(|c| *c.borrow_mut() = Some((key, conn)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("http://127.0.0.1:8880/v1/audio/speech").unwrap(),
            Url {
                host: "127.0.0.1".into(),
                port: 8880,
                path: "/v1/audio/speech".into(),
                tls: false,
            }
        );
        assert_eq!(parse_url("http://localhost").unwrap().port, 80);
        let s = parse_url("https://api.example.com/v1/audio/speech").unwrap();
        assert_eq!((s.port, s.tls), (443, true));
        assert_eq!(s.host_header(), "api.example.com");
        assert_eq!(
            parse_url("http://[::1]:8880/x").unwrap().host_header(),
            "[::1]:8880"
        );
        assert_eq!(
            parse_url("https://h:8443/").unwrap().host_header(),
            "h:8443"
        );
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("http://h:notaport/").is_err());
    }
}
