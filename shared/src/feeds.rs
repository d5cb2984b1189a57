//! A run's numbers in the formats the dashboards people already use read:
//!
//! * [`bmf`] — Bencher Metric Format: `{case: {metric: {value, lower_value, upper_value}}}`,
//!   the median with its 95 % interval (rounds, then trials);
//! * [`benchmark`] — github-action-benchmark's `customSmallerIsBetter` array
//!   (`[{name, unit, value, range, extra}]`), for the metrics where lower is better;
//! * [`junit`] — the gates as JUnit XML (one test case per gate outcome; a failed gate is a
//!   failure, a gate without data is skipped), for CI test reporters;
//! * [`annotations`] — GitHub Actions workflow commands (`::error title=…::…`) for failed gates,
//!   a run that measured nothing, and contended cases.

use crate::gates::GateStatus;
use crate::metrics::{Better, Metric};
use crate::stats::bootstrap::Bootstrap;
use crate::stats::{median, Summary};
use crate::Bundle;
use serde::Serialize;

/// The metrics the feeds carry: the headline per-trial metrics and the run-level peak RSS.
const FED: [Metric; 7] = crate::index::HISTORY_METRICS;

/// Median and its 95 % interval (three values or more) of one metric of one case.
fn summary(metric: Metric, case: &crate::schema::Case) -> Option<(Summary, Option<[f64; 2]>)> {
    let rounds = metric.case_rounds(case);
    let values: Vec<f64> = rounds.iter().flatten().copied().collect();
    let s = Summary::of(&values)?;
    let ci = (s.n >= 3)
        .then(|| Bootstrap::default().one_rounds(&rounds, median))
        .flatten()
        .map(|i| [i.lo, i.hi]);
    Some((s, ci))
}

/// Bencher Metric Format: benchmarks are the cases (`run` for run-level metrics), measures the
/// metric keys.
pub fn bmf(b: &Bundle) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let mut put = |bench: &str, metric: Metric, value: f64, ci: Option<[f64; 2]>| {
        let mut m = serde_json::Map::new();
        m.insert("value".into(), value.into());
        if let Some([lo, hi]) = ci {
            m.insert("lower_value".into(), lo.into());
            m.insert("upper_value".into(), hi.into());
        }
        let entry = out
            .entry(bench.to_string())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        if let Some(o) = entry.as_object_mut() {
            o.insert(metric.key().into(), serde_json::Value::Object(m));
        }
    };
    for metric in FED {
        if metric.per_trial() {
            for c in &b.cases {
                if let Some((s, ci)) = summary(metric, c) {
                    put(&c.id, metric, s.median, ci);
                }
            }
        } else if let Some(v) = metric.run_value(b) {
            put("run", metric, v, None);
        }
    }
    serde_json::Value::Object(out)
}

/// One entry of github-action-benchmark's custom JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchmarkEntry {
    /// `Heard speech · short`.
    pub name: String,
    /// The metric's unit.
    pub unit: String,
    /// The median.
    pub value: f64,
    /// `± half-width of the 95 % interval`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// Samples, rounds and the run, in words.
    pub extra: String,
}

