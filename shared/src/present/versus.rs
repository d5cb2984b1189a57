//! The versus section: every target's medians per case, side by side, and each other target's
//! verdicts against the run's own target (same cases, same machine, interleaved in time).

use super::{Block, Cell, Section, Table, Tone};
use crate::compare::variants::{compare_targets, versus_metrics, versus_values};
use crate::compare::Verdict;
use crate::schema::VersusResult;
use crate::stats::median;
use crate::Bundle;

fn tone(v: Verdict) -> Tone {
    match v {
        Verdict::Improved => Tone::Good,
        Verdict::Regressed => Tone::Bad,
        Verdict::Unchanged => Tone::Plain,
        Verdict::Inconclusive | Verdict::NotComparable => Tone::NoData,
    }
}

/// The section, when the versus suite ran.
pub fn section(b: &Bundle) -> Option<Section> {
    let v = b.versus.as_ref()?;
    let metrics = versus_metrics(v);
    let mut headings = vec!["case", "target", "n", "failed"];
    headings.extend(metrics.iter().map(|m| m.label()));
    let mut t = Table::new("versus", &headings);
    let case_ids: Vec<&str> = v
        .targets
        .iter()
        .flat_map(|t| t.cases.iter().map(|c| c.case.as_str()))
        .fold(Vec::new(), |mut ids, id| {
            if !ids.contains(&id) {
                ids.push(id);
            }
            ids
        });
    for id in &case_ids {
        for target in &v.targets {
            let Some(c) = target.cases.iter().find(|c| c.case == *id) else {
                continue;
            };
            let mut row = vec![
                Cell::text(*id),
                Cell::text(target.label.clone()),
                Cell::num(c.heard_ms.len().max(c.ttfa_ms.len()).to_string()),
                Cell::num(c.failed.to_string()),
            ];
            row.extend(metrics.iter().map(|m| {
                Cell::num(super::or_dash(median(versus_values(c, *m)), |x| {
                    m.format(x)
                }))
            }));
            t.rows.push(row);
        }
    }
    let mut blocks = vec![Block::Muted(format!(
        "{} Medians of the measured trials; verdicts compare each target with `{}` (the run's own) trial pair by trial pair — the k-th trials of both ran in the same round, so the machine's state cancels (a 95 % bootstrap interval of the paired changes, the sign test's p) — by the thresholds of `kokoro-bench compare`.",
        v.order,
        v.targets.first().map(|t| t.label.as_str()).unwrap_or("")
    ))];
    for target in v.targets.iter().filter(|t| t.skipped.is_some()) {
        blocks.push(Block::Warning(format!(
            "{} was not measured: {}",
            target.label,
            target.skipped.as_deref().unwrap_or("")
        )));
    }
    if let Some(why) = &v.stopped_early {
        blocks.push(Block::Warning(format!("stopped early: {why}")));
    }
    blocks.push(Block::Table(t));
    let mut verdicts = Table::new(
        "versus-verdicts",
        &["target", "case", "metric", "change", "verdict"],
    );
    for vc in compare_targets(v) {
        for r in &vc.rows {
            let change = r
                .change_rel
                .map(|c| format!("{:+.1} %", c * 100.0))
                .unwrap_or_else(|| super::DASH.into());
            verdicts.rows.push(vec![
                Cell::text(vc.variant.clone()),
                Cell::text(r.case.clone().unwrap_or_default()),
                Cell::text(r.metric.label()).hint(r.metric.definition()),
                Cell::num(change),
                Cell::toned(r.verdict.label(), tone(r.verdict)),
            ]);
        }
    }
    if !verdicts.rows.is_empty() {
        blocks.push(Block::Table(verdicts));
    }
    blocks.extend(resources(v));
    blocks.extend(plans(v).map(Block::Text));
    for target in &v.targets {
        for c in target.cases.iter().filter(|c| !c.errors.is_empty()) {
            blocks.push(Block::Warning(format!(
                "{} · {}: {}",
                target.label,
                c.case,
                c.errors.join(" | ")
            )));
        }
    }
    Some(Section {
        id: "versus",
        title: format!(
            "Side by side: {}",
            v.targets
                .iter()
                .map(|t| t.label.as_str())
                .collect::<Vec<_>>()
                .join(" vs ")
        ),
        blocks,
    })
}

