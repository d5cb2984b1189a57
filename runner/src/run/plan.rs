//! From flags to a validated plan: what to measure, on which target, with which suites. Every
//! check that can fail happens here, before anything is measured, so a bad flag costs nothing and
//! says what to change (exit 2).

pub use super::sampling::{TrialArgs, TrialCount};
use crate::context::presets;
use crate::context::progress::Verbosity;
use crate::context::settings::{CaseText, SaveAudio, Settings};
use crate::suites::{self, BuildInput, Suite, SuiteArgs};
use crate::targets::cli::TargetArgs;
use crate::targets::TargetSpec;
use anyhow::{bail, Context, Result};
use clap::Args;
use kokoro_bench_bundle::gates::GateRule;
use std::path::{Path, PathBuf};

/// What is spoken.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Cases")]
pub struct CaseArgs {
    /// Preset texts to run (short, medium, long, paragraph; `sentences`: 24 everyday sentences as
    /// cases s01–s24, for word error rate claims; `turns`: 9 agent-sized turns, the agent
    /// suite's default).
    #[arg(long, value_delimiter = ',', default_value = "short,medium,long")]
    pub preset: Vec<String>,
    /// Custom text (repeatable); replaces the presets unless --preset is also given explicitly.
    #[arg(long)]
    pub text: Vec<String>,
    /// File with one text per non-empty line.
    #[arg(long)]
    pub text_file: Option<PathBuf>,
    /// Text that arrives like a language model's output.
    #[command(flatten)]
    pub turns: crate::turns::TurnArgs,
    /// A listener who interrupts.
    #[command(flatten)]
    pub barge: crate::turns::barge::BargeArgs,
}

/// What the run does about a machine that is busy before it starts.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "The machine")]
pub struct MachineArgs {
    /// When other processes use the CPU before measuring: `warn` (measure and say so), `wait`
    /// (until it has been quiet for 3 s, at most --quiet-timeout) or `refuse` (exit 2).
    #[arg(long, value_enum, default_value = "warn")]
    pub quiet_machine: QuietArg,
    /// `--quiet-machine wait`: the longest wait, e.g. 2m.
    #[arg(long, default_value = "2m", value_parser = crate::timefmt::duration_arg)]
    pub quiet_timeout: std::time::Duration,
    /// The name this machine's runs are kept under in history (a CI runner class, a desk);
    /// CPU or OS changes inside one label show as set-up changes, not new series.
    #[arg(long, env = "KOKORO_BENCH_MACHINE_LABEL", value_name = "NAME")]
    pub machine_label: Option<String>,
}

/// `--quiet-machine`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum QuietArg {
    /// Measure and say so.
    Warn,
    /// Wait (bounded) for quiet.
    Wait,
    /// Exit 2 on a busy machine.
    Refuse,
}

/// Where results go and what decides the exit code.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Output and gates")]
pub struct OutputArgs {
    /// Output folder.
    #[arg(long, env = "KOKORO_BENCH_ARTIFACTS", default_value = "artifacts")]
    pub out: PathBuf,
    /// Which trials keep their audio.
    #[arg(long, value_enum, default_value = "first")]
    pub save_audio: SaveAudio,
    /// Gates file: the seed's expected_bands.json or a kokoro-bench gates file.
    #[arg(long)]
    pub gates: Option<PathBuf>,
    /// Treat gates without data as failures (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Print the bundle path and headline numbers as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Write the numbers as CSV: one row per trial × metric (failed trials with their error),
    /// plus one per case × metric summary (median, its 95 % interval, p95, min, max, n).
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Write the case summaries and failed trials as Markdown tables.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Write the summaries and every trial's values as JSON (`{run_id, status, target,
    /// summaries, trials}`); the whole record is the bundle itself.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the case medians with their intervals in Bencher Metric Format (BMF) JSON.
    #[arg(long, value_name = "FILE")]
    pub export_bmf: Option<PathBuf>,
    /// Write github-action-benchmark's `customSmallerIsBetter` JSON (lower-is-better metrics).
    #[arg(long, value_name = "FILE")]
    pub export_benchmark: Option<PathBuf>,
    /// Write the gates as JUnit XML (a failed gate is a failure, no data is skipped).
    #[arg(long, value_name = "FILE")]
    pub export_junit: Option<PathBuf>,
    /// Say nothing while measuring and print no summary: errors, warnings and the bundle's path.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print one line per trial (its headline values, or its error).
    #[arg(short, long)]
    pub verbose: bool,
}

/// A validated plan: everything [`super::execute`] needs.
pub struct RunPlan {
    /// The target, configured (not started).
    pub target: Box<dyn TargetSpec>,
    /// Texts, in order.
    pub cases: Vec<CaseText>,
    /// Shared settings.
    pub settings: Settings,
    /// Suites, in registry order.
    pub suites: Vec<Box<dyn Suite>>,
    /// Gates to evaluate at the end.
    pub gates: Vec<GateRule>,
    /// `artifacts/`.
    pub out: PathBuf,
    /// The command line as given.
    pub command_line: Vec<String>,
    /// How much to say while measuring (`--json` is quiet: stdout is for the document).
    pub verbosity: Verbosity,
    /// What to do about a machine busy before the run (`None`: do not look; tests on the
    /// scripted target).
    pub quiet_machine: Option<kokoro_bench_bundle::schema::QuietMode>,
    /// The longest `--quiet-machine wait`.
    pub quiet_timeout: std::time::Duration,
    /// `--machine-label`.
    pub machine_label: Option<String>,
}

