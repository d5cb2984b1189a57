//! `http(s)://host:port/path` URLs: what the client connects to and what it sends as `Host`.

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
    /// `user:password` from the URL, sent as HTTP Basic authorization (never shown or written).
    pub userinfo: Option<String>,
}

impl Url {
    /// The host as it goes into a `Host` header or a `CONNECT` authority (IPv6 in brackets).
    pub fn host_header_host(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

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
        _ => {
            return Err(format!(
                "{}: the URL must start with http:// or https://",
                crate::redact::url(s)
            ))
        }
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (userinfo, authority) = match authority.rsplit_once('@') {
        Some((u, a)) => (Some(u.to_string()), a),
        None => (None, authority),
    };
    let shown = crate::redact::url(s);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (
            h.to_string(),
            p.parse::<u16>()
                .map_err(|_| format!("{shown}: `{p}` is not a port"))?,
        ),
        _ => (authority.to_string(), if tls { 443 } else { 80 }),
    };
    if host.is_empty() {
        return Err(format!("{shown}: no host"));
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
        userinfo,
    })
}

/// Resolves a `Location` header against the URL it came from.
///
/// # Errors
/// A location that is not http(s) or does not parse.
pub fn resolve(base: &Url, location: &str) -> Result<Url, String> {
    let loc = location.trim();
    if loc
        .split_once("://")
        .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains('/'))
    {
        return parse_url(loc); // absolute: http(s) parses, any other scheme is refused
    }
    let scheme = if base.tls { "https" } else { "http" };
    if let Some(rest) = loc.strip_prefix("//") {
        return parse_url(&format!("{scheme}://{rest}"));
    }
    let path = if loc.starts_with('/') {
        loc.to_string()
    } else {
        let dir = base.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        format!("{dir}/{loc}")
    };
    // A relative redirect stays on the same origin, with the same credentials.
    Ok(Url {
        path,
        ..base.clone()
    })
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
                userinfo: None,
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
        let with_user = parse_url("http://me:pw@h:1/x").unwrap();
        assert_eq!(
            (with_user.host.as_str(), with_user.userinfo.as_deref()),
            ("h", Some("me:pw"))
        );
        assert!(!parse_url("http://me:pw@h:zz/x").unwrap_err().contains("pw"));
        let base = parse_url("http://h:1/v1/audio/speech").unwrap();
        assert_eq!(resolve(&base, "/v2/speech").unwrap().path, "/v2/speech");
        assert_eq!(resolve(&base, "tts").unwrap().path, "/v1/audio/tts");
        let other = resolve(&base, "https://other:8443/x").unwrap();
        assert_eq!(
            (other.host.as_str(), other.port, other.tls),
            ("other", 8443, true)
        );
        assert_eq!(resolve(&base, "//z/y").unwrap().host, "z");
        assert!(resolve(&base, "ftp://nope").is_err());
        assert!(parse_url("http://h:notaport/").is_err());
    }
}