/// Each other target's cold start and its own process's memory and CPU, when any was measured.
fn resources(v: &VersusResult) -> Option<Block> {
    let mut t = Table::new(
        "versus-resources",
        &[
            "target",
            "cold start (first request)",
            "peak RSS",
            "CPU mean / max",
            "sampled",
        ],
    );
    for target in v.targets.iter().skip(1).filter(|t| t.skipped.is_none()) {
        let u = target.usage.clone().unwrap_or_default();
        t.rows.push(vec![
            Cell::text(target.label.clone()),
            Cell::num(super::or_dash(target.cold_ttfa_ms, |ms| {
                format!("{ms:.0} ms")
            })),
            Cell::num(super::mb(u.peak_rss_bytes)),
            Cell::num(match (u.cpu_mean_pct, u.cpu_max_pct) {
                (Some(m), Some(x)) => format!("{m:.0} % / {x:.0} % of one core"),
                _ => super::DASH.into(),
            }),
            Cell::toned(u.what, Tone::Muted),
        ]);
    }
    (!t.rows.is_empty()).then_some(Block::Table(t))
}

/// Cases where an engine target (or a worker that reports its chunks) spoke in a different
/// number of chunks than the run's own — a plan difference moves heard speech and RTF with it.
fn plans(v: &VersusResult) -> impl Iterator<Item = String> + '_ {
    let own = v.targets.first();
    let typical =
        |chunks: &[u32]| median(&chunks.iter().map(|&n| f64::from(n)).collect::<Vec<_>>());
    v.targets.iter().skip(1).flat_map(move |t| {
        t.cases.iter().filter_map(move |c| {
            let mine = typical(&c.chunks)?;
            let theirs = own?.cases.iter().find(|o| o.case == c.case)?;
            let base = typical(&theirs.chunks)?;
            (mine != base).then(|| {
                format!(
                    "plans: `{}`: {} spoke in {mine:.0} chunk(s) (median), {} in {base:.0} — heard speech and RTF move with the plan",
                    c.case,
                    t.label,
                    own.map_or("", |o| o.label.as_str())
                )
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{TargetKind, VersusCase, VersusResult, VersusTarget};

    fn target(label: &str, heard: &[f64]) -> VersusTarget {
        VersusTarget {
            label: label.into(),
            kind: TargetKind::Engine,
            description: label.into(),
            cases: vec![VersusCase {
                case: "short".into(),
                heard_ms: heard.to_vec(),
                ttfa_ms: heard.to_vec(),
                rtf: vec![0.5; heard.len()],
                underruns: vec![0.0; heard.len()],
                ..Default::default()
            }],
            skipped: None,
            cold_ttfa_ms: None,
            usage: None,
        }
    }

    #[test]
    fn a_slower_target_is_regressed_against_the_runs_own() {
        let mut b = crate::testing::bundle_with_ttfa(&[1.0]);
        assert!(section(&b).is_none());
        let fast: Vec<f64> = (0..8).map(|i| 1000.0 + i as f64 * 10.0).collect();
        let slow: Vec<f64> = fast.iter().map(|x| x * 2.5).collect();
        b.versus = Some(VersusResult {
            targets: vec![target("engine", &fast), target("kokoro-onnx", &slow)],
            order: "Interleaved.".into(),
            stopped_early: None,
        });
        let s = section(&b).unwrap();
        assert_eq!(s.title, "Side by side: engine vs kokoro-onnx");
        let text = format!("{:?}", s.blocks);
        assert!(
            text.contains("versus-resources") && text.contains("kokoro-onnx"),
            "{text}"
        );
        let verdicts = s
            .blocks
            .iter()
            .find_map(|bl| match bl {
                Block::Table(t) if t.id == "versus-verdicts" => Some(t.clone()),
                _ => None,
            })
            .unwrap();
        let heard = &verdicts.rows[0];
        assert_eq!(heard[2].text, "Heard speech");
        assert_eq!(
            (heard[4].text.as_str(), heard[4].tone),
            ("regressed", Tone::Bad)
        );
        assert!(heard[3].text.starts_with("+150"), "{}", heard[3].text);
    }
}
