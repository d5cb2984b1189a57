//! A persistent worker: one long-lived program that loads its model once and answers requests
//! over the worker protocol ([`super::protocol`]). Its start-up (spawn to hello) is reported once
//! as `ready_ms`, never inside a trial. Requests are answered one at a time, in order; a request
//! that waits for the worker waits inside its trial, as a listener would.
//!
//! A worker that dies during a request fails that trial with its exit status and stderr and is
//! restarted once; dying again stops the run. A request abandoned at its deadline kills the
//! worker (the stream cannot be resynchronised) and starts a new one for the next request.

use super::pipe::{self, Limits, Piece, StderrTail, Stdout};
use super::protocol::{FrameKind, FrameReader, Hello, RequestLine};
use super::trace::Recording;
use super::CommandConfig;
use crate::measure::pcm::{AudioParser, SampleFormat};
use crate::targets::{progress, Outcome, Request};
use kokoro_bench_bundle::schema::ErrorKind;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Child, ChildStdin};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A running worker that said hello.
struct Process {
    child: Child,
    stdin: ChildStdin,
    out: Stdout,
    frames: FrameReader,
    rate_hz: u32,
    format: SampleFormat,
}

impl Process {
    /// Asks the worker to exit (stdin closed), then kills it if it has not within a second.
    fn stop(mut self) {
        drop(self.stdin);
        let until = Instant::now() + Duration::from_secs(1);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        pipe::kill(&mut self.child);
    }
}

/// What the first hello said, for the bundle.
#[derive(Clone, Debug, Default)]
pub struct Introduction {
    /// Spawn to hello, ms.
    pub ready_ms: f64,
    /// What the worker reported about itself.
    pub reported: BTreeMap<String, String>,
    /// Its audio format, in words.
    pub output: String,
}

/// Starts the worker and waits (at most `cfg.ready_timeout`) for its hello.
fn launch(cfg: &CommandConfig, stderr: &StderrTail) -> Result<(Process, Introduction), String> {
    let argv = cfg.template.render(&super::template::Values {
        text: "",
        voice: "",
        speed: 1.0,
        lang: &cfg.lang,
    });
    let shown = cfg.template.shown();
    let started = Instant::now();
    let mut child = pipe::command(&argv, true)
        .spawn()
        .map_err(|e| format!("could not start the worker `{shown}`: {e}"))?;
    if let Some(e) = child.stderr.take() {
        stderr.collect(e);
    }
    let stdin = child.stdin.take().expect("stdin is piped");
    let out = Stdout::read(child.stdout.take().expect("stdout is piped"));
    let limits = Limits {
        started,
        total: cfg.ready_timeout,
        idle: cfg.ready_timeout,
        cancel: None,
        poll: crate::targets::limits::POLL,
    };
    let mut frames = FrameReader::default();
    let failed = |child: &mut Child, why: String| {
        pipe::kill(child);
        std::thread::sleep(Duration::from_millis(50));
        format!("the worker `{shown}` {why}{}", stderr.quoted())
    };
    loop {
        match out.next(&limits, started) {
            Ok(Piece::Bytes(t, bytes)) => match frames.feed(&bytes) {
                Err(e) => return Err(failed(&mut child, format!("did not say hello: {e}"))),
                Ok(got) => {
                    let Some(first) = got.first() else { continue };
                    if first.kind != FrameKind::Hello || got.len() > 1 {
                        return Err(failed(
                            &mut child,
                            "sent a frame before its hello (H) frame".into(),
                        ));
                    }
                    let (hello, format) =
                        Hello::parse(&first.payload).map_err(|e| failed(&mut child, e))?;
                    let intro = Introduction {
                        ready_ms: t.duration_since(started).as_secs_f64() * 1000.0,
                        reported: hello.reported_text(),
                        output: format!("pcm {} {} Hz", format.name(), hello.sample_rate_hz),
                    };
                    let process = Process {
                        child,
                        stdin,
                        out,
                        frames,
                        rate_hz: hello.sample_rate_hz,
                        format,
                    };
                    return Ok((process, intro));
                }
            },
            Ok(Piece::End) => {
                let status = pipe::wait_exit(&mut child, &limits)
                    .map(|(s, _)| pipe::status_text(s))
                    .unwrap_or_else(|s| s.to_string());
                std::thread::sleep(Duration::from_millis(50));
                return Err(format!(
                    "the worker `{shown}` exited before it was ready ({status}){}",
                    stderr.quoted()
                ));
            }
            Err(stop) => {
                return Err(failed(
                    &mut child,
                    format!("was not ready (no hello frame) after {} s: {stop}; raise --worker-ready-timeout if its model loads slowly", cfg.ready_timeout.as_secs_f64()),
                ))
            }
        }
    }
}

