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
