//! Merging the shards of one capacity sweep (`kokoro-bench run --shard i/N`) into one result:
//! each level's raw requests from every shard together — percentiles, the SLO share, the knee
//! and goodput are computed once from them, never averaged from the shards' own figures.
//!
//! Refused: bundles that are not shards, shards of different sweeps (schedule, levels, SLO,
//! server, voice, texts), a missing or repeated shard, and clocks that certainly disagree by more
//! than the allowed skew (each shard bounds its clock's offset from the server's `Date`).
//! Requests are placed on the server's clock when every shard measured its offset (the middle of
//! each interval), on the shards' own clocks otherwise (said in a note).

use crate::capacity::{ceiling, sustainable};
use crate::schema::{
    Bundle, CapacityLevel, CapacityResult, Note, NoteCode, NoteLevel, RunStatus, ShardOrigin,
    ShardPlan,
};

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MergeError {
    /// Fewer than two bundles.
    #[error("give the bundles of at least two shards (found {0})")]
    TooFew(usize),
    /// A bundle without a sharded capacity sweep.
    #[error("run {0} is not a shard of a capacity sweep (it was not run with --shard i/N)")]
    NotAShard(String),
    /// Shards of different sweeps.
    #[error("runs {a} and {b} are shards of different sweeps: {what} differs ({a_value} against {b_value})")]
    DifferentSweeps {
        /// First run.
        a: String,
        /// Second run.
        b: String,
        /// What differs.
        what: &'static str,
        /// Its value in the first.
        a_value: String,
        /// Its value in the second.
        b_value: String,
    },
    /// A shard index given twice.
    #[error("shard {index} of {of} appears twice (runs {a} and {b})")]
    Repeated {
        /// The index.
        index: u32,
        /// Shards in all.
        of: u32,
        /// One run.
        a: String,
        /// The other.
        b: String,
    },
    /// Some shards are missing.
    #[error("the sweep has {of} shards; missing: {missing:?} (merge needs every shard's bundle)")]
    Missing {
        /// Shards in all.
        of: u32,
        /// Which indexes.
        missing: Vec<u32>,
    },
    /// Two shards' clocks disagree by more than allowed.
    #[error(
        "the clocks of shards {a} and {b} disagree by at least {skew_ms:.0} ms (allowed {max_ms:.0} ms, \
         measured against the server's Date header): their levels did not run in lockstep; \
         synchronise the runners' clocks (NTP) and run the sweep again"
    )]
    ClockSkew {
        /// One shard.
        a: u32,
        /// The other.
        b: u32,
        /// The least disagreement the intervals allow, ms.
        skew_ms: f64,
        /// The allowed skew, ms.
        max_ms: f64,
    },
}

fn shard_of(b: &Bundle) -> Result<(&CapacityResult, &ShardPlan), MergeError> {
    let c = b
        .capacity
        .as_ref()
        .ok_or_else(|| MergeError::NotAShard(b.run.id.clone()))?;
    let s = c
        .shard
        .as_ref()
        .ok_or_else(|| MergeError::NotAShard(b.run.id.clone()))?;
    Ok((c, s))
}

/// What must be the same in every shard of one sweep: (what, value).
fn identity(b: &Bundle) -> Result<Vec<(&'static str, String)>, MergeError> {
    let (c, s) = shard_of(b)?;
    let texts: Vec<&str> = b
        .provenance
        .corpus
        .iter()
        .map(|t| t.text.as_str())
        .collect();
    Ok(vec![
        ("the number of shards", s.of.to_string()),
        (
            "the start time (--start-at)",
            format!("{:.0}", s.start_at_unix_ms),
        ),
        ("the slot (twice --level-budget)", format!("{} s", s.slot_s)),
        ("the levels", format!("{:?}", s.levels)),
        (
            "the measured requests per level",
            s.level_requests.to_string(),
        ),
        ("the load mode", format!("{:?}", c.mode)),
        ("the SLO", c.slo.text.clone()),
        (
            "the server",
            b.provenance
                .http
                .as_ref()
                .map_or_else(String::new, |h| h.url.clone()),
        ),
        ("the voice", b.provenance.voice_id.clone()),
        ("the texts", texts.join(" | ")),
    ])
}

