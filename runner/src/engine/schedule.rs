//! The adaptive progressive schedule: each next chunk is sized, at the moment the previous one is
//! delivered, from the speed this process has measured so far, so that it is ready before the
//! audio already delivered runs out.
//!
//! Costs follow `fixed_ms + per_phoneme_ms × phonemes` (a Theil–Sen line over the last
//! [`WINDOW`] chunks this engine synthesised, warm-ups included; before enough spread, the prior
//! scaled by the median observed/predicted ratio). No chunk is planned beyond twice the largest
//! this engine has measured: the line is trusted where it was fitted. A chunk *fits* when its predicted cost is at most a
//! margin × the audio buffered ahead of the listener; the margin is [`MARGIN`] until the model
//! has seen how far its predictions miss, then 1 / the 90th percentile of actual ÷ predicted
//! (between [`MARGIN_RANGE`]): a noisy machine gets a wider one. The next chunk is the largest
//! that fits (audio grows faster than cost when the model is faster than real time, so the
//! biggest chunk grows the buffer most), cut at the last clause boundary when that keeps most of
//! it — unless the schedule simulated from there stalls more than after a bigger "recovery"
//! chunk (one short wait instead of a cascade of small chunks that each lose ground). The first
//! chunk is the smallest (from `min_first_words`) whose simulated schedule never lets the buffer
//! run dry — on a slow machine it grows by itself instead of stalling later. No chunk but the
//! last ends on a word that leans on the next one (an article, a preposition, an auxiliary…):
//! Kokoro reads each chunk as a whole utterance and would close it there.

use super::chunking::{ends_clause, leans_on_next};
use super::joins::{Boundary, Joins, EDGE_KEEP_MS};
use super::Chunking;
use kokoro_bench_bundle::schema::ScheduleModel;
use kokoro_bench_bundle::stats::theil_sen::slope;
use kokoro_bench_bundle::stats::{median, percentile};
use std::collections::VecDeque;

/// Predicted costs must fit in this share of the buffered audio until prediction errors are
/// known (the rest absorbs noise).
pub const MARGIN: f64 = 0.7;

/// Bounds of the learned margin.
pub const MARGIN_RANGE: (f64, f64) = (0.5, 0.8);

/// Prediction errors needed before the margin is learned.
const MIN_ERRORS: usize = 5;

/// Chunks remembered by the speed model.
pub const WINDOW: usize = 32;

/// Largest chunk planned, in estimated phonemes (the model takes 510; estimates err).
pub const MAX_CHUNK_PHONEMES: f64 = 400.0;

/// Longest first chunk tried, words.
const MAX_FIRST_WORDS: usize = 12;

/// Prior before anything was measured: the slowest 2-core figures seen (fixed ms, ms/phoneme),
/// audio ms per phoneme at speed 1 (trimmed output), phonemes per letter (English, misaki).
const PRIOR: (f64, f64, f64, f64) = (450.0, 45.0, 62.0, 1.3);

/// The speed this engine has shown so far.
#[derive(Clone, Debug)]
pub struct SpeedModel {
    costs: VecDeque<(f64, f64)>,
    /// Actual ÷ predicted cost of planned chunks.
    errors: VecDeque<f64>,
    audio_ms_per_phoneme: f64,
    phonemes_per_letter: f64,
    observations: u32,
}

impl Default for SpeedModel {
    fn default() -> Self {
        SpeedModel {
            costs: VecDeque::new(),
            errors: VecDeque::new(),
            audio_ms_per_phoneme: PRIOR.2,
            phonemes_per_letter: PRIOR.3,
            observations: 0,
        }
    }
}

/// One synthesised chunk, as the model learns from it.
#[derive(Clone, Copy, Debug)]
pub struct Observed {
    /// Phoneme tokens synthesised.
    pub phonemes: usize,
    /// Letters of the chunk's text (see [`letters`]).
    pub letters: usize,
    /// Wall time from starting the chunk to delivering it, ms.
    pub cost_ms: f64,
    /// Speech delivered, ms at speed 1: the chunk's audio less the pause kept after it (see
    /// [`pause_kept_ms`]); `None` for a request's last chunk, whose natural ending is kept.
    pub speech_ms: Option<f64>,
    /// The cost the schedule predicted for it, ms (adaptive schedule).
    pub planned_ms: Option<f64>,
}

