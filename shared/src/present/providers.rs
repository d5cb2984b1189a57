//! The providers suite: the variant matrix, its flags, accelerator activity beside an idle
//! baseline, and each variant's verdicts against the reference.

use super::{or_dash, Block, Cell, Section, Table, Tone};
use crate::compare::compare_variants;
use crate::schema::{AcceleratorActivity, ProvidersResult, VariantCase, VariantResult};
use crate::stats::median;
use crate::Bundle;

/// Column headings for [`accelerator_cells`].
pub const ACCELERATOR_HEADINGS: [&str; 6] = [
    "GPU active",
    "GPU MHz",
    "GPU mW",
    "ANE mW",
    "CPU mW",
    "samples",
];

/// Recorded accelerator activity, the idle baseline first (`(idle baseline)`), then each variant
/// that has some; empty when nothing was recorded.
pub fn accelerator_rows(p: &ProvidersResult) -> Vec<(&str, &AcceleratorActivity)> {
    p.accelerator_idle
        .iter()
        .map(|a| ("(idle baseline)", a))
        .chain(
            p.variants
                .iter()
                .filter_map(|v| v.accelerator.as_ref().map(|a| (v.name.as_str(), a))),
        )
        .collect()
}

/// The values formatted for a table (— where powermetrics did not report one), in the order of
/// [`ACCELERATOR_HEADINGS`].
pub fn accelerator_cells(a: &AcceleratorActivity) -> [String; 6] {
    let f = |v: Option<f64>| or_dash(v, |x| format!("{x:.0}"));
    [
        or_dash(a.gpu_active_ratio, |r| format!("{:.0} %", r * 100.0)),
        f(a.gpu_freq_mhz),
        f(a.gpu_power_mw),
        f(a.ane_power_mw),
        f(a.cpu_power_mw),
        format!("{} ({:.1} s)", a.samples, a.sampled_s),
    ]
}

fn per_case(v: &VariantResult, f: fn(&VariantCase) -> &Vec<f64>) -> String {
    v.cases
        .iter()
        .map(|c| {
            format!(
                "{}: {}",
                c.case,
                or_dash(median(f(c)), |m| format!("{m:.0} ms"))
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn variant_row(v: &VariantResult) -> Vec<Cell> {
    let requested = v
        .requested
        .iter()
        .map(|(k, x)| format!("{k}={x}"))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(why) = &v.skipped {
        let mut row = vec![
            Cell::text(&v.name),
            Cell::toned(requested, Tone::Muted),
            Cell::toned(format!("skipped: {why}"), Tone::NoData),
        ];
        row.resize(10, Cell::default());
        return row;
    }
    let worst = v
        .cases
        .iter()
        .filter_map(|c| c.drift.as_ref())
        .min_by(|a, b| a.snr_db.total_cmp(&b.snr_db));
    let ms = |x: Option<f64>| or_dash(x, |x| format!("{x:.0} ms"));
    vec![
        Cell::text(&v.name),
        Cell::toned(requested, Tone::Muted),
        Cell::text(v.registered_providers.join(" → ")),
        Cell::text(
            v.node_placement
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Cell::num(ms(v.session_create_ms)),
        Cell::num(ms(v.first_inference_ms)),
        Cell::num(per_case(v, |c| &c.first_chunk_ms)),
        Cell::num(per_case(v, |c| &c.whole_ms)),
        match worst {
            Some(d) if d.within_threshold => {
                Cell::text(format!("{:.1} dB, r = {:.4}", d.snr_db, d.correlation.0))
            }
            Some(d) => Cell::toned(format!("drifts: {:.1} dB", d.snr_db), Tone::Bad),
            None => Cell::toned("reference", Tone::Muted),
        },
        Cell::num(
            v.churn
                .as_ref()
                .and_then(|c| c.mb_per_session)
                .map(|m| format!("{m:+.1} MB/session"))
                .unwrap_or_default(),
        ),
    ]
}

/// The providers section.
pub fn section(b: &Bundle) -> Option<Section> {
    let p = b.providers.as_ref()?;
    let mut t = Table::new(
        "provider-matrix",
        &[
            "variant",
            "requested",
            "registered",
            "nodes",
            "create",
            "first inference",
            "first chunk p50",
            "whole text p50",
            "drift SNR (worst)",
            "churn",
        ],
    );
    t.rows = p.variants.iter().map(variant_row).collect();
    let mut blocks = vec![Block::Table(t)];
    for v in &p.variants {
        for f in &v.flags {
            blocks.push(Block::Warning(format!("{}: {f}", v.name)));
        }
    }
    blocks.push(Block::Muted(format!(
        "GPU / Neural Engine activity: {}",
        p.accelerator_activity
    )));
    let rows = accelerator_rows(p);
    if !rows.is_empty() {
        let mut headings = vec!["variant"];
        headings.extend(ACCELERATOR_HEADINGS);
        let mut a = Table::new("accelerator", &headings);
        for (name, act) in rows {
            let mut row = vec![Cell::text(name)];
            row.extend(accelerator_cells(act).into_iter().map(Cell::num));
            a.rows.push(row);
        }
        blocks.push(Block::Table(a));
    }
    let verdicts: Vec<String> = compare_variants(p)
        .iter()
        .map(|vc| {
            let v: Vec<String> = vc
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {}: {}",
                        r.case.as_deref().unwrap_or(""),
                        r.metric.label(),
                        r.verdict.label()
                    )
                })
                .collect();
            format!("{} vs {}: {}", vc.variant, p.reference, v.join("; "))
        })
        .collect();
    if !verdicts.is_empty() {
        blocks.push(Block::List(verdicts));
    }
    Some(Section {
        id: "providers",
        title: format!(
            "Providers (reference `{}`; drift flagged below {:.0} dB SNR)",
            p.reference, p.min_snr_db
        ),
        blocks,
    })
}
