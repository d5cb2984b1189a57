//! The new run's transcript against the baseline's, per case: the recogniser's own fixed mistakes
//! (a name it always mishears) cancel, so what is left is what the audio change did to the
//! words. Read from the first judged trial of each case in each run.

use crate::schema::{AsrScores, Case};
use crate::transcript::{score, Edit};
use crate::Bundle;
use serde::{Deserialize, Serialize};

/// One case heard in both runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TranscriptChange {
    /// Case id.
    pub case: String,
    /// Word error rate of the new transcript against the baseline's transcript (0: heard the
    /// same words).
    pub wer_vs_baseline: f64,
    /// Word error rate against the text, baseline then new.
    pub wer_base: f64,
    /// Word error rate against the text in the new run.
    pub wer_new: f64,
    /// The words that differ, wdiff style (`[-baseline-]{+new+}`); empty when none do.
    pub diff: String,
}

fn first_heard(c: &Case) -> Option<&AsrScores> {
    c.trials
        .iter()
        .find_map(|t| t.judges.as_ref()?.asr.as_ref())
}

/// Every case both runs transcribed, in the new run's order.
pub fn transcript_changes(base: &Bundle, new: &Bundle) -> Vec<TranscriptChange> {
    new.cases
        .iter()
        .filter_map(|nc| {
            let n = first_heard(nc)?;
            let b = first_heard(base.case(&nc.id)?)?;
            let s = score(&b.transcript, &n.transcript);
            let changed = s.edits.iter().any(|e| !matches!(e, Edit::Same(_)));
            Some(TranscriptChange {
                case: nc.id.clone(),
                wer_vs_baseline: s.wer,
                wer_base: b.wer,
                wer_new: n.wer,
                diff: if changed {
                    crate::transcript::wdiff(&s.edits)
                } else {
                    String::new()
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Trial, TrialJudges};

    fn bundle(transcript: &str) -> Bundle {
        let mut b = crate::testing::bundle_with_ttfa(&[500.0]);
        b.cases.truncate(1);
        b.cases[0].id = "short".into();
        b.cases[0].trials = vec![Trial {
            judges: Some(TrialJudges {
                asr: Some(AsrScores {
                    reference: "Call Siobhan at nine.".into(),
                    transcript: transcript.into(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }];
        b
    }

    #[test]
    fn a_fixed_mishearing_cancels_and_a_new_one_shows() {
        let same = transcript_changes(&bundle("Call Shivon at 9."), &bundle("call shivon at nine"));
        assert_eq!(same[0].wer_vs_baseline, 0.0);
        assert_eq!(same[0].diff, "");
        let worse = transcript_changes(&bundle("Call Shivon at 9."), &bundle("Call Shivon."));
        assert!((worse[0].wer_vs_baseline - 0.5).abs() < 1e-12);
        assert_eq!(worse[0].diff, "call shivon [-at-] [-nine-]");
        assert!(
            transcript_changes(&bundle("x"), &crate::testing::bundle_with_ttfa(&[500.0]))
                .is_empty()
        );
    }
}
