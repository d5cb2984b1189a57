//! TLS for `https://` targets (rustls with the *ring* provider; Mozilla's roots from
//! `webpki-roots`, plus the user's own CA or self-signed certificate from `--ca-cert`). The
//! handshake is done and timed on its own, so a trial's time to first byte can be read apart
//! from connection set-up. Built only with the `tls` cargo feature (on by default).

#[cfg(feature = "tls")]
use super::error::WireError;
#[cfg(feature = "tls")]
use std::net::TcpStream;
use std::path::Path;
#[cfg(feature = "tls")]
use std::sync::Arc;

/// Client settings shared by every request of a run.
#[derive(Clone)]
pub struct TlsConfig {
    #[cfg(feature = "tls")]
    config: Arc<rustls::ClientConfig>,
    /// Where extra trust came from (`--ca-cert`), for the bundle.
    pub ca_cert: Option<String>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig")
            .field("ca_cert", &self.ca_cert)
            .finish_non_exhaustive()
    }
}

/// A TLS stream over TCP.
#[cfg(feature = "tls")]
pub type TlsStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// Builds the client settings: public web roots, plus every certificate in `ca_cert` (PEM).
///
/// # Errors
/// A message naming the file when it cannot be read or holds no certificate, or when this build
/// has no TLS.
#[cfg(feature = "tls")]
pub fn client_config(ca_cert: Option<&Path>) -> Result<TlsConfig, String> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read --ca-cert: {e}: {}", path.display()))?;
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("--ca-cert is not PEM ({e}): {}", path.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "--ca-cert holds no `BEGIN CERTIFICATE` block: {}",
                path.display()
            ));
        }
        let (_, ignored) = roots.add_parsable_certificates(certs);
        if ignored > 0 {
            return Err(format!(
                "--ca-cert: {ignored} certificate(s) could not be parsed: {}",
                path.display()
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConfig {
        config: Arc::new(config),
        ca_cert: ca_cert.map(|p| p.display().to_string()),
    })
}

/// Without the `tls` feature: `https://` is refused with how to get it.
///
/// # Errors
/// Always.
#[cfg(not(feature = "tls"))]
pub fn client_config(_ca_cert: Option<&Path>) -> Result<TlsConfig, String> {
    Err("this kokoro-bench was built without TLS (cargo feature `tls`); rebuild with default features to benchmark https:// servers".into())
}

/// Runs the TLS handshake over `tcp` for `host` (SNI and certificate name).
///
/// # Errors
/// [`WireError::Tls`] with rustls's reason and, for an untrusted certificate, what to do.
#[cfg(feature = "tls")]
pub fn handshake(cfg: &TlsConfig, host: &str, tcp: TcpStream) -> Result<TlsStream, WireError> {
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| WireError::Tls(format!("`{host}` is not a valid TLS server name: {e}")))?;
    let conn = rustls::ClientConnection::new(cfg.config.clone(), name)
        .map_err(|e| WireError::Tls(e.to_string()))?;
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
            let untrusted = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .is_some_and(|r| matches!(r, rustls::Error::InvalidCertificate(_)));
            return Err(WireError::Tls(if untrusted {
                format!("the server's certificate is not trusted ({e}); for a self-signed certificate or a private CA pass it with --ca-cert FILE.pem")
            } else {
                format!("handshake failed: {e}")
            }));
        }
    }
    Ok(stream)
}
