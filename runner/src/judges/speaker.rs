//! The voice as a judge: the clip's GE2E speaker embedding ([`super::ge2e`]) against the voice's
//! reference print from the clean set-up model ([`super::voiceprint`]) — speaker similarity — and,
//! for streamed audio, each piece against the next, so a join where the voice changes shows.

use super::contract::{provenance, Entry, Heard, Judge, Setting};
use super::ge2e::{self, cosine, Ge2e};
use super::voiceprint::{self, Voiceprint};
use anyhow::{bail, Result};
use kokoro_bench_bundle::schema::{JudgeModel, TrialJudges};
use std::path::PathBuf;

/// The shortest piece a join is judged by: one GE2E partial, 1.6 s at 16 kHz.
const MIN_PIECE_SAMPLES_16K: usize = 25_600;

/// GE2E, with the reference print once a voice is set.
pub struct SpeakerJudge {
    ge2e: Ge2e,
    voiceprint: Option<Voiceprint>,
    audible_dbfs: f64,
}

impl SpeakerJudge {
    /// Speaker similarity of each streamed piece to the next (`None` where either is shorter
    /// than 1.6 s or has nothing audible). `pieces` count samples at `sample_rate_hz`; `audio`
    /// is the clip at 16 kHz.
    fn join_similarity(
        &self,
        audio: &[f32],
        pieces: &[u32],
        sample_rate_hz: u32,
    ) -> Result<Vec<Option<f64>>> {
        let total: u64 = pieces.iter().map(|&n| u64::from(n)).sum();
        let at_16k = |n: u64| {
            (n as f64 * f64::from(ge2e::SAMPLE_RATE_HZ) / f64::from(sample_rate_hz)).round()
                as usize
        };
        if at_16k(total).abs_diff(audio.len()) > 16 {
            bail!(
                "the pieces hold {total} samples, the saved audio {} at 16 kHz",
                audio.len()
            );
        }
        let mut embeddings = Vec::new();
        let mut start = 0u64;
        for &n in pieces {
            let (a, b) = (
                at_16k(start).min(audio.len()),
                at_16k(start + u64::from(n)).min(audio.len()),
            );
            start += u64::from(n);
            // Shorter than one GE2E partial, a piece embeds too loosely to judge a join by
            // (measured: 0.7–1 s pieces of the clean model score 0.69–0.84 to their neighbours).
            let long_enough = b - a >= MIN_PIECE_SAMPLES_16K;
            embeddings.push(if long_enough {
                self.ge2e.embed(&audio[a..b], self.audible_dbfs)?
            } else {
                None
            });
        }
        Ok(embeddings
            .windows(2)
            .map(|w| match (&w[0], &w[1]) {
                (Some(x), Some(y)) => Some(cosine(x, y)),
                _ => None,
            })
            .collect())
    }
}

impl Judge for SpeakerJudge {
    fn name(&self) -> &'static str {
        "speaker similarity (GE2E)"
    }

    fn judge(&mut self, heard: &Heard<'_>, out: &mut TrialJudges) -> Result<()> {
        let mut errors = Vec::new();
        if let Some(print) = &self.voiceprint {
            match self.ge2e.embed(heard.audio, self.audible_dbfs) {
                Ok(Some(e)) => out.speaker_similarity = Some(cosine(&e, &print.embedding)),
                // Nothing audible: no voice at all, the least similar it can be.
                Ok(None) => out.speaker_similarity = Some(0.0),
                Err(e) => errors.push(format!("speaker embedding: {e:#}")),
            }
        }
        if let Some(pieces) = heard.clip.pieces {
            match self.join_similarity(heard.audio, pieces, heard.clip.sample_rate_hz) {
                Ok(s) => out.join_similarity = s,
                Err(e) => errors.push(format!("join similarity: {e:#}")),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            bail!("{}", errors.join("; "))
        }
    }

    fn models(&self) -> Vec<JudgeModel> {
        provenance(&super::assets::RESEMBLYZER, "kokoro-bench (Rust LSTM, f32)")
    }

    fn set_voice(&mut self, voice: &str, s: &Setting<'_>) -> Result<Option<String>> {
        let print = voiceprint::load_or_make(&self.ge2e, s.dir, s.rt, voice, s.audible_dbfs)?;
        let words = print.describe();
        self.voiceprint = Some(print);
        Ok(Some(words))
    }
}

fn load_judge(files: &[PathBuf], s: &Setting<'_>) -> Result<Box<dyn Judge>> {
    let [weights] = files else {
        bail!("internal: GE2E needs one weights file");
    };
    Ok(Box::new(SpeakerJudge {
        ge2e: Ge2e::load(weights)?,
        voiceprint: None,
        audible_dbfs: s.audible_dbfs,
    }))
}

/// The registry's line for the speaker judge.
pub const ENTRY: Entry = Entry {
    name: "speaker similarity (GE2E)",
    package: &super::assets::RESEMBLYZER,
    load: load_judge,
};
