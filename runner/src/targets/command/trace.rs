//! The trace of one command request: every stdout read that completed samples is a chunk on the
//! trial's clock (pipe reads, not synthesis joins), the first byte is TTFB, the last is the end.

use crate::measure::pcm::AudioParser;
use crate::targets::{finish, Outcome, Request, TrialOutput};
use kokoro_bench_bundle::schema::{ChunkSeries, ErrorKind, Trial, TrialError, TrialFlag};
use std::time::Instant;

/// A request being measured.
pub struct Recording {
    /// The trial so far.
    pub trial: Trial,
    start: Instant,
    chunks: ChunkSeries,
    samples: Vec<f32>,
    last_byte_ms: Option<f64>,
}

impl Recording {
    /// Starts the clock for `req`.
    pub fn start(req: &Request<'_>) -> Recording {
        let start = Instant::now();
        Recording {
            trial: Trial {
                index: req.index,
                kind: req.kind,
                start_ms: start.duration_since(req.origin).as_secs_f64() * 1000.0,
                ..Default::default()
            },
            start,
            chunks: ChunkSeries::default(),
            samples: Vec::new(),
            last_byte_ms: None,
        }
    }

    /// When the request started.
    pub fn started(&self) -> Instant {
        self.start
    }

    /// Milliseconds from the start to `t`.
    pub fn ms(&self, t: Instant) -> f64 {
        t.duration_since(self.start).as_secs_f64() * 1000.0
    }

    /// Bytes that arrived at `t` (first byte → TTFB).
    pub fn bytes_at(&mut self, t: Instant) {
        let t_ms = self.ms(t);
        self.trial.ttfb_ms.get_or_insert(t_ms);
        self.last_byte_ms = Some(t_ms);
    }

    /// Samples completed at `t`.
    pub fn samples_at(&mut self, t: Instant, pcm: Vec<f32>) {
        if pcm.is_empty() {
            return;
        }
        self.chunks.t_ms.push(self.ms(t));
        self.chunks.samples.push(pcm.len() as u32);
        self.samples.extend(pcm);
    }

    /// The worker's end frame: its JSON may list the chunks it spoke (`{"chunks": ["…", …]}`,
    /// docs/worker-protocol.md); anything else in it, or a payload that is not JSON, is ignored.
    pub fn end_frame(&mut self, payload: &[u8]) {
        #[derive(serde::Deserialize)]
        struct End {
            #[serde(default)]
            chunks: Vec<String>,
        }
        if let Ok(end) = serde_json::from_slice::<End>(payload) {
            self.trial.worker_chunks = end.chunks;
        }
    }

    /// Records the error (the first one wins; what arrived before it is kept).
    pub fn fail(&mut self, kind: ErrorKind, message: String) {
        self.trial.error.get_or_insert(TrialError { kind, message });
    }

    /// Whether the request has failed.
    pub fn failed(&self) -> bool {
        self.trial.error.is_some()
    }

    /// Ends the trial: the parser's leftovers, "no audio" when nothing came, the derived numbers.
    pub fn finish(
        mut self,
        req: &Request<'_>,
        parser: &AudioParser,
        rate_hz: u32,
        what: &str,
    ) -> Outcome {
        if !self.failed() && parser.leftover() > 0 {
            self.trial
                .flags
                .push(TrialFlag::TruncatedFrame(parser.leftover() as u64));
        }
        if !self.failed() && self.samples.is_empty() {
            self.fail(
                ErrorKind::NoAudio,
                format!("the program wrote no audio samples to stdout ({what})"),
            );
        }
        let sr = parser.sample_rate_hz().unwrap_or(rate_hz);
        let mut trial = self.trial;
        trial.sample_rate_hz = sr;
        trial.samples = self.samples.len() as u64;
        trial.audio_s = self.samples.len() as f64 / f64::from(sr.max(1));
        trial.ttfa_ms = self.chunks.t_ms.first().copied();
        trial.total_ms = self.last_byte_ms;
        trial.chunks = self.chunks;
        finish(
            &mut trial,
            &self.samples,
            req.audible_threshold_dbfs,
            req.prebuffer_ms,
        );
        Outcome::of(TrialOutput {
            trial,
            samples: self.samples,
            joins: Vec::new(),
        })
    }
}
