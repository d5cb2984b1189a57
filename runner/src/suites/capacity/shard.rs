//! One sweep driven from several runners (`--shard i/N --start-at T`), without a coordinator:
//! every shard knows the same wall-clock schedule — level k starts at `T + (k − 1) × slot`, the
//! slot twice the level budget — and carries its share of each level (listeners split as evenly
//! as whole listeners allow, rates divided by N, measured requests split alike). Inside a slot a
//! shard warms up, starts its measured requests during the first half (the level budget), keeps
//! its load up to three quarters of the slot whether or not its own measured requests ended (the
//! other shards may still measure), and lets the last quarter drain. `kokoro-bench merge` then
//! puts the shards' raw requests together ([`crate::commands::merge`]).
//!
//! Clocks: each shard estimates its clock's offset from the server's `Date` header (whole
//! seconds) by watching the header tick over ([`offset_from_ticks`]): an interval about as wide as
//! the probe spacing plus a round trip, kept in the bundle so the merge can refuse shards whose
//! clocks disagree.

use anyhow::{bail, Result};
use kokoro_bench_bundle::schema::LoadMode;
use std::time::Duration;

/// Most shards one sweep can have.
pub const MAX_SHARDS: u32 = 256;

/// Latest `--start-at` accepted, from now.
pub const MAX_START_AHEAD: Duration = Duration::from_secs(24 * 3600);

/// A level begun this much after its slot started is reported late.
pub const LATE_AFTER: Duration = Duration::from_millis(500);

/// `--shard i/N`, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardId {
    /// 1-based.
    pub index: u32,
    /// Shards in all.
    pub of: u32,
}

/// Parses `2/4`.
///
/// # Errors
/// Not `i/N`, `i` of 0 or beyond `N`, `N` beyond [`MAX_SHARDS`].
pub fn parse_shard(s: &str) -> Result<ShardId> {
    let how = "write it as i/N, e.g. --shard 1/2 on one runner and --shard 2/2 on the other";
    let Some((i, n)) = s.trim().split_once('/') else {
        bail!("--shard `{s}`: {how}");
    };
    let (Ok(index), Ok(of)) = (i.trim().parse::<u32>(), n.trim().parse::<u32>()) else {
        bail!("--shard `{s}`: {how}");
    };
    if of == 0 || of > MAX_SHARDS {
        bail!("--shard `{s}`: a sweep has 1 to {MAX_SHARDS} shards");
    }
    if index == 0 || index > of {
        bail!("--shard `{s}`: shards are numbered 1 to {of}");
    }
    Ok(ShardId { index, of })
}

/// Parses `--start-at` (RFC 3339, e.g. `2026-12-06T19:30:00Z`) and checks it is ahead of `now_ms`
/// but not absurdly far.
///
/// # Errors
/// Not RFC 3339, in the past, more than [`MAX_START_AHEAD`] ahead.
pub fn parse_start_at(s: &str, now_ms: f64) -> Result<f64> {
    let t = humantime::parse_rfc3339_weak(s.trim()).map_err(|e| {
        anyhow::anyhow!(
            "--start-at `{s}`: {e}; give a UTC time every shard shares, e.g. \
             --start-at \"$(date -u -d '+2 min' +%Y-%m-%dT%H:%M:%SZ)\""
        )
    })?;
    let at_ms = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| anyhow::anyhow!("--start-at `{s}`: before 1970"))?
        .as_secs_f64()
        * 1000.0;
    if at_ms <= now_ms {
        bail!(
            "--start-at `{s}` is {:.0} s in the past: shards start levels on that schedule, so it must \
             be ahead of every shard's start (allow for the slowest runner to be scheduled)",
            (now_ms - at_ms) / 1000.0
        );
    }
    if at_ms - now_ms > MAX_START_AHEAD.as_secs_f64() * 1000.0 {
        bail!("--start-at `{s}` is more than 24 hours ahead: a typo?");
    }
    Ok(at_ms)
}

/// This shard's part of a level: whole listeners dealt out in turn (shard 1 takes the first
/// remainder), a rate divided evenly.
pub fn share(mode: LoadMode, level: f64, id: ShardId) -> f64 {
    match mode {
        LoadMode::Listeners => f64::from(split(level.round() as u32, id)),
        LoadMode::Rate => level / f64::from(id.of),
    }
}

/// `total` whole things dealt out over the shards: each gets `total / N`, the first
/// `total % N` shards one more.
pub fn split(total: u32, id: ShardId) -> u32 {
    total / id.of + u32::from(id.index - 1 < total % id.of)
}

/// The slot of each level: twice the level budget.
pub fn slot(level_budget: Duration) -> Duration {
    level_budget * 2
}

/// Until when (from the slot's start) a shard keeps its load up: three quarters of the slot.
pub fn load_until(level_budget: Duration) -> Duration {
    level_budget * 3 / 2
}

/// One look at the server's clock: local send and receive instants (Unix ms) around a request,
/// and the whole second its `Date` header said.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tick {
    /// Local clock when the request left, Unix ms.
    pub sent_ms: f64,
    /// Local clock when the answer's head arrived, Unix ms.
    pub received_ms: f64,
    /// The server's `Date`, Unix seconds.
    pub date_s: i64,
}

