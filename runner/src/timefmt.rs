//! Time helpers: Unix ms, RFC 3339 (UTC) and durations as people write them (`90s`, `20m`,
//! `1h30m`), all through humantime.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, Unix milliseconds.
pub fn unix_ms_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// RFC 3339, e.g. `2026-11-23T22:18:19.123Z` (humantime).
pub fn rfc3339(unix_ms: u64) -> String {
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(unix_ms)).to_string()
}

/// Compact stamp for ids and folder names, e.g. `20261123T221819Z`.
pub fn compact(unix_ms: u64) -> String {
    let full = rfc3339(unix_ms);
    let digits: String = full[..19]
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    format!("{digits}Z")
}

/// Parses a duration: `90s`, `20m`, `1h30m`, `500ms` (humantime), or plain seconds (`90`).
///
/// # Errors
/// A message saying what a duration looks like.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Ok(Duration::from_secs_f64(secs));
        }
    }
    humantime::parse_duration(t)
        .map_err(|e| format!("`{s}` is not a duration ({e}): use e.g. 90s, 20m, 1h30m"))
}

/// Parses a duration flag (`90s`, `2m`, `1h30m`, or seconds).
///
/// # Errors
/// A message saying what a duration looks like.
pub fn duration_arg(s: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err(format!("`{s}` is zero: give a positive duration, e.g. 30s"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(compact(1_795_472_299_000), "20261123T221819Z");
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("20m").unwrap(), Duration::from_secs(1200));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("soon").unwrap_err().contains("90s"));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("-3").is_err());
    }
}
