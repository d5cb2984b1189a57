//! Progress while a run measures: a bar on a terminal; plain lines (one per case, with an ETA)
//! when stderr is a log, so CI output shows life without control characters; nothing with
//! `--json` or `-q`. With `-v`, one line per trial as well.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// An animated bar (stderr is a terminal).
    Bar,
    /// One line per step (stderr is a file or pipe).
    Lines,
    /// Nothing.
    Quiet,
}

/// How much a run says while it measures (`-q` / default / `-v`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// No progress, no summary: errors, warnings and the bundle's path only.
    Quiet,
    /// A bar or one line per case, the summary at the end.
    #[default]
    Normal,
    /// Also one line per trial (its headline values or its error).
    Verbose,
}

/// The progress display. Shared by threads (soak clients), hence `&self` everywhere.
pub struct Progress {
    mode: Mode,
    per_trial: bool,
    bar: ProgressBar,
    started: Instant,
    total: AtomicU64,
    done: AtomicU64,
}

impl Progress {
    /// A display for `total` steps; [`Verbosity::Quiet`] shows nothing.
    pub fn new(verbosity: Verbosity, total: u64) -> Progress {
        let mode = match (verbosity, std::io::stderr().is_terminal()) {
            (Verbosity::Quiet, _) => Mode::Quiet,
            (_, true) => Mode::Bar,
            (_, false) => Mode::Lines,
        };
        let bar = if mode == Mode::Bar {
            ProgressBar::new(total)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg} (ETA {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress {
            mode,
            per_trial: verbosity == Verbosity::Verbose,
            bar,
            started: Instant::now(),
            total: AtomicU64::new(total),
            done: AtomicU64::new(0),
        }
    }

    /// Adds steps to the total (a phase that learns its size late).
    pub fn add_total(&self, steps: u64) {
        let t = self.total.fetch_add(steps, Ordering::SeqCst) + steps;
        self.bar.set_length(t);
    }

    /// What is happening now (shown beside the bar).
    pub fn message(&self, msg: impl Into<String>) {
        self.bar.set_message(msg.into());
    }

    /// One step done.
    pub fn inc(&self) {
        self.done.fetch_add(1, Ordering::SeqCst);
        self.bar.inc(1);
    }

    /// A line for logs: `[12/40, 1m05s, ETA 2m10s] short done: …` (not shown on a terminal,
    /// where the bar says it).
    pub fn line(&self, text: &str) {
        if self.mode != Mode::Lines {
            return;
        }
        let (done, total) = (
            self.done.load(Ordering::SeqCst),
            self.total.load(Ordering::SeqCst),
        );
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta = (done > 0 && total > done)
            .then(|| elapsed / done as f64 * (total - done) as f64)
            .map(|s| format!(", ETA {}", human(s)))
            .unwrap_or_default();
        eprintln!("[{done}/{total}, {}{eta}] {text}", human(elapsed));
    }

    /// A trial's line, shown with `-v` only (above the bar on a terminal).
    pub fn trial(&self, text: &str) {
        if self.per_trial {
            self.say(text);
        }
    }

    /// Prints a line above the bar (or as a plain line), unless quiet.
    pub fn say(&self, text: &str) {
        match self.mode {
            Mode::Bar => self.bar.println(text),
            Mode::Lines => eprintln!("{text}"),
            Mode::Quiet => {}
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `65.2` → `1m05s`.
pub fn human(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(human(4.4), "4s");
        assert_eq!(human(65.2), "1m05s");
        assert_eq!(human(3725.0), "1h02m");
    }
}
