//! Socket reads bounded by a request's [`Limits`] (the deadline, the idle limit, Ctrl-C): reads
//! poll the socket in short slices so all three are checked while waiting — a server that
//! trickles one byte every two seconds ends at the total deadline, not never.

use super::conn::Conn;
use super::error::WireError;
use std::io::Read;
use std::time::{Duration, Instant};

use crate::targets::limits::Exceeded;
pub use crate::targets::limits::Limits;

impl From<Exceeded> for WireError {
    fn from(e: Exceeded) -> WireError {
        match e {
            Exceeded::Interrupted => WireError::Interrupted,
            Exceeded::Deadline(d) => WireError::Deadline(d),
            Exceeded::Idle(d) => WireError::Timeout(d),
        }
    }
}

impl Limits<'_> {
    /// Reads once, waiting in slices of at most `self.poll` and checking the limits between them.
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
            let slice = self
                .poll
                .min(self.remaining())
                .max(Duration::from_millis(1));
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
    fn each_limit_is_reported_as_the_wire_error_people_read() {
        let d = Duration::from_secs(1);
        assert!(matches!(
            WireError::from(Exceeded::Idle(d)),
            WireError::Timeout(_)
        ));
        assert!(matches!(
            WireError::from(Exceeded::Deadline(d)),
            WireError::Deadline(_)
        ));
        assert!(matches!(
            WireError::from(Exceeded::Interrupted),
            WireError::Interrupted
        ));
    }
}
