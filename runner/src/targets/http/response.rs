//! One request on the wire and its response read piece by piece: status and headers (interim
//! `1xx` skipped), then the body with transfer framing ([`super::framing`]) and content encoding
//! ([`super::decode`]) removed *here*, every piece stamped with the instant its bytes arrived,
//! every wait bounded by the request's [`Limits`]. Nothing is buffered or decoded behind the
//! caller's back, so streaming stays visible.

use super::conn::{connect, put_idle, take_idle, Conn, ConnectTiming, PoolKey};
use super::decode::Decoder;
use super::error::WireError;
use super::framing::{framing, parse_head, unframe, Framing, Head, MAX_HEAD_BYTES};
use super::limits::Limits;
use super::url::Url;
use std::io::Write;
use std::time::Instant;

/// Reads a response body piece by piece, with timestamps. A kept-alive connection goes back to
/// its thread's pool when the body was read to its end.
pub struct Body<'a> {
    stream: Option<Conn>,
    pool: Option<PoolKey>,
    raw: Vec<u8>,
    framing: Framing,
    decoder: Decoder,
    undecodable: Option<WireError>,
    limits: Limits<'a>,
    last_byte: Instant,
    done: bool,
}

/// Sends the request and reads up to the end of the final response head (skipping interim
/// `1xx` heads). Returns the head and the body bytes that came with it. On a `reused` kept-alive
/// connection, a failure before a single byte came back means the server had closed it:
/// `Ok(None)`, so the caller can send again on a new connection. On a new connection every
/// failure is an error.
fn exchange(
    stream: &mut Conn,
    request: &[u8],
    limits: &Limits<'_>,
    reused: bool,
) -> Result<Option<(Head, Vec<u8>)>, WireError> {
    if let Err(e) = stream.write_all(request).and_then(|_| stream.flush()) {
        let timed_out = matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        );
        return match (reused, timed_out) {
            (true, false) => Ok(None),
            (_, true) => Err(WireError::Timeout(limits.idle)),
            (false, false) => Err(WireError::Io(e.to_string())),
        };
    }
    let (mut raw, mut got_any, mut last) = (Vec::new(), false, Instant::now());
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = parse_head(&raw[..i])?;
            raw.drain(..i + 4);
            if head.is_interim() {
                continue;
            }
            return Ok(Some((head, raw)));
        }
        if raw.len() > MAX_HEAD_BYTES {
            return Err(WireError::Protocol(format!(
                "response headers over {} KiB",
                MAX_HEAD_BYTES / 1024
            )));
        }
        let n = match limits.read(stream, &mut chunk, last) {
            Ok(n) => n,
            Err(WireError::Io(_)) if !got_any && reused => return Ok(None),
            Err(e) => return Err(e),
        };
        if n == 0 {
            if !got_any && reused {
                return Ok(None);
            }
            return Err(WireError::EndedEarly(
                "connection closed before the response headers".into(),
            ));
        }
        got_any = true;
        last = Instant::now();
        raw.extend_from_slice(&chunk[..n]);
    }
}

/// The request method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `POST` with a JSON body (a synthesis request).
    Post,
    /// `GET` (reading a published site for `publish --merge-from`).
    Get,
}

/// A request to send: a JSON `POST`, or a `GET`.
pub struct Post<'a> {
    /// `POST` or `GET`.
    pub method: Method,
    /// Where.
    pub url: Url,
    /// TLS settings for `https://`.
    pub tls: Option<&'a super::tls::TlsConfig>,
    /// Extra request headers.
    pub headers: &'a [(String, String)],
    /// The JSON body.
    pub body: &'a [u8],
    /// Deadlines and the stop flag.
    pub limits: Limits<'a>,
    /// Reuse this thread's idle connection and keep this one for the next request.
    pub keep_alive: bool,
}

/// A response whose status and headers have arrived; the body is read with [`Body::next_piece`].
pub struct Response<'a> {
    /// Status and headers (interim `1xx` heads already skipped).
    pub head: Head,
    /// When the end of the headers arrived.
    pub headers_at: Instant,
    /// The body, read piece by piece.
    pub body: Body<'a>,
    /// How the connection was set up.
    pub timing: ConnectTiming,
}

