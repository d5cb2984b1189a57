//! "Faster but worse": a case whose heard-speech latency improved while a judge says its audio
//! got worse is not a win, whatever the latency verdict says. Read from the raw changes, so it
//! is said even when the runs are not like for like (another model is exactly when it matters).

use super::Comparison;
use crate::metrics::{Metric, Practical};

/// Latency must drop by more than this fraction to count as "faster".
const FASTER_BY: f64 = 0.05;

/// Quality metrics a judge provides, in the order they are named.
const QUALITY: [Metric; 4] = [
    Metric::Mos,
    Metric::Wer,
    Metric::SpeakerSimilarity,
    Metric::DnsmosOvrl,
];

impl Comparison {
    /// One sentence per case that got faster while its judged quality dropped beyond the
    /// metric's practical threshold, e.g. `short: heard speech 22 % faster, speaker similarity
    /// −0.110: not a win`.
    pub fn tradeoffs(&self) -> Vec<String> {
        let row = |m: Metric, case: &Option<String>| {
            self.rows.iter().find(|r| r.metric == m && &r.case == case)
        };
        let mut out = Vec::new();
        for r in self.rows.iter().filter(|r| r.metric == Metric::HeardMs) {
            let Some(rel) = r.change_rel.filter(|c| *c < -FASTER_BY) else {
                continue;
            };
            let worse: Vec<String> = QUALITY
                .iter()
                .filter_map(|&m| {
                    let change = row(m, &r.case)?.change_abs?;
                    let threshold = match m.practical() {
                        Practical::Absolute(t) => t,
                        _ => return None,
                    };
                    // Worse is down for scores, up for error rates.
                    let worse = match m.better() {
                        crate::metrics::Better::Lower => change > threshold,
                        _ => change < -threshold,
                    };
                    worse.then(|| match m {
                        Metric::Wer => format!("word error rate {:+.1} points", change * 100.0),
                        Metric::Mos => format!("MOS {change:+.2}"),
                        _ => format!("{} {change:+.3}", m.label().to_lowercase()),
                    })
                })
                .collect();
            if !worse.is_empty() {
                out.push(format!(
                    "{}: heard speech {:.0} % faster, {}: not a win",
                    r.case.as_deref().unwrap_or("run"),
                    -rel * 100.0,
                    worse.join(", ")
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Row, Verdict};

    fn row(metric: Metric, case: &str, change_abs: f64, change_rel: f64) -> Row {
        Row {
            metric,
            case: Some(case.into()),
            base: None,
            new: None,
            change_abs: Some(change_abs),
            change_rel: Some(change_rel),
            ci: None,
            relative: false,
            p_value: None,
            hl_shift: None,
            rounds: [1, 1],
            run_noise_pct: None,
            verdict: Verdict::NotComparable,
            reason: String::new(),
        }
    }

    #[test]
    fn faster_with_a_quality_drop_is_named_and_faster_alone_is_not() {
        let c = Comparison {
            base_id: "a".into(),
            new_id: "b".into(),
            warnings: vec![],
            not_like_for_like: vec![],
            judged_anyway: false,
            setup: vec![],
            plan_changes: vec![],
            noise_source: None,
            transcripts: vec![],
            rows: vec![
                row(Metric::HeardMs, "long", -300.0, -0.3),
                row(Metric::Wer, "long", 0.25, 1.0),
                row(Metric::HeardMs, "short", -200.0, -0.22),
                row(Metric::SpeakerSimilarity, "short", -0.11, -0.12),
                row(Metric::Mos, "short", -1.8, -0.42),
                row(Metric::Mos, "long", -0.1, -0.02),
                row(Metric::DnsmosOvrl, "short", -0.1, -0.03),
                row(Metric::SpeakerSimilarity, "long", -0.01, -0.01),
                row(Metric::HeardMs, "medium", -10.0, -0.01),
                row(Metric::SpeakerSimilarity, "medium", -0.2, -0.2),
            ],
        };
        assert_eq!(
            c.tradeoffs(),
            vec![
                "long: heard speech 30 % faster, word error rate +25.0 points: not a win",
                "short: heard speech 22 % faster, MOS -1.80, speaker similarity -0.110: not a win"
            ]
        );
    }
}