impl SpeedModel {
    /// Learns from one chunk.
    pub fn observe(&mut self, o: Observed) {
        if o.phonemes == 0 || !o.cost_ms.is_finite() {
            return;
        }
        self.costs.push_back((o.phonemes as f64, o.cost_ms));
        while self.costs.len() > WINDOW {
            self.costs.pop_front();
        }
        if let Some(p) = o.planned_ms.filter(|p| *p > 0.0) {
            self.errors.push_back(o.cost_ms / p);
            while self.errors.len() > WINDOW {
                self.errors.pop_front();
            }
        }
        let w = if self.observations == 0 { 1.0 } else { 0.3 };
        let ewma = |old: f64, new: f64| old + w * (new - old);
        if let Some(speech) = o.speech_ms {
            self.audio_ms_per_phoneme = ewma(self.audio_ms_per_phoneme, speech / o.phonemes as f64);
        }
        if o.letters > 0 {
            self.phonemes_per_letter = ewma(
                self.phonemes_per_letter,
                o.phonemes as f64 / o.letters as f64,
            );
        }
        self.observations += 1;
    }

    /// The largest chunk a plan may use, phonemes: twice the largest measured (the line is not
    /// extrapolated further), at most [`MAX_CHUNK_PHONEMES`].
    pub fn max_chunk_phonemes(&self) -> f64 {
        let seen = self.costs.iter().map(|c| c.0).fold(0.0, f64::max);
        if seen == 0.0 {
            MAX_CHUNK_PHONEMES
        } else {
            (2.0 * seen).min(MAX_CHUNK_PHONEMES)
        }
    }

    /// `(fixed_ms, per_phoneme_ms)` now.
    pub fn cost_line(&self) -> (f64, f64) {
        if let Some(fit) = theil_sen(&self.costs) {
            return fit;
        }
        let ratios: Vec<f64> = self
            .costs
            .iter()
            .map(|(n, ms)| ms / (PRIOR.0 + PRIOR.1 * n))
            .collect();
        let s = median(&ratios).unwrap_or(1.0);
        (PRIOR.0 * s, PRIOR.1 * s)
    }

    /// Share of the buffered audio a chunk's predicted cost may use (see the module docs).
    pub fn margin(&self) -> f64 {
        if self.errors.len() < MIN_ERRORS {
            return MARGIN;
        }
        let errors: Vec<f64> = self.errors.iter().copied().collect();
        let p90 = percentile(&errors, 90.0).unwrap_or(1.0 / MARGIN);
        (1.0 / p90).clamp(MARGIN_RANGE.0, MARGIN_RANGE.1)
    }

    /// Predicted cost of a chunk of `phonemes`, ms.
    pub fn cost_ms(&self, phonemes: f64) -> f64 {
        let (a, b) = self.cost_line();
        a + b * phonemes
    }

    /// Estimated phonemes of `words`.
    pub fn phonemes(&self, words: &[&str]) -> f64 {
        let letters: usize = words.iter().map(|w| letters(w)).sum();
        (letters as f64 * self.phonemes_per_letter).max(words.len() as f64)
    }

    /// The model as recorded in the bundle.
    pub fn snapshot(&self) -> ScheduleModel {
        let (fixed_ms, per_phoneme_ms) = self.cost_line();
        ScheduleModel {
            fixed_ms,
            per_phoneme_ms,
            audio_per_phoneme_ms: self.audio_ms_per_phoneme,
            phonemes_per_letter: self.phonemes_per_letter,
            observations: self.observations,
            margin: self.margin(),
        }
    }
}

/// Letters of a text for phoneme estimates: alphabetic characters, digits counted three times
/// (they are read as words).
pub fn letters(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii_digit() => 3,
            c if c.is_alphabetic() => 1,
            _ => 0,
        })
        .sum()
}

