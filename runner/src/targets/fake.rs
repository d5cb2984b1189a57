//! A scripted target: chunks of a tone delivered on a fixed schedule, with optional leading
//! silence, a uniform slowdown, failures every n-th request and at most K requests served at once
//! (the rest queue, as on a server with K workers). It exists to test the run loop,
//! the summaries and the suites without a model — and to produce schedules a real engine will not
//! produce on demand (a producer exactly 1.5× too slow, a stall of exactly 800 ms). Its bundles
//! say so in a note; it is hidden from `--help`.

use super::{finish, Outcome, Request, Sampled, Target, TargetSpec, TrialOutput};
use anyhow::Result;
use clap::Args;
use kokoro_bench_bundle::schema::{
    ChunkSeries, ErrorKind, NoteCode, NoteLevel, Provenance, TargetKind, Trial, TrialError,
};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Sample rate of the scripted audio, Hz.
pub const SAMPLE_RATE_HZ: u32 = 24_000;

/// One scripted chunk.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScriptChunk {
    /// Wall time before it is delivered, after the previous chunk (or the request), ms.
    pub delay_ms: f64,
    /// Audio it carries, ms.
    pub audio_ms: f64,
    /// Digital silence at its start (part of `audio_ms`), ms.
    pub leading_silence_ms: f64,
}

/// What every request of the fake target does.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// Chunks in order.
    pub chunks: Vec<ScriptChunk>,
    /// Every delay is multiplied by this (1.5 = a producer 1.5× slower).
    pub slowdown: f64,
    /// Requests number n, 2n, 3n … (counted from 1) fail after their first chunk.
    pub fail_every: Option<u32>,
    /// At most this many requests are served at once; the others wait for a free slot.
    pub slots: Option<u32>,
    /// Every second request is this many times slower (a noisy machine: trials that swing).
    pub swing: f64,
}

impl Script {
    /// Parses `DELAY:AUDIO[:SILENCE],…[;slow=X][;fail=N][;slots=K][;swing=X]` (milliseconds),
    /// e.g. `300:1000:200,400:2000;slow=1.5`.
    ///
    /// # Errors
    /// A message naming the part that is not understood.
    pub fn parse(s: &str) -> Result<Script, String> {
        let mut parts = s.split(';');
        let chunks_text = parts.next().unwrap_or("");
        let num = |x: &str, what: &str| {
            x.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("fake script `{s}`: {what} `{x}` is not a number of ms ≥ 0"))
        };
        let mut chunks = Vec::new();
        for c in chunks_text.split(',').filter(|c| !c.trim().is_empty()) {
            let f: Vec<&str> = c.split(':').collect();
            if !(2..=3).contains(&f.len()) {
                return Err(format!(
                    "fake script `{s}`: chunk `{c}` must be DELAY:AUDIO or DELAY:AUDIO:SILENCE"
                ));
            }
            let chunk = ScriptChunk {
                delay_ms: num(f[0], "delay")?,
                audio_ms: num(f[1], "audio")?,
                leading_silence_ms: f
                    .get(2)
                    .map(|x| num(x, "silence"))
                    .transpose()?
                    .unwrap_or(0.0),
            };
            if chunk.leading_silence_ms > chunk.audio_ms {
                return Err(format!(
                    "fake script `{s}`: chunk `{c}` has more silence than audio"
                ));
            }
            chunks.push(chunk);
        }
        if chunks.is_empty() {
            return Err(format!("fake script `{s}`: no chunks"));
        }
        let mut script = Script {
            chunks,
            slowdown: 1.0,
            fail_every: None,
            slots: None,
            swing: 1.0,
        };
        let whole = |v: &str, what: &str| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    format!("fake script `{s}`: {what}=`{v}` must be a whole number ≥ 1")
                })
        };
        for opt in parts {
            match opt.trim().split_once('=') {
                Some(("slow", v)) => script.slowdown = num(v, "slow")?.max(0.0),
                Some(("fail", v)) => script.fail_every = Some(whole(v, "fail")?),
                Some(("slots", v)) => script.slots = Some(whole(v, "slots")?),
                Some(("swing", v)) => script.swing = num(v, "swing")?.max(0.0),
                _ => {
                    return Err(format!(
                    "fake script `{s}`: unknown option `{opt}` (slow=X, fail=N, slots=K, swing=X)"
                ))
                }
            }
        }
        Ok(script)
    }
}

/// The fake target's flag (hidden: for tests).
#[derive(Args, Debug, Clone)]
pub struct FakeArgs {
    /// Scripted target: `DELAY:AUDIO[:SILENCE],…[;slow=X][;fail=N][;slots=K][;swing=X]` in ms
    /// (tests only).
    #[arg(long, hide = true)]
    pub fake_script: Option<String>,
}

/// The scripted target, configured.
pub struct FakeSpec(pub Script);

impl TargetSpec for FakeSpec {
    fn kind(&self) -> TargetKind {
        TargetKind::Scripted
    }

    fn sampled_process(&self) -> Sampled {
        Sampled::Process {
            pid: std::process::id(),
            what: "kokoro-bench runner (scripted target)".into(),
            scope: crate::measure::memory::Scope::Process,
        }
    }

