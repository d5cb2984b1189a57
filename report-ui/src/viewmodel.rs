//! Pure view-model logic, tested natively: per-case rows, run-list ordering and chart geometry.
//! Components only render what these functions return (the URL state is in [`crate::route`]).

pub use kokoro_bench_bundle::history::{history, pct_change, series_key, History, HistoryPoint};
use kokoro_bench_bundle::metrics::Metric;
use kokoro_bench_bundle::stats::Summary;
use kokoro_bench_bundle::Bundle;

/// How the run list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Newest first.
    Newest,
    /// By CPU model, then newest.
    Machine,
    /// By model file, then newest.
    Model,
    /// By strategy, then newest.
    Strategy,
    /// Most failing gates first (then no-data, warnings), then newest.
    Failures,
}

/// Sorts index entries in place (stable: ties keep newest first).
pub fn sort_runs(rows: &mut [&kokoro_bench_bundle::index::IndexEntry], key: SortKey) {
    rows.sort_by(|a, b| {
        let newest = b.started_unix_ms.cmp(&a.started_unix_ms);
        match key {
            SortKey::Newest => newest,
            SortKey::Machine => a.machine.cmp(&b.machine).then(newest),
            SortKey::Model => a.model.cmp(&b.model).then(newest),
            SortKey::Strategy => a.strategy.cmp(&b.strategy).then(newest),
            SortKey::Failures => (b.gates[2], b.gates[3], b.gates[1])
                .cmp(&(a.gates[2], a.gates[3], a.gates[1]))
                .then(newest),
        }
    });
}

/// Metrics shown per case, in order: the CLI summary's headline, then the HTTP set-up times.
pub const CASE_METRICS: [Metric; 10] = {
    let h = Metric::HEADLINE;
    // After the headline (rows without values are left out): the arrival of the first audible
    // chunk, then for HTTP where TTFB went.
    [
        h[0],
        h[1],
        h[2],
        h[3],
        h[4],
        h[5],
        Metric::TtfaAudibleMs,
        Metric::TtfbMs,
        Metric::ConnectMs,
        Metric::TlsHandshakeMs,
    ]
};

/// One metric of one case, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricRow {
    /// Metric.
    pub metric: Metric,
    /// Warm values.
    pub values: Vec<f64>,
    /// Summary of `values`.
    pub summary: Option<Summary>,
    /// 95 % interval of the median over the case's rounds (three values or more), as the CLI
    /// summary's.
    pub ci: Option<kokoro_bench_bundle::stats::bootstrap::Interval>,
    /// Cold-start value, if the cold start succeeded (shown apart).
    pub cold: Option<f64>,
}

/// Rows for a case.
pub fn case_rows(b: &Bundle, case: &str) -> Vec<MetricRow> {
    let Some(c) = b.case(case) else {
        return Vec::new();
    };
    CASE_METRICS
        .iter()
        .map(|&m| {
            let values = m.case_values(c);
            // A failed cold start measured nothing to plot, whatever it got to before failing.
            let cold = c
                .trials
                .iter()
                .find(|t| {
                    t.kind == kokoro_bench_bundle::schema::TrialKind::Cold && t.error.is_none()
                })
                .and_then(|t| m.trial_value(t));
            let ci = (values.len() >= 3)
                .then(|| {
                    kokoro_bench_bundle::stats::bootstrap::Bootstrap::default()
                        .one_rounds(&m.case_rounds(c), kokoro_bench_bundle::stats::median)
                })
                .flatten();
            MetricRow {
                metric: m,
                summary: Summary::of(&values),
                ci,
                values,
                cold,
            }
        })
        .filter(|r| !r.values.is_empty() || r.cold.is_some())
        .collect()
}

/// Whether a bundle's content matches the hash a link was made with (`expected` is a hex prefix,
/// at least 8 characters; an empty `expected` means the link carried none).
pub fn hash_matches(expected: &str, actual_hex: &str) -> Option<bool> {
    (expected.len() >= 8).then(|| actual_hex.starts_with(&expected.to_ascii_lowercase()))
}

