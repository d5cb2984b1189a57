//! When each piece of a text arrives: a steady rate with seeded jitter (`40tok/s`, `3words/s~0.3`)
//! or a recorded trace replayed (`trace:FILE`).
//!
//! A trace is JSON Lines, one event per line, in time order:
//!
//! ```text
//! {"t_ms": 0, "text": "Sure"}
//! {"t_ms": 31.5, "text": ", I can"}
//! ```
//!
//! Only its *timing* and the *size* of each event (in characters) are used: they are applied to
//! the case's own text (event k delivers the next `chars(k)` characters at `t_ms(k) − t_ms(0)`),
//! and repeated — after one mean gap — when the text is longer than the trace, so one trace paces
//! every case of a run.

use anyhow::{bail, Context, Result};
use kokoro_bench_bundle::schema::{ArrivalPace, ArrivalUnit};
use kokoro_bench_bundle::stats::SplitMix64;
use sha2::{Digest, Sha256};
use std::path::Path;

/// A parsed `--text-arrival`.
#[derive(Clone, Debug, PartialEq)]
pub enum Pace {
    /// A steady rate.
    Rate {
        /// Units per second.
        per_s: f64,
        /// Tokens or words.
        unit: ArrivalUnit,
        /// Relative jitter of each gap.
        jitter: f64,
    },
    /// A recorded trace.
    Trace(Trace),
}

/// A recorded stream: each event's time and size.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// The file's name.
    pub file: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// (ms since the first event, characters) per event.
    pub events: Vec<(f64, usize)>,
}

/// One arrival: the text up to `end` (a byte offset on a character boundary) is there at `at_ms`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    /// ms after the first arrival.
    pub at_ms: f64,
    /// Byte offset the received text now reaches.
    pub end: usize,
}

/// The longest a token is, in characters (English BPE averages about 4 characters per token).
const TOKEN_CHARS: usize = 4;

impl Pace {
    /// Parses `40tok/s`, `3.5words/s`, `40tok/s~0.3` (30 % jitter), or `trace:FILE`.
    ///
    /// # Errors
    /// An unknown unit, a rate that is not a positive number, jitter outside 0–0.9, a trace that
    /// cannot be read or is out of order — each message says what to write instead.
    pub fn parse(spec: &str) -> Result<Pace> {
        let spec = spec.trim();
        if let Some(path) = spec.strip_prefix("trace:") {
            return Ok(Pace::Trace(Trace::read(Path::new(path))?));
        }
        let (rate, jitter) = match spec.split_once('~') {
            Some((r, j)) => {
                let j: f64 = j.parse().ok().filter(|j: &f64| (0.0..=0.9).contains(j)).with_context(|| {
                    format!("--text-arrival {spec}: the jitter after `~` must be a fraction from 0 to 0.9, e.g. `40tok/s~0.3`")
                })?;
                (r, j)
            }
            None => (spec, 0.0),
        };
        let Some((num, unit)) = rate.split_once('/').and_then(|(n, per)| {
            (per == "s").then(|| {
                let split = n.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(n.len());
                (&n[..split], &n[split..])
            })
        }) else {
            bail!("--text-arrival {spec}: write a rate per second (`40tok/s`, `3words/s`) or `trace:FILE`");
        };
        let unit = match unit {
            "tok" | "tokens" => ArrivalUnit::Tokens,
            "w" | "word" | "words" => ArrivalUnit::Words,
            other => bail!(
                "--text-arrival {spec}: unknown unit `{other}`; use `tok` (language-model tokens) or `words`"
            ),
        };
        let per_s: f64 = num
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v > 0.0 && *v <= 10_000.0)
            .with_context(|| {
                format!("--text-arrival {spec}: the rate must be a number above 0 (at most 10000), e.g. `40tok/s`")
            })?;
        Ok(Pace::Rate {
            per_s,
            unit,
            jitter,
        })
    }

    /// What the bundle records.
    pub fn record(&self) -> ArrivalPace {
        match self {
            Pace::Rate {
                per_s,
                unit,
                jitter,
            } => ArrivalPace::Rate {
                per_s: *per_s,
                unit: *unit,
                jitter: *jitter,
            },
            Pace::Trace(t) => ArrivalPace::Trace {
                file: t.file.clone(),
                sha256: t.sha256.clone(),
                events: t.events.len() as u32,
                chars: t.events.iter().map(|e| e.1).sum::<usize>() as u32,
                duration_ms: t.events.last().map_or(0.0, |e| e.0),
            },
        }
    }

    /// When each part of `text` arrives. `seed` fixes the jitter (the same for every target of a
    /// run, so targets interleaved side by side get the same stream). The last arrival reaches
    /// the end of the text.
    pub fn schedule(&self, text: &str, seed: u64) -> Vec<Arrival> {
        match self {
            Pace::Rate {
                per_s,
                unit,
                jitter,
            } => {
                let mut rng = SplitMix64::new(seed);
                let gap_ms = 1000.0 / per_s;
                let mut at_ms = 0.0;
                units(text, *unit)
                    .into_iter()
                    .enumerate()
                    .map(|(i, end)| {
                        if i > 0 {
                            at_ms += gap_ms * (1.0 + jitter * (2.0 * rng.unit() - 1.0));
                        }
                        Arrival { at_ms, end }
                    })
                    .collect()
            }
            Pace::Trace(t) => t.replay(text),
        }
    }
}

