//! Evaluation of gate rules against a bundle.

use super::{Aggregate, GateOutcome, GateRule, GateStatus, Level};
use crate::schema::Bundle;

/// Evaluates every rule. Per-case rules yield one outcome per matching case; a rule that matches
/// no case yields one *no data* outcome saying so.
pub fn evaluate(bundle: &Bundle, rules: &[GateRule]) -> Vec<GateOutcome> {
    rules
        .iter()
        .flat_map(|r| evaluate_rule(bundle, r))
        .collect()
}

fn evaluate_rule(b: &Bundle, rule: &GateRule) -> Vec<GateOutcome> {
    let cases: Vec<_> = b
        .cases
        .iter()
        .filter(|c| rule.cases.matches(&c.id, c.chars))
        .collect();
    if !rule.metric.per_trial() {
        let failed = b.cases.iter().map(|c| c.failed().count() as u32).sum();
        // A run-level value from a run in which nothing succeeded measures nothing.
        let value = if crate::outcome::anything_succeeded(b) {
            rule.metric.run_value(b)
        } else {
            None
        };
        let samples = u32::from(value.is_some());
        return vec![judge(b, rule, None, value, samples, failed)];
    }
    if cases.is_empty() {
        return vec![outcome(
            rule,
            None,
            None,
            0,
            0,
            GateStatus::NoData,
            "no case of this run matches the gate's case filter".into(),
        )];
    }
    match rule.aggregate {
        Aggregate::PerCase => cases
            .iter()
            .map(|c| {
                let values = rule.metric.case_values(c);
                let value = rule.stat.of(&values);
                judge(
                    b,
                    rule,
                    Some(c.id.clone()),
                    value,
                    values.len() as u32,
                    c.failed().count() as u32,
                )
            })
            .collect(),
        Aggregate::Pooled => {
            let values: Vec<f64> = cases
                .iter()
                .flat_map(|c| rule.metric.case_values(c))
                .collect();
            let failed = cases.iter().map(|c| c.failed().count() as u32).sum();
            vec![judge(
                b,
                rule,
                None,
                rule.stat.of(&values),
                values.len() as u32,
                failed,
            )]
        }
    }
}

fn judge(
    b: &Bundle,
    rule: &GateRule,
    case: Option<String>,
    value: Option<f64>,
    samples: u32,
    failed: u32,
) -> GateOutcome {
    let m = rule.metric;
    let band = rule.bound.describe(m);
    if rule.level == Level::Off {
        return outcome(
            rule,
            case,
            value,
            samples,
            failed,
            GateStatus::Off,
            "gate is off".into(),
        );
    }
    if let Some(c) = b.untrusted(m.key()) {
        let why = format!(
            "{} was not measured correctly by the tool that produced it: {}",
            m.label(),
            c.message
        );
        return outcome(rule, case, None, samples, failed, GateStatus::NoData, why);
    }
    let Some(v) = value else {
        let why = if failed > 0 {
            format!("no successful measurement ({failed} trial(s) failed)")
        } else {
            format!(
                "no measurement of {} in this run (was its suite run?)",
                m.label()
            )
        };
        return outcome(rule, case, None, samples, failed, GateStatus::NoData, why);
    };
    if samples < rule.min_samples && m.per_trial() {
        let why = format!(
            "only {samples} sample(s); the gate needs at least {}",
            rule.min_samples
        );
        return outcome(
            rule,
            case,
            Some(v),
            samples,
            failed,
            GateStatus::NoData,
            why,
        );
    }
    let stat = rule.stat.label();
    let failed_note = if failed > 0 {
        format!("; {failed} failed trial(s) not in the sample")
    } else {
        String::new()
    };
    if rule.bound.holds(v) {
        let why = format!(
            "{stat} {} is within {band} (n = {samples}){failed_note}",
            m.format(v)
        );
        outcome(rule, case, Some(v), samples, failed, GateStatus::Pass, why)
    } else {
        let status = if rule.level == Level::Warn {
            GateStatus::Warn
        } else {
            GateStatus::Fail
        };
        let why = format!(
            "{stat} {} is outside {band} (n = {samples}){failed_note}",
            m.format(v)
        );
        outcome(rule, case, Some(v), samples, failed, status, why)
    }
}

