//! `export --zip`: the published site and its runs as one file for offline review. Unzipped
//! anywhere and served by any static server (`kokoro-bench view`, `python3 -m http.server`), it
//! works; opened from `file://` the page says how to serve it.

use crate::cli::ExportArgs;
use crate::commands::EXIT_OK;
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::index::RunIndex;
use std::io::Write;
use std::path::Path;

fn add_dir(
    zip: &mut zip::ZipWriter<std::fs::File>,
    root: &Path,
    dir: &Path,
    skip: &dyn Fn(&str) -> bool,
) -> Result<usize> {
    let mut n = 0;
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for e in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let p = e?.path();
        let rel = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        if skip(&rel) || rel.rsplit('/').next().is_some_and(|f| f.starts_with('.')) {
            continue;
        }
        if p.is_dir() {
            n += add_dir(zip, root, &p, skip)?;
        } else {
            zip.start_file(rel.as_str(), opts)?;
            zip.write_all(
                &std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?,
            )?;
            n += 1;
        }
    }
    Ok(n)
}

/// `export --zip FILE [RUN…]`.
///
/// # Errors
/// No published site, an unknown run, files that cannot be read or written.
pub fn export(args: &ExportArgs) -> Result<i32> {
    let site = &args.site;
    let index_path = site.join("data").join("index.json");
    if !site.join("index.html").is_file() || !index_path.is_file() {
        bail!(
            "no published site in {}: build it and run `kokoro-bench publish` first",
            site.display()
        );
    }
    let mut index: RunIndex = serde_json::from_slice(&std::fs::read(&index_path)?)
        .with_context(|| format!("not a kokoro-bench index: {}", index_path.display()))?;
    if let Some(unknown) = args
        .runs
        .iter()
        .find(|r| !index.runs.iter().any(|e| &e.id == *r))
    {
        bail!("unknown run `{unknown}` in {}", index_path.display());
    }
    if !args.runs.is_empty() {
        index.runs.retain(|r| args.runs.contains(&r.id));
    }
    let keep: Vec<String> = index
        .runs
        .iter()
        .map(|r| format!("data/runs/{}/", r.id))
        .collect();
    let tmp = args.zip.with_extension("zip.partial");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let skip = |rel: &str| {
        rel == "data/index.json"
            || (rel.starts_with("data/runs/")
                && !keep
                    .iter()
                    .any(|k| rel.starts_with(k.as_str()) || k.starts_with(&format!("{rel}/"))))
    };
    let files = add_dir(&mut zip, site, site, &skip)?;
    zip.start_file("data/index.json", zip::write::SimpleFileOptions::default())?;
    zip.write_all(&serde_json::to_vec_pretty(&index)?)?;
    zip.finish()?;
    std::fs::rename(&tmp, &args.zip)
        .with_context(|| format!("cannot write {}", args.zip.display()))?;
    println!(
        "exported the site with {} run(s) ({} files) to {}: unzip it and run `kokoro-bench view <folder>` (or any static server) to open it",
        index.runs.len(),
        files + 1,
        args.zip.display()
    );
    Ok(EXIT_OK)
}