/// The least disagreement two offset intervals allow, ms.
fn certain_skew(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[1]).max(b[0] - a[1]).max(0.0)
}

fn check_clocks(plans: &[&ShardPlan], max_skew_ms: f64) -> Result<(), MergeError> {
    for (i, a) in plans.iter().enumerate() {
        for b in &plans[i + 1..] {
            if let (Some(x), Some(y)) = (a.clock_offset_ms, b.clock_offset_ms) {
                let skew_ms = certain_skew(x, y);
                if skew_ms > max_skew_ms {
                    return Err(MergeError::ClockSkew {
                        a: a.index,
                        b: b.index,
                        skew_ms,
                        max_ms: max_skew_ms,
                    });
                }
            }
        }
    }
    Ok(())
}

/// The shards in index order, checked to be one whole sweep.
fn ordered(shards: &[Bundle], max_skew_ms: f64) -> Result<Vec<&Bundle>, MergeError> {
    if shards.len() < 2 {
        return Err(MergeError::TooFew(shards.len()));
    }
    let first = identity(&shards[0])?;
    for b in &shards[1..] {
        for ((what, a_value), (_, b_value)) in first.iter().zip(identity(b)?) {
            if *a_value != b_value {
                return Err(MergeError::DifferentSweeps {
                    a: shards[0].run.id.clone(),
                    b: b.run.id.clone(),
                    what,
                    a_value: a_value.clone(),
                    b_value,
                });
            }
        }
    }
    let of = shard_of(&shards[0])?.1.of;
    let mut by_index: Vec<Option<&Bundle>> = vec![None; of as usize];
    for b in shards {
        let index = shard_of(b)?.1.index;
        let slot = &mut by_index[(index - 1) as usize];
        if let Some(seen) = slot {
            return Err(MergeError::Repeated {
                index,
                of,
                a: seen.run.id.clone(),
                b: b.run.id.clone(),
            });
        }
        *slot = Some(b);
    }
    let missing: Vec<u32> = (1..=of)
        .filter(|i| by_index[(*i - 1) as usize].is_none())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { of, missing });
    }
    let ordered: Vec<&Bundle> = by_index.into_iter().flatten().collect();
    let plans: Vec<&ShardPlan> = ordered
        .iter()
        .map(|b| shard_of(b).map(|(_, s)| s))
        .collect::<Result<_, _>>()?;
    check_clocks(&plans, max_skew_ms)?;
    Ok(ordered)
}

/// Each shard's clock minus the server's (middle of its interval), when every shard has one.
fn offsets(shards: &[&Bundle]) -> Option<Vec<f64>> {
    shards
        .iter()
        .map(|b| {
            let o = shard_of(b).ok()?.1.clock_offset_ms?;
            Some((o[0] + o[1]) / 2.0)
        })
        .collect()
}