/// Theil–Sen line of cost on phonemes (the bundle crate's slope: the median of pairwise slopes;
/// the median intercept under it). Robust to the ±40 % spikes a shared machine produces (a
/// least-squares line was pulled to 1000 ms + 10 ms/phoneme by one of them). `None` without 3
/// chunks spread over ≥ 10 phonemes; a negative intercept is clamped to 0.
fn theil_sen(points: &VecDeque<(f64, f64)>) -> Option<(f64, f64)> {
    let (x, y): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
    let spread =
        x.iter().copied().fold(f64::MIN, f64::max) - x.iter().copied().fold(f64::MAX, f64::min);
    if x.len() < 3 || spread < 10.0 {
        return None;
    }
    let b = slope(&x, &y).filter(|b| *b > 0.0)?;
    let intercepts: Vec<f64> = x.iter().zip(&y).map(|(x, y)| y - b * x).collect();
    Some((median(&intercepts)?.max(0.0), b))
}

/// Plans chunk sizes for one request from a speed model.
pub struct Planner<'m> {
    model: &'m SpeedModel,
    margin: f64,
    joins: Joins,
    /// Audio ms per phoneme at this request's speed.
    audio_per_phoneme_ms: f64,
    min_first_words: usize,
}

/// A simulated schedule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Simulated {
    /// Words per chunk.
    pub words: Vec<usize>,
    /// Predicted time to the first chunk, ms.
    pub first_ms: f64,
    /// Predicted total stall, ms (0: the buffer never runs dry).
    pub stall_ms: f64,
}

