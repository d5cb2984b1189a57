//! Sending requests the same way from every phase (the trial loop, soak): the shared settings,
//! the run's clock, and the cache rule — when a target could answer a repeated text from a cache,
//! each request's text is made unique with a nonce clause, recorded on the trial.

use super::settings::Settings;
use crate::targets::progress::Progress;
use crate::targets::{CachePolicy, Outcome, Request, Target};
use crate::turns::barge::Barge;
use kokoro_bench_bundle::schema::{NonceStyle, TrialKind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// Sends requests to one target.
pub struct Requests<'a> {
    target: &'a dyn Target,
    settings: &'a Settings,
    origin: Instant,
    tag: String,
    counter: AtomicU64,
    cancel: Option<&'a AtomicBool>,
    barge: Option<&'a Barge<'a>>,
}

/// What one request is watched and stopped by.
#[derive(Clone, Copy)]
struct Hooks<'h> {
    cancel: Option<&'h AtomicBool>,
    progress: Option<&'h Progress>,
}

impl<'a> Requests<'a> {
    /// Requests to `target`. Nonces are `<last 6 characters of the run id><phase><n>`, so no
    /// two requests of any run or phase share one (`phase` tells the trial loop from soak …).
    pub fn new(
        target: &'a dyn Target,
        settings: &'a Settings,
        origin: Instant,
        run_id: &str,
        phase: &str,
    ) -> Requests<'a> {
        Requests {
            target,
            settings,
            origin,
            tag: format!("{}{phase}", &run_id[run_id.len().saturating_sub(6)..]),
            counter: AtomicU64::new(0),
            cancel: None,
            barge: None,
        }
    }

    /// A listener interrupts each request as `barge` says (`--interrupt-after`).
    pub fn barging(mut self, barge: &'a Barge<'a>) -> Requests<'a> {
        self.barge = Some(barge);
        self
    }

    /// Requests in flight are abandoned when `stop` is raised (Ctrl-C).
    pub fn cancelled_by(mut self, stop: &'a AtomicBool) -> Requests<'a> {
        self.cancel = Some(stop);
        self
    }

    /// The target's cache policy.
    pub fn cache(&self) -> CachePolicy {
        self.target.cache()
    }

    /// The player a turn's pieces are played by.
    fn player(&self) -> crate::turns::speak::Player {
        crate::turns::speak::Player {
            audible_threshold_dbfs: self.settings.audible_threshold_dbfs,
            prebuffer_ms: self.settings.prebuffer_ms,
        }
    }

    /// The target requests go to (for its speed probe).
    pub fn target(&self) -> &'a dyn Target {
        self.target
    }

    /// Sends `text` (with a nonce when the cache must be defeated) and records the nonce; with
    /// `--text-arrival`, speaks it as a turn ([`crate::turns::speak`]).
    pub fn send(&self, text: &str, index: u32, kind: TrialKind) -> Outcome {
        self.send_planned(text, index, kind, None)
    }

    /// [`Requests::send`] with chunks to speak instead of the engine's own plan; with
    /// `--interrupt-after`, a listener interrupts it ([`crate::turns::barge`]).
    pub fn send_planned(
        &self,
        text: &str,
        index: u32,
        kind: TrialKind,
        plan: Option<&[String]>,
    ) -> Outcome {
        let Some(barge) = self.barge else {
            return self.dispatch((text, index, kind, plan), self.hooks());
        };
        let dispatch = |t: &str, cancel: Option<&AtomicBool>, progress: Option<&Progress>| {
            self.dispatch((t, index, kind, plan), Hooks { cancel, progress })
        };
        let one = |t: &str| self.send_one(t, index, kind, None);
        barge.send((text, index), self.cancel, &dispatch, &one)
    }

    fn hooks(&self) -> Hooks<'a> {
        Hooks {
            cancel: self.cancel,
            progress: None,
        }
    }

    /// A turn (with `--text-arrival`) or one request.
    fn dispatch(
        &self,
        (text, index, kind, plan): (&str, u32, TrialKind, Option<&[String]>),
        hooks: Hooks<'_>,
    ) -> Outcome {
        if let Some(cfg) = self.settings.turns.as_deref() {
            let turn = crate::turns::speak::Turn {
                cfg,
                player: self.player(),
                cancel: hooks.cancel,
            };
            return turn.speak(text, index, kind, |piece| {
                self.send_hooked(piece, (index, kind, None), hooks)
            });
        }
        self.send_hooked(text, (index, kind, plan), hooks)
    }

    /// One request for `text` (with a nonce when the cache must be defeated), never a turn: what
    /// a turn sends for each of its pieces.
    pub fn send_one(
        &self,
        text: &str,
        index: u32,
        kind: TrialKind,
        plan: Option<&[String]>,
    ) -> Outcome {
        self.send_hooked(text, (index, kind, plan), self.hooks())
    }

    fn send_hooked(
        &self,
        text: &str,
        (index, kind, plan): (u32, TrialKind, Option<&[String]>),
        hooks: Hooks<'_>,
    ) -> Outcome {
        let (sent, nonce) = match self.target.cache() {
            CachePolicy::Defeated(style) => {
                let n = self.counter.fetch_add(1, Ordering::SeqCst);
                let tag = format!("{}{n}", self.tag);
                (with_nonce(text, style, &tag, n), Some(tag))
            }
            _ => (text.to_string(), None),
        };
        self.send_with(&sent, (index, kind, nonce, plan), hooks)
    }

    /// Sends `sent` exactly as given (the nonce check sends the bare text once).
    pub fn send_exact(
        &self,
        sent: &str,
        index: u32,
        kind: TrialKind,
        nonce: Option<String>,
    ) -> Outcome {
        self.send_with(sent, (index, kind, nonce, None), self.hooks())
    }

    fn send_with(
        &self,
        sent: &str,
        (index, kind, nonce, plan): (u32, TrialKind, Option<String>, Option<&[String]>),
        hooks: Hooks<'_>,
    ) -> Outcome {
        let mut outcome = self.target.request(&Request {
            text: sent,
            voice: &self.settings.voice,
            speed: self.settings.speed,
            index,
            kind,
            origin: self.origin,
            audible_threshold_dbfs: self.settings.audible_threshold_dbfs,
            prebuffer_ms: self.settings.prebuffer_ms,
            timeout: self.settings.timeout_for(sent),
            cancel: hooks.cancel,
            plan,
            progress: hooks.progress,
        });
        outcome.out.trial.nonce = nonce;
        outcome
    }
}

