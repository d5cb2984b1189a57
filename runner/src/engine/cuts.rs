//! Where a request's next chunk comes from: a list cut up front (the fixed strategies), or the
//! adaptive planner, asked again each time a chunk has been delivered.

use super::chunking::{chunk_text, Strategy};
use super::schedule::{Planner, SpeedModel};
use kokoro_bench_bundle::schema::ScheduleModel;

/// All chunks of `text` at once: the fixed strategies' cut, or for `adaptive` a preview planned
/// with the built-in speed prior (the engine re-plans each chunk from what it measures).
pub fn preview(text: &str, strategy: Strategy) -> Vec<String> {
    if strategy != Strategy::Adaptive {
        return chunk_text(text, strategy);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Vec::new();
    }
    let model = SpeedModel::default();
    let planner = Planner::new(&model, 1.0, &Default::default());
    let mut start = 0;
    let mut out = Vec::new();
    for k in planner.simulate(&words, planner.first_len(&words)).words {
        out.push(words[start..start + k].join(" "));
        start += k;
    }
    out
}

/// How the adaptive schedule planned one chunk (empty for the fixed strategies).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Predicted G2P + model + delivery cost, ms.
    pub planned_ms: Option<f64>,
    /// Audio buffered ahead of the listener when the chunk was planned, ms (not for the first).
    pub budget_ms: Option<f64>,
    /// The speed model, on the request's first chunk.
    pub schedule: Option<ScheduleModel>,
}

/// The next chunk to synthesise.
#[derive(Clone, Debug)]
pub struct Cut {
    /// Its text.
    pub text: String,
    /// Whether it ends the request.
    pub last: bool,
    /// How it was planned.
    pub plan: Plan,
}

/// The chunks of one request, as they are decided.
pub enum Cuts<'t> {
    /// Cut before synthesis starts.
    Fixed {
        /// The chunks.
        chunks: Vec<String>,
        /// The next one's index.
        next: usize,
    },
    /// Sized one at a time by the planner.
    Adaptive {
        /// The request's words.
        words: Vec<&'t str>,
        /// The first word not yet planned.
        start: usize,
        /// The speed model as the request started (recorded with the first chunk).
        schedule: Option<ScheduleModel>,
    },
}

impl<'t> Cuts<'t> {
    /// The chunks of `text` under `strategy`; `speed` is recorded for the adaptive schedule.
    pub fn new(text: &'t str, strategy: Strategy, speed: &SpeedModel) -> Cuts<'t> {
        match strategy {
            Strategy::Adaptive => Cuts::Adaptive {
                words: text.split_whitespace().collect(),
                start: 0,
                schedule: Some(speed.snapshot()),
            },
            s => Cuts::Fixed {
                chunks: chunk_text(text, s),
                next: 0,
            },
        }
    }

    /// Another run's chunks for the same text (`--plan-from`), spoken as they were cut.
    ///
    /// # Errors
    /// When the chunks' words are not the text's words in order (a plan made for another text).
    pub fn replay(text: &str, chunks: &[String]) -> Result<Cuts<'t>, String> {
        let planned: Vec<&str> = chunks.iter().flat_map(|c| c.split_whitespace()).collect();
        let words: Vec<&str> = text.split_whitespace().collect();
        if planned != words {
            return Err(format!(
                "the replayed plan ({} chunk(s), {} words) is not a plan of this text ({} words)",
                chunks.len(),
                planned.len(),
                words.len()
            ));
        }
        Ok(Cuts::Fixed {
            chunks: chunks
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            next: 0,
        })
    }

    /// The next chunk (`None` when the text is done); the adaptive schedule sizes it for the
    /// audio `buffered_ms` ahead of the listener now.
    pub fn next(&mut self, planner: &Planner<'_>, buffered_ms: f64) -> Option<Cut> {
        match self {
            Cuts::Fixed { chunks, next } => {
                let text = chunks.get(*next)?.clone();
                *next += 1;
                Some(Cut {
                    text,
                    last: *next == chunks.len(),
                    plan: Plan::default(),
                })
            }
            Cuts::Adaptive {
                words,
                start,
                schedule,
            } => {
                if *start >= words.len() {
                    return None;
                }
                let (k, budget_ms) = if *start == 0 {
                    (planner.first_len(words), None)
                } else {
                    let rest = &words[*start..];
                    (planner.next_len(rest, buffered_ms), Some(buffered_ms))
                };
                let chunk = &words[*start..*start + k];
                *start += k;
                Some(Cut {
                    text: chunk.join(" "),
                    last: *start >= words.len(),
                    plan: Plan {
                        planned_ms: Some(planner.cost_ms(chunk)),
                        budget_ms,
                        schedule: schedule.take(),
                    },
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_cover_the_text_once_and_mark_the_last_chunk() {
        let text = "The morning train was late again, so we walked to work today. Nobody minded.";
        let model = SpeedModel::default();
        let planner = Planner::new(&model, 1.0, &Default::default());
        for strategy in [Strategy::Adaptive, Strategy::Clause] {
            let mut cuts = Cuts::new(text, strategy, &model);
            let mut said = Vec::new();
            let mut plans = Vec::new();
            while let Some(c) = cuts.next(&planner, 1500.0) {
                said.push(c.text);
                plans.push(c.plan);
                if plans.len() > 20 {
                    break;
                }
            }
            assert_eq!(said.join(" "), text, "{strategy:?}");
            let adaptive = strategy == Strategy::Adaptive;
            assert_eq!(plans[0].schedule.is_some(), adaptive);
            assert!(plans.iter().all(|p| p.planned_ms.is_some() == adaptive));
            assert!(plans[1..].iter().all(|p| p.schedule.is_none()));
        }
    }

    #[test]
    fn the_adaptive_preview_covers_the_text() {
        let text = "The morning train was late again, so we walked to work today. Nobody minded.";
        let p = preview(text, Strategy::Adaptive);
        assert!(p.len() > 1, "{p:?}");
        assert_eq!(p.join(" "), text);
    }

    #[test]
    fn a_replayed_plan_must_be_a_plan_of_this_text() {
        let text = "One two three four five.";
        let plan = vec!["One two three".to_string(), "four five.".to_string()];
        let model = SpeedModel::default();
        let planner = Planner::new(&model, 1.0, &Default::default());
        let mut cuts = Cuts::replay(text, &plan).unwrap();
        let said: Vec<String> =
            std::iter::from_fn(|| cuts.next(&planner, 0.0).map(|c| c.text)).collect();
        assert_eq!(said, plan);
        let err = Cuts::replay("Another text entirely.", &plan).err().unwrap();
        assert!(err.contains("not a plan of this text"), "{err}");
    }
}