/// The worker's state between requests.
struct State {
    process: Option<Process>,
    crashes: u32,
    restarts: u32,
    next_id: u64,
    gone: Option<String>,
}

/// A started worker target.
pub struct Worker {
    cfg: CommandConfig,
    state: Mutex<State>,
    stderr: StderrTail,
    intro: Introduction,
}

/// How one request ended, for what happens to the worker next.
enum Ending {
    /// The worker is ready for the next request.
    Ready,
    /// The worker must be replaced (abandoned mid-stream).
    Kill,
    /// Ctrl-C: kill it, start nothing.
    Interrupted,
    /// It died.
    Crashed,
}

impl Worker {
    /// Starts the worker.
    ///
    /// # Errors
    /// It cannot be started, exits, or says no valid hello within the ready timeout.
    pub fn start(cfg: CommandConfig) -> anyhow::Result<Worker> {
        let stderr = StderrTail::default();
        let (process, intro) = launch(&cfg, &stderr).map_err(anyhow::Error::msg)?;
        Ok(Worker {
            cfg,
            state: Mutex::new(State {
                process: Some(process),
                crashes: 0,
                restarts: 0,
                next_id: 0,
                gone: None,
            }),
            stderr,
            intro,
        })
    }

    /// Its configuration.
    pub fn config(&self) -> &CommandConfig {
        &self.cfg
    }

    /// What the worker said when it first became ready.
    pub fn introduction(&self) -> &Introduction {
        &self.intro
    }

    /// The PID of the running worker process, if one runs.
    pub fn pid(&self) -> Option<u32> {
        let state = self.state.lock().ok()?;
        state.process.as_ref().map(|p| p.child.id())
    }

    /// Restarts so far, and the stderr kept.
    pub fn after(&self) -> (u32, String) {
        let restarts = self.state.lock().map(|s| s.restarts).unwrap_or(0);
        (restarts, self.stderr.text())
    }

    /// Runs one request and measures it.
    pub fn request(&self, req: &Request<'_>) -> Outcome {
        let mut rec = Recording::start(req);
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let what = format!("worker `{}`", self.cfg.template.program_name());
        if state.process.is_none() && state.gone.is_none() {
            self.replace(&mut state);
        }
        let Some(process) = state.process.as_mut() else {
            // Gone for good (crashed after its restart, or could not be restarted): the run stops.
            let gone = state.gone.clone().unwrap_or_default();
            rec.fail(ErrorKind::WorkerCrashed, gone.clone());
            let mut o = rec.finish(
                req,
                &AudioParser::raw(24_000, SampleFormat::F32le),
                24_000,
                &what,
            );
            o.fatal = Some(gone);
            return o;
        };
        let mut parser = AudioParser::raw(process.rate_hz, process.format);
        let rate_hz = process.rate_hz;
        state.next_id += 1;
        let id = state.next_id;
        let process = state.process.as_mut().expect("checked above");
        let ending = self.exchange(process, id, req, &mut rec, &mut parser);
        match ending {
            Ending::Ready => {}
            Ending::Interrupted => {
                if let Some(p) = state.process.take() {
                    p.stop();
                }
            }
            Ending::Kill => {
                if let Some(mut p) = state.process.take() {
                    pipe::kill(&mut p.child);
                }
                self.replace(&mut state);
            }
            Ending::Crashed => {
                state.crashes += 1;
                if let Some(mut p) = state.process.take() {
                    pipe::kill(&mut p.child);
                }
                if state.crashes > 1 {
                    state.gone = Some(format!(
                        "the {what} crashed again after it was restarted; the run stops (its stderr is in the bundle)"
                    ));
                } else {
                    self.replace(&mut state);
                }
            }
        }
        let mut outcome = rec.finish(req, &parser, rate_hz, &what);
        if matches!(ending, Ending::Crashed) {
            outcome.fatal = state.gone.clone();
        }
        outcome
    }

