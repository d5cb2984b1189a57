//! One request as one process: the command line is filled in, the process started (its start
//! is inside the trial, and `spawn_ms` says how much of it), the text written to stdin when
//! asked, every stdout read timestamped, and the exit status checked — a program that exits
//! non-zero fails the trial with its stderr, one that never answers is killed at the deadline.

use super::pipe::{self, Limits, Piece, Stdout};
use super::trace::Recording;
use super::{CommandConfig, Output};
use crate::measure::pcm::AudioParser;
use crate::targets::{progress, Outcome, Request};
use kokoro_bench_bundle::schema::ErrorKind;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Runs one request as a new process and measures it; its stderr is left in `stderr_last`.
pub fn run_trial(cfg: &CommandConfig, req: &Request<'_>, stderr_last: &Mutex<String>) -> Outcome {
    let argv = cfg.template.render(&super::template::Values {
        text: req.text,
        voice: req.voice,
        speed: req.speed,
        lang: &cfg.lang,
    });
    let mut rec = Recording::start(req);
    let mut parser = match cfg.output {
        Output::Wav => AudioParser::new(cfg.rate_hz, true),
        Output::Pcm(format) => AudioParser::raw(cfg.rate_hz, format),
    };
    let what = format!("`{}`", cfg.template.program_name());
    let mut child = match pipe::command(&argv, cfg.text_on_stdin).spawn() {
        Ok(c) => c,
        Err(e) => {
            rec.fail(ErrorKind::Spawn, format!("could not start {what}: {e}"));
            return rec.finish(req, &parser, cfg.rate_hz, &what);
        }
    };
    rec.trial.spawn_ms = Some(rec.ms(Instant::now()));
    let stderr = pipe::StderrTail::default();
    let collector = child.stderr.take().and_then(|e| stderr.collect(e));
    if let Some(mut stdin) = child.stdin.take() {
        // On its own thread: a program may write audio before it has read all of its input.
        let text = req.text.to_string();
        std::thread::spawn(move || {
            let _ = stdin.write_all(text.as_bytes());
        });
    }
    let out = Stdout::read(child.stdout.take().expect("stdout is piped"));
    let limits = Limits {
        started: rec.started(),
        total: req.timeout,
        idle: cfg.idle,
        cancel: req.cancel,
        poll: crate::targets::limits::poll_for(req),
    };
    let mut last = rec.started();
    loop {
        match out.next(&limits, last) {
            Ok(Piece::Bytes(t, bytes)) => {
                last = t;
                rec.bytes_at(t);
                let pcm = parser.feed(&bytes);
                if let Some(e) = &parser.error {
                    rec.fail(ErrorKind::NotAudio, format!("its stdout is {e} ({what})"));
                    break;
                }
                let rate = parser.sample_rate_hz().unwrap_or(cfg.rate_hz);
                progress::report(req.progress, pcm.len(), rate);
                rec.samples_at(t, pcm);
            }
            Ok(Piece::End) => break,
            Err(stop) => {
                rec.fail(stop.kind(), format!("{stop} ({what}; killed)"));
                break;
            }
        }
    }
    if rec.failed() {
        pipe::kill(&mut child);
    } else {
        let status = pipe::wait_exit(&mut child, &limits);
        pipe::StderrTail::settle(collector, Duration::from_millis(300));
        if let Ok((_, usage)) = &status {
            rec.trial.process_peak_rss_bytes = usage.peak_rss_bytes;
            rec.trial.process_cpu_ms = usage.cpu_ms;
        }
        match status {
            Ok((status, _)) if status.success() => {}
            Ok((status, _)) => rec.fail(
                ErrorKind::ExitStatus,
                format!(
                    "{what} ended with {}{}",
                    pipe::status_text(status),
                    stderr.quoted()
                ),
            ),
            Err(stop) => rec.fail(
                stop.kind(),
                format!("{stop} ({what} closed stdout but did not exit; killed)"),
            ),
        }
    }
    if let Some(e) = rec.trial.error.as_mut() {
        if e.kind != ErrorKind::ExitStatus && !e.message.contains("; stderr:") {
            e.message.push_str(&stderr.quoted());
        }
    }
    if let Ok(mut s) = stderr_last.lock() {
        *s = stderr.text();
    }
    rec.finish(req, &parser, cfg.rate_hz, &what)
}
