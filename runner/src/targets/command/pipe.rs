//! A child process's pipes, read the way a socket is: stdout on its own thread with every read
//! timestamped on arrival, stderr kept as a bounded tail (secrets scrubbed when shown), and waits
//! that honour the request's total deadline, the idle limit and Ctrl-C — so a program that never
//! answers ends at the deadline, not never.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Longest single wait before the limits are checked again.
const POLL: Duration = Duration::from_millis(50);

/// Bytes of stderr kept.
pub const STDERR_KEPT_BYTES: usize = 16 * 1024;

/// Characters of stderr quoted in a failed trial's message.
const STDERR_QUOTED_CHARS: usize = 800;

/// What one wait on stdout produced.
#[derive(Debug)]
pub enum Piece {
    /// Bytes, and when they arrived.
    Bytes(Instant, Vec<u8>),
    /// The pipe closed (the program ended or closed stdout).
    End,
}

/// Why a wait ended without bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// Ctrl-C.
    Interrupted,
    /// The request's total deadline passed.
    Deadline(Duration),
    /// No byte for the idle limit.
    Idle(Duration),
    /// Reading the pipe failed.
    Io(String),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Interrupted => write!(f, "interrupted (Ctrl-C)"),
            Stop::Deadline(d) => write!(
                f,
                "the request took longer than its deadline of {} s (--request-timeout)",
                d.as_secs_f64()
            ),
            Stop::Idle(d) => write!(f, "no output for {} s (--idle-timeout)", d.as_secs_f64()),
            Stop::Io(e) => write!(f, "reading the program's stdout failed: {e}"),
        }
    }
}

impl Stop {
    /// The error kind a trial records.
    pub fn kind(&self) -> kokoro_bench_bundle::schema::ErrorKind {
        use kokoro_bench_bundle::schema::ErrorKind;
        match self {
            Stop::Interrupted => ErrorKind::Interrupted,
            Stop::Deadline(_) => ErrorKind::Deadline,
            Stop::Idle(_) => ErrorKind::Timeout,
            Stop::Io(_) => ErrorKind::Io,
        }
    }
}

use crate::targets::limits::Exceeded;
pub use crate::targets::limits::Limits;

impl From<Exceeded> for Stop {
    fn from(e: Exceeded) -> Stop {
        match e {
            Exceeded::Interrupted => Stop::Interrupted,
            Exceeded::Deadline(d) => Stop::Deadline(d),
            Exceeded::Idle(d) => Stop::Idle(d),
        }
    }
}

/// A program's stdout, read on its own thread.
pub struct Stdout {
    rx: Receiver<Result<(Instant, Vec<u8>), String>>,
}

impl Stdout {
    /// Starts reading `pipe`: each `read` that returns bytes is stamped the moment it returns.
    pub fn read(mut pipe: impl Read + Send + 'static) -> Stdout {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("command-stdout".into())
            .spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match pipe.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            if tx.send(Ok((Instant::now(), buf[..n].to_vec()))).is_err() {
                                break;
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            let _ = tx.send(Err(e.to_string()));
                            break;
                        }
                    }
                }
            })
            .expect("spawning a thread");
        Stdout { rx }
    }

    /// The next piece, waiting within `limits` (`last` is when the previous byte came).
    ///
    /// # Errors
    /// Why the wait ended without bytes: Ctrl-C, the deadline, the idle limit, a read error.
    pub fn next(&self, limits: &Limits<'_>, last: Instant) -> Result<Piece, Stop> {
        loop {
            limits.check(last)?;
            match self.rx.recv_timeout(POLL.min(limits.poll)) {
                Ok(Ok((t, bytes))) => return Ok(Piece::Bytes(t, bytes)),
                Ok(Err(e)) => return Err(Stop::Io(e)),
                Err(RecvTimeoutError::Disconnected) => return Ok(Piece::End),
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

/// The last [`STDERR_KEPT_BYTES`] a program wrote to stderr.
#[derive(Clone, Default)]
pub struct StderrTail(Arc<Mutex<VecDeque<u8>>>);

impl StderrTail {
    /// Starts collecting `pipe` (appends to what this tail already holds); the handle ends when
    /// the pipe closes.
    pub fn collect(&self, mut pipe: impl Read + Send + 'static) -> Option<JoinHandle<()>> {
        let tail = self.0.clone();
        std::thread::Builder::new()
            .name("command-stderr".into())
            .spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut t) = tail.lock() {
                        t.extend(&buf[..n]);
                        let over = t.len().saturating_sub(STDERR_KEPT_BYTES);
                        t.drain(..over);
                    }
                }
            })
            .ok()
    }

    /// Waits (at most `bound`) for a collector to read what is left after the program exited.
    pub fn settle(handle: Option<JoinHandle<()>>, bound: Duration) {
        let until = Instant::now() + bound;
        if let Some(h) = handle {
            while !h.is_finished() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }

    /// Everything kept, as text with secrets scrubbed.
    pub fn text(&self) -> String {
        let bytes: Vec<u8> = self
            .0
            .lock()
            .map(|t| t.iter().copied().collect())
            .unwrap_or_default();
        crate::redact::scrub(&String::from_utf8_lossy(&bytes))
    }

    /// The end of it, for an error message (empty when nothing was written).
    pub fn quoted(&self) -> String {
        let text = self.text();
        let text = text.trim();
        if text.is_empty() {
            return String::new();
        }
        let skip = text.chars().count().saturating_sub(STDERR_QUOTED_CHARS);
        let end: String = text.chars().skip(skip).collect();
        format!("; stderr: {}{end}", if skip > 0 { "…" } else { "" })
    }

    /// Forgets what was kept (before a new request of a one-shot command).
    pub fn clear(&self) {
        if let Ok(mut t) = self.0.lock() {
            t.clear();
        }
    }
}

