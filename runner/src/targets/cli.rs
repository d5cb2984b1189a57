//! The target's flags: which target, and each target's own group.

use super::command::CommandArgs;
use super::engine::{EngineArgs, EngineSpec};
use super::fake::{FakeArgs, FakeSpec, Script};
use super::http::args::HttpArgs;
pub use super::stream::StreamArgs;
use super::TargetSpec;
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};

/// What to benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// The in-process engine (ONNX Runtime in this process).
    Engine,
    /// An OpenAI- or Kokoro-compatible `/v1/audio/speech` server (--url).
    Http,
    /// A program that writes audio to stdout (--command), one process per request or a
    /// persistent worker (--worker).
    Command,
    /// A scripted schedule of chunks (tests only; --fake-script).
    #[value(hide = true)]
    Fake,
}

/// `--target` and every target's flags.
#[derive(Args, Debug, Clone)]
pub struct TargetArgs {
    /// What to benchmark.
    #[arg(long, value_enum, default_value = "engine", help_heading = "Target")]
    pub target: TargetArg,
    /// Engine flags.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// HTTP flags.
    #[command(flatten)]
    pub http: HttpArgs,
    /// Command flags.
    #[command(flatten)]
    pub command: CommandArgs,
    /// The audio stream's format and idle limit (HTTP and command targets).
    #[command(flatten)]
    pub stream: StreamArgs,
    /// Scripted-target flags.
    #[command(flatten)]
    pub fake: FakeArgs,
}

impl TargetArgs {
    /// The configured target: the one place a target kind is mapped to its implementation.
    ///
    /// # Errors
    /// Flags of one target given to another, and each target's own checks.
    pub fn spec(&self) -> Result<Box<dyn TargetSpec>> {
        if self.target != TargetArg::Http {
            if let Some(flag) = self.http.given() {
                bail!("{flag} is for the HTTP target: add --target http");
            }
        }
        if self.target != TargetArg::Fake && self.fake.fake_script.is_some() {
            bail!("--fake-script is for --target fake");
        }
        if self.target != TargetArg::Command {
            if let Some(flag) = self.command.given() {
                bail!("{flag} is for the command target: add --target command");
            }
        }
        Ok(match self.target {
            TargetArg::Engine => Box::new(EngineSpec(self.engine.config()?)),
            TargetArg::Http => Box::new(self.http.spec(&self.stream)?),
            TargetArg::Command => Box::new(self.command.spec(&self.stream, self.engine.lang)?),
            TargetArg::Fake => {
                let text = self
                    .fake
                    .fake_script
                    .as_deref()
                    .unwrap_or("300:1000,300:2000");
                Box::new(FakeSpec(Script::parse(text).map_err(anyhow::Error::msg)?))
            }
        })
    }
}
