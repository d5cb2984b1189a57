//! `compare BASE NEW…`: the bundle crate's comparison as a terminal table or Markdown.

use super::bundles::load;
use super::{EXIT_FAILED, EXIT_OK};
use crate::cli::CompareArgs;
use anyhow::Result;
use kokoro_bench_bundle::compare::{compare_with, Comparison, Options, Row, Verdict};
use std::fmt::Write;

fn summary_cell(row: &Row, new: bool) -> String {
    let s = if new { &row.new } else { &row.base };
    s.as_ref()
        .map(|s| format!("{} (n={})", row.metric.format(s.median), s.n))
        .unwrap_or("—".into())
}

fn change_cell(row: &Row) -> String {
    match (row.change_rel, row.change_abs, row.ci) {
        (Some(rel), _, Some(ci)) if row.relative => {
            format!(
                "{:+.1} % [{:+.1}, {:+.1}]",
                rel * 100.0,
                ci.lo * 100.0,
                ci.hi * 100.0
            )
        }
        (_, Some(abs), Some(ci)) => format!("{abs:+.2} [{:+.2}, {:+.2}]", ci.lo, ci.hi),
        (Some(rel), _, None) => format!("{:+.1} %", rel * 100.0),
        (_, Some(abs), None) => format!("{abs:+.2}"),
        _ => "—".into(),
    }
}

/// What the recogniser heard in the new run against what it heard in the baseline.
fn transcript_lines(c: &Comparison) -> Vec<String> {
    let same = c.transcripts.iter().filter(|t| t.diff.is_empty()).count();
    let mut out: Vec<String> = c
        .transcripts
        .iter()
        .filter(|t| !t.diff.is_empty())
        .map(|t| {
            format!(
                "HEARD DIFFERENTLY: {}: {:.1} % of words differ from the baseline's transcript (WER against the text {:.1} % → {:.1} %): {}",
                t.case,
                t.wer_vs_baseline * 100.0,
                t.wer_base * 100.0,
                t.wer_new * 100.0,
                t.diff
            )
        })
        .collect();
    if same > 0 {
        out.push(format!(
            "transcripts: the same words as the baseline in {same} of {} case(s)",
            c.transcripts.len()
        ));
    }
    out
}

/// Renders one comparison.
pub fn render(c: &Comparison, markdown: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}{} → {}\n",
        if markdown { "## " } else { "" },
        c.base_id,
        c.new_id
    );
    let q = if markdown { "> " } else { "" };
    if !c.not_like_for_like.is_empty() {
        let _ = writeln!(
            o,
            "{q}{}: {}",
            if c.judged_anyway {
                "NOT LIKE FOR LIKE (judged anyway, --allow-different)"
            } else {
                "NOT LIKE FOR LIKE, so no verdicts (--allow-different judges anyway)"
            },
            c.not_like_for_like.join("; ")
        );
    }
    for w in &c.warnings {
        let _ = writeln!(o, "{q}warning: {w}");
    }
    let tradeoffs = c.tradeoffs();
    for t in &tradeoffs {
        let _ = writeln!(o, "{q}FASTER BUT WORSE: {t}");
    }
    for line in transcript_lines(c) {
        let _ = writeln!(o, "{q}{line}");
    }
    if !c.warnings.is_empty()
        || !c.not_like_for_like.is_empty()
        || !tradeoffs.is_empty()
        || !c.transcripts.is_empty()
    {
        let _ = writeln!(o);
    }
    let differing: Vec<_> = c.setup.iter().filter(|l| l.differs()).collect();
    if !differing.is_empty() {
        let _ = writeln!(
            o,
            "{}",
            if markdown {
                "| set-up | baseline | new |\n|---|---|---|"
            } else {
                "set-up differences:"
            }
        );
        for l in differing {
            if markdown {
                let _ = writeln!(o, "| {} | {} | {} |", l.label, l.base, l.new);
            } else {
                let _ = writeln!(o, "  {}: {} → {}", l.label, l.base, l.new);
            }
        }
        let _ = writeln!(o);
    }
    let counts: Vec<String> = c
        .verdict_counts()
        .iter()
        .filter(|(_, k)| *k > 0)
        .map(|(v, k)| format!("{k} {}", v.label()))
        .collect();
    let _ = writeln!(o, "{}\n", counts.join(" · "));
    let header = [
        "metric",
        "case",
        "base median",
        "new median",
        "change [95 % CI]",
        "verdict",
        "why",
    ];
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            let verdict = match r.verdict {
                Verdict::Regressed => "REGRESSED".to_string(),
                v => v.label().to_string(),
            };
            vec![
                r.metric.label().to_string(),
                r.case.clone().unwrap_or_else(|| "run".into()),
                summary_cell(r, false),
                summary_cell(r, true),
                change_cell(r),
                verdict,
                r.reason.clone(),
            ]
        })
        .collect();
    let table = super::table::layout(&header, &rows, markdown);
    for line in table.head.iter().chain(&table.rows) {
        let _ = writeln!(o, "{line}");
    }
    o
}

/// `compare`.
///
/// # Errors
/// When a bundle cannot be read.
pub fn run(args: &CompareArgs) -> Result<i32> {
    let base = load(&args.base)?.bundle;
    let mut regressed = false;
    let mut all = Vec::new();
    for n in &args.new {
        let new = load(n)?.bundle;
        let c = compare_with(
            &base,
            &new,
            Options {
                allow_different: args.allow_different,
            },
        );
        regressed |= c.regressed();
        if args.json {
            all.push(c);
        } else {
            print!("{}", render(&c, args.markdown));
            println!();
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    }
    Ok(if regressed { EXIT_FAILED } else { EXIT_OK })
}
