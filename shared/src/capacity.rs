//! Capacity logic shared by the runner and the page: parsing an SLO, judging a request by it,
//! summarising a level (percentiles with intervals, goodput, the share that met the SLO with a
//! Wilson interval) and finding the sustainable level.

use crate::schema::{CapacityLevel, CapacityRequest, CapacityResult, Slo};
use crate::stats::bootstrap::{Bootstrap, Interval};
use crate::stats::percentile;

/// The SLO when none is given: speech heard within 2 s, never a stall, for 95 % of requests.
pub const DEFAULT_SLO: &str = "heard<=2000ms,underruns==0";

/// Share of requests a level must serve within the SLO to hold.
pub const DEFAULT_HOLD: f64 = 0.95;

/// Why an SLO did not parse.
#[derive(Debug, thiserror::Error)]
#[error("--slo `{text}`: {why}; write e.g. `heard<=1500ms,underruns==0` (terms: heard, ttfa, stall in ms; underruns as a count; `hold=0.95` for the share of requests)")]
pub struct SloError {
    /// The SLO as given.
    pub text: String,
    /// What is wrong.
    pub why: String,
}

fn number(v: &str, unit: &str) -> Option<f64> {
    let v = v.trim();
    let n = v.strip_suffix(unit).unwrap_or(v).trim();
    let s = n
        .strip_suffix('s')
        .filter(|_| unit == "ms" && !v.ends_with("ms"));
    let parsed: f64 = match s {
        Some(secs) => secs.trim().parse::<f64>().ok()? * 1000.0,
        None => n.parse().ok()?,
    };
    (parsed.is_finite() && parsed >= 0.0).then_some(parsed)
}

/// Parses `heard<=1500ms,underruns==0[,ttfa<=1s][,stall<=200ms][,hold=0.95]`.
///
/// # Errors
/// [`SloError`] naming the term that is not understood.
pub fn parse_slo(text: &str) -> Result<Slo, SloError> {
    let err = |why: String| SloError {
        text: text.to_string(),
        why,
    };
    let mut slo = Slo {
        text: text.trim().to_string(),
        heard_ms_max: None,
        ttfa_ms_max: None,
        underruns_max: None,
        stall_ms_max: None,
        hold_fraction: DEFAULT_HOLD,
    };
    for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let (name, value) = if let Some((n, v)) = term.split_once("<=") {
            (n.trim(), v)
        } else if let Some((n, v)) = term.split_once("==") {
            (n.trim(), v)
        } else if let Some((n, v)) = term.split_once('=') {
            (n.trim(), v)
        } else {
            return Err(err(format!("`{term}` is not `name<=value`")));
        };
        let bad = || {
            err(format!(
                "`{term}`: `{}` is not a non-negative number",
                value.trim()
            ))
        };
        match name {
            "heard" => slo.heard_ms_max = Some(number(value, "ms").ok_or_else(bad)?),
            "ttfa" => slo.ttfa_ms_max = Some(number(value, "ms").ok_or_else(bad)?),
            "stall" => slo.stall_ms_max = Some(number(value, "ms").ok_or_else(bad)?),
            "underruns" => {
                let n = number(value, "")
                    .filter(|n| n.fract() == 0.0)
                    .ok_or_else(bad)?;
                slo.underruns_max = Some(n as u32);
            }
            "hold" => {
                let h = number(value, "")
                    .filter(|h| *h > 0.0 && *h <= 1.0)
                    .ok_or_else(|| {
                        err(format!(
                            "`{term}`: hold is a share of requests in (0, 1], e.g. 0.95"
                        ))
                    })?;
                slo.hold_fraction = h;
            }
            other => return Err(err(format!("unknown term `{other}`"))),
        }
    }
    if slo.heard_ms_max.is_none()
        && slo.ttfa_ms_max.is_none()
        && slo.underruns_max.is_none()
        && slo.stall_ms_max.is_none()
    {
        return Err(err("no limit given".into()));
    }
    Ok(slo)
}

/// Whether a request met the SLO: it succeeded and every limit holds (a missing value fails).
pub fn meets(slo: &Slo, r: &CapacityRequest) -> bool {
    let within = |v: Option<f64>, max: Option<f64>| max.is_none_or(|m| v.is_some_and(|v| v <= m));
    r.error.is_none()
        && within(r.heard_ms, slo.heard_ms_max)
        && within(r.ttfa_ms, slo.ttfa_ms_max)
        && within(r.stall_ms, slo.stall_ms_max)
        && slo
            .underruns_max
            .is_none_or(|m| r.underruns.is_some_and(|u| u <= m))
}

