//! One turn against any target: the aggregator's pieces sent one after another (a piece goes
//! when it is released and the previous request has ended, as Pipecat and LiveKit send them),
//! and their traces merged into one trial on the turn's clock (0 = the first token).
//!
//! The merged trial is an ordinary trial — so heard speech, stalls and every suite work on it —
//! with these meanings: `ttfa_ms` and `heard_ms` count from the first token; the chunk series
//! holds every piece's chunks shifted by the time its request started; `rtf` is the pieces'
//! request time over the audio (waiting for text is not synthesis); and `turn` holds the pieces
//! and the end of turn (the last token → the listener hears the end of the audio).

use super::aggregate::{self, Piece};
use super::TurnConfig;
use crate::targets::{Outcome, TrialOutput};
use kokoro_bench_bundle::playback::play_time_ms;
use kokoro_bench_bundle::schema::{ErrorKind, Trial, TrialError, TrialKind, TurnPiece, TurnTrace};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What a turn needs besides its text: the run's turn settings, the player, Ctrl-C.
pub struct Turn<'a> {
    /// Pace and aggregation.
    pub cfg: &'a TurnConfig,
    /// The player.
    pub player: Player,
    /// Raised by Ctrl-C: no further piece is sent.
    pub cancel: Option<&'a AtomicBool>,
}

impl Turn<'_> {
    /// Speaks `text` as one turn (trial `index` of its case): `send` makes one request for a
    /// piece's text (with the run's nonce rule) and returns its outcome.
    pub fn speak(
        &self,
        text: &str,
        index: u32,
        kind: TrialKind,
        send: impl FnMut(&str) -> Outcome,
    ) -> Outcome {
        let arrivals = self.cfg.pace.schedule(text, seed(text, index));
        let pieces = aggregate::pieces(text, &arrivals, self.cfg.aggregation);
        let sent = self.send_pieces(&pieces, send);
        let interrupted =
            sent.len() < pieces.len() && sent.last().is_none_or(|s| s.2.out.trial.error.is_none());
        let mut merged = merge(&sent, index, kind, &self.player);
        let t = &mut merged.out.trial;
        if interrupted && t.error.is_none() {
            t.error = Some(TrialError {
                kind: ErrorKind::Interrupted,
                message: "interrupted (Ctrl-C) while text was still arriving".into(),
            });
        }
        let last_token_ms = arrivals.last().map_or(0.0, |a| a.at_ms);
        t.turn = Some(self.trace(t, &sent, arrivals.len() as u32, last_token_ms));
        merged
    }

    /// Sends each piece when it is released and the previous request has ended; stops at a
    /// failure or Ctrl-C. Each piece with the time its request started, ms after the first token.
    fn send_pieces<'p>(
        &self,
        pieces: &'p [Piece],
        mut send: impl FnMut(&str) -> Outcome,
    ) -> Vec<(&'p Piece, f64, Outcome)> {
        let t0 = Instant::now();
        let mut sent = Vec::new();
        for p in pieces {
            if !wait_until(
                t0 + Duration::from_secs_f64(p.ready_ms / 1000.0),
                self.cancel,
            ) {
                break;
            }
            let sent_ms = ms_since(t0);
            let out = send(&p.text);
            let failed = out.out.trial.error.is_some() || out.fatal.is_some();
            sent.push((p, sent_ms, out));
            if failed {
                break;
            }
        }
        sent
    }

    /// The turn's record: its pieces on the player's clock and the end of the turn.
    fn trace(
        &self,
        t: &Trial,
        sent: &[(&Piece, f64, Outcome)],
        tokens: u32,
        last_token_ms: f64,
    ) -> TurnTrace {
        // When the player has played the audio up to `pos` ms. `until` asks a hair before, so
        // the end of a piece is its own last sample (not the next piece's first) and rounding
        // in the sum of the chunks' durations cannot put the end of the turn past the audio.
        let at = |pos: f64| {
            play_time_ms(
                &t.chunks.t_ms,
                &t.chunks.samples,
                t.sample_rate_hz,
                self.player.prebuffer_ms,
                pos,
            )
        };
        let until = |pos: f64| at(pos - EPSILON_MS).map(|v| v + EPSILON_MS);
        let end_ms = (t.error.is_none() && t.audio_s > 0.0)
            .then(|| until(t.audio_s * 1000.0))
            .flatten();
        let mut trace = TurnTrace {
            tokens,
            last_token_ms,
            end_of_turn_ms: end_ms.map(|e| e - last_token_ms),
            pieces: Vec::new(),
        };
        let mut pos_ms = 0.0;
        for (p, sent_ms, out) in sent {
            let o = &out.out.trial;
            let audio_ms = o.audio_s * 1000.0;
            let heard = audio_ms > 0.0;
            trace.pieces.push(TurnPiece {
                text: p.text.clone(),
                ready_ms: p.ready_ms,
                sent_ms: *sent_ms,
                ttfa_ms: o.ttfa_ms,
                done_ms: o.total_ms.map(|d| sent_ms + d),
                audio_ms,
                play_from_ms: heard.then(|| at(pos_ms)).flatten(),
                play_until_ms: heard.then(|| until(pos_ms + audio_ms)).flatten(),
            });
            pos_ms += audio_ms;
        }
        trace
    }
}

