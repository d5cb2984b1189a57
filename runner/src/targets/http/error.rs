//! Why a request or a body read failed.

use kokoro_bench_bundle::schema::ErrorKind;
use std::time::Duration;

/// Why a request or body read failed.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Could not connect.
    #[error("cannot connect to {0}: {1}")]
    Connect(String, String),
    /// No byte for as long as the idle limit allows.
    #[error("no byte for {0:?} (--idle-timeout): the server went silent")]
    Timeout(Duration),
    /// The whole request took longer than the total deadline.
    #[error("the request took longer than {0:?} (--request-timeout): the server is too slow or trickles")]
    Deadline(Duration),
    /// The run was stopped (Ctrl-C) while the request was in flight.
    #[error("abandoned: the run was interrupted")]
    Interrupted,
    /// The server redirected the request.
    #[error("HTTP {status} redirect to {location}")]
    Redirect {
        /// Status code.
        status: u16,
        /// The `Location` header.
        location: String,
    },
    /// The body is encoded in a way this client cannot undo.
    #[error("the body is `Content-Encoding: {0}`, which this client cannot decode (it asked for identity)")]
    NotDecodable(String),
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
            WireError::Deadline(_) => ErrorKind::Deadline,
            WireError::Interrupted => ErrorKind::Interrupted,
            WireError::Redirect { .. } => ErrorKind::Redirect,
            WireError::NotDecodable(_) => ErrorKind::NotDecodable,
            WireError::EndedEarly(_) => ErrorKind::StreamEndedEarly,
            WireError::Protocol(_) => ErrorKind::Protocol,
            WireError::Tls(_) => ErrorKind::Tls,
            WireError::Io(_) => ErrorKind::Io,
        }
    }
}
