//! Sending requests the same way from every phase (the trial loop, soak): the shared settings,
//! the run's clock, and the cache rule — when a target could answer a repeated text from a cache,
//! each request's text is made unique with a nonce clause, recorded on the trial.

use super::settings::Settings;
use crate::target::{CachePolicy, Outcome, Request, Target};
use kokoro_bench_bundle::schema::TrialKind;
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
        }
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

    /// Sends `text` (with a nonce when the cache must be defeated) and records the nonce.
    pub fn send(&self, text: &str, index: u32, kind: TrialKind) -> Outcome {
        let nonce = (self.target.cache() == CachePolicy::Defeated).then(|| {
            format!(
                "{}{}",
                self.tag,
                self.counter.fetch_add(1, Ordering::SeqCst)
            )
        });
        let sent = match &nonce {
            Some(n) => format!("{text} Reference {n}."),
            None => text.to_string(),
        };
        let mut outcome = self.target.request(&Request {
            text: &sent,
            voice: &self.settings.voice,
            speed: self.settings.speed,
            strategy: self.settings.strategy,
            index,
            kind,
            origin: self.origin,
            audible_threshold_dbfs: self.settings.audible_threshold_dbfs,
            prebuffer_ms: self.settings.prebuffer_ms,
            timeout: self.settings.timeout_for(&sent),
            cancel: self.cancel,
        });
        outcome.out.trial.nonce = nonce;
        outcome
    }
}
