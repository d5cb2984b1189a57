//! CPU time from the operating system's own accounting — the numbers `getrusage`, `wait4` and
//! `/usr/bin/time` report — for one process and for the whole machine.
//!
//! Linux: `/proc/<pid>/stat` (utime, stime, and cutime/cstime for waited-for children) and the
//! `cpu` line of `/proc/stat` (busy, idle, steal), in clock ticks. macOS: `proc_pid_rusage`
//! (mach time units, converted with the timebase) and `host_processor_info` (ticks per CPU).
//!
//! Why not `sysinfo`'s `cpu_usage()`: on Linux it divides a process's CPU time since the previous
//! refresh by the machine's CPU time since the previous *global* refresh, and the global times
//! are refreshed at most every 200 ms (`MINIMUM_CPU_UPDATE_INTERVAL`). Sampled every 100 ms, the
//! denominator covers twice the numerator's interval: an engine keeping both cores busy read
//! 78 % mean, 108 % max "of one core" while `/usr/bin/time` said 194 %.

/// CPU time of one process, ns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcessCpu {
    /// User + system time of the process itself (all its threads).
    pub self_ns: u64,
    /// User + system time of its children that exited and were waited for.
    pub children_ns: u64,
}

/// The machine's CPU time since boot, summed over every logical CPU, ns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemCpu {
    /// Time spent running anything (user, nice, system, interrupts).
    pub busy_ns: u64,
    /// Time idle (including waiting for IO).
    pub idle_ns: u64,
    /// Time the hypervisor ran someone else on these CPUs; `None` where not reported.
    pub steal_ns: Option<u64>,
}

impl SystemCpu {
    /// Every state together: logical CPUs × wall time.
    pub fn total_ns(&self) -> u64 {
        self.busy_ns + self.idle_ns + self.steal_ns.unwrap_or(0)
    }
}

#[cfg(target_os = "linux")]
fn ns_per_tick() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    1_000_000_000 / u64::try_from(hz).ok().filter(|&h| h > 0).unwrap_or(100)
}

/// Parses the fields after the command name of a `/proc/<pid>/stat` line: `(self, children)`
/// ticks. The command name may hold spaces and parentheses, so the split is at the last `)`.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_proc_stat(line: &str) -> Option<(u64, u64)> {
    let rest = &line[line.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // f[0] is field 3 (state); utime, stime, cutime, cstime are fields 14–17.
    let n = |i: usize| f.get(i)?.parse::<u64>().ok();
    Some((n(11)? + n(12)?, n(13)? + n(14)?))
}

/// Parses the `cpu` line of `/proc/stat`: `(busy, idle, steal)` ticks. Guest time is already
/// inside user time, so it is not added again.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_system_stat(text: &str) -> Option<(u64, u64, u64)> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let g = |i: usize| v.get(i).copied().unwrap_or(0);
    let busy = g(0) + g(1) + g(2) + g(5) + g(6);
    Some((busy, g(3) + g(4), g(7)))
}

/// CPU time of `pid`; `None` when it does not exist (or the OS does not say).
#[cfg(target_os = "linux")]
pub fn process_cpu(pid: u32) -> Option<ProcessCpu> {
    let line = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (own, children) = parse_proc_stat(&line)?;
    let t = ns_per_tick();
    Some(ProcessCpu {
        self_ns: own * t,
        children_ns: children * t,
    })
}

/// The machine's CPU time; `None` where the OS does not say.
#[cfg(target_os = "linux")]
pub fn system_cpu() -> Option<SystemCpu> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let (busy, idle, steal) = parse_system_stat(&text)?;
    let t = ns_per_tick();
    Some(SystemCpu {
        busy_ns: busy * t,
        idle_ns: idle * t,
        steal_ns: Some(steal * t),
    })
}

/// Mean current clock of the logical CPUs, MHz: `scaling_cur_freq` where a cpufreq driver exists,
/// else `/proc/cpuinfo` (on many VMs a fixed nominal value).
#[cfg(target_os = "linux")]
pub fn cpu_mhz() -> Option<f64> {
    let mut khz = Vec::new();
    for i in 0.. {
        match std::fs::read_to_string(format!(
            "/sys/devices/system/cpu/cpu{i}/cpufreq/scaling_cur_freq"
        )) {
            Ok(s) => khz.extend(s.trim().parse::<f64>().ok()),
            Err(_) => break,
        }
    }
    let mhz: Vec<f64> = if khz.is_empty() {
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()?
            .lines()
            .filter(|l| l.starts_with("cpu MHz"))
            .filter_map(|l| l.split(':').nth(1)?.trim().parse().ok())
            .collect()
    } else {
        khz.iter().map(|k| k / 1000.0).collect()
    };
    (!mhz.is_empty()).then(|| mhz.iter().sum::<f64>() / mhz.len() as f64)
}

#[cfg(target_os = "macos")]
fn mach_to_ns(t: u64) -> u64 {
    let mut tb = libc::mach_timebase_info { numer: 0, denom: 0 };
    // SAFETY: `tb` is a valid, writable mach_timebase_info.
    #[allow(deprecated)]
    let rc = unsafe { libc::mach_timebase_info(&mut tb) };
    if rc != 0 || tb.denom == 0 {
        return t;
    }
    (u128::from(t) * u128::from(tb.numer) / u128::from(tb.denom)) as u64
}

