//! The case × trial loop, in rounds: one cold request, then per round every text in rotated
//! order — a speed probe, warm-up, then its share of the measured trials — each trial timed
//! against the rest of the machine (other processes' CPU, steal), analysed by the suites that
//! look at trials (streaming, quality), its audio and trace written, the bundle rewritten after
//! every trial so a crash loses at most the trial in flight.
//!
//! Why rounds: the machine's state (a VM neighbour, the clock, what the adaptive schedule has
//! learned) moves every trial of a stretch of time together. Spreading a case's trials over the
//! run and resampling rounds first (`stats::hierarchical`) puts that movement into its interval.

use crate::context::request::Requests;
use crate::context::settings::{SaveAudio, Settings};
use crate::context::RunCtx;
use crate::measure::contention::Meter;
use crate::measure::probe;
use crate::suites::Suite;
use crate::targets::{CachePolicy, Outcome};
use anyhow::Result;
use kokoro_bench_bundle::metrics::Metric;
use kokoro_bench_bundle::schema::{
    AutoReason, AutoStop, Case, NoteCode, NoteLevel, ProbeKind, Trial, TrialFlag, TrialKind,
    TrialsAuto,
};
use kokoro_bench_bundle::stats::bootstrap::Bootstrap;
use kokoro_bench_bundle::stats::median;

/// Records what only the first response shows, and run-level warnings a trial reveals.
fn note_response(ctx: &mut RunCtx, outcome: &Outcome) {
    let t = &outcome.out.trial;
    if let Some(h) = ctx.bundle.provenance.http.as_mut() {
        if h.response_headers.is_empty() && t.error.is_none() {
            h.response_headers = outcome
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), crate::redact::header_value(k, v)))
                .collect();
        }
    }
    let encoding = t.flags.iter().find_map(|f| match f {
        TrialFlag::ContentEncoding(name) => Some(name.clone()),
        _ => None,
    });
    if let (Some(name), false) = (encoding, ctx.bundle.has_note(&NoteCode::CompressedAudio)) {
        ctx.note(
            NoteLevel::Warn,
            NoteCode::CompressedAudio,
            format!("the server sent `Content-Encoding: {name}` although the request said Accept-Encoding: identity; compression can buffer and hide streaming (trials flagged)"),
        );
    }
}

/// Analyses one trial, writes its audio and trace, and adds it to the case.
fn record(
    ctx: &mut RunCtx,
    suites: &[Box<dyn Suite>],
    case: &mut Case,
    outcome: Outcome,
    saved_first: &mut bool,
) -> Result<()> {
    note_response(ctx, &outcome);
    let out = outcome.out;
    let mut trial = out.trial.clone();
    for s in suites {
        s.analyse_trial(&mut trial, &out, &ctx.settings);
    }
    case.phonemes = case.phonemes.or(trial.phonemes);
    case.oov_phoneme_chars = case
        .oov_phoneme_chars
        .max(trial.oov_phoneme_chars.unwrap_or(0));
    let save = match ctx.settings.save_audio {
        SaveAudio::All => true,
        SaveAudio::First => trial.kind == TrialKind::Warm && !*saved_first,
        SaveAudio::None => false,
    };
    // A WAV or trace that cannot be written (a full disk) is recorded as lost; the measurement
    // itself is kept and the run goes on.
    let mut lost = Vec::new();
    if let Some(dir) = &ctx.dir {
        if save && !out.samples.is_empty() {
            match dir.write_audio(&case.id, trial.index, &out.samples, trial.sample_rate_hz) {
                Ok(a) => {
                    trial.audio = Some(a);
                    *saved_first = true;
                }
                Err(e) => lost.push(format!("{e:#}")),
            }
        }
        if !trial.chunks.is_empty() {
            match dir.write_trace(&case.id, &trial) {
                Ok(t) => trial.trace = Some(t),
                Err(e) => lost.push(format!("{e:#}")),
            }
        }
    }
    for l in lost {
        ctx.lost_artifact(l);
    }
    case.trials.push(trial);
    Ok(())
}

