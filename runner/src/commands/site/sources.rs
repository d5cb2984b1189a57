//! Where runs come from when a site is published: an artifacts folder (`index.json` +
//! `runs/<id>/`), a published site's folder (`data/index.json` + `data/runs/<id>/`, e.g. a
//! `gh-pages` checkout), or a published site's URL (the live Pages site). Each yields its runs'
//! files; nothing else of the source is read.

use crate::fsutil::sha256_hex;
use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::index::RunIndex;
use kokoro_bench_bundle::read::MAX_BUNDLE_BYTES;
use std::path::{Path, PathBuf};

/// Largest artifact fetched from a URL (a WAV of a long soak case is a few MB).
const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

/// A place runs are read from.
pub enum Source {
    /// A folder with an index (artifacts, or a site's `data/`).
    Folder {
        /// The folder holding `index.json`.
        base: PathBuf,
    },
    /// A published site at a URL (its `data/index.json`).
    Url {
        /// The URL of the site's `data/` folder, ending in `/`.
        base: String,
    },
}

/// One run of a source.
pub struct SourceRun {
    /// Run id.
    pub id: String,
    /// SHA-256 of its bundle as the source's index records it.
    pub sha256: String,
    /// The bundle's path relative to the source's base.
    pub path: String,
    /// The source pruned this run's WAVs (they are not fetched).
    pub audio_pruned: bool,
}

impl Source {
    /// A folder (an artifacts folder, or a site root with `data/index.json`) or an
    /// `http(s)://` site.
    ///
    /// # Errors
    /// When there is no index where one should be.
    pub fn open(spec: &str) -> Result<Source> {
        if spec.starts_with("http://") || spec.starts_with("https://") {
            let base = format!(
                "{}/data/",
                spec.trim_end_matches('/').trim_end_matches("/index.html")
            );
            return Ok(Source::Url { base });
        }
        let dir = PathBuf::from(spec);
        for base in [dir.clone(), dir.join("data")] {
            if base.join("index.json").is_file() {
                return Ok(Source::Folder { base });
            }
        }
        bail!(
            "no runs in {spec}: expected an artifacts folder (index.json) or a published site (data/index.json)"
        )
    }

    /// What it is, for messages.
    pub fn describe(&self) -> String {
        match self {
            Source::Folder { base } => base.display().to_string(),
            Source::Url { base } => crate::redact::url(base),
        }
    }

    fn read(&self, rel: &str, max: usize) -> Result<Vec<u8>> {
        if rel.split('/').any(|p| p == ".." || p.is_empty()) || rel.starts_with('/') {
            bail!("refusing the path `{rel}` in {}", self.describe());
        }
        match self {
            Source::Folder { base } => {
                let p = base.join(rel);
                std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))
            }
            Source::Url { base } => {
                crate::targets::http::get(&format!("{base}{rel}"), tls().as_ref(), max)
            }
        }
    }

    /// The runs its index lists.
    ///
    /// # Errors
    /// An unreadable or malformed index.
    pub fn runs(&self) -> Result<Vec<SourceRun>> {
        let bytes = self.read("index.json", MAX_BUNDLE_BYTES)?;
        let index: RunIndex = serde_json::from_slice(&bytes)
            .with_context(|| format!("not a kokoro-bench index: {}index.json", self.describe()))?;
        Ok(index
            .runs
            .into_iter()
            .map(|r| SourceRun {
                id: r.id,
                sha256: r.sha256,
                path: r.path,
                audio_pruned: r.audio_pruned,
            })
            .collect())
    }

    /// Copies one run's folder (its bundle and every file the bundle names) into `dest`,
    /// checking the bundle against the index's hash and each WAV against the bundle's.
    ///
    /// # Errors
    /// A missing file, a hash that does not match, a file that cannot be written.
    pub fn fetch_run(&self, run: &SourceRun, dest: &Path) -> Result<()> {
        let bundle = self.read(&run.path, MAX_BUNDLE_BYTES)?;
        if !run.sha256.is_empty() && sha256_hex(&bundle) != run.sha256 {
            bail!(
                "run {} in {}: the bundle's SHA-256 differs from its index line (the source changed under us, or is corrupt)",
                run.id,
                self.describe()
            );
        }
        let dir = run.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let loaded = kokoro_bench_bundle::read_bundle(&bundle)
            .map_err(|e| anyhow::anyhow!("{e} (run {} in {})", run.id, self.describe()))?;
        let prefix = |f: &str| {
            if dir.is_empty() {
                f.to_string()
            } else {
                format!("{dir}/{f}")
            }
        };
        let mut files: Vec<(String, Option<String>)> = vec![("summary.md".into(), None)];
        for t in loaded.bundle.cases.iter().flat_map(|c| &c.trials) {
            if let Some(a) = t.audio.as_ref().filter(|_| !run.audio_pruned) {
                files.push((a.path.clone(), Some(a.sha256.clone())));
            }
            if let Some(tr) = &t.trace {
                files.push((tr.path.clone(), Some(tr.sha256.clone())));
            }
        }
        std::fs::create_dir_all(dest)
            .with_context(|| format!("cannot create {}", dest.display()))?;
        crate::fsutil::atomic_write(&dest.join("bundle.json"), &bundle)?;
        for (f, sha) in files {
            let bytes = match self.read(&prefix(&f), MAX_FILE_BYTES) {
                Ok(b) => b,
                Err(_) if sha.is_none() => continue, // summary.md is optional
                Err(e) => return Err(e),
            };
            if sha.as_deref().is_some_and(|s| s != sha256_hex(&bytes)) {
                bail!(
                    "run {}: {f} does not match the SHA-256 its bundle records",
                    run.id
                );
            }
            crate::fsutil::atomic_write(&dest.join(&f), &bytes)?;
        }
        Ok(())
    }
}

/// TLS settings for reading an `https://` site (the public web roots).
fn tls() -> Option<crate::targets::http::tls::TlsConfig> {
    crate::targets::http::tls::client_config(None).ok()
}
