//! Which process is being sampled, in words a reader can check: its PID, name and command line
//! (redacted), the process tree under it (a server's workers), and whether the "process" is
//! really a port forwarder (Docker, Podman, VPNs) whose memory says nothing about the server.

use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// Names of processes that forward a port for a server they do not run.
pub const PORT_FORWARDERS: &[&str] = &[
    "docker-proxy",
    "com.docker.backend",
    "com.docker.vpnkit",
    "vpnkit",
    "vpnkit-bridge",
    "gvproxy",
    "rootlessport",
    "rootlesskit",
    "slirp4netns",
    "pasta",
    "limactl",
];

/// A process, described.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcessInfo {
    /// PID.
    pub pid: u32,
    /// Executable name.
    pub name: String,
    /// Command line, with anything secret-looking redacted, bounded to 300 characters.
    pub command_line: String,
}

impl ProcessInfo {
    /// Whether this is a port forwarder, not the server.
    pub fn is_port_forwarder(&self) -> bool {
        PORT_FORWARDERS.contains(&self.name.as_str())
    }
}

/// Describes `pid`, if it exists.
pub fn describe(pid: u32) -> Option<ProcessInfo> {
    let mut sys = System::new();
    let p = Pid::from_u32(pid);
    sys.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[p]),
        false,
        ProcessRefreshKind::nothing().with_cmd(sysinfo::UpdateKind::Always),
    );
    let proc_ = sys.process(p)?;
    let cmd: Vec<String> = proc_
        .cmd()
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let command_line: String = crate::redact::args(&cmd)
        .join(" ")
        .chars()
        .take(300)
        .collect();
    Some(ProcessInfo {
        pid,
        name: proc_.name().to_string_lossy().into_owned(),
        command_line,
    })
}

/// `root` and every process below it, read from `/proc/<pid>/task/<tid>/children` (Linux):
/// no scan of the whole process table, so sampling a tree every 100 ms stays cheap (a full scan
/// costs milliseconds per sample on a busy machine). `None` where those files do not exist.
pub fn tree_from_proc(root: u32) -> Option<Vec<u32>> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let pid = out[i];
        let tasks = match std::fs::read_dir(format!("/proc/{pid}/task")) {
            Ok(d) => d,
            Err(_) if i == 0 => return None,
            Err(_) => {
                i += 1;
                continue;
            }
        };
        for task in tasks.flatten() {
            match std::fs::read_to_string(task.path().join("children")) {
                Ok(list) => {
                    for child in list
                        .split_whitespace()
                        .filter_map(|c| c.parse::<u32>().ok())
                    {
                        if !out.contains(&child) {
                            out.push(child);
                        }
                    }
                }
                Err(_) if i == 0 => return None,
                Err(_) => {}
            }
        }
        i += 1;
    }
    Some(out)
}

/// `root` and every process below it, from a refreshed process table. Threads are not
/// processes: on Linux the table may list a process's threads as its children, each with the
/// whole process's memory, so they are skipped (summing them would count one RSS many times).
pub fn tree(sys: &System, root: u32) -> Vec<u32> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = Pid::from_u32(out[i]);
        for (pid, p) in sys.processes() {
            if p.parent() == Some(parent)
                && p.thread_kind().is_none()
                && !out.contains(&pid.as_u32())
            {
                out.push(pid.as_u32());
            }
        }
        i += 1;
    }
    out
}

/// The physical footprint of a process (what Activity Monitor shows as Memory; with
/// memory-mapped models it can be several times the resident size), macOS only.
#[cfg(target_os = "macos")]
pub fn footprint_bytes(pid: u32) -> Option<u64> {
    let mut info: libc::rusage_info_v2 = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is a properly sized, writable rusage_info_v2 for the V2 flavour requested.
    let rc = unsafe {
        libc::proc_pid_rusage(
            pid as libc::c_int,
            libc::RUSAGE_INFO_V2,
            (&mut info as *mut libc::rusage_info_v2).cast(),
        )
    };
    (rc == 0).then_some(info.ri_phys_footprint)
}

/// The physical footprint of a process: not available on this OS (RSS is what is sampled).
#[cfg(not(target_os = "macos"))]
pub fn footprint_bytes(_pid: u32) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_and_its_children_are_found_by_name_and_tree() {
        let me = describe(std::process::id()).expect("this process");
        assert!(!me.name.is_empty() && !me.is_port_forwarder());
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let mut sys = System::new();
        sys.refresh_processes(ProcessesToUpdate::All, true);
        let t = tree(&sys, std::process::id());
        child.kill().ok();
        let _ = child.wait();
        assert!(t.contains(&child.id()), "{t:?}");
        let fake = ProcessInfo {
            pid: 1,
            name: "docker-proxy".into(),
            command_line: String::new(),
        };
        assert!(fake.is_port_forwarder());
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_proc_tree_finds_children_and_grandchildren_as_a_full_scan_does() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 2 & sleep 2; wait"])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let fast = tree_from_proc(child.id()).expect("/proc children files");
        let mut sys = System::new();
        sys.refresh_processes_specifics(
            ProcessesToUpdate::All,
            true,
            ProcessRefreshKind::nothing().without_tasks(),
        );
        let mut full = tree(&sys, child.id());
        let mut sorted = fast.clone();
        sorted.sort_unstable();
        full.sort_unstable();
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(fast.len(), 3, "sh and its two sleeps: {fast:?}");
        assert_eq!(sorted, full);
    }
}
