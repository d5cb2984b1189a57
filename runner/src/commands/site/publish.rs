//! `publish`: builds the report site's data from every run it should hold. History lives in the
//! site itself: runs already published stay, runs from each `--artifacts` folder and each
//! `--merge-from` site are added, and the index is rebuilt from the bundles that are there — so a
//! CI runner that starts empty, restores the previous site and publishes, keeps every earlier run
//! and every share link. Run folders are immutable: the same id must be the same bytes.
//! Bundles that still hold something that looks like a credential are refused.

use super::sources::Source;
use crate::cli::PublishArgs;
use crate::commands::EXIT_OK;
use crate::fsutil::{atomic_write, sha256_file};
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::history::series_key;
use kokoro_bench_bundle::index::{IndexEntry, RunIndex};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Pinned runs (kept by every retention), `data/pins.json`.
const PINS: &str = "pins.json";

/// Refuses a bundle that still looks like it holds a credential, naming where.
fn check_secrets(path: &Path, allow: bool) -> Result<()> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)
        .with_context(|| format!("not JSON: {}", path.display()))?;
    let found = crate::redact::scan(&v);
    if found.is_empty() || allow {
        return Ok(());
    }
    let lines: Vec<String> = found
        .iter()
        .map(|(p, what)| format!("  {p}: {what}"))
        .collect();
    bail!(
        "{} looks like it holds a secret, so it is not published:\n{}\nRemove it from the bundle (or re-run: current runs redact headers and tokens), or pass --allow-secrets if it is not one.",
        path.display(),
        lines.join("\n")
    )
}

/// Puts one run folder into the site, or checks that the one there is the same run.
fn place(from_bundle: &Path, runs_dir: &Path, id: &str, allow_secrets: bool) -> Result<bool> {
    let dest = runs_dir.join(id);
    let incoming = sha256_file(from_bundle)?;
    if dest.join("bundle.json").is_file() {
        if sha256_file(&dest.join("bundle.json"))? == incoming {
            return Ok(false);
        }
        bail!(
            "run {id} is already published with different content ({}): a published run never changes (share links point at it); give the new run its own id",
            dest.display()
        );
    }
    check_secrets(from_bundle, allow_secrets)?;
    let src = from_bundle
        .parent()
        .context("a bundle path has no folder")?;
    copy_dir(src, &dest)?;
    Ok(true)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for e in std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let p = e?.path();
        let name = p.file_name().unwrap_or_default();
        if name.to_string_lossy().starts_with('.') {
            continue; // temporary files
        }
        let dest = to.join(name);
        if p.is_dir() {
            copy_dir(&p, &dest)?;
        } else {
            std::fs::copy(&p, &dest)
                .with_context(|| format!("cannot copy {} to {}", p.display(), dest.display()))?;
        }
    }
    Ok(())
}

/// Adds the runs of one source (all, or the ids asked for).
fn add_source(source: &Source, runs_dir: &Path, wanted: &[String], allow: bool) -> Result<usize> {
    let mut added = 0;
    for run in source.runs()? {
        if !wanted.is_empty() && !wanted.contains(&run.id) {
            continue;
        }
        match source {
            Source::Folder { base } => {
                if place(&base.join(&run.path), runs_dir, &run.id, allow)? {
                    added += 1;
                }
            }
            Source::Url { .. } => {
                let dest = runs_dir.join(&run.id);
                if dest.join("bundle.json").is_file() {
                    continue; // already here; sameness is checked when it came from a folder
                }
                let scratch = runs_dir.join(format!(".incoming-{}", run.id));
                let _ = std::fs::remove_dir_all(&scratch);
                source.fetch_run(&run, &scratch)?;
                check_secrets(&scratch.join("bundle.json"), allow)?;
                std::fs::rename(&scratch, &dest)
                    .with_context(|| format!("cannot move {} into place", dest.display()))?;
                added += 1;
            }
        }
    }
    Ok(added)
}

/// The index of every run folder under `runs_dir`, oldest first.
fn rebuild_index(runs_dir: &Path) -> Result<RunIndex> {
    let mut index = RunIndex::default();
    for e in std::fs::read_dir(runs_dir).into_iter().flatten().flatten() {
        let bundle = e.path().join("bundle.json");
        let id = e.file_name().to_string_lossy().into_owned();
        if id.starts_with('.') || !bundle.is_file() {
            continue;
        }
        let loaded = super::super::bundles::load(&bundle)?;
        let mut entry = IndexEntry::of(
            &loaded.bundle,
            format!("runs/{id}/bundle.json"),
            sha256_file(&bundle)?,
        );
        // Audio the bundle names but the folder no longer holds was pruned by retention.
        entry.audio_pruned = audio_of(&loaded.bundle)
            .iter()
            .any(|a| !e.path().join(a).is_file());
        index.upsert(entry);
    }
    index.runs.sort_by_key(|r| r.started_unix_ms);
    Ok(index)
}

/// Drops all but the newest `keep` runs of each machine · target series, never a pinned one.
fn retain(
    index: &mut RunIndex,
    runs_dir: &Path,
    keep: usize,
    pins: &BTreeSet<String>,
) -> Vec<String> {
    let mut per_series: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    for r in &index.runs {
        per_series
            .entry(series_key(r))
            .or_default()
            .push((r.started_unix_ms, r.id.clone()));
    }
    let mut dropped = Vec::new();
    for runs in per_series.values_mut() {
        runs.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (_, id) in runs.iter().skip(keep) {
            if !pins.contains(id) && std::fs::remove_dir_all(runs_dir.join(id)).is_ok() {
                dropped.push(id.clone());
            }
        }
    }
    index.runs.retain(|r| !dropped.contains(&r.id));
    dropped
}