impl Trace {
    /// Reads a trace file.
    ///
    /// # Errors
    /// The file cannot be read, a line is not `{"t_ms": …, "text": …}`, times go backwards, or
    /// no event carries text.
    pub fn read(path: &Path) -> Result<Trace> {
        let bytes = std::fs::read(path).with_context(|| {
            format!(
                "--text-arrival: cannot read the trace file ({})",
                path.display()
            )
        })?;
        let body = String::from_utf8(bytes.clone()).with_context(|| {
            format!(
                "--text-arrival: the trace is not UTF-8 text ({})",
                path.display()
            )
        })?;
        let mut events = Vec::new();
        let mut first = None;
        let mut last = f64::NEG_INFINITY;
        for (n, line) in body
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            #[derive(serde::Deserialize)]
            struct Event {
                t_ms: f64,
                text: String,
            }
            let e: Event = serde_json::from_str(line).with_context(|| {
                format!(
                    "--text-arrival: line {} of the trace is not {{\"t_ms\": <ms>, \"text\": \"…\"}} ({})",
                    n + 1,
                    path.display()
                )
            })?;
            if !e.t_ms.is_finite() || e.t_ms < last {
                bail!(
                    "--text-arrival: line {} of the trace is at {} ms, before the line above it ({} ms): events must be in time order ({})",
                    n + 1, e.t_ms, last, path.display()
                );
            }
            last = e.t_ms;
            let t0 = *first.get_or_insert(e.t_ms);
            events.push((e.t_ms - t0, e.text.chars().count()));
        }
        if events.iter().all(|e| e.1 == 0) {
            bail!(
                "--text-arrival: the trace has no event with text: record one line per streamed piece ({})",
                path.display()
            );
        }
        Ok(Trace {
            file: path
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned()),
            sha256: Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            events,
        })
    }

    /// The trace's timing and sizes applied to `text`, repeated as often as needed.
    fn replay(&self, text: &str) -> Vec<Arrival> {
        let offsets: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let chars = offsets.len() - 1;
        let span = self.events.last().map_or(0.0, |e| e.0);
        let mean_gap = if self.events.len() > 1 {
            span / (self.events.len() - 1) as f64
        } else {
            100.0
        };
        let mut out = Vec::new();
        let mut done = 0usize;
        let mut cycle = 0.0;
        while done < chars {
            for &(t, n) in &self.events {
                if n == 0 || done >= chars {
                    continue;
                }
                done = (done + n).min(chars);
                out.push(Arrival {
                    at_ms: cycle + t,
                    end: offsets[done],
                });
            }
            cycle += span + mean_gap;
        }
        out
    }
}

