//! Memory and CPU of each other target while the versus suite runs, where it is a process of its
//! own: a server (and its workers), or a command's processes when the run's own target has none.
//! The in-process engine shares this process with the runner and the run's own target, so it is
//! not separable; neither are two command targets, whose processes are all the runner's children.

use crate::measure::memory::{Sampler, Scope};
use crate::targets::Sampled;
use kokoro_bench_bundle::schema::{MemorySeries, VersusUsage};
use std::time::{Duration, Instant};

/// How often each target's processes are sampled.
const INTERVAL: Duration = Duration::from_millis(200);

/// A target's sampler, or why it has none.
pub enum Watch {
    /// Sampling.
    On(Sampler),
    /// Why not.
    Off(String),
}

/// Starts sampling `other` unless its processes cannot be told apart from the runner's or from
/// the run's own target's (`own`).
pub fn watch(other: &Sampled, own: &Sampled, origin: Instant) -> Watch {
    let me = std::process::id();
    match other {
        Sampled::NotSampled(why) => Watch::Off(why.clone()),
        Sampled::Process { pid, scope, .. } if *pid == me && *scope == Scope::Process => {
            Watch::Off(
                "in this process with the runner (the in-process engine): not separable".into(),
            )
        }
        Sampled::Process { pid, scope, .. }
            if *pid == me
                && matches!(own, Sampled::Process { pid: o, scope: Scope::Children, .. } if *o == me) =>
        {
            let _ = scope;
            Watch::Off(
                "the runner's child processes, shared with the run's own target: not separable"
                    .into(),
            )
        }
        Sampled::Process { pid, what, scope } => {
            Watch::On(Sampler::start(*pid, what, INTERVAL, origin, *scope))
        }
    }
}

/// The summary the bundle keeps.
pub fn summary(w: Watch) -> VersusUsage {
    match w {
        Watch::Off(why) => VersusUsage {
            what: format!("not sampled: {why}"),
            ..Default::default()
        },
        Watch::On(s) => summarise(&s.stop()),
    }
}

fn summarise(m: &MemorySeries) -> VersusUsage {
    let cpu: Vec<f64> = m.cpu_percent.iter().map(|&c| f64::from(c)).collect();
    VersusUsage {
        what: m.process.clone(),
        peak_rss_bytes: m
            .peak_rss_bytes
            .or_else(|| m.rss_bytes.iter().copied().max()),
        cpu_mean_pct: (!cpu.is_empty()).then(|| cpu.iter().sum::<f64>() / cpu.len() as f64),
        cpu_max_pct: cpu.iter().copied().reduce(f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_and_shared_children_are_not_sampled_apart() {
        let me = std::process::id();
        let engine = Sampled::Process {
            pid: me,
            what: "runner".into(),
            scope: Scope::Process,
        };
        let children = Sampled::Process {
            pid: me,
            what: "children".into(),
            scope: Scope::Children,
        };
        assert!(
            matches!(watch(&engine, &children, Instant::now()), Watch::Off(w) if w.contains("in-process"))
        );
        assert!(
            matches!(watch(&children, &children, Instant::now()), Watch::Off(w) if w.contains("shared"))
        );
        let u = summary(watch(&children, &engine, Instant::now()));
        assert_eq!(u.what, "children");
    }
}