/// Writes `<file>.gz` beside a file (best compression), for hosts that serve precompressed
/// files (nginx `gzip_static`, Caddy `precompressed`; `kokoro-bench view` too).
fn precompress(file: &Path) -> Result<()> {
    use std::io::Write;
    let raw = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&raw)?;
    let mut gz = file.as_os_str().to_owned();
    gz.push(".gz");
    atomic_write(Path::new(&gz), &enc.finish()?)
}

/// Precompresses the page's own files (the WebAssembly, its loader, the style, the HTML) and
/// the index; bundles are compressed by the host or `view` as they are asked for.
fn precompress_site(site: &Path) -> Result<()> {
    for e in std::fs::read_dir(site).with_context(|| format!("cannot read {}", site.display()))? {
        let p = e?.path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if p.is_file() && matches!(ext, "wasm" | "js" | "css" | "html") {
            precompress(&p)?;
        }
    }
    precompress(&site.join("data").join("index.json"))
}

/// The WAVs a bundle names, relative to its run folder.
fn audio_of(b: &kokoro_bench_bundle::Bundle) -> Vec<String> {
    b.cases
        .iter()
        .flat_map(|c| &c.trials)
        .filter_map(|t| t.audio.as_ref().map(|a| a.path.clone()))
        .collect()
}

/// Removes the WAVs of all but the newest `keep` runs of each series (never a pinned run's):
/// their numbers and traces stay, the index marks them, and the page says why nothing plays.
/// Returns how many runs lost their audio now.
fn prune_audio(
    index: &mut RunIndex,
    runs_dir: &Path,
    keep: usize,
    pins: &BTreeSet<String>,
) -> usize {
    let mut per_series: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    for r in &index.runs {
        per_series
            .entry(series_key(r))
            .or_default()
            .push((r.started_unix_ms, r.id.clone()));
    }
    let mut pruned = 0;
    for runs in per_series.values_mut() {
        runs.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (_, id) in runs.iter().skip(keep).filter(|(_, id)| !pins.contains(id)) {
            let audio = runs_dir.join(id).join("audio");
            let had = audio.is_dir();
            if had && std::fs::remove_dir_all(&audio).is_ok() {
                pruned += 1;
            }
            if let Some(e) = index.runs.iter_mut().find(|e| &e.id == id) {
                e.audio_pruned |= had;
            }
        }
    }
    pruned
}

fn pins(data: &Path, new: &[String]) -> Result<BTreeSet<String>> {
    let path = data.join(PINS);
    let mut pins: BTreeSet<String> = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    if !new.is_empty() {
        pins.extend(new.iter().cloned());
        atomic_write(&path, &serde_json::to_vec_pretty(&pins)?)?;
    }
    Ok(pins)
}

/// `publish`.
///
/// # Errors
/// No built site, an unreadable source, a run whose id is taken by different content, a bundle
/// that looks like it holds a secret, files that cannot be copied.
pub fn publish(args: &PublishArgs) -> Result<i32> {
    let site = &args.site;
    if !site.join("index.html").is_file() {
        bail!(
            "no built site in {}: build it first with `(cd report-ui && trunk build --offline --release)`",
            site.display()
        );
    }
    let data = site.join("data");
    let runs_dir: PathBuf = data.join("runs");
    std::fs::create_dir_all(&runs_dir)
        .with_context(|| format!("cannot create {}", runs_dir.display()))?;
    let mut added = 0;
    for spec in &args.merge_from {
        let source = Source::open(spec)?;
        added += add_source(&source, &runs_dir, &[], args.allow_secrets)
            .with_context(|| format!("merging {}", source.describe()))?;
    }
    for folder in &args.artifacts {
        if !folder.join("index.json").is_file() && !args.merge_from.is_empty() {
            continue; // a CI job that only merges has no artifacts of its own
        }
        let source = Source::open(&folder.to_string_lossy())?;
        let ids: BTreeSet<String> = source.runs()?.into_iter().map(|r| r.id).collect();
        if let Some(unknown) = args
            .runs
            .iter()
            .find(|r| !ids.contains(*r) && !runs_dir.join(r).is_dir())
        {
            bail!(
                "unknown run `{unknown}`; {} has: {}",
                folder.display(),
                ids.into_iter().collect::<Vec<_>>().join(", ")
            );
        }
        added += add_source(&source, &runs_dir, &args.runs, args.allow_secrets)?;
    }
    let pinned = pins(&data, &args.pin)?;
    let mut index = rebuild_index(&runs_dir)?;
    let dropped = match args.keep_last {
        Some(n) => retain(&mut index, &runs_dir, n.max(1), &pinned),
        None => Vec::new(),
    };
    let pruned = match args.keep_audio_last {
        Some(n) => prune_audio(&mut index, &runs_dir, n, &pinned),
        None => 0,
    };
    atomic_write(
        &data.join("index.json"),
        &serde_json::to_vec_pretty(&index)?,
    )?;
    precompress_site(site)?;
    println!(
        "published {added} new run(s); the site holds {} run(s){}{} in {} (open with `kokoro-bench view {}`)",
        index.runs.len(),
        if dropped.is_empty() {
            String::new()
        } else {
            format!(" after dropping {} old one(s) (--keep-last)", dropped.len())
        },
        if pruned == 0 {
            String::new()
        } else {
            format!("; {pruned} older run(s) lost their WAVs (--keep-audio-last)")
        },
        data.display(),
        site.display()
    );
    Ok(EXIT_OK)
}
