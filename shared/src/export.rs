//! A run's numbers for other tools, like hyperfine's `--export-*`: one row per trial × metric
//! (warm-ups and cold starts included and labelled, failed trials with their error), plus one
//! summary row per case × metric over the warm trials. CSV, Markdown and JSON render the same
//! rows, so the three never disagree.

use crate::metrics::Metric;
use crate::schema::TrialKind;
use crate::stats::bootstrap::Bootstrap;
use crate::stats::{median, Summary};
use crate::Bundle;
use serde::Serialize;

/// One value of one trial, or one failed trial (no metric, the error instead).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrialRow {
    /// Case id.
    pub case: String,
    /// Position within the case (0-based, warm-ups included).
    pub trial: u32,
    /// `warmup`, `cold`, `warm`, `cached` or `unknown`; only `warm` (and `unknown`) trials enter
    /// the summaries.
    pub kind: TrialKind,
    /// Metric key (`heard_ms`, `rtf` …); `None` on the row of a failed trial.
    pub metric: Option<&'static str>,
    /// The metric's unit (`ms`, `×`, `LUFS` …).
    pub unit: &'static str,
    /// The value.
    pub value: Option<f64>,
    /// `kind: message` of a failed trial.
    pub error: Option<String>,
}

/// One metric of one case over its warm, successful trials.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Case id.
    pub case: String,
    /// Metric key.
    pub metric: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Trials with a value.
    pub n: usize,
    /// Median.
    pub median: f64,
    /// 95 % bootstrap interval of the median (needs three values, as everywhere else).
    pub median_ci95: Option<[f64; 2]>,
    /// 95th percentile (Hyndman & Fan definition 7).
    pub p95: f64,
    /// Mean.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Everything an export writes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Export {
    /// Run id.
    pub run_id: String,
    /// `completed`, `degraded`, `failed` or `interrupted`.
    pub status: String,
    /// The target in words.
    pub target: String,
    /// Case summaries, case by case in run order, metrics in display order.
    pub summaries: Vec<SummaryRow>,
    /// Every trial's values.
    pub trials: Vec<TrialRow>,
}

/// An export format: one renderer of the same rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// [`csv`].
    Csv,
    /// [`markdown`].
    Markdown,
    /// The [`Export`] as pretty-printed JSON.
    Json,
}

impl Format {
    /// Renders the rows.
    ///
    /// # Errors
    /// JSON serialisation failed (it does not for these types; the error is passed on anyway).
    pub fn render(self, e: &Export) -> Result<String, serde_json::Error> {
        Ok(match self {
            Format::Csv => csv(e),
            Format::Markdown => markdown(e),
            Format::Json => serde_json::to_string_pretty(e)? + "\n",
        })
    }
}

/// The rows of a bundle.
pub fn rows(b: &Bundle) -> Export {
    let per_trial: Vec<Metric> = Metric::ALL.into_iter().filter(|m| m.per_trial()).collect();
    let mut trials = Vec::new();
    let mut summaries = Vec::new();
    for c in &b.cases {
        for t in &c.trials {
            if let Some(e) = &t.error {
                trials.push(TrialRow {
                    case: c.id.clone(),
                    trial: t.index,
                    kind: t.kind,
                    metric: None,
                    unit: "",
                    value: None,
                    error: Some(format!("{}: {}", e.kind, e.message)),
                });
                continue;
            }
            for m in &per_trial {
                if let Some(v) = m.trial_value(t) {
                    trials.push(TrialRow {
                        case: c.id.clone(),
                        trial: t.index,
                        kind: t.kind,
                        metric: Some(m.key()),
                        unit: m.unit(),
                        value: Some(v),
                        error: None,
                    });
                }
            }
        }
        for m in &per_trial {
            let values = m.case_values(c);
            let Some(s) = Summary::of(&values) else {
                continue;
            };
            let ci = (s.n >= 3)
                .then(|| Bootstrap::default().one(&values, median))
                .flatten();
            summaries.push(SummaryRow {
                case: c.id.clone(),
                metric: m.key(),
                unit: m.unit(),
                n: s.n,
                median: s.median,
                median_ci95: ci.map(|i| [i.lo, i.hi]),
                p95: s.p95,
                mean: s.mean,
                min: s.min,
                max: s.max,
            });
        }
    }
    Export {
        run_id: b.run.id.clone(),
        status: crate::describe::status(b.run.status).to_string(),
        target: crate::describe::target(b),
        summaries,
        trials,
    }
}

/// The CSV columns, one header row.
pub const CSV_HEADER: &str =
    "row,case,trial,kind,metric,unit,value,n,median,median_ci95_lo,median_ci95_hi,p95,mean,min,max,error";

