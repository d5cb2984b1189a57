//! The command target's flags, and turning them into a checked [`CommandConfig`].

use super::template::Template;
use super::{CommandConfig, Output};
use crate::engine::g2p::Lang;
use crate::targets::http::AudioFormat;
use crate::targets::stream::StreamArgs;
use anyhow::{bail, Result};
use clap::Args;
use std::time::Duration;

/// `--target command` flags.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Command target (--target command)")]
pub struct CommandArgs {
    /// The program and its arguments, split as a shell would but run without one, with
    /// placeholders {text}, {voice}, {speed} and {lang}; e.g. 'espeak-ng --stdout {text}'.
    #[arg(long, value_name = "COMMAND")]
    pub command: Option<String>,
    /// The command is a persistent worker that loads its model once and answers every request
    /// over the worker protocol (docs/worker-protocol.md), e.g. 'python3 adapters/kokoro_onnx_worker.py'.
    #[arg(long)]
    pub worker: bool,
    /// One-shot: write the text to the program's stdin (then close it) instead of {text}.
    #[arg(long)]
    pub stdin: bool,
    /// Worker: the longest wait for its hello frame (model load), e.g. 2m.
    #[arg(long, default_value = "5m", value_parser = crate::timefmt::duration_arg)]
    pub worker_ready_timeout: Duration,
    /// Worker: start K workers behind a least-busy router (each request goes to the one with
    /// the fewest in flight), so concurrent load — the capacity suite — reaches more than one
    /// model. Refused when K of them would not fit in the machine's available memory.
    #[arg(long, default_value_t = 1, value_name = "K")]
    pub workers: u32,
}

impl CommandArgs {
    /// Whether any command-only flag was given.
    pub fn given(&self) -> Option<&'static str> {
        if self.command.is_some() {
            Some("--command")
        } else if self.worker {
            Some("--worker")
        } else if self.stdin {
            Some("--stdin")
        } else {
            None
        }
    }

    /// Checks the flags and builds the configuration.
    ///
    /// # Errors
    /// No command, a command that does not parse, `{text}` missing (or present with --stdin),
    /// --stdin with --worker, a program that is not found.
    pub fn spec(&self, stream: &StreamArgs, lang: Lang) -> Result<super::CommandSpec> {
        let Some(given) = &self.command else {
            bail!("--target command needs --command, e.g. --command 'espeak-ng --stdout {{text}}' (or --worker --command 'python3 adapters/kokoro_onnx_worker.py')");
        };
        let template = Template::parse(given).map_err(anyhow::Error::msg)?;
        if self.worker {
            if self.stdin {
                bail!("--stdin is for one-shot commands: a worker reads its requests from stdin as JSON lines (docs/worker-protocol.md)");
            }
            if template.uses("text") {
                bail!("--worker: the worker gets each text in its request line, so the command cannot use {{text}}");
            }
        } else if self.stdin == template.uses("text") {
            bail!(if self.stdin {
                "--stdin writes the text to the program's stdin, so the command must not also use {text}"
            } else {
                "--command must pass the text: put {text} where the program expects it, or give --stdin to write it to stdin"
            });
        }
        find_program(template.program())?;
        if self.workers != 1 && !self.worker {
            bail!("--workers {}: only persistent workers are pooled (add --worker); a one-shot command already starts a process per request", self.workers);
        }
        if !(1..=super::pool::MAX_WORKERS).contains(&self.workers) {
            bail!(
                "--workers {}: give 1 to {} workers",
                self.workers,
                super::pool::MAX_WORKERS
            );
        }
        Ok(super::CommandSpec(CommandConfig {
            template,
            worker: self.worker,
            text_on_stdin: self.stdin,
            output: match stream.format {
                AudioFormat::Wav => Output::Wav,
                AudioFormat::Pcm => Output::Pcm(stream.sample_format),
            },
            rate_hz: stream.pcm_rate_hz,
            lang: lang.code().to_string(),
            idle: stream.idle_timeout,
            ready_timeout: self.worker_ready_timeout,
            workers: self.workers,
        }))
    }
}

/// Checks that `program` can be run: a path that exists, or a name found on `PATH`.
///
/// # Errors
/// Neither, naming what was looked for.
pub fn find_program(program: &str) -> Result<std::path::PathBuf> {
    let path = std::path::Path::new(program);
    if program.contains('/') {
        if path.is_file() {
            return Ok(path.to_path_buf());
        }
        bail!("--command: the program `{program}` does not exist");
    }
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&dirs) {
        let candidate = dir.join(program);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!("--command: `{program}` is not on PATH; install it, or give its full path")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        c: CommandArgs,
        #[command(flatten)]
        s: StreamArgs,
    }

    fn spec(args: &[&str]) -> Result<super::super::CommandSpec> {
        let cli = Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied())).unwrap();
        cli.c.spec(&cli.s, Lang::EnUs)
    }

    #[test]
    fn the_text_must_reach_the_program_exactly_one_way() {
        assert!(spec(&["--command", "cat {text}"]).is_ok());
        assert!(spec(&["--command", "cat", "--stdin"]).is_ok());
        let e = spec(&["--command", "cat"]).unwrap_err().to_string();
        assert!(e.contains("{text}") && e.contains("--stdin"), "{e}");
        let e = spec(&["--command", "cat {text}", "--stdin"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("must not also"), "{e}");
        let e = spec(&["--command", "cat {text}", "--worker"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("request line"), "{e}");
        let e = spec(&["--command", "no-such-tts-program {text}"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not on PATH"), "{e}");
        let e = spec(&["--command", "/nope/tts {text}"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
        let pcm = spec(&[
            "--command",
            "cat {text}",
            "--format",
            "pcm",
            "--sample-format",
            "f32le",
            "--pcm-rate-hz",
            "16000",
        ])
        .unwrap();
        assert_eq!(
            pcm.0.output,
            Output::Pcm(crate::measure::pcm::SampleFormat::F32le)
        );
        assert_eq!(pcm.0.rate_hz, 16_000);
    }
}
