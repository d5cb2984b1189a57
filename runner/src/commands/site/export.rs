//! `export --zip`: the published site and its runs as one file for offline review. It unzips
//! into one folder (named after the zip) with a README saying how to open it; served by any
//! static server (`kokoro-bench view`, `python3 -m http.server`) it works, audio seeking
//! included (the page plays from memory when a server cannot seek); opened from `file://` the
//! page says how to serve it.

use crate::cli::ExportArgs;
use crate::commands::EXIT_OK;
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::index::RunIndex;
use std::io::Write;
use std::path::Path;

/// What the zip's README says.
fn readme(folder: &str, runs: usize) -> String {
    format!(
        "kokoro-bench report: {runs} run(s), for offline review.\n\n\
         Open it by serving this folder (browsers do not run the page from file://):\n\n\
         \x20   kokoro-bench view {folder}\n\n\
         and open the address it prints. Any static server works too, e.g.\n\n\
         \x20   cd {folder} && python3 -m http.server\n\n\
         (audio still seeks: the page plays a WAV from memory when the server cannot seek).\n"
    )
}

fn add_dir(
    zip: &mut zip::ZipWriter<std::fs::File>,
    root: &Path,
    dir: &Path,
    skip: &dyn Fn(&str) -> bool,
    prefix: &str,
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
            n += add_dir(zip, root, &p, skip, prefix)?;
        } else {
            zip.start_file(format!("{prefix}/{rel}"), opts)?;
            zip.write_all(
                &std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?,
            )?;
            n += 1;
        }
    }
    Ok(n)
}

/// `export`: `--bundle B --format F` writes one bundle's numbers; `--zip FILE [RUN…]` the site.
///
/// # Errors
/// No published site, an unknown run, an unreadable bundle, files that cannot be written.
pub fn export(args: &ExportArgs) -> Result<i32> {
    if let (Some(bundle), Some(format)) = (&args.bundle, args.format) {
        let b = crate::commands::bundles::load(bundle)?.bundle;
        let text = format.render(&b)?;
        match &args.out {
            Some(p) => crate::fsutil::atomic_write(p, text.as_bytes())
                .with_context(|| format!("cannot write {}", p.display()))?,
            None => print!("{text}"),
        }
        return Ok(EXIT_OK);
    }
    let Some(zip_path) = &args.zip else {
        bail!("say what to export: --zip FILE (the published site) or --bundle B --format F");
    };
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
    let tmp = zip_path.with_extension("zip.partial");
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
    // One top-level folder, named after the zip.
    let folder = zip_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "kokoro-bench-report".into());
    let files = add_dir(&mut zip, site, site, &skip, &folder)?;
    zip.start_file(
        format!("{folder}/data/index.json"),
        zip::write::SimpleFileOptions::default(),
    )?;
    zip.write_all(&serde_json::to_vec_pretty(&index)?)?;
    zip.start_file(
        format!("{folder}/README.txt"),
        zip::write::SimpleFileOptions::default(),
    )?;
    zip.write_all(readme(&folder, index.runs.len()).as_bytes())?;
    zip.finish()?;
    std::fs::rename(&tmp, zip_path)
        .with_context(|| format!("cannot write {}", zip_path.display()))?;
    println!(
        "exported the site with {} run(s) ({} files) to {}: it unzips into {folder}/; open it with `kokoro-bench view {folder}` (its README.txt says so too)",
        index.runs.len(),
        files + 2,
        zip_path.display()
    );
    Ok(EXIT_OK)
}
