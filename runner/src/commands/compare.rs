//! `compare BASE NEW…`: the bundle crate's comparison as a terminal table or Markdown.

use super::bundles::load;
use super::{EXIT_FAILED, EXIT_OK};
use crate::cli::CompareArgs;
use anyhow::Result;
use kokoro_bench_bundle::compare::noise::Floor;
use kokoro_bench_bundle::compare::{compare_with, Comparison, Options, Row, Verdict};
use kokoro_bench_bundle::index::RunIndex;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn summary_cell(row: &Row, new: bool) -> String {
    let (s, rounds) = if new {
        (&row.new, row.rounds[1])
    } else {
        (&row.base, row.rounds[0])
    };
    s.as_ref()
        .map(|s| match rounds {
            0 | 1 => format!("{} (n={})", row.metric.format(s.median), s.n),
            r => format!("{} (n={}, {r} rounds)", row.metric.format(s.median), s.n),
        })
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
    for line in &c.plan_changes {
        let _ = writeln!(o, "{q}plans: {line}");
    }
    if let Some(n) = &c.noise_source {
        let _ = writeln!(o, "{q}run-to-run noise: {n}");
    }
    let _ = writeln!(o);
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

/// The run index to read series history from: the one given (a file or its folder), else the
/// one beside the new bundle (`<artifacts>/runs/<id>/bundle.json` → `<artifacts>/index.json`).
///
/// # Errors
/// A given index that cannot be read.
fn history(given: Option<&Path>, new: &Path) -> Result<Option<RunIndex>> {
    let read = |p: &Path| -> Result<RunIndex> {
        let bytes = std::fs::read(p)
            .map_err(|e| anyhow::anyhow!("cannot read the run index: {e} ({})", p.display()))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            anyhow::anyhow!(
                "not a kokoro-bench run index (artifacts/index.json): {e} ({})",
                p.display()
            )
        })
    };
    if let Some(g) = given {
        let p = if g.is_dir() {
            g.join("index.json")
        } else {
            g.to_path_buf()
        };
        return read(&p).map(Some);
    }
    let dir = if new.is_dir() {
        new.to_path_buf()
    } else {
        new.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let beside: PathBuf = dir.join("../../index.json");
    Ok(if beside.is_file() {
        read(&beside).ok()
    } else {
        None
    })
}

/// `--noise-floor`: a file from `scripts/aa.sh`, `none`, or the built-in floor.
///
/// # Errors
/// A file that cannot be read or is not a floor.
fn floor(given: Option<&Path>) -> Result<Floor> {
    match given {
        None => Ok(Floor::builtin()),
        Some(p) if p.as_os_str() == "none" => Ok(Floor::none()),
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| {
                anyhow::anyhow!("--noise-floor: cannot read it: {e} ({})", p.display())
            })?;
            serde_json::from_slice(&bytes).map_err(|e| {
                anyhow::anyhow!(
                    "--noise-floor: not a floor file as scripts/aa.sh writes ({{\"machine\", \"measured\", \"rel_sd\": {{metric: sd}}}}): {e} ({})",
                    p.display()
                )
            })
        }
    }
}

/// The run before `new` in its series in `index` (read from `index_dir`): its bundle's path.
fn previous(
    index: &RunIndex,
    index_dir: &Path,
    new: &kokoro_bench_bundle::Bundle,
) -> Option<PathBuf> {
    let series = kokoro_bench_bundle::index::series_of(new);
    index
        .runs
        .iter()
        .filter(|r| {
            r.id != new.run.id
                && r.started_unix_ms < new.run.started_unix_ms
                && kokoro_bench_bundle::history::series_key(r) == series
        })
        .max_by_key(|r| r.started_unix_ms)
        .map(|r| index_dir.join(&r.path))
}

/// `::error` lines for the regressed rows.
fn annotation_lines(c: &Comparison) -> Vec<String> {
    c.rows
        .iter()
        .filter(|r| r.verdict == Verdict::Regressed)
        .map(|r| {
            format!(
                "::error title=regressed: {} {}::{} → {}: {}",
                r.metric.key(),
                r.case.as_deref().unwrap_or("run"),
                c.base_id,
                c.new_id,
                r.reason.replace('%', "%25").replace('\n', " ")
            )
        })
        .collect()
}

/// Where a `--history` argument (or the default beside `new`) puts the index's folder.
fn index_dir(given: Option<&Path>, new: &Path) -> PathBuf {
    match given {
        Some(g) if g.is_dir() => g.to_path_buf(),
        Some(g) => g.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => new.parent().map(|p| p.join("../..")).unwrap_or_default(),
    }
}

