//! The seed project's `expected_bands.json`, read as is.
//!
//! ```json
//! { "performance_gates": {
//!     "ttfa": { "threshold_p95_ms": 800 },
//!     "rtf": { "long_paragraph_threshold_p95": 0.6 },
//!     "underruns": { "max_per_10min": 1 },
//!     "drift": { "max_degradation_percent": 5 },
//!     "audio_quality": { "lufs_target": -16, "lufs_tolerance": 1, "dbtp_ceiling": -1 },
//!     "memory": { "rss_envelope_mb": 1500 } },
//!   "test_requirements": { "min_trials": 5 } }
//! ```
//!
//! How each band maps onto our metrics is written into the rule's `note`:
//! TTFA is defined for ~140-character texts (cases of 100–200 characters); the RTF band for long
//! paragraphs (cases ≥ 200 characters); underruns come from the playback simulation, pooled; the
//! memory envelope is read as a ceiling on the peak RSS of the synthesising process.

use super::{Aggregate, Bound, CaseFilter, GateRule, GatesError, Level, Stat};
use crate::metrics::Metric;
use serde_json::Value;

const SOURCE: &str = "expected_bands.json (seed)";

fn num(v: &Value, path: &[&str]) -> Result<Option<f64>, GatesError> {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(next) => cur = next,
            None => return Ok(None),
        }
    }
    cur.as_f64().map(Some).ok_or_else(|| {
        GatesError::Invalid(format!(
            "`{}` must be a number, found {cur}",
            path.join(".")
        ))
    })
}

/// Converts a parsed seed file into rules.
///
/// # Errors
/// [`GatesError::Invalid`] when a known field is not a number.
pub fn parse(v: &Value) -> Result<Vec<GateRule>, GatesError> {
    let g = &v["performance_gates"];
    let min_samples = num(v, &["test_requirements", "min_trials"])?
        .map(|x| x.max(1.0) as u32)
        .unwrap_or(3);
    let rule = |id: &str, metric, stat, bound, cases: CaseFilter, aggregate, note: &str| GateRule {
        id: id.to_string(),
        source: SOURCE.into(),
        metric,
        stat,
        bound,
        cases,
        aggregate,
        level: Level::Error,
        min_samples,
        note: Some(note.to_string()),
    };
    let mut out = Vec::new();
    if let Some(x) = num(g, &["ttfa", "threshold_p95_ms"])? {
        out.push(rule(
            "seed.ttfa.p95",
            Metric::TtfaMs,
            Stat::P95,
            Bound::AtMost(x),
            CaseFilter { min_chars: Some(100), max_chars: Some(200), ..Default::default() },
            Aggregate::PerCase,
            "seed TTFA band is defined for ~140-character texts: applied to cases of 100–200 characters",
        ));
    }
    if let Some(x) = num(g, &["rtf", "long_paragraph_threshold_p95"])? {
        out.push(rule(
            "seed.rtf.long_paragraph.p95",
            Metric::Rtf,
            Stat::P95,
            Bound::AtMost(x),
            CaseFilter {
                min_chars: Some(200),
                ..Default::default()
            },
            Aggregate::PerCase,
            "seed RTF band is for long paragraphs: applied to cases of ≥ 200 characters",
        ));
    }
    if let Some(x) = num(g, &["underruns", "max_per_10min"])? {
        out.push(rule(
            "seed.underruns.per_10min",
            Metric::UnderrunsPer10min,
            Stat::Mean,
            Bound::AtMost(x),
            CaseFilter::default(),
            Aggregate::Pooled,
            "underruns from the playback-clock simulation (pre-buffer as planned), mean over all measured trials",
        ));
    }
    if let Some(x) = num(g, &["drift", "max_degradation_percent"])? {
        out.push(rule(
            "seed.drift",
            Metric::SoakTtfaDriftPct,
            Stat::Value,
            Bound::AtMost(x),
            CaseFilter::default(),
            Aggregate::Pooled,
            "TTFA drift between the first and last soak window",
        ));
    }
    if let (Some(t), Some(tol)) = (
        num(g, &["audio_quality", "lufs_target"])?,
        num(g, &["audio_quality", "lufs_tolerance"])?,
    ) {
        out.push(rule(
            "seed.audio.lufs",
            Metric::IntegratedLufs,
            Stat::Median,
            Bound::Within { target: t, tolerance: tol },
            CaseFilter::default(),
            Aggregate::PerCase,
            "raw Kokoro output is not loudness-normalised: this band describes a server that normalises",
        ));
    }
    if let Some(x) = num(g, &["audio_quality", "dbtp_ceiling"])? {
        out.push(rule(
            "seed.audio.true_peak",
            Metric::TruePeakDbtp,
            Stat::Max,
            Bound::AtMost(x),
            CaseFilter::default(),
            Aggregate::PerCase,
            "true peak measured with 4× oversampling (BS.1770-4), not the sample peak",
        ));
    }
    if let Some(x) = num(g, &["memory", "rss_envelope_mb"])? {
        out.push(rule(
            "seed.memory.rss",
            Metric::PeakRssMb,
            Stat::Value,
            Bound::AtMost(x),
            CaseFilter::default(),
            Aggregate::Pooled,
            "seed RSS envelope read as a ceiling on the peak RSS of the synthesising process",
        ));
    }
    if out.is_empty() {
        return Err(GatesError::Invalid(
            "`performance_gates` contains no band kokoro-bench knows".into(),
        ));
    }
    Ok(out)
}
