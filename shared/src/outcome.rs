//! Whether a run measured anything. A run whose every request failed must not look like a run
//! that worked: it is `failed`; one where some case has no successful trial is `degraded`.

use crate::schema::{Bundle, Case, RunStatus, TrialKind};

/// Successful trials of a case that count (any kind but warm-up: cold, warm, cached, unknown).
pub fn successes(c: &Case) -> usize {
    c.trials
        .iter()
        .filter(|t| t.kind != TrialKind::Warmup && t.error.is_none())
        .count()
}

/// Requests the load suites (soak, capacity) sent and how many of them failed.
fn load_counts(b: &Bundle) -> [(u64, u64); 2] {
    let soak = b.soak.as_ref().map_or((0, 0), |s| {
        (s.requests, s.errors_by_kind.values().sum::<u64>())
    });
    let capacity = b.capacity.as_ref().map_or((0, 0), |c| {
        let reqs = c.levels.iter().flat_map(|l| &l.requests);
        let failed = reqs.clone().filter(|r| r.error.is_some()).count() as u64;
        (reqs.count() as u64, failed)
    });
    [soak, capacity]
}

/// Whether the load suites got any answer: `None` when none ran or they sent nothing.
fn load_ok(b: &Bundle) -> Option<bool> {
    let counts = load_counts(b);
    counts
        .iter()
        .any(|(sent, _)| *sent > 0)
        .then(|| counts.iter().any(|(sent, failed)| sent > failed))
}

/// Whether some load suite sent requests and got no answer at all.
fn degraded_load(b: &Bundle) -> bool {
    load_counts(b)
        .iter()
        .any(|(sent, failed)| *sent > 0 && failed >= sent)
}

/// How a finished run ended, judged from what it measured: `Failed` when nothing succeeded
/// (no trial of any case, no soak or capacity request), `Degraded` when some case or load suite
/// has no success, `Completed` otherwise. A run without cases or load suites (e.g. only the
/// providers suite) is judged `Completed`: its suites report their own failures.
pub fn judge(b: &Bundle) -> RunStatus {
    let load = load_ok(b);
    if b.cases.is_empty() {
        return match load {
            Some(false) => RunStatus::Failed,
            _ if degraded_load(b) => RunStatus::Degraded,
            _ => RunStatus::Completed,
        };
    }
    let empty = b.cases.iter().filter(|c| successes(c) == 0).count();
    if empty == b.cases.len() && load != Some(true) {
        RunStatus::Failed
    } else if empty > 0 || degraded_load(b) {
        RunStatus::Degraded
    } else {
        RunStatus::Completed
    }
}

/// Whether any request of the run succeeded: a trial of some case, or a soak or capacity request.
pub fn anything_succeeded(b: &Bundle) -> bool {
    b.cases.iter().any(|c| successes(c) > 0) || load_ok(b) == Some(true)
}

/// The cases without a single successful trial.
pub fn empty_cases(b: &Bundle) -> Vec<&str> {
    b.cases
        .iter()
        .filter(|c| successes(c) == 0)
        .map(|c| c.id.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ErrorKind, TrialError};

    #[test]
    fn nothing_succeeded_is_failed_and_one_empty_case_is_degraded() {
        let mut b = crate::testing::bundle_with_ttfa(&[500.0, 510.0]);
        assert_eq!(judge(&b), RunStatus::Completed);
        let mut second = b.cases[0].clone();
        second.id = "other".into();
        b.cases.push(second);
        for t in &mut b.cases[1].trials {
            t.error = Some(TrialError {
                kind: ErrorKind::Timeout,
                message: "x".into(),
            });
        }
        assert_eq!(judge(&b), RunStatus::Degraded);
        assert_eq!(empty_cases(&b), vec!["other"]);
        for t in &mut b.cases[0].trials {
            t.kind = TrialKind::Warmup;
        }
        assert_eq!(
            judge(&b),
            RunStatus::Failed,
            "warm-ups alone are not a measurement"
        );
        b.cases[0].trials[0].kind = TrialKind::Cached;
        assert_eq!(
            judge(&b),
            RunStatus::Degraded,
            "a cached answer is still an answer"
        );
    }
}