impl<'a> Post<'a> {
    fn request_bytes(&self) -> Vec<u8> {
        let body_headers = match self.method {
            Method::Post => format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                self.body.len()
            ),
            Method::Get => String::new(),
        };
        // Through a plain-http proxy the request names the whole URL (absolute form); through a
        // CONNECT tunnel (https) it is a normal request inside TLS.
        let proxy = (!self.url.tls)
            .then(|| super::proxy::for_url(&self.url).ok().flatten())
            .flatten();
        let target = match &proxy {
            Some(_) => format!("http://{}{}", self.url.host_header(), self.url.path),
            None => self.url.path.clone(),
        };
        let mut req = format!(
            "{} {target} HTTP/1.1\r\nHost: {}\r\nAccept-Encoding: identity\r\nConnection: {}\r\n{body_headers}",
            match self.method {
                Method::Post => "POST",
                Method::Get => "GET",
            },
            self.url.host_header(),
            if self.keep_alive { "keep-alive" } else { "close" },
        );
        if let Some(auth) = proxy.as_ref().and_then(super::proxy::authorization) {
            req.push_str(&auth);
        }
        let has_auth = self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
        if let (Some(user), false) = (&self.url.userinfo, has_auth) {
            req.push_str(&format!(
                "Authorization: Basic {}\r\n",
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, user.as_bytes())
            ));
        }
        for (k, v) in self.headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        let mut request = req.into_bytes();
        request.extend_from_slice(self.body);
        request
    }

    /// Sends the request on a reused or new connection; returns it with its final head and the
    /// body bytes that came with it.
    fn send(&self, key: &PoolKey) -> Result<(Conn, ConnectTiming, Head, Vec<u8>), WireError> {
        let request = self.request_bytes();
        let idle = if self.keep_alive {
            take_idle(key)
        } else {
            None
        };
        let mut timing = ConnectTiming::default();
        if let Some(mut conn) = idle {
            if let Some((head, rest)) = exchange(&mut conn, &request, &self.limits, true)? {
                timing.reused = true;
                return Ok((conn, timing, head, rest));
            }
            timing.retried = true;
        }
        let (mut conn, connected) = connect(&self.url, self.tls, self.limits.connect_timeout())?;
        timing.connect_ms = connected.connect_ms;
        timing.tls_handshake_ms = connected.tls_handshake_ms;
        timing.via_proxy = connected.via_proxy;
        let (head, rest) =
            exchange(&mut conn, &request, &self.limits, false)?.ok_or_else(|| {
                WireError::EndedEarly("connection closed before the response headers".into())
            })?;
        Ok((conn, timing, head, rest))
    }

    /// Sends the POST and reads the status line and headers.
    ///
    /// # Errors
    /// Connect, IO, timeout and protocol errors.
    pub fn send_and_read_head(&self) -> Result<Response<'a>, WireError> {
        let key = PoolKey::of(&self.url);
        let (stream, timing, head, rest) = self.send(&key)?;
        let headers_at = Instant::now();
        let framing = framing(&head)?;
        let reusable = self.keep_alive
            && !matches!(framing, Framing::Close)
            && head.http11
            && !head
                .header("connection")
                .is_some_and(|v| v.to_ascii_lowercase().contains("close"));
        // An encoding this client cannot undo fails here; the caller decides what it means
        // (for an error status the body is read as text regardless).
        let (decoder, undecodable) = match Decoder::for_header(head.header("content-encoding")) {
            Ok(d) => (d, None),
            Err(e) => (Decoder::Identity, Some(e)),
        };
        let body = Body {
            stream: Some(stream),
            pool: reusable.then_some(key),
            raw: rest,
            framing,
            decoder,
            undecodable,
            limits: self.limits,
            last_byte: headers_at,
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

impl Body<'_> {
    /// The body's content encoding, when it had one (decoded here, or not decodable).
    pub fn encoding(&self) -> Option<String> {
        match (&self.undecodable, self.decoder.name()) {
            (Some(WireError::NotDecodable(name)), _) => Some(name.clone()),
            (_, Some(name)) => Some(name.to_string()),
            _ => None,
        }
    }

    /// The next piece of decoded body with the time its bytes arrived; `None` at the end.
    ///
    /// # Errors
    /// The request's limits (deadline, idle, interrupted), IO, an early end, bad framing, or an
    /// encoding this client cannot decode.
    pub fn next_piece(&mut self) -> Result<Option<(Instant, Vec<u8>)>, WireError> {
        if let Some(e) = self.undecodable.take() {
            return Err(e);
        }
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if self.done {
                return Ok(None);
            }
            // First what is already buffered (bytes that came with the headers).
            let t = Instant::now();
            let (framed, complete) = unframe(&mut self.framing, &mut self.raw)?;
            self.done = complete;
            if !framed.is_empty() {
                let decoded = self.decoder.decode(&framed)?;
                if !decoded.is_empty() {
                    return Ok(Some((t, decoded)));
                }
                continue;
            }
            if self.done {
                return Ok(None);
            }
            let Some(stream) = self.stream.as_mut() else {
                return Err(WireError::Io("connection already released".into()));
            };
            let n = self.limits.read(stream, &mut chunk, self.last_byte)?;
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
            self.last_byte = Instant::now();
            self.raw.extend_from_slice(&chunk[..n]);
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

impl Drop for Body<'_> {
    fn drop(&mut self) {
        if !self.complete() {
            return;
        }
        if let (Some(key), Some(conn)) = (self.pool.take(), self.stream.take()) {
            put_idle(key, conn);
        }
    }
}
