//! The engine's dedicated OS thread. Everything heavy (session creation, G2P, inference) happens
//! here; callers talk to it through channels and timestamp chunks as they *receive* them, so the
//! hand-off cost is part of the measurement.

use super::chunking::Strategy;
pub use super::cuts::Plan;
use super::cuts::{Cut, Cuts};
use super::g2p::{Phonemizer, MISAKI_VERSION};
use super::joins::{shape, Boundary, Edges};
use super::model::KokoroModel;
use super::runtime::Runtime;
use super::schedule::{letters, pause_kept_ms, Observed, Planner, PlaybackClock, SpeedModel};
use super::vocab::{split_phonemes, Vocab};
use super::voices::VoicePack;
use super::{Chunking, EngineConfig, EngineError, SAMPLE_RATE_HZ, SPEED_RANGE};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Instant;

/// A synthesis request.
#[derive(Clone, Debug)]
pub struct SynthRequest {
    /// Text to speak.
    pub text: String,
    /// Voice id.
    pub voice: String,
    /// Speed (0.5–2.0).
    pub speed: f32,
    /// Chunking strategy.
    pub strategy: Strategy,
    /// Chunks to speak instead of planning them (`--plan-from`: another run's plan for this
    /// text); their words must be the text's words, in order.
    pub plan: Option<Vec<String>>,
    /// Stops this request part way (the consumer went away: Ctrl-C, a listener interrupting).
    pub abort: Option<std::sync::Arc<super::model::Abort>>,
}

/// One delivered chunk (one model call).
#[derive(Clone, Debug)]
pub struct ChunkOut {
    /// Chunk text (empty for the continuation pieces of a chunk split at 510 phonemes).
    pub text: String,
    /// Phoneme tokens synthesised.
    pub phonemes: usize,
    /// Phoneme characters dropped because they are not in the vocabulary.
    pub dropped: usize,
    /// G2P time, ms.
    pub g2p_ms: f64,
    /// Model time, ms.
    pub inference_ms: f64,
    /// Audio.
    pub samples: Vec<f32>,
    /// The pause whole-text synthesis puts after this piece's text, ms (`None` for the last).
    pub then_pause_ms: Option<f64>,
    /// How the adaptive schedule planned this chunk (first piece of a chunk only).
    pub plan: Plan,
}

/// What one chunk produced, for the speed model.
#[derive(Clone, Copy, Debug, Default)]
struct Spoken {
    phonemes: usize,
    audio_ms: f64,
}

/// Why a synthesis ended early.
enum Stop {
    Failed(String),
    ConsumerGone,
}

/// Events of one synthesis, in order.
#[derive(Debug)]
pub enum SynthEvent {
    /// A chunk is ready.
    Chunk(ChunkOut),
    /// All chunks delivered.
    Done,
    /// Synthesis failed; chunks already delivered stay valid.
    Failed(String),
}

/// What the engine is, once loaded.
#[derive(Clone, Debug)]
pub struct EngineInfo {
    /// ONNX Runtime version.
    pub ort_version: String,
    /// Library file name.
    pub ort_library: String,
    /// Providers compiled into the library.
    pub available_providers: Vec<String>,
    /// Session options in effect.
    pub session: kokoro_bench_bundle::schema::SessionOptions,
    /// Model inputs/outputs.
    pub model_io: Vec<String>,
    /// Voices in the pack.
    pub voices: Vec<String>,
    /// G2P description.
    pub g2p: kokoro_bench_bundle::schema::G2pInfo,
    /// Wall time of the whole load (library, model, voices, G2P), ms.
    pub load_ms: f64,
}

/// Work for the engine thread.
enum Job {
    /// Synthesise, sending events as chunks are ready.
    Synth(SynthRequest, Sender<SynthEvent>),
    /// Time one inference of [`PROBE_PHONEMES`] with this voice: model time, ms, or why not.
    Probe(String, Sender<Result<f64, String>>),
}

/// The speed probe's fixed input: a short phrase's phonemes (20 tokens), the same on every
/// machine and every run, so its model time moves only with the machine and the session.
pub const PROBE_PHONEMES: &str = "ðə kwˈɪk bɹˈWn fˈɑks";

/// Handle to the engine thread.
pub struct EngineHandle {
    tx: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    /// Facts about the loaded engine.
    pub info: EngineInfo,
}

