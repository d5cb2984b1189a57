//! `--quiet-machine`: look at what other processes do before measuring, and warn, wait (bounded)
//! or refuse. During the run every trial records the same reading (`measure::contention`).

use crate::context::progress::Progress;
use crate::measure::contention::{others_now, Meter};
use anyhow::{bail, Result};
use kokoro_bench_bundle::contention::CONTENDED_PCT;
use kokoro_bench_bundle::schema::{QuietCheck, QuietMode};
use std::time::{Duration, Instant};

/// Consecutive quiet seconds `wait` needs.
const QUIET_WINDOWS: u32 = 3;

/// Looks at the machine before measuring. `None` where the OS keeps no CPU accounting.
///
/// # Errors
/// `refuse` on a busy machine (nothing has been measured yet).
pub fn check(
    mode: QuietMode,
    timeout: Duration,
    meter: &Meter,
    progress: &Progress,
) -> Result<Option<QuietCheck>> {
    let window = Duration::from_secs(1);
    let t0 = Instant::now();
    let Some(mut busy) = others_now(meter, window) else {
        return Ok(None);
    };
    let mut quiet_run = u32::from(busy < CONTENDED_PCT);
    if mode == QuietMode::Wait {
        if busy >= CONTENDED_PCT {
            progress.say(&format!(
                "the machine is busy (other processes: {busy:.0} % of the CPU): waiting up to {} for {QUIET_WINDOWS} quiet seconds",
                humantime::format_duration(timeout)
            ));
        }
        while quiet_run < QUIET_WINDOWS && t0.elapsed() < timeout {
            busy = others_now(meter, window).unwrap_or(busy);
            quiet_run = if busy < CONTENDED_PCT {
                quiet_run + 1
            } else {
                0
            };
        }
    }
    let quiet = busy < CONTENDED_PCT;
    if !quiet && mode == QuietMode::Refuse {
        bail!(
            "the machine is busy: other processes are using {busy:.0} % of the CPU (above {CONTENDED_PCT:.0} %), so the numbers would describe them as much as the target; stop them, or use --quiet-machine wait (wait for quiet) or warn (measure anyway)"
        );
    }
    if !quiet {
        progress.say(&format!(
            "warning: other processes are using {busy:.0} % of the CPU before measuring; the run goes on (--quiet-machine {}), and each trial records how busy the machine was",
            if mode == QuietMode::Wait { "wait: gave up waiting" } else { "warn" }
        ));
    }
    Ok(Some(QuietCheck {
        mode,
        other_cpu_pct: busy,
        threshold_pct: CONTENDED_PCT,
        waited_ms: t0.elapsed().as_secs_f64() * 1000.0,
        quiet,
    }))
}
