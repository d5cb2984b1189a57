//! Whether two runs can be compared at all. Runs of different targets, models, machines,
//! strategies, builds or texts measure different things: their verdicts would be green or red
//! badges over a difference nobody asked about, so they get none unless explicitly allowed.
//! Smaller differences (threads, suites) are warnings beside the verdicts.

use crate::schema::{Bundle, ProbeKind, TargetKind};
use crate::stats::median;

/// A calibration difference above this is mentioned (and widens timing thresholds).
pub const SLOWDOWN_NOTED: f64 = 0.05;

fn target(b: &Bundle) -> String {
    match (b.run.target, &b.provenance.http) {
        (TargetKind::Http, Some(h)) => format!("HTTP {}", h.url),
        _ => crate::describe::target(b),
    }
}

/// Why the runs are not like for like; empty when they are.
pub fn differences(base: &Bundle, new: &Bundle) -> Vec<String> {
    let mut d = Vec::new();
    let (tb, tn) = (target(base), target(new));
    if tb != tn {
        d.push(format!("different targets: {tb} vs {tn}"));
    }
    let sha = |b: &Bundle| b.provenance.model.as_ref().map(|m| m.sha256.clone());
    if base.run.target == new.run.target && sha(base) != sha(new) {
        d.push("different model files (SHA-256 differs)".into());
    }
    let (bm, nm) = (&base.machine, &new.machine);
    // Under one machine label (a CI runner class), the CPU a hosted runner hands out may change
    // from run to run: that is a set-up change said beside the verdicts (`warnings`), not
    // another machine.
    let same_label = bm.label.is_some() && bm.label == nm.label;
    if !same_label && (bm.cpu_model != nm.cpu_model || bm.logical_cores != nm.logical_cores) {
        d.push(format!(
            "different machines: {} ({} threads) vs {} ({} threads)",
            bm.cpu_model, bm.logical_cores, nm.cpu_model, nm.logical_cores
        ));
    }
    let arrival = |b: &Bundle| {
        b.plan
            .text_arrival
            .as_ref()
            .map_or_else(|| "whole texts".to_string(), crate::describe::arrival)
    };
    if arrival(base) != arrival(new) {
        d.push(format!(
            "different requests: {} vs {} (with text arriving, times count from the first token)",
            arrival(base),
            arrival(new)
        ));
    }
    let heard = |b: &Bundle| crate::describe::interrupt(b.plan.interrupt.as_ref());
    if heard(base) != heard(new) {
        d.push(format!(
            "different listeners: {} vs {} (an interrupted request's audio, RTF and total time stop early)",
            heard(base),
            heard(new)
        ));
    }
    if base.plan.strategy != new.plan.strategy {
        d.push(format!(
            "different strategies: {} vs {}",
            base.plan.strategy, new.plan.strategy
        ));
    }
    // Bundles from before joins were selectable had the model's raw output.
    let j = |b: &Bundle| b.plan.joins.clone().unwrap_or_else(|| "raw".into());
    if base.run.target == TargetKind::Engine
        && new.run.target == TargetKind::Engine
        && j(base) != j(new)
    {
        d.push(format!(
            "different joins: {} vs {} (trimmed silence changes heard latency and duration)",
            j(base),
            j(new)
        ));
    }
    if let (Some(a), Some(b)) = (&base.capacity, &new.capacity) {
        if a.mode != b.mode || a.slo.text != b.slo.text || a.sessions != b.sessions {
            d.push(format!(
                "different capacity sweeps: {:?} under `{}` ({} session(s)) vs {:?} under `{}` ({} session(s)): their sustainable levels answer different questions",
                a.mode,
                a.slo.text,
                a.sessions.unwrap_or(1),
                b.mode,
                b.slo.text,
                b.sessions.unwrap_or(1)
            ));
        }
    }
    if base.run.build_profile != new.run.build_profile {
        d.push(format!(
            "different build profiles: {} vs {}",
            base.run.build_profile, new.run.build_profile
        ));
    }
    d
}

/// Why one case cannot be compared (its text differs), if it cannot.
pub fn case_differs(base: &Bundle, new: &Bundle, case: &str) -> Option<String> {
    let text = |b: &Bundle| {
        b.provenance
            .corpus
            .iter()
            .find(|c| c.id == case)
            .map(|c| c.sha256.clone())
    };
    match (text(base), text(new)) {
        (Some(a), Some(b)) if a != b => Some(format!("case `{case}`: the texts differ")),
        _ => None,
    }
}