    fn voice(&self, given: Option<&str>) -> Result<String> {
        Ok(given.unwrap_or("scripted").to_string())
    }

    fn start(&self) -> Result<Box<dyn Target>> {
        Ok(Box::new(FakeTarget::new(self.0.clone())))
    }
}

/// The scripted target, started.
pub struct FakeTarget {
    script: Script,
    served: AtomicU32,
    queue: (Mutex<Queue>, Condvar),
}

/// Requests in service and those waiting, first come first served (`slots=K`).
#[derive(Default)]
struct Queue {
    in_service: u32,
    waiting: std::collections::VecDeque<u64>,
    next_ticket: u64,
}

impl FakeTarget {
    /// A started fake target (for unit tests that drive suites directly).
    pub fn new(script: Script) -> FakeTarget {
        FakeTarget {
            script,
            served: AtomicU32::new(0),
            queue: (Mutex::new(Queue::default()), Condvar::new()),
        }
    }

    /// Waits in line for a free slot (with `slots=K`), first come first served, leaving the line
    /// at the deadline or on Ctrl-C.
    fn take_slot(&self, start: Instant, r: &Request<'_>) -> Result<(), TrialError> {
        let Some(k) = self.script.slots else {
            return Ok(());
        };
        let (lock, changed) = &self.queue;
        let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
        let mine = q.next_ticket;
        q.next_ticket += 1;
        q.waiting.push_back(mine);
        while !(q.waiting.front() == Some(&mine) && q.in_service < k) {
            if let Err(e) = sleep_within(0.0, start, r) {
                q.waiting.retain(|&t| t != mine);
                changed.notify_all();
                return Err(e);
            }
            q = changed
                .wait_timeout(q, Duration::from_millis(20))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        q.waiting.pop_front();
        q.in_service += 1;
        changed.notify_all();
        Ok(())
    }

    fn give_slot(&self) {
        if self.script.slots.is_some() {
            let (lock, changed) = &self.queue;
            let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
            q.in_service = q.in_service.saturating_sub(1);
            changed.notify_all();
        }
    }
}

/// A chunk's audio: leading digital silence, then a 220 Hz tone at −20 dBFS peak.
fn chunk_audio(c: &ScriptChunk) -> Vec<f32> {
    let n = (c.audio_ms / 1000.0 * SAMPLE_RATE_HZ as f64).round() as usize;
    let silent = (c.leading_silence_ms / 1000.0 * SAMPLE_RATE_HZ as f64).round() as usize;
    (0..n)
        .map(|i| {
            if i < silent {
                0.0
            } else {
                let t = i as f32 / SAMPLE_RATE_HZ as f32;
                0.1 * (2.0 * std::f32::consts::PI * 220.0 * t).sin()
            }
        })
        .collect()
}

/// Sleeps `delay_ms`, in slices, ending early (with the error) at the request's deadline or on
/// Ctrl-C, as a real target would.
fn sleep_within(delay_ms: f64, start: Instant, r: &Request<'_>) -> Result<(), TrialError> {
    let until = Instant::now() + Duration::from_secs_f64(delay_ms / 1000.0);
    loop {
        if r.cancel
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Err(TrialError {
                kind: ErrorKind::Interrupted,
                message: "abandoned: the run was interrupted".into(),
            });
        }
        let now = Instant::now();
        if now >= start + r.timeout {
            return Err(TrialError {
                kind: ErrorKind::Deadline,
                message: format!("the scripted target took longer than {:?}", r.timeout),
            });
        }
        if now >= until {
            return Ok(());
        }
        std::thread::sleep(
            (until - now)
                .min(start + r.timeout - now)
                .min(Duration::from_millis(20)),
        );
    }
}