/// What the OS counted for a process that exited.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Usage {
    /// Peak resident memory, bytes.
    pub peak_rss_bytes: Option<u64>,
    /// User + system CPU time, ms.
    pub cpu_ms: Option<f64>,
}

/// Reaps `child` if it has exited, with its resource usage (`wait4`).
#[cfg(unix)]
fn try_reap(
    child: &mut std::process::Child,
) -> std::io::Result<Option<(std::process::ExitStatus, Usage)>> {
    use std::os::unix::process::ExitStatusExt;
    let pid = libc::pid_t::try_from(child.id()).map_err(std::io::Error::other)?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data; zeroed is a valid value.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to a c_int and an rusage that outlive the call.
    let rc = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    if rc == 0 {
        return Ok(None);
    }
    // ru_maxrss is in kilobytes on Linux, bytes on macOS.
    let unit: u64 = if cfg!(target_os = "macos") { 1 } else { 1024 };
    let tv_ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    let usage = Usage {
        peak_rss_bytes: u64::try_from(ru.ru_maxrss).ok().map(|k| k * unit),
        cpu_ms: Some(tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime)),
    };
    Ok(Some((std::process::ExitStatus::from_raw(status), usage)))
}

#[cfg(not(unix))]
fn try_reap(
    child: &mut std::process::Child,
) -> std::io::Result<Option<(std::process::ExitStatus, Usage)>> {
    Ok(child.try_wait()?.map(|s| (s, Usage::default())))
}

/// Waits for `child` to exit, within `limits`; kills it (and its process group) if it does not.
/// Returns the exit status and what the OS counted, or why it had to be killed.
pub fn wait_exit(
    child: &mut std::process::Child,
    limits: &Limits<'_>,
) -> Result<(std::process::ExitStatus, Usage), Stop> {
    let since = Instant::now();
    loop {
        match try_reap(child) {
            Ok(Some(done)) => return Ok(done),
            Ok(None) => {}
            Err(e) => return Err(Stop::Io(e.to_string())),
        }
        if let Err(stop) = limits.check(since) {
            kill(child);
            return Err(stop.into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Kills `child` and everything in its process group, then reaps it.
pub fn kill(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The child leads its own process group (see `command()`): a shell script's children
        // die with it instead of writing into a pipe nobody reads.
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: sending a signal has no memory-safety preconditions.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A `Command` for `argv` with piped stdout and stderr, in its own process group.
pub fn command(argv: &[String], stdin: bool) -> std::process::Command {
    use std::process::Stdio;
    let mut cmd = std::process::Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    cmd
}

/// An exit status in words.
pub fn status_text(s: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            return format!("killed by signal {sig}");
        }
    }
    match s.code() {
        Some(c) => format!("exit status {c}"),
        None => "no exit status".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_program_ends_at_the_idle_limit_and_stderr_is_bounded() {
        let mut child = command(
            &[
                "sh".into(),
                "-c".into(),
                "head -c 40000 /dev/zero | tr '\\0' x >&2; printf ab; sleep 5".into(),
            ],
            false,
        )
        .spawn()
        .unwrap();
        let tail = StderrTail::default();
        let _collector = tail.collect(child.stderr.take().unwrap());
        let out = Stdout::read(child.stdout.take().unwrap());
        let limits = Limits {
            started: Instant::now(),
            total: Duration::from_secs(3),
            idle: Duration::from_millis(300),
            cancel: None,
            poll: crate::targets::limits::POLL,
        };
        let Piece::Bytes(_, b) = out.next(&limits, Instant::now()).unwrap() else {
            panic!("bytes first")
        };
        assert_eq!(b, b"ab");
        let t0 = Instant::now();
        let stop = out.next(&limits, Instant::now()).unwrap_err();
        assert!(matches!(stop, Stop::Idle(_)), "{stop}");
        assert!(t0.elapsed() < Duration::from_secs(2));
        kill(&mut child);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(tail.text().len(), STDERR_KEPT_BYTES);
        assert!(tail.quoted().starts_with("; stderr: …x"));
        assert!(matches!(out.next(&limits, Instant::now()), Ok(Piece::End)));
    }
}