fn cases(args: &CaseArgs, preset_given: bool, agent: bool) -> Result<Vec<CaseText>> {
    let mut out = Vec::new();
    let custom = !args.text.is_empty() || args.text_file.is_some();
    // The agent suite speaks agent-sized turns unless told otherwise.
    let agent_turns = [presets::TURN_SET.to_string()];
    let ids = if agent && !preset_given {
        &agent_turns[..]
    } else {
        &args.preset[..]
    };
    if !custom || preset_given {
        for id in ids {
            if id == presets::TURN_SET {
                out.extend(presets::TURNS.iter().map(|(id, t)| CaseText {
                    id: (*id).to_string(),
                    text: (*t).to_string(),
                }));
                continue;
            }
            if id == presets::SENTENCE_SET {
                out.extend(
                    presets::SENTENCES
                        .iter()
                        .enumerate()
                        .map(|(i, t)| CaseText {
                            id: format!("s{:02}", i + 1),
                            text: (*t).to_string(),
                        }),
                );
                continue;
            }
            let p = presets::find(id).with_context(|| {
                format!(
                    "unknown preset `{id}`; choose from {}",
                    presets::ids().join(", ")
                )
            })?;
            out.push(CaseText {
                id: p.id.to_string(),
                text: p.text.to_string(),
            });
        }
    }
    for (i, t) in args.text.iter().enumerate() {
        if t.trim().is_empty() {
            bail!("--text number {} is empty: give some words to speak", i + 1);
        }
        out.push(CaseText {
            id: format!("custom-{}", i + 1),
            text: t.trim().to_string(),
        });
    }
    if let Some(f) = &args.text_file {
        let body = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read the text file {}", f.display()))?;
        let lines: Vec<&str> = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            bail!("the text file has no non-empty lines ({})", f.display());
        }
        for (i, l) in lines.iter().enumerate() {
            out.push(CaseText {
                id: format!("file-{}", i + 1),
                text: l.to_string(),
            });
        }
    }
    Ok(out)
}

/// The gates file's rules, plus each suite's default gates for metrics the file does not name.
fn with_defaults(mut rules: Vec<GateRule>, suites: &[Box<dyn Suite>]) -> Vec<GateRule> {
    let defaults: Vec<GateRule> = suites
        .iter()
        .flat_map(|s| s.default_gates())
        .filter(|d| rules.iter().all(|r| r.metric != d.metric))
        .collect();
    rules.extend(defaults);
    rules
}

/// The run-to-run noise a relative gate allows for: the baseline's series in the output folder's
/// index when it has enough history, else the A/A spread measured for this kind of machine.
fn gate_noise<'a>(
    out: &'a Path,
    base: &'a kokoro_bench_bundle::Bundle,
) -> impl Fn(
    kokoro_bench_bundle::metrics::Metric,
    Option<&str>,
) -> Option<kokoro_bench_bundle::compare::noise::RunNoise>
       + 'a {
    use kokoro_bench_bundle::compare::noise;
    let index: Option<kokoro_bench_bundle::index::RunIndex> = std::fs::read(out.join("index.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let series = kokoro_bench_bundle::index::series_of(base);
    let floor = noise::Floor::builtin();
    move |metric, case| {
        index
            .as_ref()
            .and_then(|ix| noise::from_history(ix, &series, metric, case, &[&base.run.id]))
            .or_else(|| floor.noise(metric, base.machine.virtualized))
    }
}

fn gates(path: Option<&PathBuf>, out: &Path) -> Result<Vec<GateRule>> {
    let Some(p) = path else {
        return Ok(Vec::new());
    };
    let bytes =
        std::fs::read(p).with_context(|| format!("cannot read the gates file {}", p.display()))?;
    let file = kokoro_bench_bundle::gates::read(&bytes)
        .map_err(|e| anyhow::anyhow!("{e} ({})", p.display()))?;
    let mut rules = file.rules;
    if let Some(baseline) = file.baseline.as_deref() {
        let path = p.parent().unwrap_or(Path::new(".")).join(baseline);
        let base = std::fs::read(&path).with_context(|| {
            format!(
                "cannot read the baseline bundle the gates file names (`\"baseline\": \"{baseline}\"`, read from the gates file's folder) ({})",
                path.display()
            )
        })?;
        let base = kokoro_bench_bundle::read_bundle(&base)
            .map_err(|e| {
                anyhow::anyhow!(
                    "the gates file's baseline is not a bundle: {e} ({})",
                    path.display()
                )
            })?
            .bundle;
        let resolved = kokoro_bench_bundle::gates::relative::resolve_with_noise(
            &file.relative,
            &base,
            &path.display().to_string(),
            &gate_noise(out, &base),
        )
        .map_err(|e| anyhow::anyhow!("{e} ({})", p.display()))?;
        rules.extend(resolved);
    }
    Ok(rules)
}

/// An `--export-*` file must be writable where it is asked for: checked before anything is
/// measured, so a typo in a folder name never costs a run.
fn check_exports(output: &OutputArgs) -> Result<()> {
    let files = [
        ("--export-csv", &output.export_csv),
        ("--export-markdown", &output.export_markdown),
        ("--export-json", &output.export_json),
        ("--export-bmf", &output.export_bmf),
        ("--export-benchmark", &output.export_benchmark),
        ("--export-junit", &output.export_junit),
    ];
    for (flag, path) in files {
        let Some(p) = path else { continue };
        if p.is_dir() {
            bail!(
                "{flag} names a folder, not a file: give a file name inside it ({})",
                p.display()
            );
        }
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(d) = parent.filter(|d| !d.is_dir()) {
            bail!(
                "{flag}: the folder {} does not exist: create it or write the file elsewhere ({})",
                d.display(),
                p.display()
            );
        }
    }
    Ok(())
}

/// Everything `run` parses, in groups.
pub struct PlanInput<'a> {
    /// Target flags.
    pub target: &'a TargetArgs,
    /// Case flags.
    pub cases: &'a CaseArgs,
    /// Trial flags.
    pub trials: &'a TrialArgs,
    /// Suite flags.
    pub suites: &'a SuiteArgs,
    /// Flags about the machine (quiet check, label).
    pub machine: &'a MachineArgs,
    /// Output flags.
    pub output: &'a OutputArgs,
    /// The command line as given (to tell an explicit `--preset` from the default).
    pub command_line: Vec<String>,
}

