//! `schema`, `validate` and `migrate`: thin faces of the bundle crate.

use super::{EXIT_ERROR, EXIT_OK};
use crate::fsutil::atomic_write;
use anyhow::{Context, Result};
use kokoro_bench_bundle::{read_bundle, to_json, Origin};
use std::path::Path;

/// Reads a bundle file (any supported version) with errors that name the file.
///
/// # Errors
/// IO and [`kokoro_bench_bundle::ReadError`]s, ending with the path.
pub fn load(path: &Path) -> Result<kokoro_bench_bundle::Loaded> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    read_bundle(&bytes).map_err(|e| anyhow::anyhow!("{e} ({})", path.display()))
}

/// `schema`.
pub fn schema() -> i32 {
    print!("{}", kokoro_bench_bundle::json_schema());
    EXIT_OK
}

/// `validate FILE…`: prints one line per file; exit 2 if any is invalid.
pub fn validate(files: &[std::path::PathBuf]) -> i32 {
    let mut code = EXIT_OK;
    for f in files {
        match load(f) {
            Ok(l) => {
                let how = match l.origin {
                    Origin::Current => format!("schema {}", l.bundle.schema_version),
                    Origin::OlderSchema(v) => {
                        format!("schema {v} (readable; `kokoro-bench migrate` upgrades it)")
                    }
                    Origin::LegacyRunBench => {
                        "legacy run_bench.py result (readable; `kokoro-bench migrate` converts it)"
                            .into()
                    }
                };
                let trials: usize = l.bundle.cases.iter().map(|c| c.trials.len()).sum();
                println!(
                    "ok: {} — run {}, {how}, {} case(s), {trials} trial(s)",
                    f.display(),
                    l.bundle.run.id,
                    l.bundle.cases.len()
                );
            }
            Err(e) => {
                eprintln!("invalid: {e:#}");
                code = EXIT_ERROR;
            }
        }
    }
    code
}

/// `migrate FILE`: rewrites the file in the current schema, keeping `FILE.bak`.
///
/// # Errors
/// When the file cannot be read, parsed or written.
pub fn migrate(file: &Path) -> Result<i32> {
    let loaded = load(file)?;
    if loaded.origin == Origin::Current {
        println!(
            "{} is already schema {}; nothing to do",
            file.display(),
            loaded.bundle.schema_version
        );
        return Ok(EXIT_OK);
    }
    let backup = file.with_extension(format!(
        "{}.bak",
        file.extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    std::fs::copy(file, &backup)
        .with_context(|| format!("cannot write the backup {}", backup.display()))?;
    atomic_write(file, &to_json(&loaded.bundle)?)?;
    for m in &loaded.migrations {
        println!("  {m}");
    }
    println!(
        "migrated {} to schema {} (backup: {})",
        file.display(),
        loaded.bundle.schema_version,
        backup.display()
    );
    Ok(EXIT_OK)
}