impl<'m> Planner<'m> {
    /// A planner for a request at `speed` with the engine's joins and first-chunk minimum.
    pub fn new(model: &'m SpeedModel, speed: f32, chunking: &Chunking) -> Planner<'m> {
        Planner {
            model,
            margin: model.margin(),
            joins: chunking.joins,
            audio_per_phoneme_ms: model.audio_ms_per_phoneme / f64::from(speed.max(0.1)),
            min_first_words: chunking.min_first_words.max(1),
        }
    }

    /// Words in the first chunk: the smallest count whose simulated schedule does not stall
    /// (extended to a clause boundary one word on), else the one with the least stall + wait.
    pub fn first_len(&self, words: &[&str]) -> usize {
        let lo = self.min_first_words.min(words.len());
        let hi = MAX_FIRST_WORDS.max(lo).min(words.len());
        let mut best = (f64::MAX, lo);
        for k in lo..=hi {
            let k = snap_first(words, k);
            if k < words.len() && leans_on_next(words[k - 1]) {
                continue;
            }
            let sim = self.simulate(words, k);
            if sim.stall_ms == 0.0 {
                return k;
            }
            let score = sim.stall_ms + sim.first_ms;
            if score < best.0 {
                best = (score, k);
            }
        }
        best.1
    }

    /// Words in the next chunk of `rest`, given the audio buffered ahead of the listener: the
    /// largest that fits, or a recovery chunk when the schedule simulated after it stalls less.
    pub fn next_len(&self, rest: &[&str], buffered_ms: f64) -> usize {
        let greedy = self.greedy_len(rest, buffered_ms);
        let recover = self.fit_words(rest, self.recovery_phonemes());
        if recover <= greedy {
            return greedy;
        }
        let after = |k: usize| {
            self.simulate_from(rest, k, (0.0, buffered_ms), true)
                .stall_ms
        };
        if after(recover) < after(greedy) {
            recover
        } else {
            greedy
        }
    }

    /// The largest chunk that fits the buffer (a recovery chunk when not even two words fit).
    fn greedy_len(&self, rest: &[&str], buffered_ms: f64) -> usize {
        if rest.len() <= 3 {
            return rest.len();
        }
        let (a, b) = self.model.cost_line();
        let fits = (self.margin * buffered_ms - a) / b;
        let two_words = self.model.phonemes(&rest[..2]);
        let budget = if fits >= two_words {
            fits
        } else {
            self.recovery_phonemes()
        };
        self.fit_words(rest, budget)
    }

    /// A chunk that synthesises well faster than real time, so the buffer grows back (all the
    /// model takes when it is slower than real time), phonemes.
    fn recovery_phonemes(&self) -> f64 {
        let (a, b) = self.model.cost_line();
        let c = self.audio_per_phoneme_ms * self.margin;
        if c > b {
            (2.0 * a / (c - b)).min(MAX_CHUNK_PHONEMES)
        } else {
            MAX_CHUNK_PHONEMES
        }
    }

    /// The most words (at least two) within `phonemes`, cut at the last clause boundary when it
    /// keeps 60 % of them, else not after a word that leans on the next ("the", "at", "was"),
    /// with no tail of two words or fewer left behind.
    fn fit_words(&self, rest: &[&str], phonemes: f64) -> usize {
        if rest.len() <= 3 {
            return rest.len();
        }
        let budget = phonemes.min(self.model.max_chunk_phonemes());
        let mut k = 2;
        while k < rest.len() && self.model.phonemes(&rest[..k + 1]) <= budget {
            k += 1;
        }
        if let Some(i) = ((k * 3 / 5).max(2)..k)
            .rev()
            .find(|&i| ends_clause(rest[i - 1]))
        {
            k = i;
        } else if k < rest.len() {
            k = (2..=k)
                .rev()
                .find(|&i| !leans_on_next(rest[i - 1]))
                .unwrap_or(k);
        }
        if rest.len() - k <= 2 {
            k = rest.len();
        }
        k
    }

    /// Predicted cost of a chunk of `words`, ms.
    pub fn cost_ms(&self, words: &[&str]) -> f64 {
        self.model.cost_ms(self.model.phonemes(words))
    }

    /// Predicted audio of `words`, ms.
    pub fn audio_ms(&self, words: &[&str]) -> f64 {
        let last = words.last().copied().unwrap_or("");
        self.model.phonemes(words) * self.audio_per_phoneme_ms + pause_kept_ms(self.joins, last)
    }

    /// Simulates the whole schedule for a first chunk of `first` words (costs inflated by
    /// 1 / margin, as the schedule plans them).
    pub fn simulate(&self, words: &[&str], first: usize) -> Simulated {
        if words.is_empty() {
            return Simulated::default();
        }
        let first = first.clamp(1, words.len());
        let t = self.cost_ms(&words[..first]) / self.margin;
        let mut sim = self.simulate_from(words, first, (t, t), false);
        sim.first_ms = t;
        sim
    }

    /// The schedule of `words` from a first chunk of `first` words, starting at `(now_ms,
    /// play_end_ms)`: the time and when the listener's audio runs out. With `first_costs` the
    /// first chunk's cost is still to be paid; without, it was delivered at `now_ms`. Later chunks
    /// are sized greedily.
    fn simulate_from(
        &self,
        words: &[&str],
        first: usize,
        (now_ms, play_end_ms): (f64, f64),
        first_costs: bool,
    ) -> Simulated {
        let mut sim = Simulated::default();
        let (mut t, mut play_end) = (now_ms, play_end_ms);
        let mut k = first;
        let mut start = 0;
        loop {
            let chunk = &words[start..start + k];
            if start > 0 || first_costs {
                t += self.cost_ms(chunk) / self.margin;
            }
            if t > play_end {
                sim.stall_ms += t - play_end;
                play_end = t;
            }
            play_end += self.audio_ms(chunk);
            sim.words.push(k);
            start += k;
            if start >= words.len() {
                return sim;
            }
            k = self.greedy_len(&words[start..], play_end - t);
        }
    }
}

/// Silence natural joins keep around a chunk that ends with `last_word` and is followed by
/// another (the edge margins and the text's pause), ms; 0 for raw joins, whose silence is
/// learned as part of the audio per phoneme.
pub fn pause_kept_ms(joins: Joins, last_word: &str) -> f64 {
    match joins {
        Joins::Natural => EDGE_KEEP_MS + EDGE_KEEP_MS.max(Boundary::after(last_word).pause_ms()),
        Joins::Raw => 0.0,
    }
}

/// A first chunk of `k` words, moved to the end of the first clause when that is one word on.
fn snap_first(words: &[&str], k: usize) -> usize {
    if k < words.len() && !ends_clause(words[k - 1]) && ends_clause(words[k]) {
        k + 1
    } else {
        k
    }
}

/// When the listener's audio runs out: a player that starts at the first delivered sample and
/// plays in real time, waiting (a stall) when nothing is left.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlaybackClock {
    ends_at: Option<std::time::Instant>,
}