    /// Starts a new worker in place of one that is gone.
    fn replace(&self, state: &mut State) {
        match launch(&self.cfg, &self.stderr) {
            Ok((p, _)) => {
                state.process = Some(p);
                state.restarts += 1;
            }
            Err(e) => state.gone = Some(format!("the worker could not be restarted: {e}")),
        }
    }

    /// Sends the request line and reads frames until the end, an error frame or a stop.
    fn exchange(
        &self,
        p: &mut Process,
        id: u64,
        req: &Request<'_>,
        rec: &mut Recording,
        parser: &mut AudioParser,
    ) -> Ending {
        let what = format!("worker `{}`", self.cfg.template.program_name());
        let line = RequestLine {
            id,
            text: req.text,
            voice: req.voice,
            speed: req.speed,
            lang: &self.cfg.lang,
        };
        let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
        bytes.push(b'\n');
        if let Err(e) = p.stdin.write_all(&bytes).and_then(|()| p.stdin.flush()) {
            return self.crashed(p, rec, &format!("its stdin is closed ({e})"));
        }
        let limits = Limits {
            started: rec.started(),
            total: req.timeout,
            idle: self.cfg.idle,
            cancel: req.cancel,
            poll: crate::targets::limits::poll_for(req),
        };
        let mut last = Instant::now();
        loop {
            match p.out.next(&limits, last) {
                Ok(Piece::Bytes(t, bytes)) => {
                    last = t;
                    rec.bytes_at(t);
                    let frames = match p.frames.feed(&bytes) {
                        Ok(f) => f,
                        Err(e) => {
                            rec.fail(ErrorKind::NotAudio, format!("{e} ({what})"));
                            return Ending::Kill;
                        }
                    };
                    for f in frames {
                        match f.kind {
                            FrameKind::Audio => {
                                let pcm = parser.feed(&f.payload);
                                if let Some(rate) = parser.sample_rate_hz() {
                                    progress::report(req.progress, pcm.len(), rate);
                                }
                                rec.samples_at(t, pcm);
                            }
                            FrameKind::End => {
                                rec.end_frame(&f.payload);
                                return Ending::Ready;
                            }
                            FrameKind::Error => {
                                let msg =
                                    crate::redact::scrub(&String::from_utf8_lossy(&f.payload));
                                rec.fail(
                                    ErrorKind::WorkerError,
                                    format!(
                                        "the {what} answered with an error: {}",
                                        msg.chars().take(500).collect::<String>()
                                    ),
                                );
                                return Ending::Ready;
                            }
                            FrameKind::Hello => {
                                rec.fail(
                                    ErrorKind::NotAudio,
                                    format!(
                                        "the {what} said hello again in the middle of a request"
                                    ),
                                );
                                return Ending::Kill;
                            }
                        }
                    }
                }
                Ok(Piece::End) => return self.crashed(p, rec, "closed its stdout"),
                Err(stop) => {
                    let interrupted = stop == pipe::Stop::Interrupted;
                    rec.fail(
                        stop.kind(),
                        format!(
                            "{stop} ({what}; {})",
                            if interrupted {
                                "stopped"
                            } else {
                                "killed and restarted"
                            }
                        ),
                    );
                    return if interrupted {
                        Ending::Interrupted
                    } else {
                        Ending::Kill
                    };
                }
            }
        }
    }

    /// Records a worker that died during the request.
    fn crashed(&self, p: &mut Process, rec: &mut Recording, how: &str) -> Ending {
        let bound = Limits {
            started: Instant::now(),
            total: Duration::from_secs(2),
            idle: Duration::from_secs(2),
            cancel: None,
            poll: crate::targets::limits::POLL,
        };
        let status = pipe::wait_exit(&mut p.child, &bound)
            .map(|(s, _)| pipe::status_text(s))
            .unwrap_or_else(|_| "still running; killed".into());
        std::thread::sleep(Duration::from_millis(50));
        rec.fail(
            ErrorKind::WorkerCrashed,
            format!(
                "the worker `{}` {how} during the request ({status}){}",
                self.cfg.template.program_name(),
                self.stderr.quoted()
            ),
        );
        Ending::Crashed
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Ok(mut s) = self.state.lock() {
            if let Some(p) = s.process.take() {
                p.stop();
            }
        }
    }
}