/// Resolves `rel` against the folder of `base` (URLs of bundles listed in an index).
pub fn join_url(base: &str, rel: &str) -> String {
    match base.rfind('/') {
        Some(i) => format!("{}/{rel}", &base[..i]),
        None => rel.to_string(),
    }
}

/// The streaming timeline of one trial as two curves over wall-clock time since the request:
/// audio delivered (a staircase, one step per chunk) and audio played by the simulated real-time
/// player (flat before the first audio, during the pre-buffer and during stalls). The vertical gap
/// between them is the buffer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    /// Delivered audio: (ms since request, audio seconds), as a staircase.
    pub delivered: Vec<(f64, f64)>,
    /// Played audio: (ms since request, audio seconds), piecewise linear.
    pub played: Vec<(f64, f64)>,
    /// Stalls, ms since request.
    pub stalls_ms: Vec<[f64; 2]>,
    /// First audio, ms since request.
    pub first_audio_ms: f64,
    /// When the player finishes, ms since request.
    pub end_ms: f64,
    /// Total audio, seconds.
    pub audio_s: f64,
}

/// Builds the [`Timeline`] of a trial from its chunk arrivals and playback simulation.
pub fn timeline(t: &kokoro_bench_bundle::schema::Trial) -> Option<Timeline> {
    let pb = t.playback.as_ref()?;
    let rate = t.sample_rate_hz.max(1) as f64;
    let arrivals: Vec<(f64, f64)> = t
        .chunks
        .t_ms
        .iter()
        .zip(&t.chunks.samples)
        .filter(|(_, &n)| n > 0)
        .map(|(&ms, &n)| (ms, n as f64 / rate))
        .collect();
    let &(first_audio_ms, _) = arrivals.first()?;
    let mut delivered = vec![(0.0, 0.0)];
    let mut total = 0.0;
    for (ms, secs) in arrivals {
        delivered.push((ms, total));
        total += secs;
        delivered.push((ms, total));
    }
    // The buffer series is sampled at arrivals, stall starts and the end: played = delivered − buffer.
    let delivered_at = |ms: f64| {
        delivered
            .iter()
            .rev()
            .find(|(t, _)| *t <= ms)
            .map(|p| p.1)
            .unwrap_or(0.0)
    };
    let mut played = vec![(0.0, 0.0), (first_audio_ms, 0.0)];
    let start = first_audio_ms + pb.prebuffer_ms.max(0.0);
    if pb.prebuffer_ms > 0.0 {
        played.push((start, 0.0));
    }
    for (&ms, &buf_ms) in pb.buffer_t_ms.iter().zip(&pb.buffer_ms) {
        if ms < start {
            continue;
        }
        let v = (delivered_at(ms) - buf_ms / 1000.0).max(0.0);
        if played.last().is_some_and(|p| p.0 <= ms) {
            played.push((ms, v));
        }
    }
    let end_ms = pb
        .buffer_t_ms
        .last()
        .copied()
        .unwrap_or(first_audio_ms)
        .max(delivered.last().map(|p| p.0).unwrap_or(0.0));
    if let Some(last) = played.last_mut() {
        if (last.1 - total).abs() < 1e-6 {
            last.1 = total;
        }
    }
    if delivered.last().is_some_and(|p| p.0 < end_ms) {
        delivered.push((end_ms, total));
    }
    Some(Timeline {
        delivered,
        played,
        stalls_ms: pb.stalls_ms.clone(),
        first_audio_ms,
        end_ms,
        audio_s: total,
    })
}

/// When the listener hears audio second `audio_s`, ms since the request: the inverse of the
/// played curve (flat while the player stalls, so audio after a stall is heard after it).
/// `None` past the end of what was played.
pub fn heard_at_ms(played: &[(f64, f64)], audio_s: f64) -> Option<f64> {
    played.windows(2).find_map(|w| {
        let ((t0, a0), (t1, a1)) = (w[0], w[1]);
        (a1 > a0 && audio_s >= a0 && audio_s <= a1)
            .then(|| t0 + (audio_s - a0) / (a1 - a0) * (t1 - t0))
    })
}

