//! How many trials, in how many rounds, and which chunk plans: the flags `--trials N|auto`,
//! `--rounds`, `--min-trials`/`--max-trials` and `--plan-from`, checked into settings before
//! anything is measured (a bad value is exit 2 and costs nothing).

use crate::context::settings::{AutoBudget, CaseText, Replay};
use crate::targets::TargetSpec;
use anyhow::{bail, Context, Result};
use clap::Args;
use kokoro_bench_bundle::schema::{TargetKind, TrialKind};
use std::path::Path;
use std::path::PathBuf;

/// How each request is made and measured.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Trials and statistics")]
pub struct TrialArgs {
    /// Voice id. Engine default: `af_heart` for en-us when the pack has it, else the first voice
    /// made for --lang, else the pack's first; HTTP and command default: af_heart.
    #[arg(long)]
    pub voice: Option<String>,
    /// Speed, 0.5–2.0.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f32,
    /// Warm-up trials per case in each round (excluded, reported apart).
    #[arg(long, default_value_t = 1)]
    pub warmup: u32,
    /// Measured trials per case, spread over the rounds (the run's first request, the cold
    /// start, is extra); `auto`: measure until each headline median's 95 % interval is narrower
    /// than the verdict threshold (5 %), between --min-trials and --max-trials.
    #[arg(long, default_value = "6", value_parser = trial_count)]
    pub trials: TrialCount,
    /// Rounds: every case is measured once per round, in rotated order, each round re-warmed,
    /// so a case's trials span the run and its interval holds the round-to-round spread.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub rounds: u32,
    /// `--trials auto`: fewest measured trials per case (default: 2 per round).
    #[arg(long, value_name = "N")]
    pub min_trials: Option<u32>,
    /// `--trials auto`: most measured trials per case, the budget (default 30).
    #[arg(long, value_name = "N")]
    pub max_trials: Option<u32>,
    /// Replay the chunk plans of another run of the same texts and model (its bundle.json or
    /// run folder) instead of planning: a change is then compared on the same chunks. Engine
    /// target only.
    #[arg(long, value_name = "RUN")]
    pub plan_from: Option<PathBuf>,
    /// Player pre-buffer for the playback simulation, ms.
    #[arg(long, default_value_t = 0.0)]
    pub prebuffer_ms: f64,
    /// Audibility threshold, dBFS (10 ms RMS).
    #[arg(long, default_value_t = -50.0, allow_hyphen_values = true)]
    pub audible_dbfs: f64,
    /// Each request's total deadline, e.g. 45s or 2m (default: 30 s + 1 s per 10 characters);
    /// a request past it fails as `deadline`, however steadily it trickles.
    #[arg(long, value_parser = crate::timefmt::duration_arg)]
    pub request_timeout: Option<std::time::Duration>,
}

/// `--trials`: a count, or `auto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrialCount {
    /// This many measured trials per case.
    Fixed(u32),
    /// Until precise, within a budget.
    Auto,
}

fn trial_count(s: &str) -> Result<TrialCount, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(TrialCount::Auto);
    }
    match s.parse::<u32>() {
        Ok(0) => Err("must be at least 1 (statistics need measured trials; 6 or more is sensible), or `auto`".into()),
        Ok(n) => Ok(TrialCount::Fixed(n)),
        Err(_) => Err(format!("`{s}` is neither a number of trials nor `auto`")),
    }
}

/// Default budget of `--trials auto`, measured trials per case.
pub const AUTO_MAX_TRIALS: u32 = 30;

/// Measured trials each unfinished case gets per round under `--trials auto`.
const AUTO_PER_ROUND: u32 = 2;

/// `(trials, rounds, auto)`: the measured trials per case (the fewest, for auto), the rounds, and
/// the auto budget.
///
/// # Errors
/// `--min-trials`/`--max-trials` without `auto`, or a budget that cannot be met.
pub fn trials(t: &TrialArgs) -> Result<(u32, u32, Option<AutoBudget>)> {
    let auto_only = t.min_trials.is_some() || t.max_trials.is_some();
    match t.trials {
        TrialCount::Fixed(n) => {
            if auto_only {
                bail!("--min-trials and --max-trials set the budget of --trials auto; with --trials {n} the count is fixed: drop them, or say --trials auto");
            }
            // Fewer trials than rounds: one trial per round, fewer rounds.
            Ok((n, t.rounds.min(n), None))
        }
        TrialCount::Auto => {
            let min = t.min_trials.unwrap_or(AUTO_PER_ROUND * t.rounds);
            let max = t.max_trials.unwrap_or(AUTO_MAX_TRIALS.max(min));
            if min == 0 {
                bail!("--min-trials must be at least 1");
            }
            if max < min {
                bail!("--trials auto cannot meet this budget: --max-trials {max} is below --min-trials {min}; raise --max-trials or lower --min-trials");
            }
            if max < t.rounds {
                bail!("--trials auto cannot meet this budget: --max-trials {max} is fewer than one trial in each of the {} rounds; raise --max-trials or lower --rounds", t.rounds);
            }
            let rounds = t.rounds.min(min);
            Ok((
                min,
                rounds,
                Some(AutoBudget {
                    min_trials: min,
                    max_trials: max,
                    target_halfwidth: 0.025,
                    per_round: AUTO_PER_ROUND.min(max),
                }),
            ))
        }
    }
}

