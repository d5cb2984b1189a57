//! The flag group HTTP and command targets share: how audio arrives (format, raw PCM layout)
//! and how long a stream may go quiet. Its own file, so the targets and the target selection
//! (`cli`) each use it without depending on each other.

use super::http::AudioFormat;
use crate::measure::pcm::SampleFormat;
use clap::Args;

/// How audio arrives from an HTTP server or a program's stdout.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Audio stream (--target http or command)")]
pub struct StreamArgs {
    /// Audio format to ask for (HTTP) or to read from stdout (a one-shot command).
    #[arg(long, value_enum, default_value = "wav")]
    pub format: AudioFormat,
    /// Sample rate of raw PCM, Hz.
    #[arg(long, default_value_t = 24_000)]
    pub pcm_rate_hz: u32,
    /// Sample format of raw PCM.
    #[arg(long, value_enum, default_value = "s16le")]
    pub sample_format: SampleFormat,
    /// The longest wait for the next byte, e.g. 20s (the request's total deadline is
    /// --request-timeout). `--http-timeout-s N` is accepted as N seconds.
    #[arg(long, alias = "http-timeout-s", default_value = "60s", value_parser = crate::timefmt::duration_arg)]
    pub idle_timeout: std::time::Duration,
}
