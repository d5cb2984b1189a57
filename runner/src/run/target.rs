//! What a run measures: the in-process engine or an HTTP server. Both produce the same trace.

use super::trial::{run_trial, TrialOutput};
use crate::engine::{EngineConfig, EngineHandle, Strategy, SynthRequest};
use crate::http::HttpConfig;
use kokoro_bench_bundle::schema::TrialKind;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The target as configured.
#[derive(Clone, Debug)]
pub enum TargetSpec {
    /// In-process engine.
    Engine(EngineConfig),
    /// HTTP server.
    Http(HttpConfig),
}

/// The target, started.
pub enum Target {
    /// In-process engine on its thread.
    Engine(Arc<EngineHandle>),
    /// HTTP server.
    Http(Box<HttpConfig>),
}

/// What one request needs besides the text.
#[derive(Clone, Debug)]
pub struct RequestSettings {
    /// Voice.
    pub voice: String,
    /// Speed.
    pub speed: f32,
    /// Strategy (engine).
    pub strategy: Strategy,
    /// Test hook (engine).
    pub extra_delay_per_chunk: Option<Duration>,
    /// Audibility threshold.
    pub audible_threshold_dbfs: f64,
}

/// One request's result.
pub struct Outcome {
    /// Trace and audio.
    pub out: TrialOutput,
    /// HTTP response headers.
    pub headers: BTreeMap<String, String>,
    /// A 4xx message: the run must stop.
    pub fatal: Option<String>,
}

impl Target {
    /// Runs one request.
    pub fn request(
        &self,
        text: &str,
        s: &RequestSettings,
        index: u32,
        kind: TrialKind,
        origin: Instant,
    ) -> Outcome {
        match self {
            Target::Engine(engine) => {
                let req = SynthRequest {
                    text: text.to_string(),
                    voice: s.voice.clone(),
                    speed: s.speed,
                    strategy: s.strategy,
                    extra_delay_per_chunk: s.extra_delay_per_chunk,
                };
                let out = run_trial(engine, req, index, kind, origin, s.audible_threshold_dbfs);
                Outcome {
                    out,
                    headers: BTreeMap::new(),
                    fatal: None,
                }
            }
            Target::Http(cfg) => {
                let r = crate::http::trial::run_trial(cfg, text, s, index, kind, origin);
                Outcome {
                    out: r.out,
                    headers: r.headers,
                    fatal: r.fatal,
                }
            }
        }
    }
}
