//! The run index (`artifacts/index.json`, `dist/data/index.json`): one line per run so a viewer
//! can list runs without opening every bundle.

use crate::metrics::Metric;
use crate::schema::GateStatus;
use crate::schema::{Bundle, TargetKind};
use crate::stats::bootstrap::Bootstrap;
use crate::stats::{median, Summary};
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
    /// Git commit of the tool that made the run, when known.
    #[serde(default)]
    pub git_commit: Option<String>,
    /// What was measured: `engine`, the HTTP URL, or `legacy`.
    #[serde(default)]
    pub target: String,
    /// ONNX Runtime version, registered providers and session options (engine runs), so a history
    /// can say when they changed.
    #[serde(default)]
    pub session: String,
    /// The history metrics per case (run-level ones with `case: None`), so a history needs no
    /// bundle. `None` in entries written before summaries existed (re-run `publish`).
    #[serde(default)]
    pub summaries: Option<Vec<IndexValue>>,
    /// `--machine-label`: the name the machine's series is kept under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What a series holds fixed besides machine and target ([`configuration`]): strategy,
    /// joins, model, threads. Empty in entries written before it existed.
    #[serde(default)]
    pub config: String,
    /// Operating system and version, so a history can say when it changed.
    #[serde(default)]
    pub os: String,
    /// What happened in the run, for the list's health badge. `None` in entries written before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
    /// The run's WAVs were removed by the site's audio retention (`publish --keep-audio-last`):
    /// its numbers and traces stay, the page says why there is nothing to play.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub audio_pruned: bool,
}

/// What happened in a run beyond its status: failed trials, stalls, response flags and busy
/// machines — what a run list needs to tell "completed" from "completed, but…".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Health {
    /// Requests of the trial loop (every kind).
    pub trials: u32,
    /// Of them, failed.
    pub failed: u32,
    /// Measured trials in which the player stalled at least once.
    pub stalled: u32,
    /// Measured trials.
    pub measured: u32,
    /// Distinct response flags that say something went wrong (`content_encoding_gzip`,
    /// `truncated_frame_1_bytes`).
    #[serde(default)]
    pub flags: Vec<String>,
    /// Cases measured while other processes took 10 % of the machine or more.
    #[serde(default)]
    pub contended: Vec<String>,
}

impl Health {
    /// A run's health.
    pub fn of(b: &Bundle) -> Health {
        let mut h = Health::default();
        for c in &b.cases {
            for t in &c.trials {
                h.trials += 1;
                h.failed += u32::from(t.error.is_some());
                // Flags that say something went wrong (a reused connection is just a fact).
                for f in t.flags.iter().filter(|f| {
                    matches!(
                        f,
                        crate::schema::TrialFlag::ContentEncoding(_)
                            | crate::schema::TrialFlag::TruncatedFrame(_)
                    )
                }) {
                    let f = f.to_wire();
                    if !h.flags.contains(&f) {
                        h.flags.push(f);
                    }
                }
            }
            for t in c.measured() {
                h.measured += 1;
                h.stalled += u32::from(t.playback.as_ref().is_some_and(|p| p.underruns > 0));
            }
        }
        h.contended = crate::contention::contended(b)
            .into_iter()
            .map(|l| l.case)
            .collect();
        h
    }

    /// Whether nothing needs saying.
    pub fn clean(&self) -> bool {
        self.failed == 0 && self.stalled == 0 && self.flags.is_empty() && self.contended.is_empty()
    }

    /// What needs saying, in short phrases (`2 of 9 trials failed`, `stalls in 5 of 6`).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.failed > 0 {
            out.push(format!("{} of {} trials failed", self.failed, self.trials));
        }
        if self.stalled > 0 {
            out.push(format!(
                "stalls in {} of {} trials",
                self.stalled, self.measured
            ));
        }
        if !self.flags.is_empty() {
            out.push(format!(
                "flagged: {}",
                self.flags.join(", ").replace('_', " ")
            ));
        }
        if !self.contended.is_empty() {
            out.push(format!("busy machine during {}", self.contended.join(", ")));
        }
        out
    }
}