fn outcome(
    rule: &GateRule,
    case: Option<String>,
    value: Option<f64>,
    samples: u32,
    failed_trials: u32,
    status: GateStatus,
    reason: String,
) -> GateOutcome {
    GateOutcome {
        rule: rule.clone(),
        case,
        value,
        samples,
        failed_trials,
        status,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::{parse, GateStatus};
    use crate::testing::bundle_with_ttfa;

    const SEED: &str = r#"{"performance_gates": {"ttfa": {"threshold_p95_ms": 800},
        "audio_quality": {"lufs_target": -16, "lufs_tolerance": 1, "dbtp_ceiling": -1},
        "memory": {"rss_envelope_mb": 1500}}, "test_requirements": {"min_trials": 3}}"#;

    #[test]
    fn seed_ttfa_gate_passes_and_fails_on_medium_case() {
        let rules = parse(SEED.as_bytes()).unwrap();
        let ok = evaluate(
            &bundle_with_ttfa(&[500.0, 520.0, 540.0, 560.0, 600.0]),
            &rules,
        );
        let ttfa = ok.iter().find(|o| o.rule.id == "seed.ttfa.p95").unwrap();
        assert_eq!(ttfa.status, GateStatus::Pass, "{}", ttfa.reason);
        assert_eq!(ttfa.samples, 5);
        let bad = evaluate(
            &bundle_with_ttfa(&[500.0, 520.0, 540.0, 560.0, 1600.0]),
            &rules,
        );
        let ttfa = bad.iter().find(|o| o.rule.id == "seed.ttfa.p95").unwrap();
        assert_eq!(ttfa.status, GateStatus::Fail);
        assert!(ttfa.reason.contains("outside"), "{}", ttfa.reason);
    }

    #[test]
    fn missing_measurements_are_no_data_never_pass() {
        let rules = parse(SEED.as_bytes()).unwrap();
        let out = evaluate(&bundle_with_ttfa(&[500.0, 510.0, 520.0]), &rules);
        for id in ["seed.audio.lufs", "seed.audio.true_peak", "seed.memory.rss"] {
            let o = out.iter().find(|o| o.rule.id == id).unwrap();
            assert_eq!(o.status, GateStatus::NoData, "{id}: {}", o.reason);
        }
    }

    #[test]
    fn all_failed_run_has_no_passing_gate() {
        let mut b = bundle_with_ttfa(&[500.0, 510.0, 520.0]);
        for t in &mut b.cases[0].trials {
            t.error = Some(crate::schema::TrialError {
                kind: crate::schema::ErrorKind::Inference,
                message: "boom".into(),
            });
        }
        b.memory = Some(crate::schema::MemorySeries {
            peak_rss_bytes: Some(100_000_000),
            ..Default::default()
        });
        let out = evaluate(&b, &parse(SEED.as_bytes()).unwrap());
        assert!(out.iter().all(|o| o.status != GateStatus::Pass), "{out:#?}");
        let mem = out.iter().find(|o| o.rule.id == "seed.memory.rss").unwrap();
        assert_eq!(mem.status, GateStatus::NoData);
    }

    #[test]
    fn too_few_samples_is_no_data() {
        let out = evaluate(
            &bundle_with_ttfa(&[500.0, 510.0]),
            &parse(SEED.as_bytes()).unwrap(),
        );
        let o = out.iter().find(|o| o.rule.id == "seed.ttfa.p95").unwrap();
        assert_eq!(o.status, GateStatus::NoData);
        assert!(o.reason.contains("at least 3"));
    }

    #[test]
    fn a_capacity_gate_passes_at_the_level_fails_below_and_a_sweep_that_held_nothing_is_zero() {
        use crate::capacity::{meets, parse_slo, DEFAULT_SLO};
        use crate::schema::{CapacityLevel, CapacityRequest, CapacityResult, LoadMode};
        let rules = parse(
            br#"{"gates": [{"id": "cap", "metric": "capacity.sustainable_level", "min": 2}]}"#,
        )
        .unwrap();
        let slo = parse_slo(DEFAULT_SLO).unwrap();
        let req = CapacityRequest {
            heard_ms: Some(500.0),
            underruns: Some(0),
            ..Default::default()
        };
        let level = CapacityLevel {
            level: 1.0,
            requests: vec![CapacityRequest {
                met_slo: meets(&slo, &req),
                ..req
            }],
            ..Default::default()
        };
        let mut b = bundle_with_ttfa(&[500.0, 510.0, 520.0]);
        let status = |b: &crate::Bundle| evaluate(b, &rules)[0].status;
        assert_eq!(status(&b), GateStatus::NoData, "no capacity run");
        let mut c = CapacityResult {
            mode: LoadMode::Listeners,
            slo,
            sessions: None,
            threads_per_session: None,
            seed: None,
            levels: vec![level],
            sustainable_level: Some(2.0),
            predicted_ceiling: None,
            stopped_because: String::new(),
            shard: None,
            merged_from: Vec::new(),
        };
        b.capacity = Some(c.clone());
        assert_eq!(status(&b), GateStatus::Pass);
        c.sustainable_level = Some(1.0);
        b.capacity = Some(c.clone());
        assert_eq!(status(&b), GateStatus::Fail);
        c.sustainable_level = None;
        b.capacity = Some(c);
        let o = &evaluate(&b, &rules)[0];
        assert_eq!(
            (o.status, o.value),
            (GateStatus::Fail, Some(0.0)),
            "{}",
            o.reason
        );
    }

    #[test]
    fn own_format_levels_and_errors() {
        let f = r#"{"gates": [{"metric": "ttfa_ms", "stat": "median", "max": 100, "level": "warn"},
                              {"metric": "ttfa_ms", "max": 100, "level": "off"}]}"#;
        let out = evaluate(
            &bundle_with_ttfa(&[500.0, 510.0, 520.0]),
            &parse(f.as_bytes()).unwrap(),
        );
        assert_eq!(out[0].status, GateStatus::Warn);
        assert_eq!(out[1].status, GateStatus::Off);
        let err = parse(br#"{"gates": [{"metric": "speed_of_light", "max": 1}]}"#).unwrap_err();
        assert!(err.to_string().contains("speed_of_light") && err.to_string().contains("ttfa_ms"));
        let err = parse(br#"{"gates": [{"metric": "rtf", "max": 1, "min": 0}]}"#).unwrap_err();
        assert!(err.to_string().contains("exactly one"));
        let err = parse(br#"{"gates": [{"metric": "rtf", "maxx": 1}]}"#).unwrap_err();
        assert!(err.to_string().contains("maxx"), "{err}");
        assert!(parse(b"{}").is_err());
    }
}