/// github-action-benchmark's `customSmallerIsBetter` entries (lower-is-better metrics only: the
/// tool reads one direction per file).
pub fn benchmark(b: &Bundle) -> Vec<BenchmarkEntry> {
    let mut out = Vec::new();
    for metric in FED.into_iter().filter(|m| m.better() == Better::Lower) {
        let unit = if metric.unit().is_empty() {
            "count".to_string()
        } else {
            metric.unit().to_string()
        };
        if !metric.per_trial() {
            if let Some(v) = metric.run_value(b) {
                out.push(BenchmarkEntry {
                    name: metric.label().into(),
                    unit: unit.clone(),
                    value: v,
                    range: None,
                    extra: format!("run {}", b.run.id),
                });
            }
            continue;
        }
        for c in &b.cases {
            let Some((s, ci)) = summary(metric, c) else {
                continue;
            };
            out.push(BenchmarkEntry {
                name: format!("{} · {}", metric.label(), c.id),
                unit: unit.clone(),
                value: s.median,
                range: ci.map(|[lo, hi]| format!("±{}", (hi - lo) / 2.0)),
                extra: format!(
                    "median of {} trial(s) in {} round(s); run {}",
                    s.n,
                    metric.case_rounds(c).len(),
                    b.run.id
                ),
            });
        }
    }
    out
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The gates as JUnit XML.
pub fn junit(b: &Bundle) -> String {
    let failures = b
        .gates
        .iter()
        .filter(|g| g.status == GateStatus::Fail)
        .count();
    let skipped = b
        .gates
        .iter()
        .filter(|g| matches!(g.status, GateStatus::NoData | GateStatus::Off))
        .count();
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kokoro-bench gates\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n",
        b.gates.len(),
        xml(&b.run.id),
        b.gates.len()
    );
    for g in &b.gates {
        let name = format!(
            "{} {} {}",
            g.rule.metric.key(),
            g.rule.stat.label(),
            g.case.as_deref().unwrap_or("all cases")
        );
        x.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml(&g.rule.id),
            xml(&name)
        ));
        match g.status {
            GateStatus::Fail => x.push_str(&format!("<failure message=\"{}\"/>", xml(&g.reason))),
            GateStatus::NoData | GateStatus::Off => {
                x.push_str(&format!("<skipped message=\"{}\"/>", xml(&g.reason)))
            }
            GateStatus::Pass | GateStatus::Warn => {}
        }
        x.push_str("</testcase>\n");
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

/// A workflow command's message: one line, `%`, CR and LF escaped as GitHub requires.
fn command_text(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub Actions annotations: failed gates and a run that measured nothing as errors,
/// warn-level gates and contended cases as warnings.
pub fn annotations(b: &Bundle) -> Vec<String> {
    let mut out = Vec::new();
    if matches!(
        b.run.status,
        crate::schema::RunStatus::Failed | crate::schema::RunStatus::Degraded
    ) {
        out.push(format!(
            "::error title=kokoro-bench run {}::{}",
            command_text(&b.run.id),
            command_text(&format!(
                "the run is {}: see its failed trials",
                crate::describe::status(b.run.status)
            ))
        ));
    }
    for g in &b.gates {
        let level = match g.status {
            GateStatus::Fail => "error",
            GateStatus::Warn => "warning",
            _ => continue,
        };
        out.push(format!(
            "::{level} title=gate {} ({})::{}",
            command_text(&g.rule.id),
            command_text(g.case.as_deref().unwrap_or("all cases")),
            command_text(&g.reason)
        ));
    }
    for l in crate::contention::contended(b) {
        out.push(format!(
            "::warning title=contended machine::{}",
            command_text(&l.describe())
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::{evaluate, parse};

    #[test]
    fn feeds_carry_the_medians_intervals_and_gates() {
        let mut b = crate::testing::bundle_with_ttfa(&[500.0, 510.0, 520.0, 530.0]);
        let v = bmf(&b);
        let ttfa = &v["medium"]["ttfa_ms"];
        assert_eq!(ttfa["value"], 515.0);
        assert!(ttfa["lower_value"].as_f64().unwrap() <= 515.0);
        let e = benchmark(&b);
        let row = e
            .iter()
            .find(|e| e.name == "TTFA (first sample) · medium")
            .unwrap();
        assert_eq!((row.unit.as_str(), row.value), ("ms", 515.0));
        assert!(row.range.as_deref().unwrap().starts_with('±'));
        let rules = parse(br#"{"gates": [{"id": "fast <enough>", "metric": "ttfa_ms", "stat": "median", "max": 100}], "min_samples": 1}"#).unwrap();
        b.gates = evaluate(&b, &rules);
        let x = junit(&b);
        assert!(
            x.contains("failures=\"1\"")
                && x.contains("fast &lt;enough&gt;")
                && x.contains("<failure message="),
            "{x}"
        );
        let a = annotations(&b);
        assert_eq!(a.len(), 1);
        assert!(
            a[0].starts_with("::error title=gate fast <enough> (medium)::"),
            "{}",
            a[0]
        );
    }
}