impl Target for FakeTarget {
    fn request(&self, r: &Request<'_>) -> Outcome {
        let number = self.served.fetch_add(1, Ordering::SeqCst) + 1;
        let fails = self
            .script
            .fail_every
            .is_some_and(|n| number.is_multiple_of(n));
        let start = Instant::now();
        let mut trial = Trial {
            index: r.index,
            kind: r.kind,
            start_ms: start.duration_since(r.origin).as_secs_f64() * 1000.0,
            sample_rate_hz: SAMPLE_RATE_HZ,
            ..Default::default()
        };
        let (mut chunks, mut samples, mut joins) = (ChunkSeries::default(), Vec::new(), Vec::new());
        let queued = self.take_slot(start, r);
        let served = queued.is_ok();
        let script: &[ScriptChunk] = if served { &self.script.chunks } else { &[] };
        trial.error = queued.err();
        let swing = if number.is_multiple_of(2) {
            self.script.swing
        } else {
            1.0
        };
        for (i, c) in script.iter().enumerate() {
            let delay = c.delay_ms * self.script.slowdown * swing;
            if let Err(e) = sleep_within(delay, start, r) {
                trial.error = Some(e);
                break;
            }
            if fails && i == 1 {
                trial.error = Some(TrialError {
                    kind: ErrorKind::Synthesis,
                    message: format!("scripted failure of request {number}"),
                });
                break;
            }
            let audio = chunk_audio(c);
            if !samples.is_empty() {
                joins.push(samples.len());
            }
            super::progress::report(r.progress, audio.len(), SAMPLE_RATE_HZ);
            chunks.t_ms.push(start.elapsed().as_secs_f64() * 1000.0);
            chunks.samples.push(audio.len() as u32);
            chunks.inference_ms.push(delay);
            chunks.g2p_ms.push(0.0);
            chunks.phonemes.push((c.audio_ms / 80.0).round() as u32);
            chunks.text.push(format!("chunk {i}"));
            samples.extend(audio);
        }
        if served {
            self.give_slot();
        }
        trial.total_ms = chunks
            .t_ms
            .last()
            .copied()
            .filter(|_| trial.error.is_none());
        trial.ttfa_ms = chunks.t_ms.first().copied();
        trial.samples = samples.len() as u64;
        trial.audio_s = samples.len() as f64 / SAMPLE_RATE_HZ as f64;
        trial.phonemes = Some(chunks.phonemes.iter().sum());
        trial.chunks = chunks;
        finish(
            &mut trial,
            &samples,
            r.audible_threshold_dbfs,
            r.prebuffer_ms,
        );
        Outcome::of(TrialOutput {
            trial,
            samples,
            joins,
        })
    }

    fn provenance(&self, voice: &str) -> Result<Provenance> {
        Ok(Provenance {
            voice_id: voice.to_string(),
            ..Default::default()
        })
    }

    fn notes(&self) -> Vec<(NoteLevel, NoteCode, String)> {
        vec![(
            NoteLevel::Warn,
            NoteCode::ScriptedTarget,
            "a scripted target produced these numbers: they test the harness, not an engine".into(),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kokoro_bench_bundle::schema::TrialKind;

    fn request(t: &FakeTarget) -> kokoro_bench_bundle::schema::Trial {
        t.request(&Request {
            text: "x",
            voice: "v",
            speed: 1.0,
            index: 0,
            kind: TrialKind::Warm,
            origin: Instant::now(),
            audible_threshold_dbfs: -50.0,
            prebuffer_ms: 0.0,
            timeout: Duration::from_secs(10),
            cancel: None,
            plan: None,
            progress: None,
        })
        .out
        .trial
    }

    #[test]
    fn scripts_parse_and_bad_ones_say_what_is_wrong() {
        let s = Script::parse("10:500:100,20:1000;slow=1.5;fail=3").unwrap();
        assert_eq!(s.chunks.len(), 2);
        assert_eq!(s.chunks[0].leading_silence_ms, 100.0);
        assert_eq!((s.slowdown, s.fail_every), (1.5, Some(3)));
        assert!(Script::parse("").unwrap_err().contains("no chunks"));
        assert!(Script::parse("10").unwrap_err().contains("DELAY:AUDIO"));
        assert!(Script::parse("10:x").unwrap_err().contains("`x`"));
        assert!(Script::parse("10:100:200")
            .unwrap_err()
            .contains("more silence"));
        assert!(Script::parse("10:100;fail=0").unwrap_err().contains("fail"));
        assert_eq!(Script::parse("10:100;slots=2").unwrap().slots, Some(2));
        assert!(Script::parse("10:100;slots=x")
            .unwrap_err()
            .contains("slots"));
        assert!(Script::parse("10:100;warp=9")
            .unwrap_err()
            .contains("unknown option"));
    }

    #[test]
    fn a_request_follows_its_script_on_the_consumers_clock() {
        let t = FakeTarget::new(Script::parse("20:500:100,30:1000;fail=2").unwrap());
        let trial = request(&t);
        assert!(trial.error.is_none());
        assert_eq!(trial.chunks.len(), 2);
        assert_eq!(trial.samples, 36_000);
        let first = trial.ttfa_ms.unwrap();
        assert!(first >= 20.0, "{first}");
        assert!(trial.chunks.t_ms[1] - first >= 30.0);
        // The first 100 ms are digital silence: audible only from the first chunk on, which
        // still holds the tone after its silence.
        assert_eq!(trial.ttfa_audible_ms, Some(first));
        let failed = request(&t);
        assert_eq!(failed.error.unwrap().kind, ErrorKind::Synthesis);
        assert_eq!(
            failed.chunks.len(),
            1,
            "what arrived before the failure is kept"
        );
    }

    #[test]
    fn with_one_slot_a_second_request_waits_for_the_first() {
        let t = FakeTarget::new(Script::parse("100:100;slots=1").unwrap());
        let trials: Vec<Trial> = std::thread::scope(|s| {
            let a = s.spawn(|| request(&t));
            std::thread::sleep(Duration::from_millis(20));
            let b = s.spawn(|| request(&t));
            vec![a.join().unwrap(), b.join().unwrap()]
        });
        assert!(trials[0].ttfa_ms.unwrap() < 150.0);
        let queued = trials[1].ttfa_ms.unwrap();
        assert!(queued >= 170.0, "the second waited for the slot: {queued}");
    }
}
