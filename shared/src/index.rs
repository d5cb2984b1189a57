//! The run index (`artifacts/index.json`, `dist/data/index.json`): one line per run so a viewer
//! can list runs without opening every bundle.

use crate::gates::GateStatus;
use crate::schema::Bundle;
use serde::{Deserialize, Serialize};

/// Current index format version.
pub const INDEX_VERSION: u32 = 1;

/// The index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RunIndex {
    /// Format version.
    pub index_version: u32,
    /// Runs, oldest first.
    pub runs: Vec<IndexEntry>,
}

/// One run in the index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndexEntry {
    /// Run id.
    pub id: String,
    /// Bundle path relative to the index file, `/`-separated.
    pub path: String,
    /// SHA-256 of the bundle file.
    pub sha256: String,
    /// Start, RFC 3339.
    pub started_at: String,
    /// Start, Unix ms.
    pub started_unix_ms: u64,
    /// `completed` / `interrupted` / `in_progress`.
    pub status: String,
    /// CPU model.
    pub machine: String,
    /// Model file name.
    pub model: String,
    /// Strategy.
    pub strategy: String,
    /// Case ids.
    pub cases: Vec<String>,
    /// Gate counts: pass, warn, fail, no data.
    pub gates: [u32; 4],
}

impl IndexEntry {
    /// Describes a bundle stored at `path` with content hash `sha256`.
    pub fn of(bundle: &Bundle, path: String, sha256: String) -> IndexEntry {
        let count = |s: GateStatus| bundle.gates.iter().filter(|g| g.status == s).count() as u32;
        IndexEntry {
            id: bundle.run.id.clone(),
            path,
            sha256,
            started_at: bundle.run.started_at.clone(),
            started_unix_ms: bundle.run.started_unix_ms,
            status: serde_json::to_value(bundle.run.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            machine: bundle.machine.cpu_model.clone(),
            model: bundle
                .provenance
                .model
                .as_ref()
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            strategy: bundle.plan.strategy.clone(),
            cases: bundle.cases.iter().map(|c| c.id.clone()).collect(),
            gates: [
                count(GateStatus::Pass),
                count(GateStatus::Warn),
                count(GateStatus::Fail),
                count(GateStatus::NoData),
            ],
        }
    }
}

impl RunIndex {
    /// Inserts or replaces the entry with the same id, keeping runs sorted by start time.
    pub fn upsert(&mut self, entry: IndexEntry) {
        self.index_version = INDEX_VERSION;
        self.runs.retain(|r| r.id != entry.id);
        self.runs.push(entry);
        self.runs.sort_by(|a, b| {
            a.started_unix_ms
                .cmp(&b.started_unix_ms)
                .then(a.id.cmp(&b.id))
        });
    }
}
