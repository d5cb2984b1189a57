//! Connections: TCP (timed connect), TLS over it ([`super::tls`], timed handshake), and one idle
//! kept-alive connection per thread, as a pooling client keeps them.

use super::error::WireError;
use super::url::Url;
use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// A connection: plain TCP, or TLS over it.
pub enum Conn {
    /// `http://`.
    Plain(TcpStream),
    /// `https://`.
    #[cfg(feature = "tls")]
    Tls(Box<super::tls::TlsStream>),
}

impl Conn {
    /// Sets the socket's read timeout (under TLS, the TCP socket's).
    pub fn set_read_timeout(&self, d: std::time::Duration) {
        let _ = match self {
            Conn::Plain(s) => s.set_read_timeout(Some(d)),
            #[cfg(feature = "tls")]
            Conn::Tls(s) => s.sock.set_read_timeout(Some(d)),
        };
    }
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
    /// The connection goes through a proxy (the environment's `http(s)_proxy`).
    pub via_proxy: bool,
}

/// Which connections can carry a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PoolKey {
    host: String,
    port: u16,
    tls: bool,
}

impl PoolKey {
    pub(super) fn of(url: &Url) -> PoolKey {
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

/// The thread's idle connection to `key`, if it has one (any other is dropped).
pub(super) fn take_idle(key: &PoolKey) -> Option<Conn> {
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
    let proxy = super::proxy::for_url(url)?;
    let mut tcp = tcp_connect(proxy.as_ref().unwrap_or(url), timeout)?;
    if let (Some(p), true) = (&proxy, url.tls) {
        super::proxy::tunnel(&mut tcp, p, url)?;
    }
    let mut timing = ConnectTiming {
        connect_ms: Some(t0.elapsed().as_secs_f64() * 1000.0),
        via_proxy: proxy.is_some(),
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

/// Keeps `conn` as the thread's idle connection to `key` (replacing any other).
pub(super) fn put_idle(key: PoolKey, conn: Conn) {
    IDLE.with(|c| *c.borrow_mut() = Some((key, conn)));
}