/// One metric of one case of a run, summarised for history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndexValue {
    /// Metric key.
    pub metric: String,
    /// Case id; `None` for run-level metrics.
    #[serde(default)]
    pub case: Option<String>,
    /// Median over the measured trials.
    pub median: f64,
    /// 95 % bootstrap interval of the median (needs at least three samples).
    #[serde(default)]
    pub ci95: Option<[f64; 2]>,
    /// Samples.
    pub n: u32,
    /// The bundle marks this metric untrusted (e.g. a legacy import).
    #[serde(default)]
    pub untrusted: bool,
}

/// Metrics summarised in the index and offered by the history view: the headline metrics and
/// the run's peak RSS.
pub const HISTORY_METRICS: [Metric; 7] = {
    let h = Metric::HEADLINE;
    [h[0], h[1], h[2], h[3], h[4], h[5], Metric::PeakRssMb]
};

/// The session options that change inference speed, in words (not the load time).
pub fn session_options(s: &crate::schema::SessionOptions) -> String {
    format!(
        "{} intra / {} inter threads · optimisation {} · arena {}",
        s.intra_op_threads,
        s.inter_op_threads,
        s.graph_optimization_level,
        if s.cpu_memory_arena { "on" } else { "off" }
    )
}

/// What a series holds fixed besides the machine and the target: `adaptive · natural joins ·
/// kokoro-int8.onnx · 2 threads` (engine), the strategy alone for other targets. A change of
/// any of these starts another series; ONNX Runtime, CPU or OS changes inside one machine
/// label are set-up changes within it.
pub fn configuration(bundle: &Bundle) -> String {
    let mut parts = vec![bundle.plan.strategy.clone()];
    if let Some(j) = &bundle.plan.joins {
        parts.push(format!("{j} joins"));
    }
    if let Some(m) = &bundle.provenance.model {
        parts.push(m.name.clone());
    }
    if let Some(s) = &bundle.provenance.session {
        let n = s.intra_op_threads;
        parts.push(format!("{n} thread{}", if n == 1 { "" } else { "s" }));
    }
    // Turns count from the first token: another question than whole texts.
    if let Some(a) = &bundle.plan.text_arrival {
        parts.push(format!("turns at {} ({:?})", a.spec, a.aggregation).to_lowercase());
    }
    if let Some(i) = &bundle.plan.interrupt {
        parts.push(format!("interrupted at {}", i.spec));
    }
    parts.join(" · ")
}

/// The series a run belongs to: `machine · target · configuration` (see [`series_key`], which
/// reads the same from an index entry).
pub fn series_of(bundle: &Bundle) -> String {
    format!(
        "{} · {} · {}",
        bundle.machine.series_name(),
        target_words(bundle),
        configuration(bundle)
    )
}

fn target_words(bundle: &Bundle) -> String {
    match bundle.run.target {
        TargetKind::Engine => "engine".into(),
        TargetKind::Legacy => "legacy".into(),
        TargetKind::Scripted => "scripted".into(),
        TargetKind::Command => bundle
            .provenance
            .command
            .as_ref()
            .map(|c| c.command.clone())
            .unwrap_or_else(|| "command".into()),
        TargetKind::Http => bundle
            .provenance
            .http
            .as_ref()
            .map(|h| h.url.clone())
            .unwrap_or_else(|| "http".into()),
    }
}

/// The series a run belongs to: numbers are only lined up on one machine (its label, else its
/// CPU), against one target, in one configuration (strategy, joins, model, threads — see
/// [`crate::index::configuration`]); the same words as [`series_of`] for a bundle.
pub fn series_key(e: &IndexEntry) -> String {
    let machine = e
        .label
        .as_deref()
        .filter(|l| !l.is_empty())
        .unwrap_or(&e.machine);
    let config = if e.config.is_empty() {
        // Entries from before configurations were recorded.
        format!("{} · {}", e.strategy, e.model)
    } else {
        e.config.clone()
    };
    format!("{machine} · {} · {config}", e.target)
}

