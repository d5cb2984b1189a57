//! Why a request or a body read failed.

use kokoro_bench_bundle::schema::ErrorKind;
use std::time::Duration;

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
    /// The trial error kind this failure is recorded as.
    pub fn kind(&self) -> ErrorKind {
        match self {
            WireError::Connect(..) => ErrorKind::Connect,
            WireError::Timeout(_) => ErrorKind::Timeout,
            WireError::EndedEarly(_) => ErrorKind::StreamEndedEarly,
            WireError::Protocol(_) => ErrorKind::Protocol,
            WireError::Tls(_) => ErrorKind::Tls,
            WireError::Io(_) => ErrorKind::Io,
        }
    }
}

/// Maps an IO error: a read/write timeout is [`WireError::Timeout`].
pub(super) fn io_err(e: std::io::Error, timeout: Duration) -> WireError {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            WireError::Timeout(timeout)
        }
        _ => WireError::Io(e.to_string()),
    }
}
