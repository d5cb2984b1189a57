//! Per-case sections: the headline table (median with its interval and p95 per metric), the
//! streaming cadence, how HTTP connections were set up, and cold starts (reported apart).

use super::{or_dash, Block, Cell, Section, Table};
use crate::metrics::Metric;
use crate::schema::{TargetKind, TrialFlag, TrialKind};
use crate::stats::bootstrap::Bootstrap;
use crate::stats::{median, Summary};
use crate::Bundle;

/// One metric of one case as `p50 [lo–hi] · p95` (the interval needs three samples): values
/// grouped by round, the interval by the two-stage bootstrap over them.
pub fn cell(metric: Metric, rounds: &[Vec<f64>]) -> String {
    let values: Vec<f64> = rounds.iter().flatten().copied().collect();
    let Some(s) = Summary::of(&values) else {
        return super::DASH.into();
    };
    let ci = Bootstrap::default().one_rounds(rounds, median);
    match ci {
        Some(ci) if s.n >= 3 => format!(
            "{} [{}–{}] · p95 {}",
            metric.format(s.median),
            metric.format(ci.lo),
            metric.format(ci.hi),
            metric.format(s.p95)
        ),
        _ => format!("{} · p95 {}", metric.format(s.median), metric.format(s.p95)),
    }
}

/// The headline table: one row per case.
pub fn section(b: &Bundle) -> Option<Section> {
    if b.cases.is_empty() {
        return None;
    }
    let mut headings = vec!["case", "n", "failed"];
    headings.extend(Metric::HEADLINE.iter().map(|m| m.label()));
    let mut t = Table::new("case-table", &headings);
    for c in &b.cases {
        let mut row = vec![
            Cell::text(format!("{} ({} chars)", c.id, c.chars)),
            Cell::num(c.measured().count().to_string()),
            Cell::num(c.failed().count().to_string()),
        ];
        row.extend(Metric::HEADLINE.iter().map(|&m| {
            Cell::num(cell(m, &m.case_rounds(c))).hint(format!("{}: {}", m.label(), m.definition()))
        }));
        t.rows.push(row);
    }
    Some(Section {
        id: "cases",
        title: String::new(),
        blocks: vec![Block::Table(t)],
    })
}

/// Chunk cadence per case over the warm trials.
pub fn cadence(b: &Bundle) -> Option<Section> {
    let lines: Vec<String> = b
        .cases
        .iter()
        .filter_map(|c| {
            let gaps: Vec<f64> = c.measured().flat_map(|t| t.chunks.gaps_ms()).collect();
            let sizes: Vec<f64> = c
                .measured()
                .flat_map(|t| {
                    let sr = t.sample_rate_hz.max(1) as f64;
                    t.chunks.samples.iter().map(move |&n| n as f64 / sr)
                })
                .collect();
            let inf: Vec<f64> = c
                .measured()
                .flat_map(|t| t.chunks.inference_ms.iter().copied())
                .collect();
            let chunks = c.measured().map(|t| t.chunks.len()).max().unwrap_or(0);
            let g = Summary::of(&gaps);
            let model = median(&inf)
                .map(|m| format!("; model time per chunk median {m:.0} ms"))
                .unwrap_or_default();
            let ms = |f: fn(&Summary) -> f64| or_dash(g.as_ref(), |g| format!("{:.0} ms", f(g)));
            Some(format!(
                "{}: {chunks} chunk(s)/trial; gaps between chunks p50 {} / p95 {} / max {}; chunk audio median {:.2} s{model}",
                c.id,
                ms(|g| g.median),
                ms(|g| g.p95),
                ms(|g| g.max),
                median(&sizes)?,
            ))
        })
        .collect();
    (!lines.is_empty()).then(|| Section {
        id: "cadence",
        title: "Streaming cadence (warm trials)".into(),
        blocks: vec![Block::List(lines)],
    })
}