impl PlaybackClock {
    /// Records `audio_ms` delivered now.
    pub fn deliver(&mut self, audio_ms: f64) {
        let now = std::time::Instant::now();
        let from = self.ends_at.map_or(now, |e| e.max(now));
        self.ends_at = Some(from + std::time::Duration::from_secs_f64(audio_ms.max(0.0) / 1000.0));
    }

    /// Audio still buffered ahead of the listener now, ms.
    pub fn ahead_ms(&self) -> f64 {
        self.ends_at.map_or(0.0, |e| {
            e.saturating_duration_since(std::time::Instant::now())
                .as_secs_f64()
                * 1000.0
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The museum opens at ten on weekdays and at noon on Sundays. Tickets are \
        cheaper online, and children under twelve enter for free. The east wing is closed for \
        repairs this month, but the garden and the small cafe by the river are open as usual.";

    /// A model that has seen `fixed + per × n` for a spread of chunk sizes.
    fn trained(fixed: f64, per: f64) -> SpeedModel {
        let mut m = SpeedModel::default();
        for n in [16usize, 40, 80, 120, 30] {
            m.observe(Observed {
                phonemes: n,
                letters: (n as f64 / 1.3) as usize,
                cost_ms: fixed + per * n as f64,
                speech_ms: Some(62.0 * n as f64),
                planned_ms: None,
            });
        }
        m
    }

    #[test]
    fn the_fit_recovers_a_cost_line_ignores_a_spike_and_falls_back_to_a_scaled_prior() {
        let mut m = trained(300.0, 28.0);
        let (a, b) = m.cost_line();
        assert!(
            (a - 300.0).abs() < 1e-6 && (b - 28.0).abs() < 1e-9,
            "{a} {b}"
        );
        // One chunk 60 % slower than the line (another process took the CPU) barely moves it.
        m.observe(Observed {
            phonemes: 100,
            letters: 77,
            cost_ms: 1.6 * (300.0 + 28.0 * 100.0),
            speech_ms: Some(6200.0),
            planned_ms: None,
        });
        let (a, b) = m.cost_line();
        assert!(
            (a - 300.0).abs() < 60.0 && (b - 28.0).abs() < 3.0,
            "{a} {b}"
        );
        assert_eq!(
            m.max_chunk_phonemes(),
            240.0,
            "twice the largest chunk seen"
        );
        let mut one = SpeedModel::default();
        let prior = one.cost_ms(20.0);
        one.observe(Observed {
            phonemes: 20,
            letters: 15,
            cost_ms: prior * 2.0,
            speech_ms: Some(1200.0),
            planned_ms: None,
        });
        assert!((one.cost_ms(20.0) - 2.0 * prior).abs() < 1e-6);
        assert_eq!(one.snapshot().observations, 1);
    }

    #[test]
    fn the_schedule_covers_every_word_and_never_stalls_when_it_can_avoid_it() {
        let words: Vec<&str> = TEXT.split_whitespace().collect();
        for (fixed, per) in [(300.0, 28.0), (450.0, 42.0)] {
            let m = trained(fixed, per);
            let p = Planner::new(&m, 1.0, &Chunking::default());
            let first = p.first_len(&words);
            let sim = p.simulate(&words, first);
            assert_eq!(sim.words.iter().sum::<usize>(), words.len());
            assert_eq!(sim.stall_ms, 0.0, "{fixed}+{per}/ph: {sim:?}");
            assert!(sim.words.iter().all(|&k| k > 0));
        }
    }

    #[test]
    fn a_slower_engine_gets_a_longer_first_chunk_instead_of_a_gap() {
        let words: Vec<&str> = TEXT.split_whitespace().collect();
        let fast = trained(300.0, 28.0);
        let slow = trained(450.0, 42.0);
        let f = Planner::new(&fast, 1.0, &Chunking::default()).first_len(&words);
        let s = Planner::new(&slow, 1.0, &Chunking::default()).first_len(&words);
        // "The museum opens at" would do, but a first chunk does not end on "at".
        assert!(f <= 5, "fast machine: {f} words first");
        assert!(s > f, "slow {s} vs fast {f}");
        // With the fixed schedule's 3-word start, the slow engine would stall.
        assert!(
            Planner::new(&slow, 1.0, &Chunking::default())
                .simulate(&words, 3)
                .stall_ms
                > 0.0
        );
    }

    #[test]
    fn a_model_slower_than_real_time_plans_big_chunks() {
        let words: Vec<&str> = TEXT.split_whitespace().collect();
        let m = trained(500.0, 80.0);
        let p = Planner::new(&m, 1.0, &Chunking::default());
        let sim = p.simulate(&words, p.first_len(&words));
        assert!(sim.stall_ms > 0.0);
        assert!(sim.words.len() <= 4, "{sim:?}");
    }

    #[test]
    fn the_margin_widens_with_the_prediction_errors_seen() {
        let mut m = trained(300.0, 28.0);
        assert_eq!(m.margin(), MARGIN, "no planned chunks yet");
        for _ in 0..10 {
            m.observe(Observed {
                phonemes: 30,
                letters: 23,
                cost_ms: 1.6 * 1140.0,
                speech_ms: None,
                planned_ms: Some(1140.0),
            });
        }
        assert!((m.margin() - 1.0 / 1.6).abs() < 1e-9, "{}", m.margin());
    }

    #[test]
    fn no_chunk_but_the_last_ends_on_a_word_that_leans_on_the_next() {
        let words: Vec<&str> = TEXT.split_whitespace().collect();
        for (fixed, per) in [(100.0, 10.0), (300.0, 28.0), (450.0, 42.0)] {
            let m = trained(fixed, per);
            let chunking = Chunking {
                min_first_words: 1,
                ..Chunking::default()
            };
            let p = Planner::new(&m, 1.0, &chunking);
            let first = p.first_len(&words);
            let sim = p.simulate(&words, first);
            let mut start = 0;
            for &k in &sim.words[..sim.words.len() - 1] {
                start += k;
                assert!(
                    !leans_on_next(words[start - 1]),
                    "{fixed}+{per}/ph cut after `{}`: {sim:?}",
                    words[start - 1]
                );
            }
        }
        // Every text the suite ships, planned on a fast, a middling and a slow machine.
        let texts = crate::context::presets::SENTENCES
            .iter()
            .copied()
            .chain(crate::context::presets::PRESETS.iter().map(|p| p.text));
        for text in texts {
            let words: Vec<&str> = text.split_whitespace().collect();
            for (fixed, per) in [(100.0, 10.0), (300.0, 28.0), (450.0, 42.0)] {
                let m = trained(fixed, per);
                let p = Planner::new(&m, 1.0, &Chunking::default());
                let sim = p.simulate(&words, p.first_len(&words));
                let ends: Vec<usize> = sim
                    .words
                    .iter()
                    .scan(0, |at, k| {
                        *at += k;
                        Some(*at)
                    })
                    .collect();
                for &end in &ends[..ends.len() - 1] {
                    assert!(!leans_on_next(words[end - 1]), "{text}: {sim:?}");
                }
            }
        }
        assert!(leans_on_next("The") && leans_on_next("at") && !leans_on_next("and,"));
        assert!(!leans_on_next("museum") && !leans_on_next("Sundays."));
        assert!(
            leans_on_next("Dr.") && leans_on_next("Mr."),
            "a title is not a sentence"
        );
    }

    #[test]
    fn letters_count_digits_as_words() {
        assert_eq!(letters("at 10, please"), 2 + 6 + 6);
    }
}