/// Where each unit of `text` ends (byte offsets): a unit is leading whitespace plus a word; as
/// tokens, a word of more than [`TOKEN_CHARS`] characters is several units.
fn units(text: &str, unit: ArrivalUnit) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut in_word = false;
    let mut word_chars = 0usize;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if in_word {
                ends.push(i);
            }
            in_word = false;
            word_chars = 0;
            continue;
        }
        if in_word && unit == ArrivalUnit::Tokens && word_chars == TOKEN_CHARS {
            ends.push(i);
            word_chars = 0;
        }
        in_word = true;
        word_chars += 1;
    }
    if ends.last() != Some(&text.len()) {
        ends.push(text.len());
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(spec: &str) -> String {
        Pace::parse(spec).unwrap_err().to_string()
    }

    #[test]
    fn rates_parse_and_bad_ones_say_what_to_write() {
        assert_eq!(
            Pace::parse("40tok/s").unwrap(),
            Pace::Rate {
                per_s: 40.0,
                unit: ArrivalUnit::Tokens,
                jitter: 0.0
            }
        );
        assert_eq!(
            Pace::parse("2.5words/s~0.3").unwrap(),
            Pace::Rate {
                per_s: 2.5,
                unit: ArrivalUnit::Words,
                jitter: 0.3
            }
        );
        assert!(err("40lines/s").contains("unknown unit `lines`"));
        assert!(err("40tok").contains("rate per second"));
        assert!(err("0tok/s").contains("above 0"));
        assert!(err("40tok/s~2").contains("0 to 0.9"));
        assert!(err("trace:/nonexistent/t.jsonl").contains("cannot read"));
    }

    #[test]
    fn tokens_are_words_cut_into_four_characters_and_the_last_reaches_the_end() {
        let text = "Hi there, wonderful.";
        let ends = units(text, ArrivalUnit::Tokens);
        let pieces: Vec<&str> = std::iter::once(0)
            .chain(ends.iter().copied())
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| &text[w[0]..w[1]])
            .collect();
        assert_eq!(pieces, ["Hi", " ther", "e,", " wond", "erfu", "l."]);
        assert_eq!(units(text, ArrivalUnit::Words).len(), 3);
        let s = Pace::parse("10tok/s").unwrap().schedule(text, 1);
        assert_eq!(s.len(), 6);
        assert_eq!(s[0].at_ms, 0.0);
        assert!((s[5].at_ms - 500.0).abs() < 1e-9, "{s:?}");
        assert_eq!(s[5].end, text.len());
    }

    #[test]
    fn jitter_is_seeded_bounded_and_the_same_for_the_same_seed() {
        let p = Pace::parse("10words/s~0.5").unwrap();
        let text = "one two three four five six seven eight nine ten";
        let a = p.schedule(text, 7);
        assert_eq!(a, p.schedule(text, 7));
        assert_ne!(a, p.schedule(text, 8));
        for w in a.windows(2) {
            let gap = w[1].at_ms - w[0].at_ms;
            assert!((50.0..=150.0).contains(&gap), "{gap}");
        }
    }

    #[test]
    fn a_trace_paces_any_text_and_is_refused_out_of_order() {
        let dir = std::env::temp_dir().join(format!("kb-trace-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("t.jsonl");
        std::fs::write(
            &good,
            "{\"t_ms\": 100, \"text\": \"Hello\"}\n{\"t_ms\": 150, \"text\": \" there\"}\n",
        )
        .unwrap();
        let p = Pace::parse(&format!("trace:{}", good.display())).unwrap();
        let s = p.schedule("abcdefghijklmnopqrstuvwxyz", 0);
        // 5 then 6 characters at 0 and 50 ms, again 50 ms after the span (span 50, mean gap 50).
        let got: Vec<(f64, usize)> = s.iter().map(|a| (a.at_ms, a.end)).collect();
        assert_eq!(
            got,
            [(0.0, 5), (50.0, 11), (100.0, 16), (150.0, 22), (200.0, 26)]
        );
        let bad = dir.join("bad.jsonl");
        std::fs::write(
            &bad,
            "{\"t_ms\": 100, \"text\": \"a\"}\n{\"t_ms\": 50, \"text\": \"b\"}\n",
        )
        .unwrap();
        let e = err(&format!("trace:{}", bad.display()));
        assert!(e.contains("line 2") && e.contains("time order"), "{e}");
        std::fs::write(&bad, "not json\n").unwrap();
        assert!(err(&format!("trace:{}", bad.display())).contains("line 1"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
