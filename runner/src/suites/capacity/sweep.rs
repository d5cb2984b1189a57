//! Which load level comes next: the listed ones in order, or doubling listeners from 1 until the
//! SLO fails at two levels in a row (or the largest level), then bisecting between the highest
//! level that held and the lowest one above it that failed, so the knee is found exactly.

/// The levels a sweep runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Levels {
    /// Exactly these, in order (`--levels` or `--rates`).
    Listed(Vec<f64>),
    /// 1, 2, 4 … listeners up to `max`, then bisection of the knee.
    Doubling {
        /// The largest level tried.
        max: u32,
    },
}

/// A sweep in progress.
#[derive(Debug)]
pub struct Sweep {
    levels: Levels,
    done: Vec<(f64, bool)>,
    /// Why doubling stopped, once it has (bisection may follow).
    doubling_stopped: Option<String>,
    ended: Option<String>,
}

impl Sweep {
    /// A sweep over `levels`.
    pub fn new(levels: Levels) -> Sweep {
        Sweep {
            levels,
            done: Vec::new(),
            doubling_stopped: None,
            ended: None,
        }
    }

    /// Records that `level` ran and whether it held the SLO.
    pub fn record(&mut self, level: f64, held: bool) {
        self.done.push((level, held));
    }

    /// The next level, or `None` when the sweep is complete ([`Sweep::why_done`] says why).
    pub fn next_level(&mut self) -> Option<f64> {
        if self.ended.is_some() {
            return None;
        }
        match &self.levels {
            Levels::Listed(list) => list.get(self.done.len()).copied().or_else(|| {
                self.ended = Some("every listed level ran".into());
                None
            }),
            Levels::Doubling { max } => self.doubling(*max),
        }
    }

    fn doubling(&mut self, max: u32) -> Option<f64> {
        if self.doubling_stopped.is_none() {
            let fails_in_row = self.done.iter().rev().take_while(|(_, h)| !h).count();
            let next = self.done.last().map_or(1.0, |(l, _)| l * 2.0);
            if fails_in_row < 2 && next <= f64::from(max) {
                return Some(next);
            }
            self.doubling_stopped = Some(if fails_in_row >= 2 {
                "the SLO failed at two levels in a row".into()
            } else {
                format!("{max} listeners is the largest level tried")
            });
        }
        let held = self.done.iter().filter(|(_, h)| *h).map(|(l, _)| *l);
        let Some(lo) = held.fold(None, |a: Option<f64>, l| Some(a.map_or(l, |a| a.max(l)))) else {
            self.ended = Some("no level held the SLO, not even one listener".into());
            return None;
        };
        let hi = self
            .done
            .iter()
            .filter(|(l, h)| !h && *l > lo)
            .map(|(l, _)| *l)
            .fold(None, |a: Option<f64>, l| Some(a.map_or(l, |a| a.min(l))));
        match hi {
            Some(hi) if hi - lo > 1.0 => Some(((lo + hi) / 2.0).floor()),
            Some(hi) => {
                self.ended = Some(format!(
                    "the knee is between {lo} and {hi} listeners ({lo} held, {hi} did not)"
                ));
                None
            }
            None => {
                self.ended = self.doubling_stopped.clone();
                None
            }
        }
    }

    /// Why the sweep ended (empty while it runs).
    pub fn why_done(&self) -> String {
        self.ended.clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a sweep against a target that holds up to `knee` listeners.
    fn sweep(levels: Levels, knee: f64) -> (Vec<f64>, String) {
        let mut s = Sweep::new(levels);
        let mut ran = Vec::new();
        while let Some(l) = s.next_level() {
            ran.push(l);
            s.record(l, l <= knee);
            assert!(ran.len() < 50, "{ran:?}");
        }
        (ran, s.why_done())
    }

    #[test]
    fn doubling_stops_after_two_failures_and_bisects_the_knee() {
        let (ran, why) = sweep(Levels::Doubling { max: 64 }, 2.0);
        assert_eq!(ran, [1.0, 2.0, 4.0, 8.0, 3.0]);
        assert!(why.contains("between 2 and 3"), "{why}");
        let (ran, _) = sweep(Levels::Doubling { max: 64 }, 5.0);
        assert_eq!(ran, [1.0, 2.0, 4.0, 8.0, 16.0, 6.0, 5.0]);
        let (ran, why) = sweep(Levels::Doubling { max: 64 }, 0.0);
        assert_eq!(ran, [1.0, 2.0]);
        assert!(why.contains("not even one"), "{why}");
        let (ran, why) = sweep(Levels::Doubling { max: 8 }, 100.0);
        assert_eq!(ran, [1.0, 2.0, 4.0, 8.0]);
        assert!(why.contains("largest level tried"), "{why}");
    }

    #[test]
    fn listed_levels_run_as_given() {
        let (ran, why) = sweep(Levels::Listed(vec![1.0, 3.0, 2.0]), 0.0);
        assert_eq!(ran, [1.0, 3.0, 2.0]);
        assert_eq!(why, "every listed level ran");
    }
}