/// One line per trial (`-v`): its headline values, or its error.
fn trial_line(case: &str, t: &Trial) -> String {
    let kind = match t.kind {
        TrialKind::Warmup => "warm-up",
        TrialKind::Cold => "cold",
        TrialKind::Cached => "cached",
        TrialKind::Warm | TrialKind::Unknown => "warm",
    };
    let head = format!("{case} #{} ({kind})", t.index);
    if let Some(e) = &t.error {
        return format!("{head}: failed: {}: {}", e.kind, e.message);
    }
    let values: Vec<String> = [
        Metric::HeardMs,
        Metric::TtfaMs,
        Metric::Rtf,
        Metric::Underruns,
    ]
    .into_iter()
    .filter_map(|m| {
        let v = m.trial_value(t)?;
        Some(match m {
            Metric::Underruns => format!("{v:.0} underrun(s)"),
            _ => format!("{} {}", m.key(), m.format(v)),
        })
    })
    .collect();
    format!("{head}: {}", values.join(", "))
}

/// One line per finished case for logs.
fn case_line(case: &Case) -> String {
    let med = |m: Metric| median(&m.case_values(case));
    format!(
        "{}: {} trial(s), {} failed; TTFA p50 {}, RTF p50 {}",
        case.id,
        case.trials.len(),
        case.failed().count(),
        med(Metric::TtfaMs)
            .map(|v| Metric::TtfaMs.format(v))
            .unwrap_or_else(|| "—".into()),
        med(Metric::Rtf)
            .map(|v| Metric::Rtf.format(v))
            .unwrap_or_else(|| "—".into()),
    )
}

/// Where the loop is: per case, the next trial index, whether audio was kept, and how many
/// replayed plans were used.
struct Cursor {
    next_index: Vec<u32>,
    saved_first: Vec<bool>,
    replayed: Vec<usize>,
    meter: Meter,
}

/// One request of case `ci` in `round`: sent, timed against the rest of the machine, analysed,
/// recorded and saved. `false` when the run must stop (Ctrl-C, a fatal answer).
fn one(
    ctx: &mut RunCtx,
    suites: &[Box<dyn Suite>],
    requests: &Requests<'_>,
    cur: &mut Cursor,
    at: (usize, u32),
    kind: TrialKind,
) -> Result<bool> {
    let (ci, round) = at;
    if ctx.stopped() {
        return Ok(false);
    }
    let text = ctx.cases[ci].clone();
    let i = cur.next_index[ci];
    cur.next_index[ci] += 1;
    ctx.mark(format!("{}#{i}", text.id));
    ctx.progress
        .message(format!("{} trial {} (round {})", text.id, i + 1, round + 1));
    let plan = ctx.settings.replay.clone();
    let chunks = plan
        .as_ref()
        .and_then(|r| r.plan(&text.id, cur.replayed[ci]));
    if chunks.is_some() {
        cur.replayed[ci] += 1;
    }
    let mark = cur.meter.mark();
    let mut outcome = requests.send_planned(&text.text, i, kind, chunks);
    if outcome.abandoned() {
        // Ctrl-C came while it was in flight: not a measurement, not a failure.
        ctx.abandoned += 1;
        return Ok(false);
    }
    outcome.out.trial.contention = cur.meter.since(&mark);
    outcome.out.trial.round = Some(round);
    let fatal = outcome.fatal.clone();
    let mut case = std::mem::take(&mut ctx.bundle.cases[ci]);
    let recorded = record(ctx, suites, &mut case, outcome, &mut cur.saved_first[ci]);
    ctx.bundle.cases[ci] = case;
    recorded?;
    if let Some(t) = ctx.bundle.cases[ci].trials.last() {
        ctx.progress.trial(&trial_line(&text.id, t));
    }
    ctx.progress.inc();
    if let Err(e) = ctx.save() {
        ctx.lost_artifact(format!(
            "the bundle could not be updated after a trial (kept in memory): {e:#}"
        ));
    }
    if let Some(msg) = fatal {
        ctx.fatal = Some(msg);
        ctx.request_stop();
        return Ok(false);
    }
    Ok(true)
}

/// Times the speed probes (the CPU loop; the target's own, if it has one) at this point of the
/// run.
fn probe(ctx: &mut RunCtx, requests: &Requests<'_>, label: &str) {
    if ctx.stopped() {
        return;
    }
    ctx.mark(format!("probe {label}"));
    let at = ctx.elapsed_ms();
    let cpu = probe::cpu_probe_ms();
    probe::record(
        &mut ctx.bundle.probes,
        ProbeKind::Cpu,
        probe::CPU_WORKLOAD,
        at,
        label,
        cpu,
    );
    if let Some((workload, ms)) = requests.target().probe(&ctx.settings.voice) {
        probe::record(
            &mut ctx.bundle.probes,
            ProbeKind::Engine,
            &workload,
            at,
            label,
            ms,
        );
    }
}