/// Wilson score interval (95 %) of a share `k / n`.
pub fn wilson(k: u32, n: u32) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n, z) = (k as f64, n as f64, 1.959_963_984_540_054);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Fewest samples for a percentile to be estimated rather than be the maximum: p95 needs 20,
/// p99 needs 100.
pub fn min_samples_for(p: f64) -> usize {
    (1.0 / (1.0 - p / 100.0)).round() as usize
}

/// A percentile with its bootstrap interval, or why it cannot be estimated from `values`.
pub fn percentile_with_ci(values: &[f64], p: f64) -> Result<(f64, Option<Interval>), String> {
    let need = min_samples_for(p);
    if values.len() < need {
        return Err(format!(
            "p{p:.0} not estimable (n = {} < {need})",
            values.len()
        ));
    }
    let v = percentile(values, p).ok_or("no values")?;
    let ci = Bootstrap::default().one(values, |x| percentile(x, p));
    Ok((v, ci))
}

/// A percentile as reported: its value and bootstrap interval, or why it is not estimable.
pub type Estimate = Result<(f64, Option<Interval>), String>;

/// p50, p95 and p99 of one latency, each with its interval or the reason it is missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Percentiles {
    /// Values behind them.
    pub n: usize,
    /// Median.
    pub p50: Estimate,
    /// 95th percentile (needs 20 values).
    pub p95: Estimate,
    /// 99th percentile (needs 100 values).
    pub p99: Estimate,
}

impl Percentiles {
    /// The three percentiles of `values`.
    pub fn of(values: &[f64]) -> Percentiles {
        Percentiles {
            n: values.len(),
            p50: percentile_with_ci(values, 50.0),
            p95: percentile_with_ci(values, 95.0),
            p99: percentile_with_ci(values, 99.0),
        }
    }
}

/// What a level comes to.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelSummary {
    /// Requests that met the SLO.
    pub met: u32,
    /// Requests judged (every measured request that ended, failed ones included).
    pub judged: u32,
    /// Share that met the SLO, with its 95 % Wilson interval.
    pub met_share: Option<(f64, (f64, f64))>,
    /// Requests per minute that met the SLO.
    pub goodput_per_min: f64,
    /// Whether the level held (observed share ≥ the hold fraction; an interrupted level never
    /// does: it was not run to its end).
    pub held: bool,
    /// Heard-speech latency of the requests that succeeded.
    pub heard: Percentiles,
    /// First-sample TTFA of the requests that succeeded.
    pub ttfa: Percentiles,
    /// Underruns per stream, mean.
    pub underruns_mean: Option<f64>,
    /// Stall time per stream, mean, ms.
    pub stall_ms_mean: Option<f64>,
    /// Median real-time factor.
    pub rtf_p50: Option<f64>,
}

/// Summarises one level against the SLO.
pub fn summarise(slo: &Slo, l: &CapacityLevel) -> LevelSummary {
    let judged = l.requests.len() as u32;
    let met = l.requests.iter().filter(|r| r.met_slo).count() as u32;
    let share = (judged > 0).then(|| met as f64 / judged as f64);
    let ok = || l.requests.iter().filter(|r| r.error.is_none());
    let heard: Vec<f64> = ok().filter_map(|r| r.heard_ms).collect();
    let ttfa: Vec<f64> = ok().filter_map(|r| r.ttfa_ms).collect();
    let under: Vec<f64> = ok().filter_map(|r| r.underruns.map(f64::from)).collect();
    let stall: Vec<f64> = ok().filter_map(|r| r.stall_ms).collect();
    let rtf: Vec<f64> = ok().filter_map(|r| r.rtf).collect();
    LevelSummary {
        met,
        judged,
        met_share: share.zip(wilson(met, judged)),
        goodput_per_min: if l.wall_s > 0.0 {
            met as f64 / l.wall_s * 60.0
        } else {
            0.0
        },
        held: !l.interrupted && share.is_some_and(|s| s >= slo.hold_fraction),
        heard: Percentiles::of(&heard),
        ttfa: Percentiles::of(&ttfa),
        underruns_mean: crate::stats::mean(&under),
        stall_ms_mean: crate::stats::mean(&stall),
        rtf_p50: crate::stats::median(&rtf),
    }
}

