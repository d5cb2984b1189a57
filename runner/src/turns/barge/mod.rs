//! Barge-in (`--interrupt-after`): a listener stops the audio part way — as a voice agent's user
//! does by speaking — and the client closes the stream (for the in-process engine: drops the
//! receiver, so it stops after its current chunk). Then what a voice agent needs to know is
//! measured: how soon the stream ended on our side, how soon the serving process's CPU fell back
//! to its idle level (does it go on synthesising the abandoned text?), and how soon the next
//! request speaks. The record is [`kokoro_bench_bundle::schema::BargeTrace`].
//!
//! * [`listen`] — the listener on the playback clock, and the CPU watch after it.
//!
//! The first request of each text is not interrupted: it measures the audio's length (a share
//! refers to it; an interruption after the end is refused, exit 2). Then even trial indices
//! watch the CPU fall (nothing else is sent meanwhile), odd ones send the next request at once.

pub mod listen;

use crate::targets::progress::Progress;
use crate::targets::Outcome;
use anyhow::{bail, Result};
use clap::Args;
use kokoro_bench_bundle::schema::{BargeTrace, ErrorKind, Interrupt};
use listen::{idle_cpu_pct, listen, watch_release, Watched};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// `--interrupt-after`, `--next-text`, `--release-watch`.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Voice-agent turns")]
pub struct BargeArgs {
    /// A listener interrupts each measured request after this much audio played (`1.5s`,
    /// `800ms`) or this share of the case's audio (`40%`), and the client closes the stream.
    /// Measured then: when the stream ended, when the serving process's CPU fell back to idle
    /// (even trials), the next request's first audio (odd trials). The first request of each
    /// case is not interrupted: it measures the audio's length.
    #[arg(long, value_name = "DURATION|SHARE%")]
    pub interrupt_after: Option<String>,
    /// What the next request says after an interruption.
    #[arg(long, default_value = "Sorry, go ahead.", value_name = "TEXT")]
    pub next_text: String,
    /// The longest watch for the serving process's CPU to fall after an interruption.
    #[arg(long, default_value = "10s", value_parser = crate::timefmt::duration_arg)]
    pub release_watch: Duration,
}

impl Default for BargeArgs {
    fn default() -> BargeArgs {
        BargeArgs {
            interrupt_after: None,
            next_text: "Sorry, go ahead.".into(),
            release_watch: Duration::from_secs(10),
        }
    }
}

/// When the listener interrupts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum At {
    /// After this much audio played, seconds.
    Heard(f64),
    /// After this share (0–1, exclusive) of the case's audio played.
    Share(f64),
}

impl At {
    /// Parses `1.5s`, `800ms` or `40%`.
    ///
    /// # Errors
    /// Anything else, with what to write instead.
    pub fn parse(spec: &str) -> Result<At> {
        let s = spec.trim();
        if let Some(p) = s.strip_suffix('%') {
            return match p.trim().parse::<f64>() {
                Ok(p) if p > 0.0 && p < 100.0 => Ok(At::Share(p / 100.0)),
                _ => bail!("--interrupt-after {spec}: a share must be more than 0 % and less than 100 %, e.g. `40%`"),
            };
        }
        match crate::timefmt::duration_arg(s) {
            Ok(d) => Ok(At::Heard(d.as_secs_f64())),
            Err(_) => bail!("--interrupt-after {spec}: give the audio heard before the listener interrupts (`1.5s`, `800ms`) or a share of it (`40%`)"),
        }
    }

    /// Seconds of audio played before the interruption, for audio `audio_s` long.
    pub fn seconds(self, audio_s: f64) -> f64 {
        match self {
            At::Heard(s) => s,
            At::Share(p) => p * audio_s,
        }
    }
}

/// A run's barge-in settings.
#[derive(Clone, Debug, PartialEq)]
pub struct BargeConfig {
    /// When.
    pub at: At,
    /// The next request's text.
    pub next_text: String,
    /// The longest CPU watch.
    pub release_watch: Duration,
    /// The flag as given.
    pub spec: String,
}

impl BargeConfig {
    /// What the bundle records.
    pub fn record(&self) -> Interrupt {
        Interrupt {
            after_ms: match self.at {
                At::Heard(s) => Some(s * 1000.0),
                At::Share(_) => None,
            },
            after_share: match self.at {
                At::Share(p) => Some(p),
                At::Heard(_) => None,
            },
            next_text: self.next_text.clone(),
            release_watch_ms: self.release_watch.as_secs_f64() * 1000.0,
            spec: self.spec.clone(),
        }
    }
}

impl BargeArgs {
    /// The barge-in settings, if listeners interrupt.
    ///
    /// # Errors
    /// A bad `--interrupt-after`, an empty `--next-text` (exit 2 with what to write instead).
    pub fn config(&self) -> Result<Option<BargeConfig>> {
        let Some(spec) = &self.interrupt_after else {
            return Ok(None);
        };
        if self.next_text.trim().is_empty() {
            bail!("--next-text is empty: give what the next request says after an interruption, e.g. \"Sorry, go ahead.\"");
        }
        Ok(Some(BargeConfig {
            at: At::parse(spec)?,
            next_text: self.next_text.clone(),
            release_watch: self.release_watch,
            spec: spec.clone(),
        }))
    }
}

/// Sends one request (or turn) with the given cancel flag and progress watcher.
pub type Dispatch<'d> = &'d dyn Fn(&str, Option<&AtomicBool>, Option<&Progress>) -> Outcome;