/// The measured trials case `ci` gets in `round`: the planned share, or under `--trials auto`
/// a slice of the budget while it is not yet precise (0: it is done).
fn planned(ctx: &RunCtx, ci: usize, round: u32) -> u32 {
    let Some(auto) = ctx.settings.auto else {
        return if round < ctx.settings.rounds {
            ctx.settings.trials_in_round(round)
        } else {
            0
        };
    };
    let got = ctx.bundle.cases[ci].measured().count() as u32;
    if auto_stop(&ctx.bundle.cases[ci], round, &ctx.settings).is_some() {
        return 0;
    }
    auto.per_round.min(auto.max_trials.saturating_sub(got))
}

/// Why `--trials auto` stops measuring `case` before `round`, if it does.
fn auto_stop(case: &Case, round: u32, s: &Settings) -> Option<AutoStop> {
    let auto = s.auto?;
    let got = case.measured().count() as u32;
    let halfwidth = precision(case);
    let stop = |reason| AutoStop {
        case: case.id.clone(),
        trials: got,
        reason,
        halfwidth_pct: halfwidth.map(|h| h * 100.0),
    };
    if got >= auto.max_trials {
        return Some(stop(AutoReason::Budget));
    }
    let enough = got >= auto.min_trials && round >= s.rounds;
    (enough && halfwidth.is_some_and(|h| h <= auto.target_halfwidth))
        .then(|| stop(AutoReason::Precise))
}

/// The widest headline interval of a case (two-stage bootstrap over its rounds), relative to
/// its median: what `--trials auto` narrows.
fn precision(case: &Case) -> Option<f64> {
    [Metric::HeardMs, Metric::TtfaMs, Metric::Rtf]
        .into_iter()
        .filter_map(|m| {
            let rounds = m.case_rounds(case);
            let ci = Bootstrap::default().one_rounds(&rounds, median)?;
            (ci.estimate > 0.0).then(|| (ci.hi - ci.lo) / 2.0 / ci.estimate)
        })
        .reduce(f64::max)
}

/// Case indices in round `round`'s order: rotated by one each round, so no case always runs
/// first (after a warm machine's idle) or last.
fn rotated(n: usize, round: u32) -> impl Iterator<Item = usize> {
    (0..n).map(move |k| (k + round as usize) % n.max(1))
}

/// Runs every case in rounds — each round re-warms each case and measures its share of the
/// trials, in rotated order, with the speed probes before each case — after one cold request
/// (the run's first, extra). Stops early (keeping what was measured) on Ctrl-C or when the
/// target refused a request as malformed.
///
/// # Errors
/// Artifacts that cannot be written.
pub fn run(ctx: &mut RunCtx, suites: &[Box<dyn Suite>], requests: &Requests<'_>) -> Result<()> {
    let n = ctx.cases.len();
    let other = match &ctx.sampled {
        crate::targets::Sampled::Process { pid, .. } => Some(*pid),
        crate::targets::Sampled::NotSampled(_) => None,
    };
    let mut cur = Cursor {
        next_index: vec![0; n],
        saved_first: vec![false; n],
        replayed: vec![0; n],
        meter: Meter::new(other),
    };
    for text in &ctx.cases {
        ctx.bundle.cases.push(Case {
            id: text.id.clone(),
            chars: text.text.chars().count() as u32,
            phonemes: None,
            oov_phoneme_chars: 0,
            trials: Vec::new(),
        });
    }
    if n > 0 {
        one(ctx, suites, requests, &mut cur, (0, 0), TrialKind::Cold)?;
    }
    let measured = match requests.cache() {
        CachePolicy::Exposed => TrialKind::Cached,
        _ => TrialKind::Warm,
    };
    'rounds: for round in 0.. {
        let todo: Vec<(usize, u32)> = rotated(n, round)
            .map(|ci| (ci, planned(ctx, ci, round)))
            .filter(|(_, k)| *k > 0)
            .collect();
        if todo.is_empty() {
            break;
        }
        for (ci, k) in todo {
            let label = format!("before {} (round {})", ctx.cases[ci].id, round + 1);
            probe(ctx, requests, &label);
            for _ in 0..ctx.settings.warmup {
                if !one(
                    ctx,
                    suites,
                    requests,
                    &mut cur,
                    (ci, round),
                    TrialKind::Warmup,
                )? {
                    break 'rounds;
                }
            }
            for _ in 0..k {
                if !one(ctx, suites, requests, &mut cur, (ci, round), measured)? {
                    break 'rounds;
                }
            }
        }
    }
    probe(ctx, requests, "end");
    finish_cases(ctx);
    Ok(())
}