/// Reads `--plan-from`: the source run's chunk plans for every case of this run.
///
/// # Errors
/// A source that is not an engine bundle, one of other texts or another model, or one without
/// chunk texts for a case; each message ends with the path.
pub fn replay(path: &Path, cases: &[CaseText], target: &dyn TargetSpec) -> Result<Replay> {
    let Some(engine) = target.engine() else {
        bail!("--plan-from replays the in-process engine's chunk plans; this run's target is not the engine ({})", path.display());
    };
    let file = if path.is_dir() {
        path.join("bundle.json")
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file)
        .with_context(|| format!("--plan-from: cannot read the bundle {}", file.display()))?;
    let src = kokoro_bench_bundle::read_bundle(&bytes)
        .map_err(|e| anyhow::anyhow!("--plan-from: not a bundle: {e} ({})", file.display()))?
        .bundle;
    if src.run.target != TargetKind::Engine {
        bail!(
            "--plan-from: that run measured {:?}, not the in-process engine: it has no chunk plans to replay ({})",
            src.run.target,
            file.display()
        );
    }
    let model_sha = crate::fsutil::sha256_file(&engine.model)?;
    if src.provenance.model.as_ref().map(|m| m.sha256.as_str()) != Some(model_sha.as_str()) {
        bail!(
            "--plan-from: that run used another model ({}), so its plans were made for other speeds and voices; replay a run of {} ({})",
            src.provenance.model.as_ref().map_or("unknown", |m| m.name.as_str()),
            engine.model.display(),
            file.display()
        );
    }
    let mut plans = std::collections::BTreeMap::new();
    for c in cases {
        let sha = crate::fsutil::sha256_hex(c.text.as_bytes());
        let same_text = src
            .provenance
            .corpus
            .iter()
            .any(|t| t.id == c.id && t.sha256 == sha);
        let Some(sc) = src.case(&c.id).filter(|_| same_text) else {
            bail!(
                "--plan-from: that run has no case `{}` with this text, so there is no plan to replay for it; run the same --preset/--text as it did ({})",
                c.id,
                file.display()
            );
        };
        let list: Vec<Vec<String>> = sc
            .trials
            .iter()
            .filter(|t| t.error.is_none() && t.kind != TrialKind::Warmup)
            .map(|t| t.chunks.text.clone())
            .filter(|chunks| !chunks.is_empty() && chunks.iter().all(|x| !x.is_empty()))
            .collect();
        if list.is_empty() {
            bail!(
                "--plan-from: case `{}` of that run has no successful trial with its chunk texts ({})",
                c.id,
                file.display()
            );
        }
        plans.insert(c.id.clone(), list);
    }
    Ok(Replay {
        run_id: src.run.id.clone(),
        plans,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        t: TrialArgs,
    }

    fn parse(args: &[&str]) -> Result<(u32, u32, Option<AutoBudget>)> {
        let mut all = vec!["x"];
        all.extend_from_slice(args);
        trials(
            &T::try_parse_from(all)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .t,
        )
    }

    #[test]
    fn trials_spread_over_rounds_and_auto_budgets_are_checked() {
        assert_eq!(parse(&[]).unwrap(), (6, 3, None));
        assert_eq!(parse(&["--trials", "1"]).unwrap(), (1, 1, None));
        let (min, rounds, auto) = parse(&["--trials", "auto"]).unwrap();
        assert_eq!((min, rounds), (6, 3));
        assert_eq!(auto.unwrap().max_trials, AUTO_MAX_TRIALS);
        for (args, says) in [
            (
                &["--trials", "auto", "--max-trials", "3", "--min-trials", "5"][..],
                "below --min-trials",
            ),
            (
                &["--trials", "auto", "--max-trials", "2", "--min-trials", "1"][..],
                "fewer than one trial in each",
            ),
            (
                &["--trials", "4", "--max-trials", "9"][..],
                "the count is fixed",
            ),
            (&["--trials", "0"][..], "at least 1"),
            (&["--trials", "many"][..], "neither a number"),
        ] {
            let e = format!("{:#}", parse(args).unwrap_err());
            assert!(e.contains(says), "{args:?}: {e}");
        }
    }
}
