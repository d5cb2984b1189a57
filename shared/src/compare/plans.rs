//! Whether the two runs' engines cut the texts the same way. The adaptive schedule plans from
//! the speed it has measured, so a run that met a slower machine plans differently — and a
//! different plan moves heard latency and RTF by itself. `compare` says so per case, and
//! `run --plan-from BASE` replays the baseline's plans so a code change meets the same chunks.

use super::{Row, Verdict};
use crate::schema::{Bundle, Case, Trial};

/// Chunk counts of a case's measured trials: `[(chunks, trials)]`, most chunks first.
fn shapes(case: &Case) -> Vec<(usize, usize)> {
    let mut counts: std::collections::BTreeMap<usize, usize> = Default::default();
    for plan in case.measured().map(Trial::plan).filter(|p| !p.is_empty()) {
        *counts.entry(plan.len()).or_default() += 1;
    }
    counts.into_iter().rev().collect()
}

fn plans(case: &Case) -> Vec<Vec<String>> {
    let mut p: Vec<Vec<String>> = case
        .measured()
        .map(Trial::plan)
        .filter(|p| !p.is_empty())
        .map(<[String]>::to_vec)
        .collect();
    p.sort();
    p.dedup();
    p
}

fn words(shape: &[(usize, usize)], of: usize) -> String {
    shape
        .iter()
        .map(|(chunks, trials)| format!("{chunks} chunk(s) in {trials} of {of}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per case whose chunk plans differ between the runs (engine runs that recorded their
/// chunk texts, or workers that reported theirs).
pub fn plan_changes(base: &Bundle, new: &Bundle) -> Vec<String> {
    let mut out = Vec::new();
    if new.plan.plan_from.as_deref() == Some(base.run.id.as_str()) {
        out.push(format!(
            "the new run replayed the baseline's chunk plans (--plan-from {}): both spoke the same chunks",
            base.run.id
        ));
        return out;
    }
    for nc in &new.cases {
        let Some(bc) = base.case(&nc.id) else {
            continue;
        };
        let (pb, pn) = (plans(bc), plans(nc));
        if pb.is_empty() || pn.is_empty() || pb == pn {
            continue;
        }
        let (sb, sn) = (shapes(bc), shapes(nc));
        let (mb, mn) = (
            sb.iter().map(|s| s.1).sum::<usize>(),
            sn.iter().map(|s| s.1).sum::<usize>(),
        );
        out.push(format!(
            "`{}`: the engine planned its chunks differently — baseline {}; new {} (heard latency and RTF move with the plan; `run --plan-from {}` replays the baseline's)",
            nc.id,
            words(&sb, mb),
            words(&sn, mn),
            base.run.id
        ));
    }
    out
}

/// Whether the engine planned any case's chunks differently in the two runs (and the new run did
/// not replay the baseline's plans).
pub fn plans_differ(base: &Bundle, new: &Bundle) -> bool {
    new.plan.plan_from.as_deref() != Some(base.run.id.as_str())
        && new.cases.iter().any(|nc| {
            base.case(&nc.id).is_some_and(|bc| {
                let (pb, pn) = (plans(bc), plans(nc));
                !pb.is_empty() && !pn.is_empty() && pb != pn
            })
        })
}

/// Peak memory follows the longest chunk the engine ran (ONNX Runtime's arena grows to the
/// largest input): between runs whose plans differ it measures the plans, not the build —
/// measured in A/A pairs of one build, 500 → 713 MB. A verdict on it is held back.
pub fn hold_back_memory(r: &mut Row) {
    if matches!(r.verdict, Verdict::Regressed | Verdict::Improved) {
        r.verdict = Verdict::Inconclusive;
        r.reason = "the engine planned its chunks differently in the two runs, and peak memory follows the longest chunk: `run --plan-from BASELINE` replays the baseline's plans so memory can be judged".into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differing_plans_are_named_per_case_and_a_replay_is_said() {
        let mut base = crate::testing::bundle_with_ttfa(&[500.0, 510.0, 520.0]);
        for t in &mut base.cases[0].trials {
            t.chunks.text = vec!["One two three".into(), "four five".into()];
            t.chunks.t_ms = vec![1.0, 2.0];
        }
        let same = base.clone();
        assert!(plan_changes(&base, &same).is_empty());
        let mut new = base.clone();
        new.run.id = "new".into();
        let t = &mut new.cases[0].trials[0];
        t.chunks.text = vec!["One two three four five".into()];
        t.chunks.t_ms = vec![1.0];
        let lines = plan_changes(&base, &new);
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].contains(
                "baseline 2 chunk(s) in 3 of 3; new 2 chunk(s) in 2 of 3, 1 chunk(s) in 1 of 3"
            ),
            "{}",
            lines[0]
        );
        new.plan.plan_from = Some(base.run.id.clone());
        assert!(plan_changes(&base, &new)[0].contains("replayed the baseline's chunk plans"));
    }

    #[test]
    fn memory_is_not_judged_across_different_plans() {
        let mut base = crate::testing::bundle_with_ttfa(&[500.0, 510.0, 520.0]);
        for t in &mut base.cases[0].trials {
            t.chunks.text = vec!["One two three.".into(), "Four.".into()];
        }
        let mut new = base.clone();
        assert!(!plans_differ(&base, &new));
        for t in &mut new.cases[0].trials {
            t.chunks.text = vec!["One two three. Four.".into()];
        }
        assert!(plans_differ(&base, &new));
        new.plan.plan_from = Some(base.run.id.clone());
        assert!(!plans_differ(&base, &new), "a replay meets the same chunks");
    }

    /// A worker's arrivals are pipe reads; the plan it reported in its end frame is what counts.
    #[test]
    fn a_workers_reported_chunks_are_its_plan() {
        let mut base = crate::testing::bundle_with_ttfa(&[500.0, 510.0, 520.0]);
        for t in &mut base.cases[0].trials {
            t.chunks.t_ms = vec![1.0, 2.0, 3.0];
            t.worker_chunks = vec!["One two three.".into(), "Four.".into()];
        }
        let mut new = base.clone();
        assert!(!plans_differ(&base, &new));
        for t in &mut new.cases[0].trials {
            t.worker_chunks = vec!["One two three. Four.".into()];
        }
        assert!(plans_differ(&base, &new));
        assert!(
            plan_changes(&base, &new)[0].contains("baseline 2 chunk(s) in 3 of 3; new 1 chunk(s)"),
            "{:?}",
            plan_changes(&base, &new)
        );
    }
}
