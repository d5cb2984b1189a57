//! Whether a case was measured on a busy machine: the other processes' CPU and the steal time
//! recorded on each of its trials, summed up and put in words for the summary, the page and
//! `compare` ("other processes used 41 % of the CPU during `short`").

use crate::schema::{Bundle, Case};

/// Above this share of the machine's capacity taken by other processes and the hypervisor
/// (mean over a case's measured trials), a case is *contended*: its numbers describe the
/// machine's neighbours as much as the target. An idle Linux VM or Mac shows 0.5–3 %.
pub const CONTENDED_PCT: f64 = 10.0;

/// What the rest of the machine did during one case's measured trials.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseLoad {
    /// Case id.
    pub case: String,
    /// Measured trials with a contention reading.
    pub trials: usize,
    /// Mean CPU of other processes, percent of the machine's capacity.
    pub other_cpu_pct: f64,
    /// The largest single trial's.
    pub max_other_cpu_pct: f64,
    /// Mean steal, percent of capacity (VMs).
    pub steal_pct: Option<f64>,
}

impl CaseLoad {
    /// Other processes and the hypervisor together, percent of capacity.
    pub fn taken_pct(&self) -> f64 {
        self.other_cpu_pct + self.steal_pct.unwrap_or(0.0)
    }

    /// Whether the case counts as contended ([`CONTENDED_PCT`]).
    pub fn contended(&self) -> bool {
        self.taken_pct() >= CONTENDED_PCT
    }

    /// In words: `other processes used 41 % of the CPU during `short` (mean of 6 trials, up to
    /// 63 %; 2 % stolen by the hypervisor)`.
    pub fn describe(&self) -> String {
        let steal = match self.steal_pct {
            Some(s) if s >= 0.5 => format!("; {s:.0} % stolen by the hypervisor"),
            _ => String::new(),
        };
        format!(
            "other processes used {:.0} % of the CPU during `{}` (mean of {} trial(s), up to {:.0} %{steal})",
            self.other_cpu_pct, self.case, self.trials, self.max_other_cpu_pct
        )
    }
}

/// The load around a case's measured trials; `None` when none was recorded (older bundles,
/// an OS without CPU accounting).
pub fn case_load(case: &Case) -> Option<CaseLoad> {
    let readings: Vec<_> = case
        .measured()
        .filter_map(|t| t.contention.as_ref())
        .collect();
    if readings.is_empty() {
        return None;
    }
    let n = readings.len() as f64;
    let steal: Vec<f64> = readings.iter().filter_map(|c| c.steal_pct).collect();
    Some(CaseLoad {
        case: case.id.clone(),
        trials: readings.len(),
        other_cpu_pct: readings.iter().map(|c| c.other_cpu_pct).sum::<f64>() / n,
        max_other_cpu_pct: readings.iter().map(|c| c.other_cpu_pct).fold(0.0, f64::max),
        steal_pct: (!steal.is_empty()).then(|| steal.iter().sum::<f64>() / steal.len() as f64),
    })
}

/// Every contended case of a run.
pub fn contended(b: &Bundle) -> Vec<CaseLoad> {
    b.cases
        .iter()
        .filter_map(case_load)
        .filter(CaseLoad::contended)
        .collect()
}

/// Mean CPU of this run's own processes over a case's measured trials, percent of one core.
pub fn own_cpu_pct(case: &Case) -> Option<f64> {
    let v: Vec<f64> = case
        .measured()
        .filter_map(|t| t.contention.as_ref().map(|c| c.own_cpu_pct))
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Contention;

    #[test]
    fn a_case_is_contended_when_others_take_a_tenth_of_the_machine() {
        let mut b = crate::testing::bundle_with_ttfa(&[500.0, 510.0, 520.0]);
        assert!(
            case_load(&b.cases[0]).is_none(),
            "older bundles say nothing"
        );
        for (t, other) in b.cases[0].trials.iter_mut().zip([2.0, 60.0, 61.0]) {
            t.contention = Some(Contention {
                wall_ms: 500.0,
                other_cpu_pct: other,
                own_cpu_pct: 190.0,
                steal_pct: Some(1.0),
                cpu_mhz: None,
            });
        }
        let load = case_load(&b.cases[0]).unwrap();
        assert!(load.contended());
        assert_eq!(load.trials, 3);
        assert!((load.other_cpu_pct - 41.0).abs() < 1e-9);
        assert_eq!(
            load.describe(),
            "other processes used 41 % of the CPU during `medium` (mean of 3 trial(s), up to 61 %; 1 % stolen by the hypervisor)"
        );
        assert_eq!(contended(&b).len(), 1);
        assert_eq!(own_cpu_pct(&b.cases[0]), Some(190.0));
        for t in &mut b.cases[0].trials {
            t.contention.as_mut().unwrap().other_cpu_pct = 1.0;
        }
        assert!(contended(&b).is_empty());
    }
}
