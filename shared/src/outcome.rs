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

/// How a finished run ended, judged from what it measured: `Failed` when nothing succeeded
/// (no trial of any case, and no soak request), `Degraded` when some case has no success,
/// `Completed` otherwise. A run without cases or soak (e.g. only the providers suite) is judged
/// `Completed`: its suites report their own failures.
pub fn judge(b: &Bundle) -> RunStatus {
    let soak_ok = b.soak.as_ref().map(|s| {
        let errors: u64 = s.errors_by_kind.values().sum();
        s.requests > errors
    });
    if b.cases.is_empty() {
        return match soak_ok {
            Some(false) => RunStatus::Failed,
            _ => RunStatus::Completed,
        };
    }
    let empty = b.cases.iter().filter(|c| successes(c) == 0).count();
    if empty == b.cases.len() && soak_ok != Some(true) {
        RunStatus::Failed
    } else if empty > 0 || soak_ok == Some(false) {
        RunStatus::Degraded
    } else {
        RunStatus::Completed
    }
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