/// After the loop: the `--trials auto` record, a line and the unspoken-words note per case, and
/// cases an interrupted run never reached dropped.
fn finish_cases(ctx: &mut RunCtx) {
    if let Some(auto) = ctx.settings.auto {
        let stopped = ctx.stopped();
        let cases = ctx
            .bundle
            .cases
            .iter()
            .map(|c| {
                auto_stop(c, u32::MAX, &ctx.settings).unwrap_or_else(|| AutoStop {
                    case: c.id.clone(),
                    trials: c.measured().count() as u32,
                    reason: if stopped {
                        AutoReason::Stopped
                    } else {
                        AutoReason::Budget
                    },
                    halfwidth_pct: precision(c).map(|h| h * 100.0),
                })
            })
            .collect();
        ctx.bundle.plan.trials_auto = Some(TrialsAuto {
            min_trials: auto.min_trials,
            max_trials: auto.max_trials,
            target_halfwidth_pct: auto.target_halfwidth * 100.0,
            cases,
        });
    }
    if ctx.stopped() {
        ctx.bundle.cases.retain(|c| !c.trials.is_empty());
    }
    for ci in 0..ctx.bundle.cases.len() {
        let line = case_line(&ctx.bundle.cases[ci]);
        ctx.progress.line(&line);
        let (id, oov) = (
            ctx.bundle.cases[ci].id.clone(),
            ctx.bundle.cases[ci].oov_phoneme_chars,
        );
        if oov > 0 {
            ctx.note(
                NoteLevel::Warn,
                NoteCode::UnspokenWords,
                format!(
                    "case `{id}`: {oov} phoneme character(s) were dropped before synthesis — mostly one `❓` per word the G2P cannot pronounce, such as a name (misaki-rs has no entry for it; with espeak-ng installed the engine asks it, as misaki's Python does): those words were not spoken, the audio is shorter than the text, and the judges' WER counts them as missed"
                ),
            );
        }
    }
    if let Err(e) = ctx.save() {
        ctx.lost_artifact(format!(
            "the bundle could not be updated after the trials (kept in memory): {e:#}"
        ));
    }
}

/// Measures what the nonce adds: the first case spoken once bare and once with a nonce, after
/// the trials (warm, outside every statistic). Both are recorded in the plan, not as trials.
pub fn nonce_check(ctx: &mut RunCtx, requests: &Requests<'_>) {
    let (Some(first), false) = (ctx.cases.first().cloned(), ctx.stopped()) else {
        return;
    };
    if ctx.bundle.plan.nonce.is_none() {
        return;
    }
    ctx.mark("nonce-check");
    let bare = requests.send_exact(&first.text, 0, TrialKind::Warmup, None);
    let varied = requests.send(&first.text, 0, TrialKind::Warmup);
    let (b, v) = (&bare.out.trial, &varied.out.trial);
    if b.error.is_some() || v.error.is_some() {
        return;
    }
    let added_ms = (v.audio_s - b.audio_s) * 1000.0;
    if let Some(n) = ctx.bundle.plan.nonce.as_mut() {
        n.added_audio_ms = Some(added_ms);
    }
    if added_ms.abs() > 50.0 {
        ctx.note(
            NoteLevel::Warn,
            NoteCode::NonceAddsAudio,
            format!("the cache-busting nonce added {added_ms:.0} ms of audio to every request (case `{}`): RTF and total time include it, heard-speech latency does not; --nonce invisible adds none on servers that drop zero-width characters", first.id),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_rotate_the_case_order() {
        assert_eq!(rotated(3, 0).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(rotated(3, 1).collect::<Vec<_>>(), [1, 2, 0]);
        assert_eq!(rotated(3, 5).collect::<Vec<_>>(), [2, 0, 1]);
        assert_eq!(rotated(0, 2).count(), 0);
    }
}