/// One level of every shard, together: requests on one time line from the slot's start.
fn merge_level(parts: &[(&CapacityLevel, f64)], slot_start_ms: f64) -> CapacityLevel {
    let mut requests = Vec::new();
    let (mut from, mut to) = (f64::INFINITY, f64::NEG_INFINITY);
    for (l, offset_ms) in parts {
        let level_start = l.started_unix_ms.unwrap_or(slot_start_ms) - offset_ms;
        requests.extend(l.requests.iter().map(|r| {
            let mut r = r.clone();
            r.start_ms += level_start - slot_start_ms;
            r
        }));
        if let Some([a, b]) = l.measured_unix_ms {
            from = from.min(a - offset_ms);
            to = to.max(b - offset_ms);
        }
    }
    requests.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    let wall_s = if to > from { (to - from) / 1000.0 } else { 0.0 };
    let audio_s: f64 = requests.iter().map(|r| r.audio_s).sum();
    let some = |f: fn(&CapacityLevel) -> Option<f64>| -> Vec<f64> {
        parts.iter().filter_map(|(l, _)| f(l)).collect()
    };
    let mean = |v: Vec<f64>| crate::stats::mean(&v);
    let cut: Vec<String> = parts
        .iter()
        .filter_map(|(l, _)| l.cut_short.clone())
        .collect();
    CapacityLevel {
        level: parts[0].0.level,
        started: parts.iter().map(|(l, _)| l.started).sum(),
        finished: requests.len() as u32,
        failed: requests.iter().filter(|r| r.error.is_some()).count() as u32,
        warmup: parts.iter().map(|(l, _)| l.warmup).sum(),
        wall_s,
        audio_s_per_s: if wall_s > 0.0 { audio_s / wall_s } else { 0.0 },
        cpu_percent_mean: mean(some(|l| l.cpu_percent_mean)),
        peak_rss_bytes: parts.iter().filter_map(|(l, _)| l.peak_rss_bytes).max(),
        // The shards' clients are separate processes: their CPU adds up.
        client_cpu_percent: some(|l| l.client_cpu_percent)
            .into_iter()
            .reduce(|a, b| a + b),
        client_cpu_ms_per_request: mean(some(|l| l.client_cpu_ms_per_request)),
        started_unix_ms: Some(slot_start_ms),
        measured_unix_ms: (to > from).then_some([from, to]),
        shard_level: None,
        late_ms: some(|l| l.late_ms).into_iter().reduce(f64::max),
        cut_short: (!cut.is_empty()).then(|| cut.join("; ")),
        interrupted: parts.iter().any(|(l, _)| l.interrupted),
        requests,
    }
}

fn machine_name(b: &Bundle) -> String {
    b.machine.label.clone().unwrap_or_else(|| {
        format!(
            "{}, {} logical cores",
            b.machine.cpu_model, b.machine.logical_cores
        )
    })
}

/// Merges the shards of one sweep into one bundle with id `id`: the first shard's run and
/// machine description, the cases' texts without trials (the shards measured only capacity),
/// one capacity result over every shard's raw requests, and notes naming the shards.
///
/// # Errors
/// See [`MergeError`].
pub fn merge(shards: &[Bundle], id: &str, max_skew_ms: f64) -> Result<Bundle, MergeError> {
    let ordered = ordered(shards, max_skew_ms)?;
    let (c0, plan) = shard_of(ordered[0])?;
    let server_clock = offsets(&ordered);
    let offset_of = |i: usize| server_clock.as_ref().map_or(0.0, |o| o[i]);
    let results = ordered
        .iter()
        .map(|b| shard_of(b).map(|(c, _)| c))
        .collect::<Result<Vec<_>, _>>()?;
    let complete = results.iter().map(|c| c.levels.len()).min().unwrap_or(0);
    let slot_ms = plan.slot_s * 1000.0;
    let levels: Vec<CapacityLevel> = (0..complete)
        .map(|k| {
            let parts: Vec<(&CapacityLevel, f64)> = results
                .iter()
                .enumerate()
                .map(|(i, c)| (&c.levels[k], offset_of(i)))
                .collect();
            merge_level(&parts, plan.start_at_unix_ms + k as f64 * slot_ms)
        })
        .collect();
    let mut result = CapacityResult {
        levels,
        shard: None,
        merged_from: ordered
            .iter()
            .map(|b| {
                let (c, s) = shard_of(b)?;
                Ok(ShardOrigin {
                    run_id: b.run.id.clone(),
                    index: s.index,
                    machine: machine_name(b),
                    clock_offset_ms: s.clock_offset_ms,
                    late_ms_max: c.levels.iter().filter_map(|l| l.late_ms).reduce(f64::max),
                })
            })
            .collect::<Result<_, MergeError>>()?,
        sustainable_level: None,
        predicted_ceiling: None,
        stopped_because: if complete < plan.levels.len() {
            format!(
                "{complete} of {} levels ran on every shard (the others stopped early)",
                plan.levels.len()
            )
        } else {
            format!("every listed level ran on all {} shards", plan.of)
        },
        ..c0.clone()
    };
    result.sustainable_level = sustainable(&result);
    result.predicted_ceiling =
        ceiling(&result, ordered[0].machine.logical_cores).map(|c| c.streams);
    Ok(merged_bundle(&ordered, result, id, server_clock.is_some()))
}

