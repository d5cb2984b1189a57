//! `merge`: the shards of one capacity sweep (`run --shard i/N`) into one run — one curve, one
//! knee, one goodput from every shard's raw requests ([`kokoro_bench_bundle::shards`]).

use super::bundles::load;
use super::EXIT_OK;
use crate::cli::MergeArgs;
use crate::context::artifacts::RunDir;
use crate::timefmt::parse_duration;
use anyhow::{Context, Result};
use std::path::PathBuf;

/// Runs `merge`: writes the merged bundle and its summary, prints the summary.
///
/// # Errors
/// An unreadable bundle (naming it), shards that do not make one sweep, a bad `--max-skew`, a
/// folder that cannot be written.
pub fn run(a: &MergeArgs) -> Result<i32> {
    let max_skew = parse_duration(&a.max_skew).map_err(|e| anyhow::anyhow!("--max-skew: {e}"))?;
    let shards = a
        .bundles
        .iter()
        .map(|p| load(p).map(|l| l.bundle))
        .collect::<Result<Vec<_>>>()?;
    let now = crate::timefmt::unix_ms_now();
    let id = format!(
        "{}-merge{}",
        crate::timefmt::compact(now),
        &short_hash(&a.bundles)
    );
    let merged = kokoro_bench_bundle::shards::merge(&shards, &id, max_skew.as_secs_f64() * 1000.0)
        .map_err(|e| {
            let files: Vec<String> = a.bundles.iter().map(|p| p.display().to_string()).collect();
            anyhow::anyhow!("cannot merge: {e} ({})", files.join(", "))
        })?;
    let mut merged = merged;
    let args: Vec<String> = std::env::args().collect();
    merged.run.command_line = crate::redact::args(&args);
    let dir = RunDir::create(&a.out, &id)?;
    let path = dir.write_bundle(&merged)?;
    let summary = crate::run::summary(&merged);
    crate::fsutil::atomic_write(&dir.dir.join("summary.md"), summary.as_bytes())
        .with_context(|| format!("summary.md not written ({})", dir.dir.display()))?;
    print!("{summary}");
    eprintln!("bundle: {}", path.display());
    Ok(EXIT_OK)
}

fn short_hash(paths: &[PathBuf]) -> String {
    let joined: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    crate::fsutil::sha256_hex(joined.join("\n").as_bytes())[..4].to_string()
}
