//! The judges suite: after the timed trials, with the target stopped, the judging models
//! ([`crate::judges`]) score the audio the run kept — one saved trial per case by default,
//! every saved trial with `--judge all` — so a result that got faster by sounding worse shows
//! it beside its latency: what Whisper heard against the text sent (WER), whether it is still
//! the voice (speaker similarity, also across streamed joins) and predicted noise and distortion
//! (DNSMOS). Models not set up → the suite is *skipped* with the reason and the command that
//! fixes it (a warning on the run, gates without data), never passed.

use super::{BuildInput, Suite};
use crate::context::request::with_nonce;
use crate::context::settings::SaveAudio;
use crate::context::RunCtx;
use crate::judges::assets::default_dir;
use crate::judges::panel::{Clip, Panel};
use crate::measure::wav::read_wav;
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use kokoro_bench_bundle::schema::{
    Aggregate, Bound, CaseFilter, GateRule, JudgesResult, Level, Metric, NonceStyle, NoteCode,
    NoteLevel, Stat, SuiteKind, TrialKind,
};
use std::path::PathBuf;

/// Which trials' audio is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum JudgeScope {
    /// The first measured trial of each case that kept its audio.
    First,
    /// Every trial that kept its audio (with `--save-audio all`: every trial).
    All,
}

/// Judges suite flags.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Judges suite (--suite judges)")]
pub struct JudgesArgs {
    /// Which kept audio to judge.
    #[arg(long, value_enum)]
    pub judge: Option<JudgeScope>,
    /// Where `kokoro-bench setup --judges` put the models (default: the kokoro-bench cache).
    #[arg(long, value_name = "DIR")]
    pub judges_dir: Option<PathBuf>,
    /// Hypotheses Whisper keeps while transcribing (1 = greedy; default 5, which hears mild
    /// damage that greedy decoding forgives).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=16))]
    pub asr_beam: Option<u32>,
}

/// A judges flag given without the suite.
pub fn stray_flag(a: &super::SuiteArgs) -> Option<&'static str> {
    if a.judges.judge.is_some() {
        Some("--judge")
    } else if a.judges.judges_dir.is_some() {
        Some("--judges-dir")
    } else if a.judges.asr_beam.is_some() {
        Some("--asr-beam")
    } else {
        None
    }
}

/// The mean DistillMOS over the run's cases below this is garbage, not speech with flaws: white
/// noise scores ≈ 1.4 and a pure tone ≈ 1.5, while every engine measured averages well above —
/// the clean int8 model 4.1–4.2, fastkokoro 3.0–3.1 (slower, louder speech from the same model),
/// even the same model with its int8 weights noised by ±2 LSB 2.8 (docs/measurements.md). Mild
/// damage is for `compare` against a baseline (MOS −1.3 for that model) and for speaker
/// similarity; single sentences of real engines score as low as 2.2, so there is no bound per
/// case (DNSMOS's catches noise in a single case).
pub const DEFAULT_MIN_MOS: f64 = 2.5;

/// DNSMOS overall below this is not speech anyone would ship: white noise scores ≈ 1.1, a pure
/// tone ≈ 1.3, speech at −0.5 dB SNR ≈ 1.5; clean Kokoro int8 ≈ 3.4 (docs/measurements.md).
pub const DEFAULT_MIN_DNSMOS_OVRL: f64 = 2.5;

/// Speaker similarity below this is not the voice any more, for texts of at least
/// [`SHORT_TEXT_CHARS`]: the clean int8 model's trials score 0.97–0.98 there, the same model
/// with its int8 weights noised by ±2 LSB 0.84–0.88, other voices of the pack ≤ 0.75
/// (docs/measurements.md).
pub const DEFAULT_MIN_SPEAKER_SIMILARITY: f64 = 0.90;

/// Shorter texts give a few seconds of audio, whose embedding is noisier: the clean model's
/// `short` preset scores 0.91–0.94, so they are held to [`DEFAULT_MIN_SPEAKER_SIMILARITY_SHORT`].
pub const SHORT_TEXT_CHARS: u32 = 100;

/// The bound for short texts: still fails another voice (≤ 0.75) or noise (≈ 0.5).
pub const DEFAULT_MIN_SPEAKER_SIMILARITY_SHORT: f64 = 0.85;

/// Mean word error rate over the run's cases above this is not the texts any more (a wrong
/// sentence ≈ 1.0, half the audio ≈ 0.5), for texts of at least [`SHORT_WER_TEXT_CHARS`]. It is
/// a mean over cases, not a bound per case: tiny.en mishears single clean sentences badly now
/// and then (0.55 on one of the 24 `sentences`, whose mean is 0.10; docs/measurements.md). Mild
/// damage is *not* what it is for (the ±2 LSB model's mean on the sentences is 0.09); speaker
/// similarity catches that.
pub const DEFAULT_MAX_WER: f64 = 0.3;

/// Below this many characters one misheard word moves WER by 0.2 or more.
pub const SHORT_WER_TEXT_CHARS: u32 = 40;

