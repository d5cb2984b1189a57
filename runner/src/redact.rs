//! Nothing secret is written: header values, URL user-info and credential-like query parameters,
//! credential-like payload fields and response headers are replaced by [`REDACTED`] *before* they
//! reach a bundle, a summary, a log line or an error message; [`scan`] finds anything that still
//! looks like a credential (so `publish` can refuse it).

use serde_json::Value;

/// What a secret is replaced by.
pub const REDACTED: &str = "<redacted>";

/// Whether a field or parameter name looks like it holds a credential.
pub fn is_credential_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace(['-', '_'], "");
    [
        "key",
        "token",
        "secret",
        "password",
        "passwd",
        "auth",
        "credential",
        "cookie",
        "session",
        "signature",
        "sig",
        "bearer",
        "apikey",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A URL with user-info and credential-like query values replaced.
pub fn url(u: &str) -> String {
    let (scheme, rest) = u.split_once("://").unwrap_or(("", u));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("{REDACTED}@{host}"),
        None => authority.to_string(),
    };
    let path = match path.split_once('?') {
        Some((p, q)) => {
            let q: Vec<String> = q
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if is_credential_name(k) => format!("{k}={REDACTED}"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{p}?{}", q.join("&"))
        }
        None => path.to_string(),
    };
    if scheme.is_empty() {
        format!("{authority}{path}")
    } else {
        format!("{scheme}://{authority}{path}")
    }
}

/// A JSON payload with credential-like fields (at any depth) replaced.
pub fn json(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = if is_credential_name(k) && !x.is_null() {
                        Value::String(REDACTED.into())
                    } else {
                        json(x)
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(json).collect()),
        other => other.clone(),
    }
}

/// A response header's value as it may be written: credential-like headers (cookies, auth,
/// keys, tokens) are replaced.
pub fn header_value(name: &str, value: &str) -> String {
    if is_credential_name(name) {
        REDACTED.into()
    } else {
        scrub(value)
    }
}

/// A command line as it may be written: header values, URLs, payloads and anything that looks
/// like a token are redacted; environment variable *names* (`--header-env`) are kept.
pub fn args(argv: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    let mut pending: Option<&str> = None;
    for a in argv {
        if let Some(flag) = pending.take() {
            out.push(arg_value(flag, a));
            continue;
        }
        match a.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                out.push(format!("{flag}={}", arg_value(flag, value)));
            }
            _ => {
                pending = match a.as_str() {
                    "--header" => Some("--header"),
                    "--url" => Some("--url"),
                    "--payload-extra" => Some("--payload-extra"),
                    "--header-env" => Some("--header-env"),
                    _ => None,
                };
                out.push(scrub(a));
            }
        }
    }
    out
}

fn arg_value(flag: &str, value: &str) -> String {
    match flag {
        "--header" => match value.split_once(':') {
            Some((name, _)) => format!("{name}: {REDACTED}"),
            None => REDACTED.into(),
        },
        "--url" => url(value),
        "--payload-extra" => serde_json::from_str::<Value>(value)
            .map(|v| json(&v).to_string())
            .unwrap_or_else(|_| REDACTED.into()),
        // `NAME=ENV_VAR`: both are names, not secrets.
        "--header-env" => value.to_string(),
        _ => scrub(value),
    }
}

/// Replaces anything in free text that looks like a credential: `Bearer <token>`, `sk-…`-style
/// keys, `key=value` pairs with credential-like names, and well-known token prefixes.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, len)) = next_secret(rest) {
        out.push_str(&rest[..start]);
        out.push_str(REDACTED);
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

fn token_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.~+/=".contains(c)))
        .unwrap_or(s.len())
}

/// The next secret-looking span in `s`: (start, length).
fn next_secret(s: &str) -> Option<(usize, usize)> {
    let lower = s.to_ascii_lowercase();
    let mut best: Option<(usize, usize)> = None;
    let mut consider = |start: usize, len: usize| {
        if len > 0 && best.is_none_or(|(b, _)| start < b) {
            best = Some((start, len));
        }
    };
    if let Some(i) = lower.find("bearer ") {
        let t = i + 7;
        let n = token_len(&s[t..]);
        if n >= 8 {
            consider(t, n);
        }
    }
    for prefix in ["sk-", "ghp_", "gho_", "xoxb-", "xoxp-", "akia", "hf_"] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(prefix).map(|i| i + from) {
            let at_word_start = i == 0 || !s.as_bytes()[i - 1].is_ascii_alphanumeric();
            let n = token_len(&s[i..]);
            if at_word_start && n >= prefix.len() + 12 {
                consider(i, n);
                break;
            }
            from = i + prefix.len();
        }
    }
    // URL user-info: `//user:password@host`.
    if let Some(i) = s.find("://") {
        let after = &s[i + 3..];
        let end = after.find(['/', ' ', '"', '\'']).unwrap_or(after.len());
        if let Some(at) = after[..end].rfind('@') {
            if after[..at].contains(':') {
                consider(i + 3, at);
            }
        }
    }
    // key=value / "key": "value" pairs with credential-like names.
    for sep in ['=', ':'] {
        let mut from = 0;
        while let Some(i) = s[from..].find(sep).map(|i| i + from) {
            let name_start = s[..i]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .map(|j| j + 1)
                .unwrap_or(0);
            let name = s[name_start..i].trim_matches('"');
            let value_start =
                i + 1 + s[i + 1..].len() - s[i + 1..].trim_start_matches([' ', '"']).len();
            let n = token_len(&s[value_start..]);
            let value = &s[value_start..value_start + n];
            // `Authorization=KOKORO_BENCH_AUTH` names a variable; it is not the secret.
            let env_name = value.contains('_')
                && value
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if !name.is_empty()
                && is_credential_name(name)
                && n >= 6
                && !env_name
                && !s[value_start..].starts_with(REDACTED)
            {
                consider(value_start, n);
                break;
            }
            from = i + 1;
        }
    }
    best
}