/// What one listener's stream costs, and how many such streams the machine could serve in real
/// time if they shared it perfectly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ceiling {
    /// Median RTF at one listener.
    pub rtf: f64,
    /// Cores the serving process kept busy at one listener (mean CPU / 100); `None` when it was
    /// not sampled (a remote server): the stream is then assumed to use the whole machine.
    pub cores_busy: Option<f64>,
    /// Logical cores of the machine.
    pub cores: u32,
    /// Predicted streams: cores / (RTF × cores busy), or 1 / RTF when the CPU is unknown.
    pub streams: f64,
}

/// The predicted ceiling from the one-listener level (closed loop, not interrupted): `None`
/// without that level, for an open-loop sweep, or when the serving process used under a tenth of
/// a core (nothing here is compute-bound: a scripted target, a server elsewhere behind a proxy).
pub fn ceiling(r: &CapacityResult, cores: u32) -> Option<Ceiling> {
    if r.mode != crate::schema::LoadMode::Listeners {
        return None;
    }
    let one = r.levels.iter().find(|l| l.level == 1.0 && !l.interrupted)?;
    let rtf = summarise(&r.slo, one).rtf_p50.filter(|&v| v > 0.0)?;
    let cores_busy = one.cpu_percent_mean.map(|c| c / 100.0);
    let streams = match cores_busy {
        Some(c) if c < 0.1 => return None,
        Some(c) => f64::from(cores.max(1)) / (rtf * c),
        None => 1.0 / rtf,
    };
    Some(Ceiling {
        rtf,
        cores_busy,
        cores,
        streams,
    })
}

/// The highest level that held (levels need not be monotonic: every level is judged).
pub fn sustainable(r: &CapacityResult) -> Option<f64> {
    r.levels
        .iter()
        .filter(|l| summarise(&r.slo, l).held)
        .map(|l| l.level)
        .fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slos_parse_with_units_and_bad_ones_say_which_term() {
        let s = parse_slo("heard<=1500ms, underruns==0, ttfa<=1.2s, hold=0.9").unwrap();
        assert_eq!(s.heard_ms_max, Some(1500.0));
        assert_eq!(s.ttfa_ms_max, Some(1200.0));
        assert_eq!(s.underruns_max, Some(0));
        assert_eq!(s.hold_fraction, 0.9);
        assert_eq!(parse_slo(DEFAULT_SLO).unwrap().heard_ms_max, Some(2000.0));
        for (bad, words) in [
            ("heard<1500", "not `name<=value`"),
            ("speed<=3", "unknown term `speed`"),
            ("heard<=fast", "`fast`"),
            ("underruns==0.5", "not a non-negative number"),
            ("hold=2", "share of requests"),
            ("", "no limit"),
        ] {
            let e = parse_slo(bad).unwrap_err().to_string();
            assert!(e.contains(words), "{bad}: {e}");
        }
    }

    #[test]
    fn requests_are_judged_and_levels_summarised() {
        let slo = parse_slo("heard<=1000ms,underruns==0").unwrap();
        let ok = CapacityRequest {
            heard_ms: Some(800.0),
            underruns: Some(0),
            ..Default::default()
        };
        let late = CapacityRequest {
            heard_ms: Some(1200.0),
            ..ok.clone()
        };
        let failed = CapacityRequest {
            error: Some(crate::schema::ErrorKind::Timeout),
            ..ok.clone()
        };
        assert!(meets(&slo, &ok) && !meets(&slo, &late) && !meets(&slo, &failed));
        let mut reqs: Vec<CapacityRequest> = (0..19).map(|_| ok.clone()).collect();
        reqs.push(late.clone());
        for r in &mut reqs {
            r.met_slo = meets(&slo, r);
        }
        let level = CapacityLevel {
            level: 2.0,
            wall_s: 30.0,
            requests: reqs,
            ..Default::default()
        };
        let s = summarise(&slo, &level);
        assert_eq!((s.met, s.judged), (19, 20));
        assert!(s.held, "19 of 20 is 95 %");
        assert!((s.goodput_per_min - 38.0).abs() < 1e-9);
        let (lo, hi) = s.met_share.unwrap().1;
        assert!(lo < 0.95 && hi > 0.95);
        assert!(percentile_with_ci(&[1.0; 20], 99.0)
            .unwrap_err()
            .contains("n = 20 < 100"));
        assert!(percentile_with_ci(&[1.0; 20], 95.0).is_ok());
        assert_eq!(wilson(0, 0), None);
    }
}