/// The bound for texts shorter than [`SHORT_WER_TEXT_CHARS`]: half the words wrong.
pub const DEFAULT_MAX_WER_SHORT: f64 = 0.5;

/// The judges suite.
pub struct Judges {
    scope: JudgeScope,
    dir: PathBuf,
    ort_lib: Option<PathBuf>,
    asr_beam: usize,
}

impl Judges {
    /// Skips the suite with `why`: recorded on the bundle and as a warning on the run.
    fn skip(ctx: &mut RunCtx, mut result: JudgesResult, why: String) {
        ctx.note(
            NoteLevel::Warn,
            NoteCode::JudgesSkipped,
            format!("the judges suite was skipped: {why}"),
        );
        result.skipped = Some(why);
        ctx.bundle.judges = Some(result);
    }
}

impl Suite for Judges {
    fn kind(&self) -> SuiteKind {
        SuiteKind::Judges
    }

    fn uses_trials(&self) -> bool {
        true
    }

    fn default_gates(&self) -> Vec<GateRule> {
        let rule = |id: &str, metric, bound, cases: CaseFilter, note: &str| GateRule {
            id: id.into(),
            source: "judges suite default".into(),
            metric,
            // The lowest trial of each case, unless the rule is over the run's cases (below).
            stat: Stat::Min,
            bound,
            cases,
            aggregate: Aggregate::PerCase,
            level: Level::Error,
            min_samples: 1,
            note: Some(note.into()),
        };
        // The mean over every judged trial of the matching cases.
        let over_cases = |r: GateRule| GateRule {
            stat: Stat::Mean,
            aggregate: Aggregate::Pooled,
            ..r
        };
        vec![
            over_cases(rule(
                "judges-mos",
                Metric::Mos,
                Bound::AtLeast(DEFAULT_MIN_MOS),
                CaseFilter::default(),
                "mean over the cases: flags garbage (noise, broken audio), not mild damage — compare against your baseline for that, or set your own bound in a gates file",
            )),
            rule(
                "judges-dnsmos-ovrl",
                Metric::DnsmosOvrl,
                Bound::AtLeast(DEFAULT_MIN_DNSMOS_OVRL),
                CaseFilter::default(),
                "flags garbage (noise, tones, broken audio), not mild damage; set your own in a gates file",
            ),
            rule(
                "judges-speaker-similarity",
                Metric::SpeakerSimilarity,
                Bound::AtLeast(DEFAULT_MIN_SPEAKER_SIMILARITY),
                CaseFilter {
                    min_chars: Some(SHORT_TEXT_CHARS),
                    ..CaseFilter::default()
                },
                "the voice no longer sounds like itself (another voice, damaged weights); set your own in a gates file",
            ),
            rule(
                "judges-speaker-similarity-short",
                Metric::SpeakerSimilarity,
                Bound::AtLeast(DEFAULT_MIN_SPEAKER_SIMILARITY_SHORT),
                CaseFilter {
                    max_chars: Some(SHORT_TEXT_CHARS - 1),
                    ..CaseFilter::default()
                },
                "a few seconds of audio embed less surely: this bound fails another voice or noise, not mild damage",
            ),
            over_cases(rule(
                "judges-wer",
                Metric::Wer,
                Bound::AtMost(DEFAULT_MAX_WER),
                CaseFilter {
                    min_chars: Some(SHORT_WER_TEXT_CHARS),
                    ..CaseFilter::default()
                },
                "mean over the cases: the words are not the texts (wrong sentences, missing audio, noise); Whisper tiny.en forgives mild damage and mishears single sentences now and then",
            )),
            over_cases(rule(
                "judges-wer-short",
                Metric::Wer,
                Bound::AtMost(DEFAULT_MAX_WER_SHORT),
                CaseFilter {
                    max_chars: Some(SHORT_WER_TEXT_CHARS - 1),
                    ..CaseFilter::default()
                },
                "a few words: one misheard word moves WER by 0.2 or more",
            )),
        ]
    }

