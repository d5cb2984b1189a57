//! The soak suite: requests over time, TTFA drift between the first and last window, change
//! points, errors by kind.

use super::{Block, Section};
use crate::Bundle;

/// The soak section.
pub fn section(b: &Bundle) -> Option<Section> {
    let sk = b.soak.as_ref()?;
    let errors: u64 = sk.errors_by_kind.values().sum();
    let by_kind = sk
        .errors_by_kind
        .iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let drift = match (sk.ttfa_drift_pct, sk.ttfa_drift_ci95) {
        (Some(d), Some(ci)) => format!("{d:+.1} % [{:+.1}, {:+.1}]", ci[0], ci[1]),
        _ => "— (too few requests per window)".into(),
    };
    let change_points = if sk.change_points.is_empty() {
        "none".to_string()
    } else {
        sk.change_points
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let windows: Vec<String> = sk
        .window_ttfa_p50_ms
        .iter()
        .map(|v| super::or_dash(*v, |x| format!("{x:.0}")))
        .collect();
    Some(Section {
        id: "soak",
        title: "Soak".into(),
        blocks: vec![
            Block::Text(format!(
                "{} requests ({} concurrent){}, {errors} error(s){}; TTFA drift first → last window {drift}; change points at request(s): {change_points}.",
                sk.requests,
                sk.concurrency,
                sk.duration_s.map(|d| format!(" over {d:.0} s")).unwrap_or_default(),
                if by_kind.is_empty() { String::new() } else { format!(" ({by_kind})") },
            )),
            Block::Muted(format!("TTFA p50 per window (ms): {}", windows.join(" · "))),
        ],
    })
}