/// Barge-in for one run's requests to one target.
pub struct Barge<'a> {
    cfg: &'a BargeConfig,
    watched: Watched,
    prebuffer: Duration,
    /// Audio length of each text's first (uninterrupted) request, s.
    lengths: Mutex<HashMap<String, f64>>,
    /// Idle CPU (% of one core) and the next text's first audio on an idle target (ms).
    baseline: OnceLock<(Option<f64>, Option<f64>)>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl<'a> Barge<'a> {
    /// Barge-in as `cfg` says, watching `watched`'s CPU, with the player's pre-buffer.
    pub fn new(cfg: &'a BargeConfig, watched: Watched, prebuffer_ms: f64) -> Barge<'a> {
        Barge {
            cfg,
            watched,
            prebuffer: Duration::from_secs_f64(prebuffer_ms.max(0.0) / 1000.0),
            lengths: Mutex::new(HashMap::new()),
            baseline: OnceLock::new(),
        }
    }

    /// Sends `text` (trial `index`) through `dispatch`, interrupting it when its length is known;
    /// `one` sends a single plain request (the next text).
    pub fn send(
        &self,
        (text, index): (&str, u32),
        ctrl_c: Option<&AtomicBool>,
        dispatch: Dispatch<'_>,
        one: &dyn Fn(&str) -> Outcome,
    ) -> Outcome {
        let known = self.lengths.lock().ok().and_then(|l| l.get(text).copied());
        let Some(audio_s) = known else {
            return self.measure_length(text, dispatch(text, ctrl_c, None));
        };
        let at_s = self.cfg.at.seconds(audio_s);
        let (idle, fresh) = *self.baseline.get_or_init(|| self.measure_baseline(one));
        let (progress, stop, done) = (
            Progress::default(),
            AtomicBool::new(false),
            AtomicBool::new(false),
        );
        let sent = Instant::now();
        let (mut out, returned, heard) = std::thread::scope(|s| {
            let player =
                s.spawn(|| listen(&progress, (&stop, &done, ctrl_c), at_s, self.prebuffer));
            let out = dispatch(text, Some(&stop), Some(&progress));
            let returned = Instant::now();
            done.store(true, Ordering::SeqCst);
            (out, returned, player.join().ok().flatten())
        });
        if ctrl_c.is_some_and(|c| c.load(Ordering::SeqCst)) {
            return out;
        }
        let Some(at) = heard else {
            return out; // the audio ended before the listener would interrupt: an ordinary trial
        };
        let t = &mut out.out.trial;
        if t.error
            .as_ref()
            .is_some_and(|e| e.kind == ErrorKind::Interrupted)
        {
            t.error = None; // the listener closed it: that is the measurement, not a failure
        }
        let mut b = BargeTrace {
            after_heard_ms: at_s * 1000.0,
            interrupt_ms: ms(at.duration_since(sent)),
            sending: returned > at,
            close_ms: ms(returned.saturating_duration_since(at)),
            idle_cpu_pct: idle,
            fresh_next_ttfa_ms: fresh,
            ..Default::default()
        };
        if index % 2 == 0 {
            let watch =
                idle.and_then(|i| watch_release(self.watched, i, at, self.cfg.release_watch));
            if let Some(r) = watch {
                b.release_ms = r.release_ms;
                b.watched_ms = r.watched_ms;
                (b.cpu_t_ms, b.cpu_pct) = r.series.into_iter().unzip();
            }
        } else {
            let next = one(&self.cfg.next_text);
            b.next_ttfa_ms = next
                .out
                .trial
                .error
                .is_none()
                .then_some(next.out.trial.ttfa_ms)
                .flatten();
        }
        out.out.trial.barge = Some(b);
        out
    }

    /// Keeps the length of a text's first, uninterrupted request; refuses an interruption that
    /// would come after the end of its audio.
    fn measure_length(&self, text: &str, mut out: Outcome) -> Outcome {
        let t = &out.out.trial;
        if t.error.is_some() || out.fatal.is_some() || t.audio_s <= 0.0 {
            return out;
        }
        let audio_s = t.audio_s;
        if let Ok(mut l) = self.lengths.lock() {
            l.insert(text.to_string(), audio_s);
        }
        let at_s = self.cfg.at.seconds(audio_s);
        if at_s >= audio_s {
            let words: Vec<&str> = text.split_whitespace().take(6).collect();
            out.fatal = Some(format!(
                "--interrupt-after {}: \"{}…\" speaks {audio_s:.2} s of audio, so no listener can interrupt it after {at_s:.2} s: give less than {audio_s:.2}s, or a share such as 50%",
                self.cfg.spec,
                words.join(" ")
            ));
        }
        out
    }

    /// The watched process's idle CPU, and the next text's first audio on an idle target (the
    /// second of two requests, so neither a cold cache nor a cold connection counts).
    fn measure_baseline(&self, one: &dyn Fn(&str) -> Outcome) -> (Option<f64>, Option<f64>) {
        let idle = idle_cpu_pct(self.watched, Duration::from_millis(500));
        let fresh = (0..2)
            .map(|_| one(&self.cfg.next_text))
            .last()
            .and_then(|o| {
                o.out
                    .trial
                    .error
                    .is_none()
                    .then_some(o.out.trial.ttfa_ms)
                    .flatten()
            });
        (idle, fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interrupt_points_parse_and_bad_ones_say_what_to_write() {
        assert_eq!(At::parse("1.5s").unwrap(), At::Heard(1.5));
        assert_eq!(At::parse("800ms").unwrap(), At::Heard(0.8));
        assert_eq!(At::parse("40%").unwrap(), At::Share(0.4));
        assert!((At::parse("40%").unwrap().seconds(3.0) - 1.2).abs() < 1e-12);
        for bad in ["0%", "100%", "soon", "-1s", "0s"] {
            let e = At::parse(bad).unwrap_err().to_string();
            assert!(
                e.contains("--interrupt-after") && e.contains("e.g.") || e.contains('`'),
                "{e}"
            );
        }
    }
}
