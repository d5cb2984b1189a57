//! The machine while the run measured: what other processes and the hypervisor took during each
//! case's trials, how the speed probes moved through the run, the quiet check before it and the
//! power state — so a number measured on a busy or changing machine says so next to itself.

use super::{Block, Cell, Section, Table, Tone};
use crate::contention::{case_load, own_cpu_pct, CONTENDED_PCT};
use crate::schema::{AutoReason, ProbeKind, SpeedProbes};
use crate::stats::median;
use crate::Bundle;

/// A probe series in words: `engine probe (…): median 630 ms, 616–831 ms over 7 probes (the
/// slowest 32 % above the fastest)`.
fn probe_line(p: &SpeedProbes) -> Option<String> {
    let med = median(&p.duration_ms)?;
    let lo = p.duration_ms.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = p.duration_ms.iter().copied().fold(0.0, f64::max);
    let what = match p.kind {
        ProbeKind::Engine => "engine probe",
        ProbeKind::Cpu => "CPU probe",
    };
    let spread = if lo > 0.0 {
        (hi / lo - 1.0) * 100.0
    } else {
        0.0
    };
    Some(format!(
        "{what} ({}): median {med:.0} ms, {lo:.0}–{hi:.0} ms over {} probe(s) — the slowest {spread:.0} % above the fastest",
        p.workload,
        p.duration_ms.len()
    ))
}

/// Probes whose slowest and fastest differ by more than this moved with the machine.
const PROBE_MOVED: f64 = 0.10;

fn probe_blocks(b: &Bundle) -> Vec<Block> {
    let mut out = Vec::new();
    let lines: Vec<String> = b.probes.iter().filter_map(probe_line).collect();
    if !lines.is_empty() {
        out.push(Block::List(lines));
    }
    for p in b.probes.iter().filter(|p| p.kind == ProbeKind::Engine) {
        let lo = p.duration_ms.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = p.duration_ms.iter().copied().fold(0.0, f64::max);
        if lo > 0.0 && hi / lo - 1.0 > PROBE_MOVED {
            out.push(Block::Warning(format!(
                "the machine's speed moved during the run: the same inference took {lo:.0}–{hi:.0} ms (+{:.0} %) with nothing else on the CPU accounting — a shared VM's neighbours or a thermal limit; each case's interval spans its rounds, so it holds this, but runs on this machine need more rounds to tell small changes apart",
                (hi / lo - 1.0) * 100.0
            )));
        }
    }
    out
}

fn load_table(b: &Bundle) -> Option<Table> {
    let mut t = Table::new(
        "machine-load",
        &["case", "other processes", "steal", "this run's processes"],
    );
    for c in &b.cases {
        let Some(load) = case_load(c) else { continue };
        let tone = if load.contended() {
            Tone::Bad
        } else {
            Tone::Plain
        };
        t.rows.push(vec![
            Cell::text(c.id.clone()),
            Cell::toned(
                format!(
                    "{:.1} % of the CPU (max {:.1} %)",
                    load.other_cpu_pct, load.max_other_cpu_pct
                ),
                tone,
            )
            .hint(format!(
                "CPU used by processes other than this run's during the measured trials, percent of the whole machine; {CONTENDED_PCT:.0} % or more with steal counts as contended"
            )),
            Cell::num(load.steal_pct.map_or(super::DASH.into(), |s| format!("{s:.1} %")))
                .hint("Time the hypervisor gave this VM's CPUs to others"),
            Cell::num(own_cpu_pct(c).map_or(super::DASH.into(), |p| format!("{p:.0} % of one core"))),
        ]);
    }
    (!t.rows.is_empty()).then_some(t)
}

/// How `--trials auto` ended per case.
fn auto_lines(b: &Bundle) -> Option<Block> {
    let a = b.plan.trials_auto.as_ref()?;
    let lines = a
        .cases
        .iter()
        .map(|c| {
            let hw = c.halfwidth_pct.map_or(String::new(), |h| {
                format!(", widest headline interval ±{h:.1} %")
            });
            let why = match c.reason {
                AutoReason::Precise => {
                    format!("precise enough (±{:.1} % asked)", a.target_halfwidth_pct)
                }
                AutoReason::Budget => {
                    format!("the budget of {} trials ran out first", a.max_trials)
                }
                AutoReason::Stopped => "stopped early".into(),
            };
            format!("{}: {} trial(s) — {why}{hw}", c.case, c.trials)
        })
        .collect();
    Some(Block::List(lines))
}

/// The section: the load table, contended cases as warnings, the probes, the quiet check.
pub fn section(b: &Bundle) -> Option<Section> {
    let mut blocks = Vec::new();
    if let Some(q) = &b.machine.quiet_check {
        blocks.push(Block::Text(format!(
            "Before measuring (--quiet-machine {}): other processes used {:.1} % of the CPU{}{}.",
            format!("{:?}", q.mode).to_lowercase(),
            q.other_cpu_pct,
            if q.quiet { " — quiet" } else { " — BUSY" },
            if q.waited_ms > 1500.0 {
                format!(" after waiting {:.0} s", q.waited_ms / 1000.0)
            } else {
                String::new()
            }
        )));
    }
    for load in crate::contention::contended(b) {
        blocks.push(Block::Warning(format!(
            "contended: {} — its numbers describe the machine's other work as much as the target",
            load.describe()
        )));
    }
    if let Some(t) = load_table(b) {
        blocks.push(Block::Table(t));
    }
    blocks.extend(probe_blocks(b));
    blocks.extend(auto_lines(b));
    if blocks.is_empty() {
        return None;
    }
    Some(Section {
        id: "machine",
        title: "The machine while measuring".into(),
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Contention;

    #[test]
    fn load_probes_and_contention_are_said_per_case() {
        let mut b = crate::testing::bundle_with_ttfa(&[500.0, 510.0, 520.0]);
        assert!(section(&b).is_none(), "older bundles have nothing to say");
        for t in &mut b.cases[0].trials {
            t.contention = Some(Contention {
                wall_ms: 1000.0,
                other_cpu_pct: 41.0,
                own_cpu_pct: 195.0,
                steal_pct: Some(0.2),
                cpu_mhz: None,
            });
        }
        b.probes.push(SpeedProbes {
            kind: ProbeKind::Engine,
            workload: "20 tokens".into(),
            t_ms: vec![0.0, 1.0, 2.0],
            label: vec!["a".into(), "b".into(), "end".into()],
            duration_ms: vec![620.0, 830.0, 625.0],
        });
        let s = section(&b).unwrap();
        let text = format!("{:?}", s.blocks);
        assert!(
            text.contains("contended: other processes used 41 % of the CPU during `medium`"),
            "{text}"
        );
        assert!(
            text.contains("median 625 ms, 620–830 ms over 3 probe(s)"),
            "{text}"
        );
        assert!(
            text.contains("the machine's speed moved during the run"),
            "{text}"
        );
        assert!(text.contains("195 % of one core"), "{text}");
    }
}
