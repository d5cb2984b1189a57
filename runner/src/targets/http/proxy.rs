//! Proxies, as the environment asks for them: `https_proxy`/`HTTPS_PROXY` for `https://`
//! targets (a `CONNECT` tunnel; TLS runs end to end through it), `http_proxy`/`HTTP_PROXY` for
//! `http://` ones (requests in absolute form), never for hosts listed in `no_proxy`/`NO_PROXY`
//! nor for loopback (a local server measured through a proxy would measure the proxy). A proxy
//! adds its own latency: runs through one say so on every trial and in the bundle.

use super::error::WireError;
use super::url::{parse_url, Url};
use std::io::{Read, Write};
use std::net::TcpStream;

fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok())
        .filter(|v| !v.trim().is_empty())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `no_proxy` (comma-separated hosts, domains with or without a leading dot, `*`)
/// exempts `host`.
pub fn exempt(host: &str, no_proxy: &str) -> bool {
    let host = host.to_ascii_lowercase();
    no_proxy
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .any(|e| {
            let e = e
                .split(':')
                .next()
                .unwrap_or("")
                .trim_start_matches('.')
                .to_string();
            !e.is_empty() && (e == "*" || host == e || host.ends_with(&format!(".{e}")))
        })
}

/// The proxy to use for `url`, from the environment; `Ok(None)` for a direct connection.
///
/// # Errors
/// A proxy variable that is not an `http://` URL (HTTPS and SOCKS proxies are not supported:
/// the message says to unset it or exempt the host).
pub fn for_url(url: &Url) -> Result<Option<Url>, WireError> {
    let var = if url.tls {
        env(&["https_proxy", "HTTPS_PROXY"])
    } else {
        env(&["http_proxy", "HTTP_PROXY"])
    };
    let Some(v) = var else {
        return Ok(None);
    };
    let no_proxy = env(&["no_proxy", "NO_PROXY"]).unwrap_or_default();
    if is_loopback(&url.host) || exempt(&url.host, &no_proxy) {
        return Ok(None);
    }
    let spec = if v.contains("://") {
        v.clone()
    } else {
        format!("http://{v}")
    };
    match parse_url(&spec) {
        Ok(p) if !p.tls => Ok(Some(p)),
        _ => Err(WireError::Connect(
            crate::redact::url(&v),
            "only http:// proxies are supported: unset the proxy variable, or add the host to NO_PROXY".into(),
        )),
    }
}

/// `Proxy-Authorization` for a proxy URL with user-info.
pub fn authorization(proxy: &Url) -> Option<String> {
    proxy.userinfo.as_ref().map(|u| {
        format!(
            "Proxy-Authorization: Basic {}\r\n",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, u.as_bytes())
        )
    })
}

/// Opens a `CONNECT` tunnel to `target` through the connected proxy `stream`.
///
/// # Errors
/// [`WireError::Connect`] when the proxy refuses (its status line is in the message).
pub fn tunnel(stream: &mut TcpStream, proxy: &Url, target: &Url) -> Result<(), WireError> {
    let authority = format!("{}:{}", target.host_header_host(), target.port);
    let req = format!(
        "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n{}\r\n",
        authorization(proxy).unwrap_or_default()
    );
    stream
        .write_all(req.as_bytes())
        .map_err(|e| WireError::Io(e.to_string()))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > super::framing::MAX_HEAD_BYTES
            || stream
                .read(&mut byte)
                .map_err(|e| WireError::Io(e.to_string()))?
                == 0
        {
            return Err(WireError::Connect(
                authority,
                "the proxy closed the tunnel request".into(),
            ));
        }
        head.push(byte[0]);
    }
    let status_line = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    let ok = status_line
        .split_whitespace()
        .nth(1)
        .is_some_and(|s| s.starts_with('2'));
    if ok {
        Ok(())
    } else {
        Err(WireError::Connect(
            authority,
            format!("the proxy refused the tunnel: {status_line}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matches_hosts_and_domains() {
        assert!(exempt("api.example.com", "localhost, .example.com"));
        assert!(exempt("example.com", "example.com:443"));
        assert!(exempt("anything", "*"));
        assert!(!exempt("example.org", "example.com"));
        assert!(!exempt("notexample.com", "example.com"));
        assert!(is_loopback("127.0.0.1") && is_loopback("localhost") && is_loopback("::1"));
        assert!(!is_loopback("10.1.2.3"));
    }
}
