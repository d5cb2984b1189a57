//! The memory suite: RSS and CPU of the synthesising process, its peak and the leak slope.

use super::{mb, Block, Section};
use crate::schema::MemorySeries;
use crate::Bundle;

/// The leak sentence (or why there is none).
pub fn leak_sentence(m: &MemorySeries) -> String {
    match &m.leak {
        Some(l) => format!(
            "Leak slope after the largest input: {:.2} MB / 100 requests [{:.2}, {:.2}] over {} steady-state requests → {} (arena growth before that: {:.0} MB).",
            l.mb_per_100_requests, l.ci95[0], l.ci95[1], l.trials, l.verdict, l.arena_growth_mb
        ),
        None => "Too few requests after the largest input for a leak slope (ONNX Runtime's arena grows to the largest input shape: that is not a leak).".into(),
    }
}

/// The memory section.
pub fn section(b: &Bundle) -> Option<Section> {
    let m = b.memory.as_ref()?;
    let later_suites = b.dual.is_some() || b.hardware.is_some() || b.providers.is_some();
    let window = if m.peak_window_end_ms.is_some() && later_suites {
        " (over the measured trials; the suites after them are excluded)"
    } else {
        ""
    };
    let cost = m
        .sample_cost_us
        .map(|c| {
            format!(
                " (sampler cost {c:.0} µs/sample ≈ {:.2} % of one core)",
                c / (m.interval_ms * 1000.0) * 100.0
            )
        })
        .unwrap_or_default();
    let cpu_max = m.cpu_percent.iter().copied().fold(0.0f32, f32::max);
    let mut blocks = vec![Block::Text(format!(
        "{} (pid {}): baseline after load {}, peak {}{window}; CPU up to {cpu_max:.0} % of one core; {} samples every {:.0} ms{cost}.",
        m.process,
        m.pid,
        mb(m.baseline_rss_bytes),
        mb(m.peak_rss_bytes),
        m.t_ms.len(),
        m.interval_ms,
    ))];
    if let Some(cmd) = &m.process_command {
        let tree = match m.tree_pids.len() {
            0 | 1 => String::new(),
            n => format!(" — {n} processes summed (the server and its workers)"),
        };
        blocks.push(Block::Muted(format!("Sampled: {cmd}{tree}")));
    }
    if let Some(f) = m.peak_footprint_bytes {
        blocks.push(Block::Text(format!(
            "Physical footprint (what Activity Monitor shows) peaked at {}: RSS undercounts memory-mapped models.",
            mb(Some(f))
        )));
    }
    blocks.push(Block::Text(leak_sentence(m)));
    Some(Section {
        id: "memory",
        title: "Memory and CPU".into(),
        blocks,
    })
}
