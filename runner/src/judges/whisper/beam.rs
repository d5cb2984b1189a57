//! Beam search as OpenAI's Whisper does it (`BeamSearchDecoder`, patience 1): every step, each
//! live hypothesis offers its `beam + 1` most likely next tokens; the best `beam` continuations
//! stay live, and a candidate that ends the text is finished. Decoding stops when `beam`
//! hypotheses have finished; the winner has the highest log-probability per token. With a beam
//! of 1 this is greedy decoding.

use super::net::Cache;
use super::vocab::EOT;
use anyhow::Result;
use ndarray::{Array1, Array2, ArrayView1, Axis};

struct Hypothesis {
    tokens: Vec<usize>,
    log_prob: f64,
    cache: Cache,
}

/// The `k` best `(token, value)` pairs, best first.
fn top(values: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut best: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
    for (t, &v) in values.iter().enumerate() {
        if best.len() == k && best.last().is_some_and(|&(_, w)| v <= w) {
            continue;
        }
        let at = best.partition_point(|&(_, w)| w >= v);
        best.insert(at, (t, v));
        best.truncate(k);
    }
    best
}

/// Decodes from a prompt already fed into `cache` (whose next-token logits are `logits`).
/// `step` feeds one token to each cache and returns the logits, one row each; `log_probs` masks
/// and normalises a row (`true` for the first generated token).
///
/// # Errors
/// What `step` returns.
pub fn search(
    mut step: impl FnMut(&mut [Cache], &[usize]) -> Result<Array2<f32>>,
    cache: Cache,
    logits: Array1<f32>,
    log_probs: impl Fn(ArrayView1<f32>, bool) -> Vec<f32>,
    beam: usize,
    max_tokens: usize,
) -> Result<Vec<usize>> {
    let beam = beam.max(1);
    let mut live = vec![Hypothesis {
        tokens: Vec::new(),
        log_prob: 0.0,
        cache,
    }];
    let mut logits = logits.insert_axis(Axis(0));
    let mut finished: Vec<(Vec<usize>, f64)> = Vec::new();
    for i in 0..max_tokens {
        let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
        for (h, row) in logits.rows().into_iter().enumerate() {
            for (t, l) in top(&log_probs(row, i == 0), beam + 1) {
                if l.is_finite() {
                    candidates.push((live[h].log_prob + f64::from(l), h, t));
                }
            }
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut next = Vec::with_capacity(beam);
        for (log_prob, h, t) in candidates {
            if t == EOT {
                finished.push((live[h].tokens.clone(), log_prob));
                continue;
            }
            let mut tokens = live[h].tokens.clone();
            tokens.push(t);
            next.push(Hypothesis {
                tokens,
                log_prob,
                cache: live[h].cache.clone(),
            });
            if next.len() == beam {
                break;
            }
        }
        if finished.len() >= beam || next.is_empty() {
            live.clear();
            break;
        }
        live = next;
        let tokens: Vec<usize> = live
            .iter()
            .map(|h| h.tokens.last().copied().unwrap_or(EOT))
            .collect();
        let mut caches: Vec<Cache> = live
            .iter_mut()
            .map(|h| std::mem::take(&mut h.cache))
            .collect();
        logits = step(&mut caches, &tokens)?;
        for (h, c) in live.iter_mut().zip(caches) {
            h.cache = c;
        }
    }
    // Out of tokens: the live hypotheses compete too.
    finished.extend(live.into_iter().map(|h| (h.tokens, h.log_prob)));
    let per_token = |f: &(Vec<usize>, f64)| f.1 / f.0.len().max(1) as f64;
    Ok(finished
        .into_iter()
        .max_by(|a, b| per_token(a).total_cmp(&per_token(b)))
        .map(|f| f.0)
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keeps_the_best_in_order() {
        assert_eq!(
            top(&[0.1, 0.9, 0.5, 0.7, f32::NEG_INFINITY], 3),
            vec![(1, 0.9), (3, 0.7), (2, 0.5)]
        );
        assert_eq!(top(&[1.0], 3), vec![(0, 1.0)]);
    }

    /// A toy "model": the next token depends only on the last one (a fixed table of
    /// log-probabilities over tokens 0, 1, EOT), so the best sequence can be worked out by hand.
    fn toy(beam: usize) -> Vec<usize> {
        // After the prompt: token 0 is likelier (0.6) than 1 (0.4). After 0: EOT with 0.5 or
        // 1 with 0.5. After 1: EOT with 0.99. Greedy takes 0 then ties; the beam finds 1, EOT
        // (0.4 × 0.99 = 0.396 over 1 token) beats 0, EOT (0.3 over 1 token).
        let table = |last: Option<usize>| -> Vec<f32> {
            let mut row = vec![f32::NEG_INFINITY; EOT + 1];
            match last {
                None => {
                    row[0] = 0.6f32.ln();
                    row[1] = 0.4f32.ln();
                }
                Some(0) => {
                    row[1] = 0.5f32.ln();
                    row[EOT] = 0.5f32.ln();
                }
                _ => {
                    row[EOT] = 0.99f32.ln();
                }
            }
            row
        };
        // Logits carry the last token in their first cell, so log_probs can look it up.
        let encode = |last: Option<usize>| -> Array1<f32> {
            let mut v = vec![0.0f32; EOT + 2];
            v[EOT + 1] = last.map_or(-1.0, |t| t as f32);
            Array1::from(v)
        };
        let step = |caches: &mut [Cache], tokens: &[usize]| -> Result<Array2<f32>> {
            let rows: Vec<Array1<f32>> = tokens.iter().map(|&t| encode(Some(t))).collect();
            let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
            assert_eq!(caches.len(), tokens.len());
            Ok(ndarray::stack(Axis(0), &views)?)
        };
        let log_probs = |row: ArrayView1<f32>, _first: bool| {
            let last = row[EOT + 1];
            table((last >= 0.0).then_some(last as usize))
        };
        search(step, Cache::default(), encode(None), log_probs, beam, 10).unwrap()
    }

    #[test]
    fn the_beam_finds_what_greedy_misses() {
        assert_eq!(toy(2), vec![1]);
        // Greedy: 0 first; then EOT and 1 tie at 0.5 — either way not [1].
        assert_ne!(toy(1), vec![1]);
        assert_eq!(toy(1)[0], 0);
    }
}
