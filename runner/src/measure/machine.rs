//! Machine facts and a calibration workload, recorded with every run.

use kokoro_bench_bundle::schema::{Calibration, Machine};
use std::time::Instant;
use sysinfo::{CpuRefreshKind, RefreshKind, System};

/// Current 1/5/15-minute load average (zeros where the OS has none).
pub fn load_avg() -> [f64; 3] {
    let l = System::load_average();
    [l.one, l.five, l.fifteen]
}

#[cfg(target_os = "macos")]
fn sysctl(name: &str) -> Option<String> {
    let out = std::process::Command::new("sysctl")
        .args(["-n", name])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Reads the machine description (no calibration).
pub fn describe() -> Machine {
    let sys = System::new_with_specifics(
        RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing())
            .with_memory(sysinfo::MemoryRefreshKind::everything()),
    );
    let cpu_model = sys
        .cpus()
        .first()
        .map(|c| c.brand().trim().to_string())
        .unwrap_or_default();
    #[allow(unused_mut)]
    let mut m = Machine {
        os: System::name().unwrap_or_default(),
        os_version: System::long_os_version()
            .or_else(System::os_version)
            .unwrap_or_default(),
        kernel: System::kernel_version().unwrap_or_default(),
        arch: System::cpu_arch(),
        cpu_model,
        physical_cores: System::physical_core_count().map(|n| n as u32),
        logical_cores: std::thread::available_parallelism()
            .map(|n| n.get() as u32)
            .unwrap_or(1),
        memory_total_bytes: sys.total_memory(),
        load_avg_start: Some(load_avg()),
        power_hints: power_hints(),
        virtualized: virtualized(),
        power_start: Some(power_state()),
        ..Default::default()
    };
    #[cfg(target_os = "macos")]
    {
        m.chip = sysctl("machdep.cpu.brand_string");
        m.performance_cores = sysctl("hw.perflevel0.physicalcpu").and_then(|s| s.parse().ok());
        m.efficiency_cores = sysctl("hw.perflevel1.physicalcpu").and_then(|s| s.parse().ok());
    }
    m
}

/// Whether the OS says it runs under a hypervisor: the x86 `hypervisor` CPU flag or a VM
/// vendor in the DMI tables on Linux, `kern.hv_vmm_present` on macOS.
pub fn virtualized() -> Option<bool> {
    #[cfg(target_os = "linux")]
    {
        let flag = std::fs::read_to_string("/proc/cpuinfo").ok().map(|c| {
            c.lines()
                .any(|l| l.starts_with("flags") && l.split_whitespace().any(|f| f == "hypervisor"))
        });
        let vendor = std::fs::read_to_string("/sys/class/dmi/id/sys_vendor")
            .ok()
            .map(|v| {
                let v = v.to_ascii_lowercase();
                [
                    "qemu",
                    "kvm",
                    "vmware",
                    "xen",
                    "microsoft",
                    "amazon",
                    "google",
                    "innotek",
                    "parallels",
                    "digitalocean",
                    "hetzner",
                ]
                .iter()
                .any(|k| v.contains(k))
            });
        match (flag, vendor) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(false) || b.unwrap_or(false)),
        }
    }
    #[cfg(target_os = "macos")]
    {
        sysctl("kern.hv_vmm_present").map(|v| v == "1")
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        None
    }
}