/// This clock minus the server's, as an interval, from a series of ticks a few tens of ms apart.
/// Where the `Date` moved on by one second between two looks, the server's second began between
/// the first look's send and the second's receipt: the interval is that gap. With no tick over,
/// one look bounds it within a second.
pub fn offset_from_ticks(ticks: &[Tick]) -> Option<[f64; 2]> {
    let tight = ticks
        .windows(2)
        .filter(|w| w[1].date_s == w[0].date_s + 1)
        .map(|w| {
            let boundary_ms = w[1].date_s as f64 * 1000.0;
            [w[0].sent_ms - boundary_ms, w[1].received_ms - boundary_ms]
        })
        .min_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])));
    tight.or_else(|| {
        let t = ticks.first()?;
        let second_ms = t.date_s as f64 * 1000.0;
        Some([t.sent_ms - second_ms - 1000.0, t.received_ms - second_ms])
    })
}

/// Looks at the server's `Date` every 50 ms until it ticks over (at most 1.5 s) and bounds this
/// clock's offset from it ([`offset_from_ticks`]); `None` when the target has no server clock.
pub fn measure_offset(target: &dyn crate::targets::Target) -> Option<[f64; 2]> {
    let now = || crate::timefmt::unix_ms_now() as f64;
    let mut ticks: Vec<Tick> = Vec::new();
    for _ in 0..30 {
        let sent_ms = now();
        let date_s = parse_http_date(&target.server_date()?)?;
        ticks.push(Tick {
            sent_ms,
            received_ms: now(),
            date_s,
        });
        if ticks.len() >= 2 && ticks[ticks.len() - 2].date_s + 1 == date_s {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    offset_from_ticks(&ticks)
}

/// Parses an HTTP date (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) into Unix seconds.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let mut parts = s.split_whitespace().skip(1);
    let day: i64 = parts.next()?.parse().ok()?;
    let month = MONTHS
        .iter()
        .position(|m| Some(*m) == parts.clone().next())? as i64
        + 1;
    parts.next();
    let year: i64 = parts.next()?.parse().ok()?;
    let hms: Vec<i64> = parts
        .next()?
        .split(':')
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    if hms.len() != 3 || parts.next() != Some("GMT") {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2])
}

/// Formats Unix seconds as an HTTP date (IMF-fixdate), as servers write `Date` (the scripted
/// servers of the tests and `examples/steady_server.rs` use it).
pub fn format_http_date(unix_s: i64) -> String {
    let (days, rem) = (unix_s.div_euclid(86_400), unix_s.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    format!(
        "{weekday}, {d:02} {} {y} {:02}:{:02}:{:02} GMT",
        MONTHS[(m - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_bad_ones_say_how() {
        assert_eq!(parse_shard("2/4").unwrap(), ShardId { index: 2, of: 4 });
        for bad in ["0/2", "3/2", "2", "a/b", "1/0"] {
            let e = parse_shard(bad).unwrap_err().to_string();
            assert!(e.contains("--shard"), "{bad}: {e}");
        }
    }

    #[test]
    fn listeners_are_dealt_out_whole_and_add_up() {
        for total in [1, 2, 3, 7, 256, 4096] {
            for of in 1..=5 {
                let sum: u32 = (1..=of)
                    .map(|index| split(total, ShardId { index, of }))
                    .sum();
                assert_eq!(sum, total, "{total} over {of}");
            }
        }
        let id = |index| ShardId { index, of: 2 };
        assert_eq!(share(LoadMode::Listeners, 3.0, id(1)), 2.0);
        assert_eq!(share(LoadMode::Listeners, 3.0, id(2)), 1.0);
        assert_eq!(share(LoadMode::Rate, 3.0, id(2)), 1.5);
    }

    #[test]
    fn a_start_in_the_past_or_a_day_away_is_refused() {
        let now = 1_765_000_000_000.0;
        let e = parse_start_at("2025-01-01T00:00:00Z", now).unwrap_err();
        assert!(e.to_string().contains("in the past"), "{e}");
        assert!(parse_start_at("tomorrow", now).is_err());
        let soon = crate::timefmt::rfc3339((now + 60_000.0) as u64);
        assert!((parse_start_at(&soon, now).unwrap() - now - 60_000.0).abs() < 1.0);
        let far = crate::timefmt::rfc3339((now + 2.0 * 86_400_000.0) as u64);
        assert!(parse_start_at(&far, now).is_err());
    }

    #[test]
    fn http_dates_parse_to_unix_seconds() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Sun, 06 Dec 2026 18:46:11 GMT"),
            Some(1_796_582_771)
        );
        assert_eq!(parse_http_date("yesterday"), None);
        for t in [0, 784_111_777, 951_782_400, 1_796_582_771, 4_107_542_399] {
            assert_eq!(parse_http_date(&format_http_date(t)), Some(t), "{t}");
        }
        assert_eq!(
            format_http_date(784_111_777),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }

    #[test]
    fn a_tick_over_bounds_the_offset_tightly() {
        // The server's clock runs 300 ms behind ours; looks every 50 ms, 2 ms round trips.
        let server_behind_ms = 300.0;
        let ticks: Vec<Tick> = (0..30)
            .map(|i| {
                let sent_ms = 1_000_000_020.0 + 50.0 * f64::from(i);
                let served_ms = sent_ms + 1.0 - server_behind_ms;
                Tick {
                    sent_ms,
                    received_ms: sent_ms + 2.0,
                    date_s: (served_ms / 1000.0).floor() as i64,
                }
            })
            .collect();
        let [lo, hi] = offset_from_ticks(&ticks).unwrap();
        assert!(
            lo <= server_behind_ms && server_behind_ms <= hi,
            "{lo}..{hi}"
        );
        assert!(hi - lo <= 53.0, "{lo}..{hi}");
        let one = offset_from_ticks(&ticks[..1]).unwrap();
        assert!(one[0] <= server_behind_ms && server_behind_ms <= one[1]);
        assert_eq!(offset_from_ticks(&[]), None);
    }
}