/// How much slower the machine itself ran in the new run than in the baseline, and how that
/// was measured.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedChange {
    /// New run's probe time over the baseline's (`1.2`: 20 % slower).
    pub ratio: f64,
    /// Which probe said so, in words.
    pub by: String,
}

fn probe_median(b: &Bundle, kind: ProbeKind) -> Option<(&str, f64)> {
    let p = b.probes.iter().find(|p| p.kind == kind)?;
    Some((p.workload.as_str(), median(&p.duration_ms)?))
}

/// Whether both runs' engine inference ran on the same model, runtime and session options, so a
/// change of the engine probe is the machine's, not the set-up's.
fn same_inference(base: &Bundle, new: &Bundle) -> bool {
    let (a, b) = (&base.provenance, &new.provenance);
    a.model.as_ref().map(|m| &m.sha256) == b.model.as_ref().map(|m| &m.sha256)
        && a.runtime.as_ref().map(|r| &r.ort_version) == b.runtime.as_ref().map(|r| &r.ort_version)
        && a.session.as_ref().map(crate::index::session_options)
            == b.session.as_ref().map(crate::index::session_options)
}

/// The machine's speed in the new run against the baseline's: the engine probe (the workload
/// itself: two cores of inference, which a neighbour on a shared VM slows while a single-thread
/// loop does not) when both runs timed it on the same inference set-up; else the CPU probe; else
/// the CPU calibration of older bundles.
pub fn machine_speed(base: &Bundle, new: &Bundle) -> Option<SpeedChange> {
    let ratio =
        |a: (&str, f64), b: (&str, f64)| (a.0 == b.0 && a.1 > 0.0 && b.1 > 0.0).then(|| b.1 / a.1);
    if same_inference(base, new) {
        let engine = probe_median(base, ProbeKind::Engine)
            .zip(probe_median(new, ProbeKind::Engine))
            .and_then(|(a, b)| ratio(a, b));
        if let Some(r) = engine {
            return Some(SpeedChange {
                ratio: r,
                by: "engine speed probe: one inference of fixed tokens between cases".into(),
            });
        }
    }
    let cpu = probe_median(base, ProbeKind::Cpu)
        .zip(probe_median(new, ProbeKind::Cpu))
        .and_then(|(a, b)| ratio(a, b));
    if let Some(r) = cpu {
        return Some(SpeedChange {
            ratio: r,
            by: "CPU speed probe: a fixed single-threaded loop between cases".into(),
        });
    }
    let (b, n) = (
        base.machine.calibration.as_ref()?,
        new.machine.calibration.as_ref()?,
    );
    (b.workload == n.workload && b.median_ms > 0.0 && n.median_ms > 0.0).then(|| SpeedChange {
        ratio: n.median_ms / b.median_ms,
        by: "CPU calibration at the start of each run".into(),
    })
}

