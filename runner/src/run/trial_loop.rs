//! The case × trial loop: every text, warm-up then measured trials, each trial analysed by the
//! suites that look at trials (streaming, quality), its audio and trace written, the bundle
//! rewritten after each case so a crash loses at most one case.

use crate::context::request::Requests;
use crate::context::settings::SaveAudio;
use crate::context::RunCtx;
use crate::suites::Suite;
use crate::target::{CachePolicy, Outcome};
use anyhow::Result;
use kokoro_bench_bundle::metrics::Metric;
use kokoro_bench_bundle::schema::{Case, NoteCode, NoteLevel, Trial, TrialFlag, TrialKind};
use kokoro_bench_bundle::stats::median;

/// The role of trial `i` of a case in the statistics.
fn kind_of(first_of_run: bool, i: u32, warmup: u32, cache: CachePolicy) -> TrialKind {
    if first_of_run {
        TrialKind::Cold
    } else if i < warmup {
        TrialKind::Warmup
    } else if cache == CachePolicy::Exposed {
        // The same text again, cache not defeated: a server may answer from its cache.
        TrialKind::Cached
    } else {
        TrialKind::Warm
    }
}

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

/// Runs every case. Stops early (keeping what was measured) on Ctrl-C or when the target
/// refused a request as malformed.
///
/// # Errors
/// Artifacts that cannot be written.
pub fn run(ctx: &mut RunCtx, suites: &[Box<dyn Suite>], requests: &Requests<'_>) -> Result<()> {
    let per_case = ctx.settings.warmup + ctx.settings.trials;
    let mut first_of_run = true;
    for text in ctx.cases.clone() {
        let mut case = Case {
            id: text.id.clone(),
            chars: text.text.chars().count() as u32,
            phonemes: None,
            oov_phoneme_chars: 0,
            trials: Vec::new(),
        };
        let mut saved_first = false;
        for i in 0..per_case {
            if ctx.stopped() {
                break;
            }
            let kind = kind_of(first_of_run, i, ctx.settings.warmup, requests.cache());
            first_of_run = false;
            ctx.mark(format!("{}#{i}", text.id));
            ctx.progress
                .message(format!("{} trial {}/{per_case}", text.id, i + 1));
            let outcome = requests.send(&text.text, i, kind);
            if outcome.abandoned() {
                // Ctrl-C came while it was in flight: not a measurement, not a failure.
                ctx.abandoned += 1;
                break;
            }
            let fatal = outcome.fatal.clone();
            record(ctx, suites, &mut case, outcome, &mut saved_first)?;
            if let Some(t) = case.trials.last() {
                ctx.progress.trial(&trial_line(&case.id, t));
            }
            ctx.progress.inc();
            if let Err(e) = ctx.save_with(&case) {
                ctx.lost_artifact(format!(
                    "the bundle could not be updated after a trial (kept in memory): {e:#}"
                ));
            }
            if let Some(msg) = fatal {
                ctx.fatal = Some(msg);
                ctx.request_stop();
            }
        }
        ctx.progress.line(&case_line(&case));
        if case.oov_phoneme_chars > 0 {
            ctx.note(
                NoteLevel::Warn,
                NoteCode::UnspokenWords,
                format!(
                    "case `{}`: {} phoneme character(s) were dropped before synthesis — mostly one `❓` per word the G2P cannot pronounce, such as a name (misaki-rs has no entry for it; with espeak-ng installed the engine asks it, as misaki's Python does): those words were not spoken, the audio is shorter than the text, and the judges' WER counts them as missed",
                    case.id, case.oov_phoneme_chars
                ),
            );
        }
        ctx.bundle.cases.push(case);
        if let Err(e) = ctx.save() {
            ctx.lost_artifact(format!(
                "the bundle could not be updated after a case (kept in memory): {e:#}"
            ));
        }
        if ctx.stopped() {
            break;
        }
    }
    Ok(())
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
    fn trial_kinds_follow_the_run_order_and_the_cache_policy() {
        use CachePolicy::*;
        assert_eq!(kind_of(true, 0, 1, None), TrialKind::Cold);
        assert_eq!(kind_of(false, 0, 1, None), TrialKind::Warmup);
        assert_eq!(kind_of(false, 1, 1, None), TrialKind::Warm);
        let defeated = Defeated(kokoro_bench_bundle::schema::NonceStyle::Invisible);
        assert_eq!(kind_of(false, 1, 1, defeated), TrialKind::Warm);
        assert_eq!(kind_of(false, 1, 1, Exposed), TrialKind::Cached);
    }
}