/// Where the played audio was at `ms` on the request clock (audio seconds): the inverse of
/// [`heard_at_ms`], for a click on the chart that seeks the player.
pub fn played_at_s(played: &[(f64, f64)], ms: f64) -> Option<f64> {
    let first = played.first()?;
    if ms <= first.0 {
        return Some(first.1);
    }
    played
        .windows(2)
        .find_map(|w| {
            let ((t0, a0), (t1, a1)) = (w[0], w[1]);
            (ms >= t0 && ms <= t1 && t1 > t0).then(|| a0 + (ms - t0) / (t1 - t0) * (a1 - a0))
        })
        .or_else(|| played.last().map(|l| l.1))
}

/// Round axis ticks from 0 up to `max`: about `count` steps of 1, 2 or 5 × 10ⁿ.
pub fn ticks(max: f64, count: usize) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) || count == 0 {
        return vec![0.0];
    }
    let raw = max / count as f64;
    let mag = 10f64.powf(raw.log10().floor());
    // The round step whose number of steps is nearest the wish.
    let steps = |s: f64| (max / s - count as f64).abs();
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .min_by(|a, b| steps(*a).total_cmp(&steps(*b)))
        .unwrap_or(mag);
    // Rounded to the step's decimals, so 3 × 0.1 prints as 0.3.
    let scale = 10f64.powi((-step.log10().floor()).max(0.0) as i32);
    (0..)
        .map(|i| (i as f64 * step * scale).round() / scale)
        .take_while(|v| *v <= max + step * 1e-9)
        .collect()
}

/// Maps values onto `[0, width]` on a shared scale (padding 5 %); returns x positions.
pub fn strip_positions(values: &[f64], lo: f64, hi: f64, width: f64) -> Vec<f64> {
    let span = if hi > lo { hi - lo } else { 1.0 };
    values
        .iter()
        .map(|v| ((v - lo) / span).clamp(0.0, 1.0) * width)
        .collect()
}