/// Power state that changes speed without showing as CPU use: thermal pressure, Low Power Mode,
/// battery (macOS from `pmset`; Linux from `/sys/class/power_supply` and the hottest thermal
/// zone). Fields the OS does not offer stay empty.
pub fn power_state() -> kokoro_bench_bundle::schema::PowerState {
    #[allow(unused_mut)]
    let mut p = kokoro_bench_bundle::schema::PowerState::default();
    #[cfg(target_os = "linux")]
    {
        let read = |p: std::path::PathBuf| {
            std::fs::read_to_string(p)
                .ok()
                .map(|s| s.trim().to_string())
        };
        if let Ok(entries) = std::fs::read_dir("/sys/class/power_supply") {
            for e in entries.flatten() {
                if read(e.path().join("type")).as_deref() == Some("Battery") {
                    if let Some(status) = read(e.path().join("status")) {
                        p.on_battery = Some(status == "Discharging");
                    }
                }
            }
        }
        let hottest = std::fs::read_dir("/sys/class/thermal")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| read(e.path().join("temp"))?.parse::<f64>().ok())
            .reduce(f64::max);
        p.thermal = hottest.map(|mc| format!("hottest zone {:.0} °C", mc / 1000.0));
    }
    #[cfg(target_os = "macos")]
    {
        let pmset = |args: &[&str]| {
            std::process::Command::new("pmset")
                .args(args)
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        };
        if let Some(batt) = pmset(&["-g", "batt"]) {
            p.on_battery = Some(batt.contains("'Battery Power'"));
        }
        if let Some(all) = pmset(&["-g"]) {
            p.low_power_mode = all
                .lines()
                .find(|l| l.trim_start().starts_with("lowpowermode"))
                .map(|l| l.split_whitespace().last() == Some("1"));
        }
        if let Some(therm) = pmset(&["-g", "therm"]) {
            let limit = therm
                .lines()
                .find(|l| l.contains("CPU_Speed_Limit"))
                .and_then(|l| l.split('=').nth(1))
                .map(|v| v.trim().to_string());
            p.thermal = Some(match limit {
                Some(v) if v != "100" => format!("CPU speed limited to {v} %"),
                _ if therm.to_ascii_lowercase().contains("warning level")
                    && !therm.contains("No thermal warning") =>
                {
                    "thermal warning recorded".to_string()
                }
                _ => "nominal".to_string(),
            });
        }
    }
    p
}

/// Power and thermal hints, where the OS offers them without privileges.
pub fn power_hints() -> Vec<String> {
    let mut out = Vec::new();
    #[cfg(target_os = "linux")]
    {
        let read = |p: &str| {
            std::fs::read_to_string(p)
                .ok()
                .map(|s| s.trim().to_string())
        };
        if let Some(g) = read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor") {
            out.push(format!("cpufreq governor: {g}"));
        }
        if let Ok(entries) = std::fs::read_dir("/sys/class/thermal") {
            for e in entries.flatten() {
                let p = e.path();
                if let (Some(kind), Some(t)) = (
                    read(&format!("{}/type", p.display())),
                    read(&format!("{}/temp", p.display())),
                ) {
                    if let Ok(mc) = t.parse::<f64>() {
                        out.push(format!("thermal {kind}: {:.1} °C", mc / 1000.0));
                    }
                }
            }
        }
        if let Ok(entries) = std::fs::read_dir("/sys/class/power_supply") {
            for e in entries.flatten() {
                if let Some(online) = read(&format!("{}/online", e.path().display())) {
                    out.push(format!(
                        "power supply {}: online={online}",
                        e.file_name().to_string_lossy()
                    ));
                }
            }
        }
    }
    #[cfg(target_os = "macos")]
    {
        for args in [["-g", "batt"], ["-g", "therm"]] {
            if let Ok(o) = std::process::Command::new("pmset").args(args).output() {
                let text = String::from_utf8_lossy(&o.stdout);
                out.extend(
                    text.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .take(3)
                        .map(|l| format!("pmset {}: {l}", args[1])),
                );
            }
        }
    }
    if out.is_empty() {
        out.push("no power or thermal information available without privileges".into());
    }
    out
}

/// Times a fixed single-threaded workload (FNV-1a over 32 MiB, 5 times) so runs from different
/// days or machines can be judged for noise. Takes ~0.2 s.
pub fn calibrate() -> Calibration {
    let buf: Vec<u8> = (0..32 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let mut durations_ms = Vec::new();
    let mut sink = 0u64;
    for _ in 0..5 {
        let t = Instant::now();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in &buf {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        sink ^= std::hint::black_box(h);
        durations_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    std::hint::black_box(sink);
    let median_ms = kokoro_bench_bundle::stats::median(&durations_ms).unwrap_or(f64::NAN);
    Calibration {
        workload: "fnv1a-32MiB x5".into(),
        durations_ms,
        median_ms,
    }
}
