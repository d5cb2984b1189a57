//! Speed probes: a fixed workload timed between the cases and rounds of a run, so a machine that
//! got slower (a noisy neighbour on a shared VM, a hot laptop) is seen even when no other process
//! shows on its CPU accounting. The CPU probe here runs for every target; the engine target adds
//! one inference of fixed tokens on its own session (`Target::probe`).

use kokoro_bench_bundle::schema::{ProbeKind, SpeedProbes};
use std::time::Instant;

/// What the CPU probe runs (two runs' probes compare only when this is the same).
pub const CPU_WORKLOAD: &str = "fnv1a-16MiB x3 (median)";

/// Times the CPU probe: FNV-1a over 16 MiB, three times, the median, ms (≈ 20 ms a pass).
pub fn cpu_probe_ms() -> f64 {
    let buf: Vec<u8> = (0..16 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let mut passes = Vec::with_capacity(3);
    for _ in 0..3 {
        let t = Instant::now();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in &buf {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        std::hint::black_box(h);
        passes.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    kokoro_bench_bundle::stats::median(&passes).unwrap_or(f64::NAN)
}

/// Adds one probe's result to the run's series of its kind (created on first use).
pub fn record(
    probes: &mut Vec<SpeedProbes>,
    kind: ProbeKind,
    workload: &str,
    at_ms: f64,
    label: &str,
    duration_ms: f64,
) {
    let i = match probes
        .iter()
        .position(|p| p.kind == kind && p.workload == workload)
    {
        Some(i) => i,
        None => {
            probes.push(SpeedProbes {
                kind,
                workload: workload.to_string(),
                t_ms: Vec::new(),
                label: Vec::new(),
                duration_ms: Vec::new(),
            });
            probes.len() - 1
        }
    };
    let p = &mut probes[i];
    p.t_ms.push(at_ms);
    p.label.push(label.to_string());
    p.duration_ms.push(duration_ms);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_are_kept_per_kind_and_workload() {
        let mut p = Vec::new();
        record(&mut p, ProbeKind::Cpu, CPU_WORKLOAD, 1.0, "before a", 20.0);
        record(
            &mut p,
            ProbeKind::Engine,
            "16 tokens",
            2.0,
            "before a",
            600.0,
        );
        record(&mut p, ProbeKind::Cpu, CPU_WORKLOAD, 3.0, "end", 21.0);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].label, ["before a", "end"]);
        assert_eq!(p[1].duration_ms, [600.0]);
        let ms = cpu_probe_ms();
        assert!(ms > 0.0 && ms < 5_000.0, "{ms}");
    }
}