fn merged_bundle(
    shards: &[&Bundle],
    result: CapacityResult,
    id: &str,
    on_server_clock: bool,
) -> Bundle {
    let first = shards[0];
    let mut b = first.clone();
    b.run.id = id.to_string();
    b.run.started_unix_ms = shards
        .iter()
        .map(|s| s.run.started_unix_ms)
        .min()
        .unwrap_or(0);
    b.run.finished_unix_ms = shards.iter().filter_map(|s| s.run.finished_unix_ms).max();
    b.run.status = if shards
        .iter()
        .any(|s| s.run.status == RunStatus::Interrupted)
    {
        RunStatus::Interrupted
    } else if result.levels.iter().all(|l| l.finished == l.failed) {
        RunStatus::Failed
    } else {
        RunStatus::Completed
    };
    for case in &mut b.cases {
        case.trials.clear();
    }
    b.memory = None;
    b.probes.clear();
    b.gates.clear();
    b.versus = None;
    b.soak = None;
    let names: Vec<String> = shards
        .iter()
        .map(|s| {
            let index = s
                .capacity
                .as_ref()
                .and_then(|c| c.shard.as_ref())
                .map_or(0, |p| p.index);
            format!("{index}: {} on {}", s.run.id, machine_name(s))
        })
        .collect();
    let clock = if on_server_clock {
        "requests placed on the server's clock (each shard's offset from its Date header)"
    } else {
        "requests placed on the shards' own clocks (not every shard could read the server's Date)"
    };
    let mut notes = vec![Note {
        level: NoteLevel::Info,
        code: NoteCode::ShardsMerged,
        message: format!(
            "merged from {} shards ({}); {clock}",
            shards.len(),
            names.join("; ")
        ),
    }];
    for (k, l) in result.levels.iter().enumerate() {
        if let Some(late) = l.late_ms {
            notes.push(Note {
                level: NoteLevel::Warn,
                code: NoteCode::ShardsMerged,
                message: format!(
                    "level {} began up to {:.1} s after its slot on some shard (the level before it \
                     overran): the shards' loads overlapped only in part",
                    k + 1,
                    late / 1000.0
                ),
            });
        }
    }
    notes.extend(shards.iter().flat_map(|s| {
        s.notes
            .iter()
            .filter(|n| n.level == NoteLevel::Warn && n.code != NoteCode::CapacityShard)
            .map(|n| Note {
                message: format!("shard {}: {}", s.run.id, n.message),
                ..n.clone()
            })
    }));
    b.notes = notes;
    b.capacity = Some(result);
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::{meets, parse_slo};
    use crate::schema::{CapacityRequest, LoadMode};

    fn shard(index: u32, of: u32, heard: &[f64], offset: Option<[f64; 2]>) -> Bundle {
        let slo = parse_slo("heard<=1000ms").unwrap();
        let requests = heard
            .iter()
            .enumerate()
            .map(|(i, &h)| {
                let r = CapacityRequest {
                    start_ms: 100.0 * i as f64,
                    heard_ms: Some(h),
                    audio_s: 2.0,
                    ..Default::default()
                };
                CapacityRequest {
                    met_slo: meets(&slo, &r),
                    ..r
                }
            })
            .collect();
        let start = 1_800_000_000_000.0;
        let mut b = crate::testing::bundle_with_ttfa(&[500.0]);
        b.run.id = format!("run-{index}");
        b.capacity = Some(CapacityResult {
            mode: LoadMode::Listeners,
            slo,
            sessions: None,
            threads_per_session: None,
            seed: None,
            levels: vec![CapacityLevel {
                level: 4.0,
                shard_level: Some(2.0),
                started: heard.len() as u32,
                finished: heard.len() as u32,
                started_unix_ms: Some(start + 5.0),
                measured_unix_ms: Some([start + 1000.0, start + 9000.0]),
                requests,
                ..Default::default()
            }],
            sustainable_level: None,
            predicted_ceiling: None,
            stopped_because: String::new(),
            shard: Some(ShardPlan {
                index,
                of,
                start_at_unix_ms: start,
                slot_s: 20.0,
                levels: vec![4.0],
                level_requests: 20,
                clock_offset_ms: offset,
            }),
            merged_from: Vec::new(),
        });
        b
    }

    #[test]
    fn the_merged_level_holds_every_shards_raw_requests_and_is_judged_once() {
        // Shard 1 all fast, shard 2 a third slow: alone, 1 holds and 2 fails; together 20 of 24.
        let a = shard(1, 2, &[500.0; 12], Some([0.0, 50.0]));
        let mut slow = vec![500.0; 8];
        slow.extend([1500.0; 4]);
        let b = shard(2, 2, &slow, Some([10.0, 60.0]));
        let m = merge(&[b.clone(), a.clone()], "merged", 1000.0).unwrap();
        let c = m.capacity.unwrap();
        let l = &c.levels[0];
        assert_eq!((l.finished, l.level, l.shard_level), (24, 4.0, None));
        let s = crate::capacity::summarise(&c.slo, l);
        assert_eq!((s.met, s.judged), (20, 24));
        assert_eq!(c.sustainable_level, None, "20/24 is under 95 %");
        assert_eq!(c.merged_from.len(), 2);
        assert_eq!(c.merged_from[0].run_id, "run-1", "in shard order");
        assert!(m.notes[0].message.contains("server's clock"));
        // 48 s of audio over the 8 s both shards measured in.
        assert!((l.audio_s_per_s - 6.0).abs() < 0.1, "{}", l.audio_s_per_s);
        assert!(m.cases.iter().all(|c| c.trials.is_empty()));
    }

    #[test]
    fn shards_that_do_not_make_one_sweep_are_refused() {
        let a = shard(1, 2, &[500.0; 4], None);
        assert_eq!(
            merge(std::slice::from_ref(&a), "m", 1000.0),
            Err(MergeError::TooFew(1))
        );
        assert!(matches!(
            merge(&[a.clone(), a.clone()], "m", 1000.0),
            Err(MergeError::Repeated { index: 1, .. })
        ));
        assert!(matches!(
            merge(&[a.clone(), shard(2, 3, &[500.0], None)], "m", 1000.0),
            Err(MergeError::DifferentSweeps {
                what: "the number of shards",
                ..
            })
        ));
        let mut other_slo = shard(2, 2, &[500.0], None);
        other_slo.capacity.as_mut().unwrap().slo.text = "heard<=2000ms".into();
        assert!(matches!(
            merge(&[a.clone(), other_slo], "m", 1000.0),
            Err(MergeError::DifferentSweeps {
                what: "the SLO",
                ..
            })
        ));
        let three = [shard(1, 3, &[1.0], None), shard(3, 3, &[1.0], None)];
        assert_eq!(
            merge(&three, "m", 1000.0),
            Err(MergeError::Missing {
                of: 3,
                missing: vec![2]
            })
        );
        let mut plain = a.clone();
        plain.capacity.as_mut().unwrap().shard = None;
        assert!(matches!(
            merge(&[plain, a.clone()], "m", 1000.0),
            Err(MergeError::NotAShard(_))
        ));
        let skewed = [
            shard(1, 2, &[1.0], Some([0.0, 40.0])),
            shard(2, 2, &[1.0], Some([2500.0, 2540.0])),
        ];
        let e = merge(&skewed, "m", 1000.0).unwrap_err();
        assert!(e.to_string().contains("at least 2460 ms"), "{e}");
    }
}
