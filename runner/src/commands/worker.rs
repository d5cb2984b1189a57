//! `kokoro-bench worker`: this build's engine behind the worker protocol
//! (`docs/worker-protocol.md`), so another kokoro-bench — typically another build's — can measure
//! it as `--target command --worker` and interleave it trial by trial with a second build in one
//! run (`--suite versus`): the only comparison of two builds that the machine's changing state
//! cannot tilt (a pull request against its base, `scripts/ci/pr.sh`).

use crate::cli::WorkerArgs;
use crate::engine::{EngineHandle, SynthEvent, SynthRequest, SAMPLE_RATE_HZ};
use crate::targets::command::protocol::{encode, FrameKind, VERSION};
use anyhow::{Context, Result};
use serde::Deserialize;
use std::io::{BufRead, Write};

/// One request line (see [`crate::targets::command::protocol::RequestLine`]).
#[derive(Deserialize)]
struct Line {
    text: String,
    voice: String,
    #[serde(default = "one")]
    speed: f32,
}

fn one() -> f32 {
    1.0
}

fn frame(out: &mut impl Write, kind: FrameKind, payload: &[u8]) -> Result<()> {
    out.write_all(&encode(kind, payload))?;
    // Each chunk is sent the moment it exists: its arrival time is the measurement.
    out.flush()?;
    Ok(())
}

/// What the hello says about this worker (kept in the measuring run's bundle).
fn hello(args: &WorkerArgs, load_ms: f64) -> serde_json::Value {
    serde_json::json!({
        "protocol": VERSION,
        "sample_rate_hz": SAMPLE_RATE_HZ,
        "sample_format": "f32le",
        "engine": "kokoro-bench worker",
        "version": env!("CARGO_PKG_VERSION"),
        "git_commit": option_env!("KOKORO_BENCH_GIT_COMMIT").unwrap_or("unknown"),
        "strategy": format!("{:?}", args.engine.strategy).to_lowercase(),
        "threads": args.engine.threads,
        "optimization": args.engine.optimization,
        "load_ms": load_ms.round(),
    })
}

/// Speaks one request: audio frames as chunks are made, then end (or error).
fn answer(
    engine: &EngineHandle,
    args: &WorkerArgs,
    line: &str,
    out: &mut impl Write,
) -> Result<()> {
    let req: Line = match serde_json::from_str(line) {
        Ok(r) => r,
        Err(e) => {
            return frame(
                out,
                FrameKind::Error,
                format!("not a request line ({e})").as_bytes(),
            )
        }
    };
    let rx = match engine.synthesize(SynthRequest {
        text: req.text,
        voice: req.voice,
        speed: req.speed,
        strategy: args.engine.strategy,
        plan: None,
        abort: None,
    }) {
        Ok(rx) => rx,
        Err(e) => return frame(out, FrameKind::Error, e.to_string().as_bytes()),
    };
    // The chunk plan goes back in the end frame, so a side-by-side run can tell a different
    // plan from a different speed.
    let mut chunks = Vec::new();
    loop {
        match rx.recv() {
            Ok(SynthEvent::Chunk(c)) => {
                let bytes: Vec<u8> = c.samples.iter().flat_map(|s| s.to_le_bytes()).collect();
                frame(out, FrameKind::Audio, &bytes)?;
                if !c.text.is_empty() {
                    chunks.push(c.text);
                }
            }
            Ok(SynthEvent::Done) => {
                let end = serde_json::json!({ "chunks": chunks });
                return frame(out, FrameKind::End, end.to_string().as_bytes());
            }
            Ok(SynthEvent::Failed(m)) => return frame(out, FrameKind::Error, m.as_bytes()),
            Err(_) => return frame(out, FrameKind::Error, b"the engine thread stopped"),
        }
    }
}

/// Runs the worker until stdin closes.
///
/// # Errors
/// The engine not starting (files not set up), or stdout closing.
pub fn run(args: &WorkerArgs) -> Result<i32> {
    let cfg = args.engine.config()?;
    let engine = EngineHandle::start(cfg).context("the engine could not start")?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let hello = serde_json::to_vec(&hello(args, engine.info.load_ms))?;
    frame(&mut out, FrameKind::Hello, &hello)?;
    for line in std::io::stdin().lock().lines() {
        let line = line.context("reading a request from stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        answer(&engine, args, &line, &mut out).context("writing to stdout")?;
    }
    Ok(super::EXIT_OK)
}