/// `ORT 1.31.1 · CPUExecutionProvider · 2 intra / 1 inter threads · optimisation all · arena on`;
/// empty for runs without an in-process session.
pub fn session_summary(bundle: &Bundle) -> String {
    let p = &bundle.provenance;
    let mut parts = Vec::new();
    if let Some(r) = &p.runtime {
        parts.push(format!("ORT {}", r.ort_version));
        parts.push(r.registered_providers.join(", "));
    }
    if let Some(s) = &p.session {
        parts.push(session_options(s));
    }
    parts.join(" · ")
}

/// Summaries of [`HISTORY_METRICS`] for every case of `bundle`.
pub fn summaries(bundle: &Bundle) -> Vec<IndexValue> {
    let boot = Bootstrap::default();
    let mut out = Vec::new();
    for metric in HISTORY_METRICS {
        let untrusted = bundle.untrusted(metric.key()).is_some();
        let mut push = |case: Option<String>, rounds: Vec<Vec<f64>>| {
            let values: Vec<f64> = rounds.iter().flatten().copied().collect();
            let Some(s) = Summary::of(&values) else {
                return;
            };
            // Same rule as the CLI summary: a bootstrap of fewer than 3 values is not an interval.
            let ci95 = (s.n >= 3)
                .then(|| boot.one_rounds(&rounds, median))
                .flatten()
                .map(|i| [i.lo, i.hi]);
            out.push(IndexValue {
                metric: metric.key().into(),
                case,
                median: s.median,
                ci95,
                n: s.n as u32,
                untrusted,
            });
        };
        if metric.per_trial() {
            for case in &bundle.cases {
                push(Some(case.id.clone()), metric.case_rounds(case));
            }
        } else {
            push(None, vec![metric.run_value(bundle).into_iter().collect()]);
        }
    }
    out
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
            git_commit: bundle.run.git_commit.clone(),
            target: target_words(bundle),
            session: session_summary(bundle),
            summaries: Some(summaries(bundle)),
            label: bundle.machine.label.clone(),
            config: configuration(bundle),
            os: format!("{} {}", bundle.machine.os, bundle.machine.os_version)
                .trim()
                .to_string(),
            audio_pruned: false,
            health: Some(Health::of(bundle)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn load(path: &str) -> Bundle {
        let bytes =
            std::fs::read(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        crate::read_bundle(&bytes).unwrap().bundle
    }

    #[test]
    fn entries_carry_history_summaries_with_intervals() {
        let b = load("v1/engine-progressive-3cases.json");
        let e = IndexEntry::of(&b, "runs/x/bundle.json".into(), "0".repeat(64));
        assert_eq!(e.target, "engine");
        let s = e.summaries.as_ref().unwrap();
        let ttfa = s
            .iter()
            .find(|v| v.metric == "ttfa_ms" && v.case.as_deref() == Some("short"))
            .unwrap();
        let values = Metric::TtfaMs.case_values(b.case("short").unwrap());
        assert_eq!(ttfa.n as usize, values.len());
        assert_eq!(Some(ttfa.median), median(&values));
        let [lo, hi] = ttfa.ci95.unwrap();
        assert!(lo <= ttfa.median && ttfa.median <= hi);
        assert!(!ttfa.untrusted);
        let rss = s.iter().find(|v| v.metric == "peak_rss_mb").unwrap();
        assert_eq!((rss.case.as_deref(), rss.n, rss.ci95), (None, 1, None));
        // The entry survives a JSON round trip, and an entry from before summaries still reads.
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            serde_json::from_value::<IndexEntry>(json.clone()).unwrap(),
            e
        );
        let mut old = json;
        for k in ["summaries", "target", "git_commit"] {
            old.as_object_mut().unwrap().remove(k);
        }
        assert!(serde_json::from_value::<IndexEntry>(old)
            .unwrap()
            .summaries
            .is_none());
    }

    #[test]
    fn legacy_numbers_are_summarised_as_untrusted() {
        let b = load("legacy/run_bench_v2_stream.json");
        let e = IndexEntry::of(&b, "x.json".into(), String::new());
        let ttfa: Vec<_> = e
            .summaries
            .unwrap()
            .into_iter()
            .filter(|v| v.metric == "ttfa_ms")
            .collect();
        assert!(!ttfa.is_empty() && ttfa.iter().all(|v| v.untrusted));
    }
}
