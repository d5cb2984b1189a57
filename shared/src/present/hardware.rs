//! The hardware suite: a fixed workload, so machines can be lined up, with the OS's power and
//! thermal hints beside it.

use super::{or_dash, Block, Section};
use crate::stats::Summary;
use crate::Bundle;

/// The hardware section.
pub fn section(b: &Bundle) -> Option<Section> {
    let h = b.hardware.as_ref()?;
    let s = Summary::of(&h.inference_ms);
    let rtf = s
        .as_ref()
        .filter(|_| h.audio_s > 0.0)
        .map(|s| s.median / 1000.0 / h.audio_s);
    let mut blocks = vec![Block::Text(format!(
        "{} → median {} (n = {}), RTF {}.",
        h.workload,
        or_dash(s.as_ref(), |s| format!("{:.0} ms", s.median)),
        h.inference_ms.len(),
        or_dash(rtf, |r| format!("{r:.3}")),
    ))];
    if let Some(c) = &b.machine.calibration {
        blocks.push(Block::Muted(format!(
            "CPU calibration ({}): median {:.0} ms — compare machines by this and the workload together.",
            c.workload, c.median_ms
        )));
    }
    blocks.push(Block::Muted(format!(
        "Power/thermal: {}",
        if b.machine.power_hints.is_empty() {
            "the OS offered no hints".to_string()
        } else {
            b.machine.power_hints.join("; ")
        }
    )));
    Some(Section {
        id: "hardware",
        title: "Hardware workload".into(),
        blocks,
    })
}
