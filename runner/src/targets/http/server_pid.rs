//! Finding the process that listens on a TCP port (so memory and CPU are sampled on the server,
//! never on the benchmark client).

/// Whether `host` is this machine: it resolves to a loopback address or to one this machine can
/// bind (a remote server's port must never be matched against a local listener).
pub fn is_local_host(host: &str) -> bool {
    use std::net::ToSocketAddrs;
    let Ok(addrs) = (host, 0u16).to_socket_addrs() else {
        return false;
    };
    addrs.into_iter().any(|a| {
        a.ip().is_loopback()
            || a.ip().is_unspecified()
            || std::net::UdpSocket::bind((a.ip(), 0)).is_ok()
    })
}

/// The PID listening on `port` on this machine, if it can be found.
pub fn find_listener(port: u16) -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        linux(port)
    }
    #[cfg(target_os = "macos")]
    {
        let out = std::process::Command::new("lsof")
            .args(["-nP", &format!("-iTCP:{port}"), "-sTCP:LISTEN", "-t"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        let _ = port;
        None
    }
}

#[cfg(target_os = "linux")]
fn linux(port: u16) -> Option<u32> {
    // /proc/net/tcp{,6}: local_address is HEX_IP:HEX_PORT, state 0A = LISTEN, inode in column 10.
    let mut inodes = Vec::new();
    for f in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() < 10 || cols[3] != "0A" {
                continue;
            }
            let p = cols[1]
                .rsplit(':')
                .next()
                .and_then(|h| u16::from_str_radix(h, 16).ok());
            if p == Some(port) {
                inodes.push(format!("socket:[{}]", cols[9]));
            }
        }
    }
    if inodes.is_empty() {
        return None;
    }
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                if inodes.iter().any(|i| target.as_os_str() == i.as_str()) {
                    return Some(pid);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn finds_our_own_listener() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        assert_eq!(find_listener(port), Some(std::process::id()));
        drop(l);
        assert_eq!(find_listener(port), None);
    }

    #[test]
    fn local_and_remote_hosts() {
        assert!(is_local_host("127.0.0.1"));
        assert!(is_local_host("localhost"));
        // TEST-NET-1 (RFC 5737): never assigned to a machine.
        assert!(!is_local_host("192.0.2.1"));
        assert!(!is_local_host("no-such-host.invalid"));
    }
}
