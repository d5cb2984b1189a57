//! Raw inference time of the Rust engine's session on fixed tokens, for comparison with Python
//! onnxruntime on the *same* tokens (see `scripts/ort-parity.sh`).
//!
//! `cargo run --release --example ort_parity -- TOKENS.json REPS` writes/reads `TOKENS.json`:
//! `[{"case": id, "ids": [...], "style": [...]}]` (written when missing), then prints one JSON line
//! per case with the per-run model times in ms.

use kokoro_bench::engine::g2p::{Lang, Phonemizer};
use kokoro_bench::engine::model::{KokoroModel, SessionConfig};
use kokoro_bench::engine::runtime::Runtime;
use kokoro_bench::engine::vocab::Vocab;
use kokoro_bench::engine::voices::VoicePack;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).cloned().unwrap_or_else(|| "tokens.json".into());
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let a = kokoro_bench::setup::default_assets()
        .ok_or_else(|| anyhow::anyhow!("run `kokoro-bench setup` first"))?;
    if !std::path::Path::new(&path).exists() {
        let g2p = Phonemizer::new(Lang::EnUs);
        let vocab = Vocab::load(&a.vocab).map_err(anyhow::Error::msg)?;
        let voices = VoicePack::load(&a.voices)?;
        let mut cases = Vec::new();
        for p in kokoro_bench::context::presets::PRESETS.iter().take(3) {
            let ids = vocab
                .encode(&g2p.phonemize(p.text).map_err(anyhow::Error::msg)?)
                .ids;
            let style = voices.style_row("jf_alpha", ids.len())?.to_vec();
            cases.push(serde_json::json!({"case": p.id, "ids": ids, "style": style}));
        }
        std::fs::write(&path, serde_json::to_vec(&cases)?)?;
    }
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&path)?)?;
    let rt = Runtime::shared(&a.ort_lib)?;
    let mut model = KokoroModel::load(&rt, &a.model, &SessionConfig::default())?;
    for c in &cases {
        let ids: Vec<i64> = serde_json::from_value(c["ids"].clone())?;
        let style: Vec<f32> = serde_json::from_value(c["style"].clone())?;
        model.infer(&ids, &style, 1.0)?; // warm-up
        let mut ms = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            model.infer(&ids, &style, 1.0)?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "{}",
            serde_json::json!({"engine": "rust-ort", "case": c["case"], "ms": ms})
        );
    }
    Ok(())
}