/// Zero-width characters that G2P front ends drop: four symbols, two bits each.
const INVISIBLE: [char; 4] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}'];

/// `text` made unique for request `n`: zero-width characters encoding `n` (nothing more is
/// spoken), or the spoken clause ` Reference <tag>.`.
pub fn with_nonce(text: &str, style: NonceStyle, tag: &str, n: u64) -> String {
    match style {
        NonceStyle::Clause => format!("{text} Reference {tag}."),
        NonceStyle::Invisible => {
            // The run id's tag too, so two runs against one server never send the same text.
            let mut out = text.to_string();
            for b in tag.bytes().chain(n.to_le_bytes()) {
                for shift in [6, 4, 2, 0] {
                    out.push(INVISIBLE[usize::from((b >> shift) & 3)]);
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_nonces_differ_per_request_and_add_nothing_visible() {
        let a = with_nonce("Hello.", NonceStyle::Invisible, "ab12", 0);
        let b = with_nonce("Hello.", NonceStyle::Invisible, "ab12", 1);
        let c = with_nonce("Hello.", NonceStyle::Invisible, "cd34", 0);
        assert!(a != b && a != c && b != c);
        assert!(a.starts_with("Hello.") && a.chars().skip(6).all(|ch| INVISIBLE.contains(&ch)));
        assert_eq!(
            with_nonce("Hi.", NonceStyle::Clause, "t7", 7),
            "Hi. Reference t7."
        );
    }
}