    fn own_sessions(&mut self, ctx: &mut RunCtx) -> Result<()> {
        ctx.mark("judges");
        let result = JudgesResult {
            when: "after the timed trials, with the target stopped, on the saved WAVs".into(),
            ..Default::default()
        };
        let Some(ort_lib) = self.ort_lib.clone().or_else(crate::setup::cached_ort_lib) else {
            let why = "ONNX Runtime is not set up: run `kokoro-bench setup --judges`".into();
            Self::skip(ctx, result, why);
            return Ok(());
        };
        let audible = ctx.settings.audible_threshold_dbfs;
        let mut panel = match Panel::load(&self.dir, &ort_lib, audible) {
            Ok(p) => p,
            Err(e) => {
                Self::skip(ctx, result, format!("{e:#}"));
                return Ok(());
            }
        };
        panel.set_asr_beam(self.asr_beam);
        let mut result = JudgesResult {
            models: panel.models(),
            ..result
        };
        result.not_judged.extend(panel.skipped.iter().cloned());
        let t = std::time::Instant::now();
        match panel.set_voice(&ctx.settings.voice) {
            Ok(()) => result.voiceprint = panel.voiceprint.clone(),
            Err(e) => result.not_judged.push(format!("{e:#}")),
        }
        result.load_ms = panel.load_ms + t.elapsed().as_secs_f64() * 1000.0;
        let Some(run_dir) = ctx.dir.as_ref().map(|d| d.dir.clone()) else {
            Self::skip(ctx, result, "the run kept no files".into());
            return Ok(());
        };
        // Ctrl-C during judging stops it at the next clip; what was judged is kept.
        let stop = ctx.stop.clone();
        let mut interrupted = 0u32;
        let clause = ctx.bundle.plan.nonce.as_ref().map(|n| n.style) == Some(NonceStyle::Clause);
        let texts = ctx.cases.clone();
        for case in &mut ctx.bundle.cases {
            let text = texts
                .iter()
                .find(|c| c.id == case.id)
                .map(|c| c.text.as_str());
            let mut judged_in_case = false;
            for trial in &mut case.trials {
                let Some(audio) = &trial.audio else { continue };
                let pick = match self.scope {
                    JudgeScope::All => true,
                    JudgeScope::First => trial.kind == TrialKind::Warm && !judged_in_case,
                };
                if !pick || trial.error.is_some() {
                    continue;
                }
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    interrupted += 1;
                    judged_in_case = true;
                    continue;
                }
                // What the target was asked to say: a spoken nonce clause is part of it.
                let spoken = match (text, &trial.nonce) {
                    (Some(t), Some(tag)) if clause => {
                        Some(with_nonce(t, NonceStyle::Clause, tag, 0))
                    }
                    (t, _) => t.map(str::to_string),
                };
                let judged = match read_wav(&run_dir.join(&audio.path)) {
                    Ok((samples, sr)) => {
                        result.judged_audio_s += samples.len() as f64 / f64::from(sr);
                        // The engine's own pieces (not network reads) carry their text.
                        let pieces =
                            (trial.chunks.text.len() > 1).then_some(&trial.chunks.samples[..]);
                        panel
                            .judge(&Clip {
                                samples: &samples,
                                sample_rate_hz: sr,
                                spoken: spoken.as_deref(),
                                pieces,
                            })
                            .0
                    }
                    Err(e) => kokoro_bench_bundle::schema::TrialJudges {
                        error: Some(format!("{e:#}")),
                        ..Default::default()
                    },
                };
                result.judge_ms += judged.judge_ms;
                result.judged_trials += u32::from(scored_any(&judged));
                // A judge that failed is said, with the trial, even when the others scored.
                if let Some(e) = &judged.error {
                    result
                        .not_judged
                        .push(format!("{} #{}: {e}", case.id, trial.index));
                }
                trial.judges = Some(judged);
                judged_in_case = true;
            }
        }
        if interrupted > 0 {
            result.not_judged.push(format!(
                "interrupted (Ctrl-C): {interrupted} kept trial(s) were not judged"
            ));
        }
        if result.judged_trials == 0 {
            Self::skip(
                ctx,
                result,
                "no trial kept audio that could be judged".into(),
            );
            return Ok(());
        }
        ctx.bundle.judges = Some(result);
        Ok(())
    }
}

/// Whether any judge scored the trial (one failing judge does not unjudge the others).
fn scored_any(j: &kokoro_bench_bundle::schema::TrialJudges) -> bool {
    j.mos.is_some()
        || j.dnsmos.is_some()
        || j.speaker_similarity.is_some()
        || j.asr.is_some()
        || !j.join_similarity.is_empty()
}

/// Builds the suite.
///
/// # Errors
/// `--judge all` without every trial's audio kept, or no audio kept at all.
pub fn build(input: &BuildInput<'_>) -> Result<Box<dyn Suite>> {
    let scope = input.args.judges.judge.unwrap_or(JudgeScope::First);
    match (scope, input.settings.save_audio) {
        (_, SaveAudio::None) => bail!(
            "the judges suite judges the audio a run keeps, and --save-audio none keeps none: use --save-audio first (the default) or all"
        ),
        (JudgeScope::All, SaveAudio::First) => bail!(
            "--judge all judges every trial's kept audio, but --save-audio first keeps one per case: add --save-audio all"
        ),
        _ => {}
    }
    Ok(Box::new(Judges {
        scope,
        dir: input
            .args
            .judges
            .judges_dir
            .clone()
            .unwrap_or_else(default_dir),
        ort_lib: input.target.engine().map(|e| e.ort_lib.clone()),
        asr_beam: input
            .args
            .judges
            .asr_beam
            .map_or(crate::judges::whisper::DEFAULT_BEAM, |n| n as usize),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kokoro_bench_bundle::schema::TrialJudges;

    #[test]
    fn a_trial_one_judge_failed_on_is_still_judged_by_the_others() {
        let failed_join = TrialJudges {
            mos: Some(4.1),
            error: Some("join similarity: the pieces hold 10 samples".into()),
            ..Default::default()
        };
        assert!(scored_any(&failed_join));
        let unreadable = TrialJudges {
            error: Some("no audio in x.wav".into()),
            ..Default::default()
        };
        assert!(!scored_any(&unreadable));
    }
}