/// How far before a position the player is asked (see `until` in `Turn::trace`), ms.
const EPSILON_MS: f64 = 1e-6;

/// The simulated listener: what counts as audible, and its pre-buffer.
pub struct Player {
    /// Audibility threshold, dBFS.
    pub audible_threshold_dbfs: f64,
    /// Player pre-buffer, ms.
    pub prebuffer_ms: f64,
}

/// The pieces' outcomes as one trial on the turn's clock.
fn merge(sent: &[(&Piece, f64, Outcome)], index: u32, kind: TrialKind, player: &Player) -> Outcome {
    let mut t = Trial {
        index,
        kind,
        ..Default::default()
    };
    let mut samples: Vec<f32> = Vec::new();
    let mut joins = Vec::new();
    let (mut busy_ms, mut inference_ms) = (0.0, 0.0);
    let mut headers = Default::default();
    let mut fatal = None;
    for (k, (_, offset, out)) in sent.iter().enumerate() {
        let o = &out.out.trial;
        if k == 0 {
            t.start_ms = o.start_ms - offset;
            t.sample_rate_hz = o.sample_rate_hz;
            t.nonce = o.nonce.clone();
            t.schedule = o.schedule.clone();
            (t.connect_ms, t.tls_handshake_ms, t.spawn_ms) =
                (o.connect_ms, o.tls_handshake_ms, o.spawn_ms);
            (t.first_g2p_ms, t.first_inference_ms, t.first_handoff_ms) =
                (o.first_g2p_ms, o.first_inference_ms, o.first_handoff_ms);
            t.ttfb_ms = o.ttfb_ms.map(|v| v + offset);
            headers = out.headers.clone();
        } else if o.sample_rate_hz != t.sample_rate_hz && o.samples > 0 {
            t.error = Some(TrialError {
                kind: ErrorKind::Protocol,
                message: format!("the sample rate changed within a turn: piece {} came at {} Hz, the first at {} Hz", k + 1, o.sample_rate_hz, t.sample_rate_hz),
            });
            break;
        }
        if !samples.is_empty() && !out.out.samples.is_empty() {
            joins.push(samples.len());
        }
        joins.extend(out.out.joins.iter().map(|j| j + samples.len()));
        samples.extend_from_slice(&out.out.samples);
        let c = &o.chunks;
        t.chunks.t_ms.extend(c.t_ms.iter().map(|v| v + offset));
        t.chunks.samples.extend_from_slice(&c.samples);
        t.chunks.inference_ms.extend_from_slice(&c.inference_ms);
        t.chunks.g2p_ms.extend_from_slice(&c.g2p_ms);
        t.chunks.phonemes.extend_from_slice(&c.phonemes);
        t.chunks.text.extend(c.text.iter().cloned());
        t.flags.extend(o.flags.iter().cloned());
        busy_ms += o.total_ms.unwrap_or(0.0);
        inference_ms += c.inference_ms.iter().sum::<f64>();
        t.total_ms = o.total_ms.map(|d| d + offset).or(t.total_ms);
        t.phonemes = sum(t.phonemes, o.phonemes);
        t.oov_phoneme_chars = sum(t.oov_phoneme_chars, o.oov_phoneme_chars);
        t.process_cpu_ms = o
            .process_cpu_ms
            .map(|v| v + t.process_cpu_ms.unwrap_or(0.0));
        t.process_peak_rss_bytes = t.process_peak_rss_bytes.max(o.process_peak_rss_bytes);
        if t.error.is_none() {
            t.error = o.error.clone();
        }
        fatal = fatal.or(out.fatal.clone());
    }
    t.samples = samples.len() as u64;
    t.audio_s = t.samples as f64 / f64::from(t.sample_rate_hz.max(1));
    t.ttfa_ms = t
        .chunks
        .t_ms
        .iter()
        .zip(&t.chunks.samples)
        .find(|(_, &n)| n > 0)
        .map(|(&v, _)| v);
    crate::targets::finish(
        &mut t,
        &samples,
        player.audible_threshold_dbfs,
        player.prebuffer_ms,
    );
    if t.error.is_none() && t.audio_s > 0.0 {
        t.rtf = Some(busy_ms / 1000.0 / t.audio_s);
        t.inference_rtf = (inference_ms > 0.0).then(|| inference_ms / 1000.0 / t.audio_s);
    }
    Outcome {
        out: TrialOutput {
            trial: t,
            samples,
            joins,
        },
        headers,
        fatal,
    }
}