/// The engine's joins and adaptive schedule per case over the warm trials: the pause heard at
/// each join against the pause whole-text synthesis puts there, and how well the schedule
/// predicted its chunks' cost.
pub fn joins(b: &Bundle) -> Option<Section> {
    let lines: Vec<String> = b
        .cases
        .iter()
        .filter_map(|c| {
            let pairs: Vec<(f64, f64)> = c
                .measured()
                .flat_map(|t| {
                    let ch = &t.chunks;
                    ch.join_pause_ms.iter().copied().zip(ch.join_expected_ms.iter().copied())
                })
                .collect();
            let lead: Vec<f64> = c.measured().filter_map(|t| t.leading_silence_ms).collect();
            let mut line = format!(
                "{}: leading silence median {}",
                c.id,
                or_dash(median(&lead), |m| format!("{m:.0} ms"))
            );
            if !pairs.is_empty() {
                let excess: Vec<f64> = pairs.iter().map(|(p, e)| p - e).collect();
                let heard: Vec<f64> = pairs.iter().map(|p| p.0).collect();
                let e = Summary::of(&excess)?;
                line.push_str(&format!(
                    "; {} join(s), pause heard median {:.0} ms, beyond the text's own pause median {:+.0} ms / max {:+.0} ms",
                    pairs.len(),
                    median(&heard)?,
                    e.median,
                    e.max
                ));
            }
            let ratios: Vec<f64> = c
                .measured()
                .flat_map(|t| {
                    let ch = &t.chunks;
                    ch.planned_ms
                        .iter()
                        .zip(ch.inference_ms.iter().zip(&ch.g2p_ms))
                        .filter(|(p, _)| **p > 0.0)
                        .map(|(p, (i, g))| (i + g) / p)
                })
                .collect();
            if let (Some(r), Some(m)) = (
                Summary::of(&ratios),
                c.measured().find_map(|t| t.schedule.as_ref()),
            ) {
                line.push_str(&format!(
                    "; adaptive schedule: chunk cost actual ÷ planned median ×{:.2} (p95 ×{:.2}), planned with {:.0} ms + {:.1} ms/phoneme, margin {:.2}",
                    r.median, r.p95, m.fixed_ms, m.per_phoneme_ms, m.margin
                ));
            }
            (!pairs.is_empty() || !ratios.is_empty()).then_some(line)
        })
        .collect();
    (!lines.is_empty()).then(|| Section {
        id: "joins",
        title: "Joins and schedule (warm trials)".into(),
        blocks: vec![Block::List(lines)],
    })
}

/// How HTTP requests were carried: TTFB and connection set-up per case.
pub fn http(b: &Bundle) -> Option<Section> {
    if b.run.target != TargetKind::Http {
        return None;
    }
    let lines: Vec<String> = b
        .cases
        .iter()
        .filter_map(|c| {
            let ttfb: Vec<f64> = c.measured().filter_map(|t| t.ttfb_ms).collect();
            let connect: Vec<f64> = c.measured().filter_map(|t| t.connect_ms).collect();
            let tls: Vec<f64> = c.measured().filter_map(|t| t.tls_handshake_ms).collect();
            let ttfb = median(&ttfb)?;
            Some(format!(
                "{}: TTFB p50 {ttfb:.1} ms; new connections: TCP connect p50 {}{}",
                c.id,
                or_dash(median(&connect), |v| format!("{v:.1} ms")),
                median(&tls)
                    .map(|v| format!(", TLS handshake p50 {v:.1} ms"))
                    .unwrap_or_default()
            ))
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let keep_alive = b.provenance.http.as_ref().is_some_and(|h| h.keep_alive);
    let trials = || b.cases.iter().flat_map(|c| c.trials.iter());
    let count = |flag: TrialFlag| trials().filter(|t| t.flags.contains(&flag)).count();
    let how = if keep_alive {
        format!(
            "Connections kept alive: {} of {} requests reused one, {} found it closed and reconnected; set-up is inside TTFB only where a connection was opened.",
            count(TrialFlag::ConnectionReused),
            trials().count(),
            count(TrialFlag::ConnectionRetried)
        )
    } else {
        "One connection per request, so set-up is inside TTFB and TTFA; --keep-alive reuses connections.".into()
    };
    Some(Section {
        id: "http",
        title: "HTTP".into(),
        blocks: vec![Block::Muted(how), Block::List(lines)],
    })
}

/// Cold starts: the first request of the run, reported apart from the warm statistics.
pub fn cold(b: &Bundle) -> Option<Section> {
    let what = match b.run.target {
        TargetKind::Http => "the run's first request to the server",
        TargetKind::Engine => "first inference after session creation",
        TargetKind::Command => "the run's first request to the program",
        _ => "the run's first request",
    };
    let cold: Vec<String> = b
        .cases
        .iter()
        .flat_map(|c| {
            c.trials
                .iter()
                .filter(|t| t.kind == TrialKind::Cold)
                .map(move |t| (c, t))
        })
        .map(|(c, t)| {
            format!(
                "{}: TTFA {} ({what})",
                c.id,
                or_dash(t.ttfa_ms, |v| Metric::TtfaMs.format(v))
            )
        })
        .collect();
    (!cold.is_empty()).then(|| Section {
        id: "cold",
        title: String::new(),
        blocks: vec![Block::Text(format!(
            "Cold start (reported apart, not in the table): {}",
            cold.join("; ")
        ))],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headline_cell_has_an_interval_only_from_three_samples() {
        assert_eq!(cell(Metric::TtfaMs, &[]), "—");
        assert_eq!(
            cell(Metric::TtfaMs, &[vec![500.0, 600.0]]),
            "550 ms · p95 595 ms"
        );
        let c = cell(Metric::TtfaMs, &[vec![500.0, 510.0, 520.0]]);
        assert!(
            c.starts_with("510 ms [") && c.ends_with("· p95 519 ms"),
            "{c}"
        );
    }

    #[test]
    fn a_case_table_row_per_case() {
        let b = crate::testing::bundle_with_ttfa(&[500.0, 510.0, 520.0]);
        let s = section(&b).unwrap();
        let Block::Table(t) = &s.blocks[0] else {
            panic!("no table")
        };
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0][0].text, "medium (140 chars)");
        assert_eq!(t.rows[0][1].text, "3");
    }
}