/// Where something that looks like a credential still appears in a JSON document: its JSON path
/// and what it looks like. `publish` refuses bundles with any.
pub fn scan(v: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    walk(v, "$", &mut found);
    found
}

fn walk(v: &Value, path: &str, found: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{path}.{k}");
                if let Value::String(s) = x {
                    if is_credential_name(k) && !s.is_empty() && s != REDACTED && s.len() >= 6 {
                        found.push((p.clone(), format!("a `{k}` field with a value")));
                        continue;
                    }
                }
                walk(x, &p, found);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, &format!("{path}[{i}]"), found);
            }
        }
        Value::String(s) => {
            if let Some((start, len)) = next_secret(s) {
                let shown: String = s[start..start + len].chars().take(4).collect();
                found.push((
                    path.to_string(),
                    format!("`{shown}…` looks like a credential"),
                ));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "abcDEF1234567890ghiJKL";

    #[test]
    fn command_lines_keep_their_shape_and_lose_their_secrets() {
        let argv: Vec<String> = [
            "kokoro-bench",
            "run",
            "--target",
            "http",
            "--url",
            "https://user:pw@api.example.com/v1/audio/speech?api_key=K123456&voice=af",
            "--header",
            &format!("Authorization: Bearer {TOKEN}"),
            &format!("--header=X-Api-Key: {TOKEN}"),
            "--payload-extra",
            &format!(
                r#"{{"lang": "en-us", "api_key": "{TOKEN}", "nested": {{"token": "t0k3n-xyz"}}}}"#
            ),
            "--header-env",
            "Authorization=KOKORO_BENCH_AUTH",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let out = args(&argv).join(" ");
        assert!(
            !out.contains(TOKEN)
                && !out.contains("pw@")
                && !out.contains("K123456")
                && !out.contains("t0k3n"),
            "{out}"
        );
        assert!(out.contains("Authorization: <redacted>"), "{out}");
        assert!(out.contains("X-Api-Key: <redacted>"), "{out}");
        assert!(
            out.contains("voice=af") && out.contains("api.example.com"),
            "{out}"
        );
        assert!(out.contains(r#""lang":"en-us""#), "{out}");
        assert!(
            out.contains("Authorization=KOKORO_BENCH_AUTH"),
            "variable names are not secret: {out}"
        );
    }

    #[test]
    fn free_text_and_headers_are_scrubbed_and_scanning_finds_what_is_left() {
        let msg =
            format!("HTTP 401: invalid token sk-{TOKEN} for Bearer {TOKEN} (api_key={TOKEN})");
        let s = scrub(&msg);
        assert!(!s.contains(TOKEN), "{s}");
        assert!(s.starts_with("HTTP 401: invalid token <redacted>"), "{s}");
        assert_eq!(
            scrub("no secrets here: 12 ms, key frames"),
            "no secrets here: 12 ms, key frames"
        );
        assert_eq!(header_value("set-cookie", "sid=123456789"), REDACTED);
        assert_eq!(header_value("content-type", "audio/wav"), "audio/wav");
        let doc = serde_json::json!({
            "run": {"command_line": ["run", format!("--header=Authorization: Bearer {TOKEN}")]},
            "provenance": {"http": {"response_headers": {"x-api-key": TOKEN, "server": "uvicorn"}}},
            "ok": {"token": REDACTED, "tokens": 12}
        });
        let found = scan(&doc);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().any(|(p, _)| p == "$.run.command_line[1]"));
        assert!(found
            .iter()
            .any(|(p, _)| p == "$.provenance.http.response_headers.x-api-key"));
        assert!(
            scan(&json(&doc))
                .iter()
                .all(|(p, _)| p.starts_with("$.run")),
            "json() redacts fields"
        );
    }
}