/// Validates the flags into a plan.
///
/// # Errors
/// Every bad flag, with what, why and how to fix it.
pub fn build(input: PlanInput<'_>) -> Result<RunPlan> {
    let t = input.trials;
    if !(0.5..=2.0).contains(&t.speed) {
        bail!("--speed {} is outside 0.5–2.0", t.speed);
    }
    let (trials, rounds, auto) = super::sampling::trials(t)?;
    if !t.prebuffer_ms.is_finite() || t.prebuffer_ms < 0.0 {
        bail!("--prebuffer-ms {} must be 0 or more", t.prebuffer_ms);
    }
    if !(-120.0..=0.0).contains(&t.audible_dbfs) {
        bail!(
            "--audible-dbfs {} must be between −120 and 0 dBFS (default −50)",
            t.audible_dbfs
        );
    }
    let preset_given = input
        .command_line
        .iter()
        .any(|a| a == "--preset" || a.starts_with("--preset="));
    let agent = input.suites.suite.iter().any(|s| s == "agent");
    let cases = cases(input.cases, preset_given, agent)?;
    let target = input.target.spec()?;
    let replay = match &t.plan_from {
        Some(p) => Some(std::sync::Arc::new(super::sampling::replay(
            p,
            &cases,
            target.as_ref(),
        )?)),
        None => None,
    };
    let label = input.machine.machine_label.as_deref().map(str::trim);
    if label.is_some_and(|l| l.is_empty() || l.len() > 80 || l.contains(['/', '\\'])) {
        bail!("--machine-label must be 1–80 characters without slashes (it names a history series), e.g. `ubuntu-24.04-x64`");
    }
    let turns = input.cases.turns.config(agent)?.map(std::sync::Arc::new);
    if turns.is_some() && replay.is_some() {
        bail!("--plan-from replays whole-text chunk plans; with --text-arrival each piece is its own request: drop one of them");
    }
    let settings = Settings {
        voice: target.voice(t.voice.as_deref())?,
        speed: t.speed,
        warmup: t.warmup,
        trials,
        rounds,
        auto,
        replay,
        prebuffer_ms: t.prebuffer_ms,
        audible_threshold_dbfs: t.audible_dbfs,
        save_audio: input.output.save_audio,
        request_timeout: t.request_timeout,
        turns,
        barge: input.cases.barge.config()?.map(std::sync::Arc::new),
    };
    let suites = suites::build(&BuildInput {
        args: input.suites,
        target: target.as_ref(),
        settings: &settings,
    })?;
    check_exports(input.output)?;
    Ok(RunPlan {
        gates: with_defaults(
            gates(input.output.gates.as_ref(), &input.output.out)?,
            &suites,
        ),
        target,
        cases,
        settings,
        suites,
        out: input.output.out.clone(),
        command_line: input.command_line,
        verbosity: match (input.output.json, input.output.quiet, input.output.verbose) {
            (_, true, _) | (true, _, false) => Verbosity::Quiet,
            (_, _, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        },
        quiet_machine: Some(match input.machine.quiet_machine {
            QuietArg::Warn => kokoro_bench_bundle::schema::QuietMode::Warn,
            QuietArg::Wait => kokoro_bench_bundle::schema::QuietMode::Wait,
            QuietArg::Refuse => kokoro_bench_bundle::schema::QuietMode::Refuse,
        }),
        quiet_timeout: input.machine.quiet_timeout,
        machine_label: label.map(str::to_string),
    })
}