/// Differences worth a warning that do not stop a verdict.
pub fn warnings(base: &Bundle, new: &Bundle) -> Vec<String> {
    let mut w = Vec::new();
    let (bm, nm) = (&base.machine, &new.machine);
    if bm.label.is_some() && bm.label == nm.label {
        if bm.cpu_model != nm.cpu_model || bm.logical_cores != nm.logical_cores {
            w.push(format!(
                "the machine labelled `{}` changed: {} ({} threads) → {} ({} threads); the runs stay one series, and the speed probes say how much faster or slower it is",
                nm.series_name(),
                bm.cpu_model,
                bm.logical_cores,
                nm.cpu_model,
                nm.logical_cores
            ));
        }
        if bm.os_version != nm.os_version && !bm.os_version.is_empty() && !nm.os_version.is_empty()
        {
            w.push(format!(
                "the OS changed: {} → {}",
                bm.os_version, nm.os_version
            ));
        }
    }
    let ort = |b: &Bundle| b.provenance.runtime.as_ref().map(|r| r.ort_version.clone());
    if ort(base) != ort(new) && ort(base).is_some() && ort(new).is_some() {
        w.push(format!(
            "ONNX Runtime changed: {} → {}",
            ort(base).unwrap_or_default(),
            ort(new).unwrap_or_default()
        ));
    }
    let threads = |b: &Bundle| b.provenance.session.as_ref().map(|s| s.intra_op_threads);
    if threads(base) != threads(new) {
        let show = |t: Option<u32>| {
            t.map(|t| t.to_string())
                .unwrap_or_else(|| "not applicable".into())
        };
        w.push(format!(
            "different intra-op threads: {} vs {}",
            show(threads(base)),
            show(threads(new))
        ));
    }
    let suites = |b: &Bundle| -> Vec<String> {
        let mut s: Vec<String> = b.plan.suites.iter().map(|s| s.to_string()).collect();
        s.sort();
        s
    };
    let (sb, sn) = (suites(base), suites(new));
    if sb != sn {
        let only = |a: &[String], b: &[String]| -> Vec<String> {
            a.iter().filter(|s| !b.contains(s)).cloned().collect()
        };
        let mut parts = Vec::new();
        for (who, list) in [("baseline", only(&sb, &sn)), ("new run", only(&sn, &sb))] {
            if !list.is_empty() {
                parts.push(format!("only the {who} ran {}", list.join(", ")));
            }
        }
        w.push(format!("different suites: {}", parts.join("; ")));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::parse_slo;
    use crate::schema::{CapacityResult, LoadMode};

    #[test]
    fn interrupted_and_whole_listens_are_not_like_for_like() {
        let base = crate::testing::bundle_with_ttfa(&[500.0, 510.0]);
        let mut new = base.clone();
        new.plan.interrupt = Some(crate::schema::Interrupt {
            after_ms: Some(1500.0),
            after_share: None,
            next_text: "Sorry, go ahead.".into(),
            release_watch_ms: 10_000.0,
            spec: "1.5s".into(),
        });
        let d = differences(&base, &new);
        assert!(
            d.iter().any(|d| d.contains("listened to the end")
                && d.contains("interrupted after 1.5 s heard")),
            "{d:?}"
        );
    }

    #[test]
    fn turns_and_whole_texts_are_not_like_for_like() {
        let base = crate::testing::bundle_with_ttfa(&[500.0, 510.0]);
        let mut new = base.clone();
        new.plan.text_arrival = Some(crate::schema::TextArrival {
            pace: crate::schema::ArrivalPace::Rate {
                per_s: 40.0,
                unit: crate::schema::ArrivalUnit::Tokens,
                jitter: 0.0,
            },
            aggregation: crate::schema::Aggregation::Sentence,
            spec: "40tok/s".into(),
        });
        let d = differences(&base, &new);
        assert!(
            d.iter()
                .any(|d| d.contains("whole texts") && d.contains("40 tokens/s")),
            "{d:?}"
        );
        assert_ne!(
            crate::index::series_of(&base),
            crate::index::series_of(&new)
        );
    }

    #[test]
    fn a_labelled_machine_that_changed_cpu_stays_comparable_and_says_so() {
        let mut base = crate::testing::bundle_with_ttfa(&[500.0, 510.0]);
        let mut new = base.clone();
        new.machine.cpu_model = "AMD EPYC 9V74".into();
        assert!(
            !differences(&base, &new).is_empty(),
            "unlabelled: another machine"
        );
        base.machine.label = Some("gh-ubuntu-24.04-x64".into());
        new.machine.label = base.machine.label.clone();
        assert!(differences(&base, &new).is_empty());
        let w = warnings(&base, &new);
        assert!(
            w.iter()
                .any(|w| w.contains("gh-ubuntu-24.04-x64") && w.contains("AMD EPYC 9V74")),
            "{w:?}"
        );
    }

    #[test]
    fn capacity_sweeps_under_different_slos_are_not_like_for_like() {
        let b = crate::testing::bundle_with_ttfa(&[500.0, 510.0]);
        let sweep = |slo: &str| CapacityResult {
            mode: LoadMode::Listeners,
            slo: parse_slo(slo).unwrap(),
            sessions: None,
            threads_per_session: None,
            seed: None,
            levels: Vec::new(),
            sustainable_level: Some(2.0),
            predicted_ceiling: None,
            stopped_because: String::new(),
            shard: None,
            merged_from: Vec::new(),
        };
        let (mut base, mut new) = (b.clone(), b);
        base.capacity = Some(sweep("heard<=2000ms"));
        new.capacity = Some(sweep("heard<=2000ms"));
        assert!(differences(&base, &new).is_empty());
        new.capacity = Some(sweep("heard<=1000ms"));
        let d = differences(&base, &new);
        assert!(
            d.iter().any(|s| s.contains("different capacity sweeps")),
            "{d:?}"
        );
    }
}