/// CSV (RFC 4180): `row` is `trial` (one per trial × metric, or one per failed trial with its
/// error) or `summary` (one per case × metric). Empty cells for what a row does not have.
pub fn csv(e: &Export) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    let num = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
    for s in &e.summaries {
        let (lo, hi) = (s.median_ci95.map(|c| c[0]), s.median_ci95.map(|c| c[1]));
        let cells = [
            "summary".to_string(),
            s.case.clone(),
            String::new(),
            "warm".into(),
            s.metric.into(),
            s.unit.into(),
            String::new(),
            s.n.to_string(),
            num(Some(s.median)),
            num(lo),
            num(hi),
            num(Some(s.p95)),
            num(Some(s.mean)),
            num(Some(s.min)),
            num(Some(s.max)),
            String::new(),
        ];
        push_record(&mut out, &cells);
    }
    for t in &e.trials {
        let mut cells = vec![
            "trial".to_string(),
            t.case.clone(),
            t.trial.to_string(),
            kind_key(t.kind).into(),
            t.metric.unwrap_or_default().into(),
            t.unit.into(),
            num(t.value),
        ];
        cells.extend(std::iter::repeat_n(String::new(), 8));
        cells.push(t.error.clone().unwrap_or_default());
        push_record(&mut out, &cells);
    }
    out
}

fn kind_key(k: TrialKind) -> &'static str {
    match k {
        TrialKind::Warmup => "warmup",
        TrialKind::Cold => "cold",
        TrialKind::Warm => "warm",
        TrialKind::Cached => "cached",
        TrialKind::Unknown => "unknown",
    }
}

fn push_record(out: &mut String, cells: &[String]) {
    let quoted: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

/// Quotes a field holding a comma, quote or line break (doubling its quotes).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Markdown: one table per case (median with its interval, p95, min, max, n per metric), then
/// the failed trials with their errors.
pub fn markdown(e: &Export) -> String {
    let mut o = format!(
        "# Run {} ({})\n\nTarget: {}. Warm trials only; 95 % bootstrap interval of the median.\n",
        e.run_id, e.status, e.target
    );
    let mut cases: Vec<&str> = e.summaries.iter().map(|s| s.case.as_str()).collect();
    cases.dedup();
    for case in cases {
        o.push_str(&format!(
            "\n## {case}\n\n| metric | median | 95 % CI | p95 | min | max | n |\n|---|---:|---:|---:|---:|---:|---:|\n"
        ));
        for s in e.summaries.iter().filter(|s| s.case == case) {
            let m = Metric::from_key(s.metric);
            let f = |v: f64| m.map(|m| m.format(v)).unwrap_or_else(|| format!("{v}"));
            let ci = s
                .median_ci95
                .map(|[lo, hi]| format!("{}–{}", f(lo), f(hi)))
                .unwrap_or_else(|| "—".into());
            let label = m.map(|m| m.label()).unwrap_or(s.metric);
            o.push_str(&format!(
                "| {label} | {} | {ci} | {} | {} | {} | {} |\n",
                f(s.median),
                f(s.p95),
                f(s.min),
                f(s.max),
                s.n
            ));
        }
    }
    let failed: Vec<&TrialRow> = e.trials.iter().filter(|t| t.error.is_some()).collect();
    if !failed.is_empty() {
        o.push_str("\n## Failed trials\n\n| case | trial | error |\n|---|---:|---|\n");
        for t in failed {
            let err = t.error.as_deref().unwrap_or_default().replace('|', "\\|");
            o.push_str(&format!("| {} | {} | {err} |\n", t.case, t.trial));
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ErrorKind, Trial, TrialError};

    fn bundle() -> Bundle {
        let mut b = crate::testing::bundle_with_ttfa(&[100.0, 110.0, 120.0, 130.0]);
        let c = &mut b.cases[0];
        c.trials[0].kind = TrialKind::Warmup;
        c.trials.push(Trial {
            index: 4,
            error: Some(TrialError {
                kind: ErrorKind::Timeout,
                message: "no audio after 30 s, \"slow\"".into(),
            }),
            ..Default::default()
        });
        b
    }

    #[test]
    fn summaries_use_warm_trials_and_failed_trials_keep_their_error() {
        let e = rows(&bundle());
        let s = e.summaries.iter().find(|s| s.metric == "ttfa_ms").unwrap();
        assert_eq!((s.n, s.median, s.min, s.max), (3, 120.0, 110.0, 130.0));
        assert!(s.median_ci95.is_some());
        let warmup = e
            .trials
            .iter()
            .find(|t| t.metric == Some("ttfa_ms") && t.trial == 0)
            .unwrap();
        assert_eq!(
            (warmup.kind, warmup.value),
            (TrialKind::Warmup, Some(100.0))
        );
        let failed: Vec<_> = e.trials.iter().filter(|t| t.error.is_some()).collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].metric, None);
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_every_record_has_every_column() {
        let text = csv(&rows(&bundle()));
        let columns = CSV_HEADER.split(',').count();
        let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
        assert_eq!(lines.next(), Some(CSV_HEADER));
        let last = text.trim_end().lines().last().unwrap();
        assert!(
            last.ends_with(r#""timeout: no audio after 30 s, ""slow""""#),
            "{last}"
        );
        for l in lines.filter(|l| !l.contains('"')) {
            assert_eq!(l.split(',').count(), columns, "{l}");
        }
        assert!(text.contains("summary,medium,,warm,ttfa_ms,ms,,3,120,"));
    }

    #[test]
    fn markdown_has_a_table_per_case_and_lists_failures() {
        let md = markdown(&rows(&bundle()));
        assert!(md.contains("## medium"), "{md}");
        assert!(md.contains("| TTFA (first sample) | 120 ms |"), "{md}");
        assert!(md.contains("## Failed trials"));
        assert!(md.contains("| medium | 4 | timeout: no audio after 30 s"));
    }
}
