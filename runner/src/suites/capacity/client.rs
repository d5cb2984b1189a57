//! The load generator's own limits: every closed-loop listener is a thread with its own
//! connection, so a level needs that many file descriptors and threads. The soft limit on open
//! files is raised to the hard one when a level needs it (as servers do at start); beyond the
//! hard limit the level is refused before anything is measured, saying how to raise it.
//!
//! Why threads and not an event loop: measured against a local server that never slows down
//! (`scripts/client-ceiling.sh`, docs/measurements.md), a listener costs about 1 ms of CPU per
//! request, and on a 2-core VM shared with that server the client added +1 ms (p50) at 1,024
//! listeners and +15–24 ms at 4,096, where client and server together filled both cores. An async
//! client would be a second HTTP stack to keep exact (TTFA, stalls, TLS timing) for a ceiling
//! that is the machine's, not this design's; past it, shard the sweep (`--shard`).

use anyhow::{bail, Result};

/// Descriptors kept free for everything else (model files, the bundle, the sampler, stdio).
pub const SPARE_DESCRIPTORS: u64 = 64;

/// Makes sure `listeners` connections can be open at once, raising the soft limit on open files
/// if needed.
///
/// # Errors
/// When even the hard limit is too low: names the limit and how to raise it.
#[cfg(unix)]
pub fn ensure_descriptors(listeners: u32) -> Result<()> {
    let need = u64::from(listeners) + SPARE_DESCRIPTORS;
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Ok(());
    }
    #[allow(clippy::unnecessary_cast)] // rlim_t is u32 on some 32-bit targets
    let (soft, hard) = (lim.rlim_cur as u64, lim.rlim_max as u64);
    if soft >= need {
        return Ok(());
    }
    if hard < need {
        bail!(
            "{listeners} listeners need {need} open files, and this shell allows at most {hard} \
             (`ulimit -Hn`): raise it (e.g. `ulimit -n {need}` as root, or LimitNOFILE= in a \
             systemd unit), lower --levels, or shard the sweep over several runners (--shard)"
        );
    }
    lim.rlim_cur = need as libc::rlim_t;
    // SAFETY: setrlimit reads the struct we own; raising the soft limit up to the hard one is
    // allowed for any process.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
        bail!(
            "{listeners} listeners need {need} open files; the soft limit is {soft} and could not \
             be raised ({}): run `ulimit -n {need}` first",
            std::io::Error::last_os_error()
        );
    }
    Ok(())
}

/// Elsewhere the operating system's own error names the limit when a connection fails.
#[cfg(not(unix))]
pub fn ensure_descriptors(_listeners: u32) -> Result<()> {
    Ok(())
}

/// Listeners from which a new connection per request is worth a warning: measured here, at
/// 1,024 listeners without `--keep-alive` the server's accept queue overflowed and SYN
/// retransmits (1 s, 3 s …) put +1.2 s on the p95 (docs/measurements.md).
pub const MANY_NEW_CONNECTIONS: f64 = 512.0;

/// A warning when an HTTP sweep opens a connection per request at a level of `most` listeners
/// or more than [`MANY_NEW_CONNECTIONS`]; `None` with kept-alive connections or fewer listeners.
pub fn connection_warning(keep_alive: bool, most: f64) -> Option<String> {
    (!keep_alive && most >= MANY_NEW_CONNECTIONS).then(|| {
        format!(
            "up to {most:.0} listeners, each opening a new connection per request (no --keep-alive): \
             past about a thousand new connections a second a server's accept queue overflows and \
             the kernel's SYN retransmits (1 s, 3 s …) land in the latency — measure with \
             --keep-alive unless connection set-up is what you mean to measure"
        )
    })
}

#[cfg(test)]
mod warning_tests {
    use super::*;

    #[test]
    fn many_new_connections_are_warned_about_kept_alive_ones_are_not() {
        assert!(connection_warning(false, 1024.0)
            .unwrap()
            .contains("--keep-alive"));
        assert_eq!(connection_warning(true, 4096.0), None);
        assert_eq!(connection_warning(false, 256.0), None);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_level_beyond_the_hard_limit_is_refused_with_how_to_raise_it() {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as above.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
        ensure_descriptors(16).unwrap();
        #[allow(clippy::unnecessary_cast)] // rlim_t is u32 on some 32-bit targets
        let hard = lim.rlim_max as u64;
        if hard > u64::from(u32::MAX) {
            return; // no hard limit to run into (an unlimited shell)
        }
        let e = ensure_descriptors(u32::MAX).unwrap_err().to_string();
        assert!(e.contains("ulimit"), "{e}");
    }
}