/// The range for a strip chart: min/max of all values with 5 % padding.
pub fn strip_range(values: &[f64]) -> (f64, f64) {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(hi.abs() * 0.01).max(1e-9);
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_after_a_stall_is_heard_after_it() {
        // Plays 0.5 s from 200 ms, stalls 700–1500 ms, then plays the next second.
        let played = [
            (0.0, 0.0),
            (200.0, 0.0),
            (700.0, 0.5),
            (1500.0, 0.5),
            (2500.0, 1.5),
        ];
        assert_eq!(heard_at_ms(&played, 0.25), Some(450.0));
        assert_eq!(heard_at_ms(&played, 0.5), Some(700.0));
        assert_eq!(heard_at_ms(&played, 1.0), Some(2000.0));
        assert_eq!(heard_at_ms(&played, 2.0), None);
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(12.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
        assert_eq!(ticks(900.0, 4), vec![0.0, 200.0, 400.0, 600.0, 800.0]);
        assert_eq!(ticks(366.0, 4), vec![0.0, 100.0, 200.0, 300.0]);
        assert_eq!(ticks(0.9, 3), vec![0.0, 0.5]);
        assert_eq!(ticks(0.35, 4)[3].to_string(), "0.3");
        assert_eq!(ticks(f64::NAN, 3), vec![0.0]);
    }

    #[test]
    fn link_hashes_match_by_prefix() {
        assert_eq!(hash_matches("bbbbbbbb", "bbbbbbbbcccc"), Some(true));
        assert_eq!(hash_matches("BBBBBBBB", "aaaa"), Some(false));
        assert_eq!(hash_matches("", "aaaa"), None);
    }

    #[test]
    fn http_set_up_rows_appear_only_where_there_are_values() {
        let mut b: Bundle = serde_json::from_str(include_str!(
            "../../shared/fixtures/v1/engine-progressive-3cases.json"
        ))
        .unwrap();
        let metrics = |b: &Bundle| -> Vec<Metric> {
            case_rows(b, "short").iter().map(|r| r.metric).collect()
        };
        assert!(
            !metrics(&b).contains(&Metric::ConnectMs),
            "an engine run has no HTTP rows"
        );
        for t in &mut b.cases[0].trials {
            t.ttfb_ms = Some(40.0);
            t.connect_ms = Some(0.3);
            t.tls_handshake_ms = Some(2.5);
        }
        let m = metrics(&b);
        assert!(
            m.ends_with(&[Metric::TtfbMs, Metric::ConnectMs, Metric::TlsHandshakeMs]),
            "{m:?}"
        );
    }

    #[test]
    fn timeline_curves_never_play_what_was_not_delivered() {
        use kokoro_bench_bundle::schema::{ChunkSeries, Trial};
        // 0.5 s of audio at 200 ms, then 1.0 s at 1500 ms: the player starves from 700 to 1500.
        let t_ms = vec![200.0, 1500.0];
        let samples = vec![12_000, 24_000];
        let trial = Trial {
            sample_rate_hz: 24_000,
            playback: kokoro_bench_bundle::playback::simulate(&t_ms, &samples, 24_000, 0.0),
            chunks: ChunkSeries {
                t_ms,
                samples,
                ..Default::default()
            },
            ..Default::default()
        };
        let tl = timeline(&trial).unwrap();
        assert_eq!(tl.first_audio_ms, 200.0);
        assert!((tl.audio_s - 1.5).abs() < 1e-9);
        assert_eq!(tl.stalls_ms, vec![[700.0, 1500.0]]);
        assert!((tl.end_ms - 2500.0).abs() < 1e-6, "{}", tl.end_ms);
        let delivered_at = |ms: f64| {
            tl.delivered
                .iter()
                .rev()
                .find(|p| p.0 <= ms)
                .map(|p| p.1)
                .unwrap()
        };
        for &(ms, v) in &tl.played {
            assert!(v <= delivered_at(ms) + 1e-9, "played {v} s at {ms} ms");
        }
        assert!(tl.played.contains(&(700.0, 0.5)) && tl.played.contains(&(1500.0, 0.5)));
        assert_eq!(tl.played.last(), Some(&(2500.0, 1.5)));
        assert!(timeline(&Trial::default()).is_none());
    }

    #[test]
    fn run_list_sorts() {
        use kokoro_bench_bundle::index::IndexEntry;
        let e = |id: &str, t: u64, machine: &str, fail: u32| IndexEntry {
            id: id.into(),
            path: String::new(),
            sha256: String::new(),
            started_at: String::new(),
            started_unix_ms: t,
            status: "completed".into(),
            machine: machine.into(),
            model: "m".into(),
            strategy: "progressive".into(),
            cases: vec![],
            gates: [0, 0, fail, 0],
            git_commit: None,
            target: "engine".into(),
            session: String::new(),
            summaries: None,
            label: None,
            config: String::new(),
            os: String::new(),
            audio_pruned: false,
            health: None,
        };
        let (a, b, c) = (e("a", 1, "Z", 0), e("b", 2, "A", 2), e("c", 3, "A", 0));
        let mut rows = vec![&a, &b, &c];
        sort_runs(&mut rows, SortKey::Newest);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["c", "b", "a"]
        );
        sort_runs(&mut rows, SortKey::Machine);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["c", "b", "a"]
        );
        sort_runs(&mut rows, SortKey::Failures);
        assert_eq!(rows[0].id, "b");
    }

    #[test]
    fn a_click_on_the_request_clock_finds_the_audio_heard_then() {
        let played = [(500.0, 0.0), (1500.0, 1.0), (1800.0, 1.0), (2800.0, 2.0)];
        assert_eq!(
            played_at_s(&played, 100.0),
            Some(0.0),
            "before first audio: the start"
        );
        assert_eq!(played_at_s(&played, 1000.0), Some(0.5));
        assert_eq!(
            played_at_s(&played, 1700.0),
            Some(1.0),
            "in a stall: where it stopped"
        );
        assert_eq!(played_at_s(&played, 9000.0), Some(2.0));
        let s = played_at_s(&played, 2300.0).unwrap();
        assert_eq!(
            heard_at_ms(&played, s),
            Some(2300.0),
            "the inverse of heard_at_ms"
        );
    }

    #[test]
    fn strip_geometry() {
        let (lo, hi) = strip_range(&[10.0, 20.0]);
        assert!(lo < 10.0 && hi > 20.0);
        let x = strip_positions(&[10.0, 20.0], lo, hi, 100.0);
        assert!(x[0] > 0.0 && x[1] < 100.0 && x[0] < x[1]);
    }
}
