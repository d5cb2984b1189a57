//! How long one request may wait, for every target that waits on bytes (a server's socket, a
//! program's stdout): a total deadline, an idle deadline (no byte for this long) and the run's
//! stop flag (Ctrl-C abandons the request at once). Each target turns [`Exceeded`] into its own
//! error kind; the HTTP client adds socket reads bounded by them (`http::limits`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The limits of one request.
#[derive(Clone, Copy, Debug)]
pub struct Limits<'a> {
    /// When the request started.
    pub started: Instant,
    /// The whole request (first byte sent to last byte read) must end by `started + total`.
    pub total: Duration,
    /// The longest wait for the next byte.
    pub idle: Duration,
    /// Raised by Ctrl-C (or a listener barging in): abandon now.
    pub cancel: Option<&'a AtomicBool>,
    /// The longest single wait before the limits are checked again: how late a raised `cancel`
    /// may be noticed ([`Limits::poll_for`]).
    pub poll: Duration,
}

/// How often a wait looks at the limits when nobody watches the request: Ctrl-C within 100 ms.
pub const POLL: Duration = Duration::from_millis(100);
/// …and when a listener may interrupt it (`--interrupt-after`): the stream closes within 20 ms,
/// a small share of a barge-in figure. Not the default: hundreds of capacity streams would wake
/// five times as often for nothing.
pub const WATCHED_POLL: Duration = Duration::from_millis(20);

/// The poll for a request: [`WATCHED_POLL`] when a listener watches its progress.
pub fn poll_for(req: &super::Request<'_>) -> Duration {
    if req.progress.is_some() {
        WATCHED_POLL
    } else {
        POLL
    }
}

/// Which limit a wait ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exceeded {
    /// The run was stopped.
    Interrupted,
    /// Past the total deadline (the deadline given).
    Deadline(Duration),
    /// No byte for the idle limit (the limit given).
    Idle(Duration),
}

impl Limits<'_> {
    /// Limits starting now, without a stop flag.
    pub fn new(total: Duration, idle: Duration) -> Limits<'static> {
        Limits {
            started: Instant::now(),
            total,
            idle,
            cancel: None,
            poll: POLL,
        }
    }

    /// Time left before the total deadline.
    pub fn remaining(&self) -> Duration {
        (self.started + self.total).saturating_duration_since(Instant::now())
    }

    /// The limit reached now, if any — interrupted first, then the deadline, then idle since
    /// `last_byte`.
    ///
    /// # Errors
    /// The [`Exceeded`] limit.
    pub fn check(&self, last_byte: Instant) -> Result<(), Exceeded> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Exceeded::Interrupted);
        }
        if self.remaining().is_zero() {
            return Err(Exceeded::Deadline(self.total));
        }
        if last_byte.elapsed() >= self.idle {
            return Err(Exceeded::Idle(self.idle));
        }
        Ok(())
    }

    /// How long a connect may wait: the idle limit, within what is left of the deadline.
    pub fn connect_timeout(&self) -> Duration {
        self.idle
            .min(self.remaining())
            .max(Duration::from_millis(1))
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
        assert!(matches!(l.check(l.started), Err(Exceeded::Idle(_))));
        stop.store(true, Ordering::SeqCst);
        assert_eq!(l.check(Instant::now()), Err(Exceeded::Interrupted));
        let gone = Limits::new(Duration::ZERO, Duration::from_secs(1));
        assert!(matches!(
            gone.check(Instant::now()),
            Err(Exceeded::Deadline(_))
        ));
        assert_eq!(gone.connect_timeout(), Duration::from_millis(1));
    }
}