impl EngineHandle {
    /// Starts the engine thread and loads everything on it.
    ///
    /// # Errors
    /// [`EngineError`] when a file cannot be loaded.
    pub fn start(cfg: EngineConfig) -> Result<EngineHandle, EngineError> {
        let (job_tx, job_rx) = channel::<Job>();
        let (ready_tx, ready_rx) = channel::<Result<EngineInfo, EngineError>>();
        let thread = std::thread::Builder::new()
            .name("kokoro-engine".into())
            .spawn(move || {
                let t0 = Instant::now();
                match Engine::load(&cfg) {
                    Ok(mut engine) => {
                        let mut info = engine.info.clone();
                        info.load_ms = t0.elapsed().as_secs_f64() * 1000.0;
                        if ready_tx.send(Ok(info)).is_err() {
                            return;
                        }
                        for job in job_rx {
                            match job {
                                Job::Synth(req, events) => engine.synthesize(&req, &events),
                                Job::Probe(voice, reply) => {
                                    let _ = reply.send(engine.probe(&voice));
                                }
                            }
                        }
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|_| EngineError::Gone)?;
        let info = ready_rx.recv().map_err(|_| EngineError::Gone)??;
        Ok(EngineHandle {
            tx: Some(job_tx),
            thread: Some(thread),
            info,
        })
    }

    /// Submits a request; events arrive on the returned receiver.
    ///
    /// # Errors
    /// [`EngineError::Request`] for an empty text or a speed out of range, [`EngineError::Gone`]
    /// when the thread has died.
    pub fn synthesize(&self, req: SynthRequest) -> Result<Receiver<SynthEvent>, EngineError> {
        if req.text.trim().is_empty() {
            return Err(EngineError::Request(
                "the text is empty: give some words to speak".into(),
            ));
        }
        if !(SPEED_RANGE.0..=SPEED_RANGE.1).contains(&req.speed) {
            return Err(EngineError::Request(format!(
                "speed {} is outside {}–{}",
                req.speed, SPEED_RANGE.0, SPEED_RANGE.1
            )));
        }
        if !self.info.voices.contains(&req.voice) {
            return Err(EngineError::Request(format!(
                "unknown voice `{}`; this pack has: {}",
                req.voice,
                self.info.voices.join(", ")
            )));
        }
        let (tx, rx) = channel();
        self.tx
            .as_ref()
            .ok_or(EngineError::Gone)?
            .send(Job::Synth(req, tx))
            .map_err(|_| EngineError::Gone)?;
        Ok(rx)
    }

    /// Times one inference of the fixed probe tokens with `voice` on this engine's session,
    /// between requests (the speed model does not learn from it), ms.
    ///
    /// # Errors
    /// [`EngineError::Request`] when the inference fails, [`EngineError::Gone`] when the thread
    /// has died.
    pub fn probe(&self, voice: &str) -> Result<f64, EngineError> {
        let (tx, rx) = channel();
        self.tx
            .as_ref()
            .ok_or(EngineError::Gone)?
            .send(Job::Probe(voice.to_string(), tx))
            .map_err(|_| EngineError::Gone)?;
        rx.recv()
            .map_err(|_| EngineError::Gone)?
            .map_err(EngineError::Request)
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Engine {
    model: KokoroModel,
    vocab: Vocab,
    voices: VoicePack,
    g2p: Phonemizer,
    info: EngineInfo,
    chunking: Chunking,
    /// The speed this engine has shown, for the adaptive schedule.
    speed: SpeedModel,
    /// Keeps the environment alive as long as the session.
    _runtime: std::sync::Arc<Runtime>,
}

impl Engine {
    fn load(cfg: &EngineConfig) -> Result<Engine, EngineError> {
        let rt = Runtime::shared(&cfg.ort_lib)?;
        let vocab = Vocab::load(&cfg.vocab).map_err(EngineError::Vocab)?;
        let voices = VoicePack::load(&cfg.voices)?;
        let model = KokoroModel::load(&rt, &cfg.model, &cfg.session)?;
        let g2p = Phonemizer::new(cfg.lang);
        let info = EngineInfo {
            ort_version: rt.version.clone(),
            ort_library: rt
                .path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            available_providers: rt.available_providers.clone(),
            session: model.options.clone(),
            model_io: model.io.clone(),
            voices: voices.names().iter().map(|s| s.to_string()).collect(),
            g2p: kokoro_bench_bundle::schema::G2pInfo {
                name: "misaki-rs".into(),
                version: MISAKI_VERSION.into(),
                language: cfg.lang.code().into(),
                fallback: g2p.fallback.clone(),
            },
            load_ms: 0.0,
        };
        Ok(Engine {
            model,
            vocab,
            voices,
            g2p,
            info,
            chunking: cfg.chunking,
            speed: SpeedModel::default(),
            _runtime: rt,
        })
    }

    fn probe(&mut self, voice: &str) -> Result<f64, String> {
        let tokens = self.vocab.encode(PROBE_PHONEMES);
        let style = self
            .voices
            .style_row(voice, tokens.ids.len())
            .map_err(|e| e.to_string())?
            .to_vec();
        let t = Instant::now();
        self.model
            .infer(&tokens.ids, &style, 1.0)
            .map_err(|e| e.to_string())?;
        Ok(t.elapsed().as_secs_f64() * 1000.0)
    }

    fn synthesize(&mut self, req: &SynthRequest, events: &Sender<SynthEvent>) {
        let mut cuts = match &req.plan {
            Some(chunks) => match Cuts::replay(&req.text, chunks) {
                Ok(c) => c,
                Err(why) => {
                    let _ = events.send(SynthEvent::Failed(why));
                    return;
                }
            },
            None => Cuts::new(&req.text, req.strategy, &self.speed),
        };
        let mut clock = PlaybackClock::default();
        let mut pieces_sent = 0usize;
        loop {
            let planner = Planner::new(&self.speed, req.speed, &self.chunking);
            if req.abort.as_ref().is_some_and(|a| a.aborted()) {
                return;
            }
            let Some(Cut { text, last, plan }) = cuts.next(&planner, clock.ahead_ms()) else {
                break;
            };
            let t = Instant::now();
            let planned_ms = plan.planned_ms;
            let spoken = match self.speak(req, &text, last, plan, &mut pieces_sent, events) {
                Ok(s) => s,
                Err(Stop::Failed(m)) => {
                    let _ = events.send(SynthEvent::Failed(m));
                    return;
                }
                Err(Stop::ConsumerGone) => return,
            };
            clock.deliver(spoken.audio_ms);
            self.speed.observe(Observed {
                phonemes: spoken.phonemes,
                letters: letters(&text),
                cost_ms: t.elapsed().as_secs_f64() * 1000.0,
                speech_ms: (!last).then(|| {
                    let pause = pause_kept_ms(self.chunking.joins, &text);
                    (spoken.audio_ms - pause).max(0.0) * f64::from(req.speed)
                }),
                planned_ms,
            });
        }
        if pieces_sent == 0 {
            let _ = events.send(SynthEvent::Failed(format!(
                "the text produced no phonemes the model knows: {:?}",
                req.text
            )));
            return;
        }
        let _ = events.send(SynthEvent::Done);
    }

    /// Synthesises one chunk (one or more pieces of ≤ 510 phonemes) and delivers each piece.
    fn speak(
        &mut self,
        req: &SynthRequest,
        chunk: &str,
        last_chunk: bool,
        mut plan: Plan,
        pieces_sent: &mut usize,
        events: &Sender<SynthEvent>,
    ) -> Result<Spoken, Stop> {
        let t = Instant::now();
        let phonemes = self.g2p.phonemize(chunk).map_err(Stop::Failed)?;
        let mut g2p_ms = t.elapsed().as_secs_f64() * 1000.0;
        let parts = split_phonemes(&phonemes);
        let mut spoken = Spoken::default();
        for (pi, part) in parts.iter().enumerate() {
            let tokens = self.vocab.encode(part);
            if tokens.ids.is_empty() {
                continue;
            }
            let style = self
                .voices
                .style_row(&req.voice, tokens.ids.len())
                .map_err(|e| Stop::Failed(e.to_string()))?
                .to_vec();
            let t = Instant::now();
            let inferred = match &req.abort {
                Some(a) => self
                    .model
                    .infer_abortable(&tokens.ids, &style, req.speed, a),
                None => self.model.infer(&tokens.ids, &style, req.speed),
            };
            let mut samples = match inferred {
                Ok(s) => s,
                Err(_) if req.abort.as_ref().is_some_and(|a| a.aborted()) => {
                    return Err(Stop::ConsumerGone)
                }
                Err(e) => return Err(Stop::Failed(e.to_string())),
            };
            let inference_ms = t.elapsed().as_secs_f64() * 1000.0;
            let last_part = pi + 1 == parts.len();
            let then = match (last_part, last_chunk) {
                (true, true) => None,
                (true, false) => Some(Boundary::after(chunk)),
                (false, _) => Some(Boundary::after(part)),
            };
            let edges = Edges {
                first: *pieces_sent == 0,
                then,
            };
            shape(&mut samples, SAMPLE_RATE_HZ, self.chunking.joins, edges);
            spoken.phonemes += tokens.ids.len();
            spoken.audio_ms += samples.len() as f64 * 1000.0 / f64::from(SAMPLE_RATE_HZ);
            let out = ChunkOut {
                text: if pi == 0 {
                    chunk.to_string()
                } else {
                    String::new()
                },
                phonemes: tokens.ids.len(),
                dropped: tokens.dropped.len(),
                g2p_ms,
                inference_ms,
                samples,
                then_pause_ms: then.map(Boundary::pause_ms),
                plan: std::mem::take(&mut plan),
            };
            g2p_ms = 0.0;
            *pieces_sent += 1;
            if events.send(SynthEvent::Chunk(out)).is_err() {
                return Err(Stop::ConsumerGone);
            }
        }
        Ok(spoken)
    }
}