/// CPU time of `pid`; `None` when it does not exist (or it belongs to another user).
#[cfg(target_os = "macos")]
pub fn process_cpu(pid: u32) -> Option<ProcessCpu> {
    let mut info: libc::rusage_info_v2 = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is a properly sized, writable rusage_info_v2 for the V2 flavour requested.
    let rc = unsafe {
        libc::proc_pid_rusage(
            pid as libc::c_int,
            libc::RUSAGE_INFO_V2,
            (&mut info as *mut libc::rusage_info_v2).cast(),
        )
    };
    // On Apple silicon these are mach time units (41.67 ns), not nanoseconds.
    (rc == 0).then(|| ProcessCpu {
        self_ns: mach_to_ns(info.ri_user_time + info.ri_system_time),
        children_ns: mach_to_ns(info.ri_child_user_time + info.ri_child_system_time),
    })
}

/// The machine's CPU time, summed over `host_processor_info`'s per-CPU ticks.
#[cfg(target_os = "macos")]
pub fn system_cpu() -> Option<SystemCpu> {
    let mut count: libc::natural_t = 0;
    let mut info: libc::processor_info_array_t = std::ptr::null_mut();
    let mut info_count: libc::mach_msg_type_number_t = 0;
    // SAFETY: out-pointers are valid; on success the kernel hands us `info_count` integers that
    // we read and then return with vm_deallocate.
    let rc = unsafe {
        libc::host_processor_info(
            libc::mach_host_self(),
            libc::PROCESSOR_CPU_LOAD_INFO,
            &mut count,
            &mut info,
            &mut info_count,
        )
    };
    if rc != 0 || info.is_null() {
        return None;
    }
    // CPU_STATE_USER, SYSTEM, IDLE, NICE per processor.
    let ticks = unsafe { std::slice::from_raw_parts(info, info_count as usize) };
    let (mut busy, mut idle) = (0u64, 0u64);
    for cpu in ticks.chunks(4) {
        if let [user, system, idle_t, nice] = cpu {
            busy += (*user as u32 as u64) + (*system as u32 as u64) + (*nice as u32 as u64);
            idle += *idle_t as u32 as u64;
        }
    }
    // SAFETY: returning the buffer the kernel allocated for us, exactly as sized.
    unsafe {
        #[allow(deprecated)]
        libc::vm_deallocate(
            libc::mach_task_self(),
            info as libc::vm_address_t,
            (info_count as usize * std::mem::size_of::<libc::integer_t>()) as libc::vm_size_t,
        );
    }
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let t = 1_000_000_000 / u64::try_from(hz).ok().filter(|&h| h > 0).unwrap_or(100);
    Some(SystemCpu {
        busy_ns: busy * t,
        idle_ns: idle * t,
        steal_ns: None,
    })
}

/// The CPU clock is not exposed without privileges on macOS.
#[cfg(target_os = "macos")]
pub fn cpu_mhz() -> Option<f64> {
    None
}

/// CPU time of a process: not implemented on this OS.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn process_cpu(_pid: u32) -> Option<ProcessCpu> {
    None
}

/// The machine's CPU time: not implemented on this OS.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn system_cpu() -> Option<SystemCpu> {
    None
}

/// The CPU clock: not implemented on this OS.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn cpu_mhz() -> Option<f64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn proc_lines_parse_with_awkward_command_names() {
        let line = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 30 7 3 20 0 4 0 1 2 3";
        assert_eq!(parse_proc_stat(line), Some((280, 10)));
        let stat = "cpu  81483 7 5134 14553 181 2 30 159 40 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n";
        assert_eq!(
            parse_system_stat(stat),
            Some((81483 + 7 + 5134 + 2 + 30, 14553 + 181, 159))
        );
    }

    fn spin(d: Duration) {
        let t = Instant::now();
        let mut x = 0u64;
        while t.elapsed() < d {
            x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
        }
    }

    /// Two threads busy for 400 ms add about 800 ms of this process's CPU time, as `getrusage`
    /// counts it.
    #[test]
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    fn process_time_agrees_with_getrusage() {
        let rusage_ns = || {
            let mut r: libc::rusage = unsafe { std::mem::zeroed() };
            // SAFETY: valid out-pointer.
            unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut r) };
            let tv = |t: libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1000;
            tv(r.ru_utime) + tv(r.ru_stime)
        };
        let me = std::process::id();
        let (a, ra) = (process_cpu(me).unwrap().self_ns, rusage_ns());
        let busy: Vec<_> = (0..2)
            .map(|_| std::thread::spawn(|| spin(Duration::from_millis(400))))
            .collect();
        busy.into_iter().for_each(|t| t.join().unwrap());
        let (b, rb) = (process_cpu(me).unwrap().self_ns, rusage_ns());
        let (ours, theirs) = ((b - a) as f64 / 1e6, (rb - ra) as f64 / 1e6);
        // Other tests run in parallel threads of this process: compare with getrusage over the
        // same span, which sees them too; ticks are 10 ms.
        assert!(ours >= 100.0, "{ours} ms for 2 × 400 ms of spinning");
        assert!(
            (ours - theirs).abs() <= 0.1 * theirs + 30.0,
            "{ours} vs {theirs}"
        );
        let s = system_cpu().unwrap();
        assert!(s.busy_ns > 0 && s.total_ns() >= s.busy_ns);
    }
}