/// `compare`.
///
/// # Errors
/// When a bundle or the index cannot be read, or BASE is given without a NEW.
pub fn run(args: &CompareArgs) -> Result<i32> {
    if args.side_by_side {
        return side_by_side(args);
    }
    let floor = floor(args.noise_floor.as_deref())?;
    let (fixed_base, news) = if args.previous {
        (None, args.bundles.as_slice())
    } else {
        let Some((b, rest)) = args.bundles.split_first().filter(|(_, r)| !r.is_empty()) else {
            anyhow::bail!("compare needs a baseline and at least one bundle to compare with it (BASE NEW…), or --previous NEW to compare with the run before it in its series");
        };
        (Some(load(b)?.bundle), rest)
    };
    let mut regressed = false;
    let mut all = Vec::new();
    for n in news {
        let new = load(n)?.bundle;
        let index = history(args.history.as_deref(), n)?;
        let base = match &fixed_base {
            Some(b) => b.clone(),
            None => {
                let prev = index
                    .as_ref()
                    .and_then(|ix| previous(ix, &index_dir(args.history.as_deref(), n), &new));
                match prev {
                    Some(p) => load(&p)?.bundle,
                    None => {
                        let msg = format!(
                            "no earlier run of this series ({}) in the run index: nothing to compare {} with",
                            kokoro_bench_bundle::index::series_of(&new),
                            new.run.id
                        );
                        if args.json {
                            eprintln!("{msg}");
                        } else {
                            println!("{msg}\n");
                        }
                        continue;
                    }
                }
            }
        };
        let c = compare_with(
            &base,
            &new,
            Options {
                allow_different: args.allow_different,
                history: index.as_ref(),
                floor: Some(&floor),
            },
        );
        regressed |= c.regressed();
        if args.annotations {
            for line in annotation_lines(&c) {
                println!("{line}");
            }
        } else if args.json {
            all.push(c);
        } else {
            print!("{}", render(&c, args.markdown));
            if let Some(line) = side_by_side_line(&new, n) {
                println!("{line}");
            }
            println!();
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    }
    Ok(if regressed { EXIT_FAILED } else { EXIT_OK })
}

/// What a bundle's own side-by-side suite concluded, in one line pointing at its rows.
fn side_by_side_line(b: &kokoro_bench_bundle::Bundle, path: &Path) -> Option<String> {
    let v = b.versus.as_ref()?;
    let judged = kokoro_bench_bundle::compare::variants::compare_targets(v);
    let count = |want: Verdict| {
        judged
            .iter()
            .flat_map(|c| &c.rows)
            .filter(|r| r.verdict == want)
            .count()
    };
    Some(format!(
        "side by side inside {}: {} target(s) against {}, {} row(s) regressed, {} improved — `kokoro-bench compare --side-by-side {}` for the rows",
        b.run.id,
        judged.len(),
        v.targets.first().map_or("its own", |t| t.label.as_str()),
        count(Verdict::Regressed),
        count(Verdict::Improved),
        path.display()
    ))
}

/// `compare --side-by-side B…`: each bundle's versus section, judged pair by pair; exit 1 when a
/// target regressed against the run's own.
fn side_by_side(args: &CompareArgs) -> Result<i32> {
    use kokoro_bench_bundle::compare::variants::compare_targets;
    let mut regressed = false;
    let mut json = Vec::new();
    for path in &args.bundles {
        let b = load(path)?.bundle;
        let Some(v) = b.versus.as_ref() else {
            anyhow::bail!(
                "{} measured no targets side by side: run with `--suite …,versus --versus NAME=FLAGS` ({})",
                b.run.id,
                path.display()
            );
        };
        let judged = compare_targets(v);
        regressed |= judged
            .iter()
            .any(|c| c.rows.iter().any(|r| r.verdict == Verdict::Regressed));
        if args.json {
            json.push(serde_json::json!({"run": b.run.id, "targets": judged}));
        } else if let Some(section) = kokoro_bench_bundle::present::versus::section(&b) {
            // Markdown either way: the run's summary is Markdown too.
            println!(
                "{}",
                kokoro_bench_bundle::present::markdown::render(&[section])
            );
        }
        if args.annotations {
            for c in &judged {
                for r in c.rows.iter().filter(|r| r.verdict == Verdict::Regressed) {
                    println!(
                        "::error title=regressed side by side::{} vs {}: {} {} {}",
                        c.variant,
                        v.targets
                            .first()
                            .map(|t| t.label.as_str())
                            .unwrap_or("the run's own"),
                        r.case.as_deref().unwrap_or(""),
                        r.metric.label(),
                        r.reason
                    );
                }
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json)?);
    }
    Ok(if regressed { EXIT_FAILED } else { EXIT_OK })
}
