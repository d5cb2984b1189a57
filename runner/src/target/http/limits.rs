//! How long one request may take, and how it is abandoned: a total deadline, an idle deadline
//! (no byte for this long), and the run's stop flag (Ctrl-C abandons the request at once). Reads
//! poll the socket in short slices so all three are checked while waiting: a server that trickles
//! one byte every two seconds ends at the total deadline, not never.

use super::conn::Conn;
use super::error::WireError;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Longest single wait on the socket before the limits are checked again.
const POLL: Duration = Duration::from_millis(100);

/// The limits of one request.
#[derive(Clone, Copy, Debug)]
pub struct Limits<'a> {
    /// When the request started.
    pub started: Instant,
    /// The whole request (connect to last byte) must end by `started + total`.
    pub total: Duration,
    /// The longest wait for the next byte.
    pub idle: Duration,
    /// Raised by Ctrl-C: abandon now.
    pub cancel: Option<&'a AtomicBool>,
}

impl Limits<'_> {
    /// Limits without a stop flag.
    pub fn new(total: Duration, idle: Duration) -> Limits<'static> {
        Limits {
            started: Instant::now(),
            total,
            idle,
            cancel: None,
        }
    }

    /// Time left before the total deadline.
    pub fn remaining(&self) -> Duration {
        (self.started + self.total).saturating_duration_since(Instant::now())
    }

    /// The error to end with now, if any: interrupted, past the deadline, or idle too long since
    /// `last_byte`.
    pub fn check(&self, last_byte: Instant) -> Result<(), WireError> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(WireError::Interrupted);
        }
        if self.remaining().is_zero() {
            return Err(WireError::Deadline(self.total));
        }
        if last_byte.elapsed() >= self.idle {
            return Err(WireError::Timeout(self.idle));
        }
        Ok(())
    }

    /// How long a connect may wait: the idle limit, within what is left of the deadline.
    pub fn connect_timeout(&self) -> Duration {
        self.idle
            .min(self.remaining())
            .max(Duration::from_millis(1))
    }

    /// Reads once, waiting in slices of at most [`POLL`] and checking the limits between them.
    /// `Ok(0)` is the end of the stream.
    ///
    /// # Errors
    /// [`WireError::Interrupted`], [`WireError::Deadline`], [`WireError::Timeout`], or the IO
    /// error (a TLS peer that closes without `close_notify` reads as the end).
    pub fn read(
        &self,
        stream: &mut Conn,
        buf: &mut [u8],
        last_byte: Instant,
    ) -> Result<usize, WireError> {
        loop {
            self.check(last_byte)?;
            let slice = POLL.min(self.remaining()).max(Duration::from_millis(1));
            stream.set_read_timeout(slice);
            match stream.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(WireError::Io(e.to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_limit_reached_is_the_one_reported() {
        let stop = AtomicBool::new(false);
        let mut l = Limits::new(Duration::from_secs(5), Duration::from_millis(50));
        l.cancel = Some(&stop);
        assert!(l.check(Instant::now()).is_ok());
        std::thread::sleep(Duration::from_millis(60));
        let idle = l.check(l.started).unwrap_err();
        assert!(matches!(idle, WireError::Timeout(_)), "{idle}");
        stop.store(true, Ordering::SeqCst);
        assert!(matches!(
            l.check(Instant::now()),
            Err(WireError::Interrupted)
        ));
        let gone = Limits::new(Duration::ZERO, Duration::from_secs(1));
        assert!(matches!(
            gone.check(Instant::now()),
            Err(WireError::Deadline(_))
        ));
        assert_eq!(gone.connect_timeout(), Duration::from_millis(1));
    }
}
