//! Schema 1 → 2: heard-speech latency and leading silence per trial; `degraded` and `failed` run
//! statuses.
//!
//! Version 1 bundles carry each trial's chunk arrivals and, when the quality suite ran, its
//! leading silence (the audio before the first audible 10 ms window, the same windows the runner
//! uses). Heard-speech latency is computed from those exactly as the runner computes it now
//! ([`crate::playback::play_time_ms`] with the plan's pre-buffer). Trials without a quality
//! result (or with nothing audible) get none, and the bundle says so in a note. A version 1 run
//! marked `completed` whose cases have no successful trial becomes `failed` (or `degraded` when
//! only some cases are empty): version 1 called total failure a success.

use super::Step;
use crate::error::ReadError;
use crate::playback::play_time_ms;
use serde_json::{json, Value};

/// The step.
pub const STEP: Step = Step {
    from: 1,
    describe: "heard-speech latency computed from each trial's chunk arrivals and leading silence; run status judged from what succeeded",
    apply,
};

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn u32s(v: &Value) -> Vec<u32> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_u64)
                .map(|n| n as u32)
                .collect()
        })
        .unwrap_or_default()
}

/// Fills `heard_ms` and `leading_silence_ms` of one trial; returns whether it could.
fn heard(trial: &mut Value, prebuffer_ms: f64) -> bool {
    let Some(lead) = trial["quality"]["leading_silence_ms"].as_f64() else {
        return false;
    };
    if trial["ttfa_audible_ms"].is_null() {
        return false; // nothing audible: the leading silence is the whole stream
    }
    let sr = trial["sample_rate_hz"].as_u64().unwrap_or(24_000) as u32;
    let (t_ms, samples) = (
        f64s(&trial["chunks"]["t_ms"]),
        u32s(&trial["chunks"]["samples"]),
    );
    let Some(at) = play_time_ms(&t_ms, &samples, sr, prebuffer_ms, lead) else {
        return false;
    };
    trial["heard_ms"] = json!(at);
    trial["leading_silence_ms"] = json!(lead);
    true
}

fn apply(mut v: Value) -> Result<Value, ReadError> {
    let prebuffer_ms = v["plan"]["prebuffer_ms"].as_f64().unwrap_or(0.0);
    let (mut without, mut cases, mut empty) = (0usize, 0usize, 0usize);
    if let Some(list) = v["cases"].as_array_mut() {
        for case in list {
            cases += 1;
            let mut successes = 0;
            for t in case["trials"].as_array_mut().into_iter().flatten() {
                if !heard(t, prebuffer_ms) {
                    without += 1;
                }
                if t["kind"] != "warmup" && t["error"].is_null() {
                    successes += 1;
                }
            }
            if successes == 0 {
                empty += 1;
            }
        }
    }
    if v["run"]["status"] == "completed" && empty > 0 {
        v["run"]["status"] = json!(if empty == cases { "failed" } else { "degraded" });
    }
    if without > 0 {
        if let Some(notes) = v["notes"].as_array_mut() {
            notes.push(json!({
                "level": "warn",
                "code": "heard_not_available",
                "message": format!("{without} trial(s) of this schema-1 bundle have no heard-speech latency: it needs the leading silence the quality suite measures (or nothing was audible)"),
            }));
        }
    }
    v["schema_version"] = json!(2);
    v["$schema"] = json!("https://kokoro-bench.dev/schema/bundle-v2.json");
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heard_latency_comes_from_the_leading_silence_on_the_playback_clock() {
        let mut t = json!({
            "sample_rate_hz": 1000, "ttfa_audible_ms": 100.0,
            "chunks": {"t_ms": [100.0, 400.0], "samples": [200, 300]},
            "quality": {"leading_silence_ms": 250.0}
        });
        assert!(heard(&mut t, 0.0));
        assert_eq!(
            t["heard_ms"], 450.0,
            "in the second chunk, which arrived at 400"
        );
        let mut silent = json!({"ttfa_audible_ms": null, "quality": {"leading_silence_ms": 500.0}});
        assert!(!heard(&mut silent, 0.0));
        assert!(
            !heard(&mut json!({"ttfa_audible_ms": 5.0}), 0.0),
            "no quality result"
        );
    }

    #[test]
    fn a_completed_run_where_nothing_succeeded_becomes_failed() {
        let v = json!({
            "schema_version": 1, "run": {"status": "completed"}, "plan": {}, "notes": [],
            "cases": [{"trials": [{"kind": "warm", "error": {"kind": "timeout", "message": "x"}}]}]
        });
        let out = apply(v).unwrap();
        assert_eq!(out["run"]["status"], "failed");
        assert_eq!(out["schema_version"], 2);
        assert_eq!(out["notes"][0]["code"], "heard_not_available");
    }
}
