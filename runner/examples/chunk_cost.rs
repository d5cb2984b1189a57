//! What one model call costs and how much of its audio is silence, by chunk size: the numbers
//! behind the adaptive schedule's fixed cost and the "last sample ÷ whole text" ratio
//! (docs/measurements.md, "What a chunk costs").
//!
//! `cargo run --release --example chunk_cost [-- --no-end-pad]` synthesises the first 1, 2, 3, 4,
//! 6, 8, 12, 16 and 24 words of the `medium` preset (voice `jf_alpha`, the default session), one
//! warm-up then 3 runs each, and prints the median model time, the audio, and the silence before
//! and after the speech (10 ms windows under −50 dBFS). `--no-end-pad` also runs each chunk
//! without Kokoro's closing pad token, to see what that token costs and what it carries.

use kokoro_bench::engine::g2p::{Lang, Phonemizer};
use kokoro_bench::engine::model::{KokoroModel, SessionConfig};
use kokoro_bench::engine::runtime::Runtime;
use kokoro_bench::engine::vocab::Vocab;
use kokoro_bench::engine::voices::VoicePack;
use std::time::Instant;

const SAMPLE_RATE_HZ: f64 = 24_000.0;
const WINDOW_MS: f64 = 10.0;
const SILENT_DBFS: f32 = -50.0;

/// Silence before the first and after the last audible window, ms.
fn silent_edges_ms(samples: &[f32]) -> (f64, f64) {
    let window = (SAMPLE_RATE_HZ * WINDOW_MS / 1000.0) as usize;
    let threshold = 10f32.powf(SILENT_DBFS / 20.0);
    let loud: Vec<bool> = samples
        .chunks(window)
        .map(|c| c.iter().any(|x| x.abs() > threshold))
        .collect();
    let first = loud.iter().position(|&l| l).unwrap_or(loud.len());
    let last = loud.iter().rposition(|&l| l).map_or(0, |i| i + 1);
    (
        first as f64 * WINDOW_MS,
        (loud.len() - last.max(first)) as f64 * WINDOW_MS,
    )
}

fn main() -> anyhow::Result<()> {
    let no_end_pad = std::env::args().any(|a| a == "--no-end-pad");
    let assets = kokoro_bench::setup::default_assets()
        .ok_or_else(|| anyhow::anyhow!("run `kokoro-bench setup` first"))?;
    let g2p = Phonemizer::new(Lang::EnUs);
    let vocab = Vocab::load(&assets.vocab).map_err(anyhow::Error::msg)?;
    let voices = VoicePack::load(&assets.voices)?;
    let rt = Runtime::shared(&assets.ort_lib)?;
    let mut model = KokoroModel::load(&rt, &assets.model, &SessionConfig::default())?;
    let text = kokoro_bench::context::presets::PRESETS[1].text;
    let words: Vec<&str> = text.split_whitespace().collect();
    println!("words | phonemes | padding | model ms | audio ms | leading silence ms | trailing silence ms | speech ms");
    for n in [1usize, 2, 3, 4, 6, 8, 12, 16, 24] {
        let chunk = words[..n.min(words.len())].join(" ");
        let ids = vocab
            .encode(&g2p.phonemize(&chunk).map_err(anyhow::Error::msg)?)
            .ids;
        let style = voices.style_row("jf_alpha", ids.len())?.to_vec();
        let mut variants = vec![("both ends", [vec![0], ids.clone(), vec![0]].concat())];
        if no_end_pad {
            variants.push(("start only", [vec![0], ids.clone()].concat()));
        }
        for (padding, padded) in variants {
            model.infer_padded(padded.clone(), &style, 1.0, None)?;
            let mut model_ms = Vec::new();
            let mut audio = Vec::new();
            for _ in 0..3 {
                let t = Instant::now();
                audio = model.infer_padded(padded.clone(), &style, 1.0, None)?;
                model_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            model_ms.sort_by(f64::total_cmp);
            let audio_ms = audio.len() as f64 * 1000.0 / SAMPLE_RATE_HZ;
            let (lead_ms, trail_ms) = silent_edges_ms(&audio);
            println!(
                "{n} | {} | {padding} | {:.0} | {audio_ms:.0} | {lead_ms:.0} | {trail_ms:.0} | {:.0}",
                ids.len(),
                model_ms[1],
                audio_ms - lead_ms - trail_ms
            );
        }
    }
    Ok(())
}