fn sum(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (None, None) => None,
        _ => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    }
}

fn ms_since(t0: Instant) -> f64 {
    t0.elapsed().as_secs_f64() * 1000.0
}

/// Sleeps until `at`, in short steps so Ctrl-C is heard; `false` when it came.
fn wait_until(at: Instant, cancel: Option<&AtomicBool>) -> bool {
    loop {
        if cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
            return false;
        }
        let now = Instant::now();
        if now >= at {
            return true;
        }
        std::thread::sleep((at - now).min(Duration::from_millis(20)));
    }
}

/// The jitter's seed: the case's text and the trial's position, so every target of a run (and
/// every run) gets the same stream for the same trial.
fn seed(text: &str, index: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes().chain(index.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::request::Requests;
    use crate::run::testing::settings;
    use crate::targets::fake::{FakeSpec, Script};
    use crate::targets::TargetSpec;
    use crate::turns::{arrival::Pace, TurnConfig};
    use kokoro_bench_bundle::schema::Aggregation;
    use std::sync::atomic::AtomicBool;

    /// The test settings, every request a turn at `pace` (the run's dispatch path).
    fn with_turns(pace: &str) -> crate::context::settings::Settings {
        let mut s = settings(1);
        s.turns = Some(std::sync::Arc::new(TurnConfig {
            pace: Pace::parse(pace).unwrap(),
            aggregation: Aggregation::Sentence,
            spec: pace.into(),
        }));
        s
    }

    #[test]
    fn pieces_go_one_after_another_on_the_turn_clock_and_play_back_to_back() {
        // Each request: first audio after 100 ms (1 s of it), nothing else. Words every 50 ms:
        // "One two." is released with "Three" at 100 ms, "Three four." at the last word (150 ms).
        let target = FakeSpec(Script::parse("100:1000").unwrap())
            .start()
            .unwrap();
        let s = with_turns("20words/s");
        let reqs = Requests::new(target.as_ref(), &s, Instant::now(), "run-abcdef", "");
        let o = reqs.send("One two. Three four.", 1, TrialKind::Warm);
        let t = &o.out.trial;
        let u = t.turn.as_ref().unwrap();
        assert_eq!((u.tokens, u.last_token_ms), (4, 150.0));
        let texts: Vec<&str> = u.pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["One two.", "Three four."]);
        let (a, b) = (&u.pieces[0], &u.pieces[1]);
        // Never before its release; the bounds above it only say "not waiting for anything else".
        assert!((100.0..250.0).contains(&a.sent_ms), "{a:?}");
        // The second piece waits for the first request to end, not for the text.
        assert!(b.sent_ms >= a.done_ms.unwrap() - 0.1, "{b:?}");
        // Heard from the first token: sent at ~100 ms + 100 ms to first audio.
        let heard = t.heard_ms.unwrap();
        assert!((199.0..450.0).contains(&heard), "{heard}");
        assert_eq!(t.audio_s, 2.0);
        assert_eq!(o.out.joins, [24_000]);
        // Piece 2's audio came ~100 ms after piece 1's request ended, while piece 1 (1 s of
        // audio) was still playing: no stall, and the turn ends 2 s after the first audio.
        let end = u.end_of_turn_ms.unwrap() + u.last_token_ms;
        assert!((end - (heard + 2000.0)).abs() < 1.0, "{end} vs {heard}");
        assert!((b.play_from_ms.unwrap() - a.play_until_ms.unwrap()).abs() < 1e-3);
        assert!((a.play_until_ms.unwrap() - a.play_from_ms.unwrap() - 1000.0).abs() < 1e-3);
        // RTF counts the requests' own time, not the wait for text.
        assert!(t.rtf.unwrap() < 0.15, "{:?}", t.rtf);
    }

    #[test]
    fn ctrl_c_while_text_arrives_ends_the_turn_as_interrupted() {
        let target = FakeSpec(Script::parse("10:100").unwrap()).start().unwrap();
        let s = with_turns("1words/s");
        let stop = AtomicBool::new(true);
        let reqs = Requests::new(target.as_ref(), &s, Instant::now(), "run-abcdef", "")
            .cancelled_by(&stop);
        let o = reqs.send("Slow words here.", 0, TrialKind::Warm);
        let e = o.out.trial.error.as_ref().unwrap();
        assert_eq!(e.kind, ErrorKind::Interrupted);
        assert!(o.out.trial.turn.unwrap().pieces.is_empty());
    }
}
