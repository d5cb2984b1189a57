//! The real engine: G2P and tokens, synthesis, strategies, errors.

mod common;

use kokoro_bench::engine::g2p::{Lang, Phonemizer};
use kokoro_bench::engine::vocab::Vocab;
use kokoro_bench::engine::{
    EngineConfig, EngineHandle, Strategy, SynthEvent, SynthRequest, SAMPLE_RATE_HZ,
};

/// misaki 0.9.4 reference strings (from misaki-rs's parity examples).
#[test]
fn g2p_matches_known_phoneme_strings_and_tokenises() {
    let g = Phonemizer::new(Lang::EnUs);
    assert_eq!(
        g.phonemize("Please read the report I read yesterday.")
            .unwrap(),
        "plˈiz ɹˈid ðə ɹəpˈɔɹt ˌI ɹˈɛd jˈɛstəɹdˌA."
    );
    assert_eq!(
        g.phonemize("They record a record every week.").unwrap(),
        "ðˌA ɹəkˈɔɹd ɐ ɹˈɛkəɹd ˈɛvəɹi wˈik."
    );
    let vocab = Vocab::load(&common::assets().vocab).unwrap();
    assert_eq!(vocab.len(), 114);
    let t = vocab.encode("plˈiz ɹˈid.");
    assert!(t.dropped.is_empty());
    assert_eq!(t.ids.len(), 11);
    // Unknown words become ❓ without espeak: dropped by the vocabulary and reported.
    let unk = g.phonemize("qzxwv").unwrap();
    assert!(!vocab.encode(&unk).dropped.is_empty(), "{unk}");
}

fn synth(e: &EngineHandle, text: &str, strategy: Strategy) -> Vec<kokoro_bench::engine::ChunkOut> {
    let rx = e
        .synthesize(SynthRequest {
            text: text.into(),
            voice: "jf_alpha".into(),
            speed: 1.0,
            strategy,
        })
        .unwrap();
    let mut chunks = Vec::new();
    for ev in rx {
        match ev {
            SynthEvent::Chunk(c) => chunks.push(c),
            SynthEvent::Done => return chunks,
            SynthEvent::Failed(m) => panic!("synthesis failed: {m}"),
        }
    }
    panic!("no Done event");
}

#[test]
fn strategies_deliver_in_order_cover_the_text_and_give_plausible_audio() {
    let e = common::engine();
    let text = "The quick brown fox jumps over the lazy dog. Then, after a short rest, it ran all the way home.";
    let words: Vec<&str> = text.split_whitespace().collect();
    for s in [
        Strategy::Whole,
        Strategy::Sentence,
        Strategy::Clause,
        Strategy::Progressive,
    ] {
        let chunks = synth(&e, text, s);
        let said: Vec<String> = chunks
            .iter()
            .flat_map(|c| c.text.split_whitespace().map(String::from))
            .collect();
        assert_eq!(said, words, "{s:?} must cover the whole text in order");
        let secs: f64 =
            chunks.iter().map(|c| c.samples.len() as f64).sum::<f64>() / SAMPLE_RATE_HZ as f64;
        let phonemes: usize = chunks.iter().map(|c| c.phonemes).sum();
        // ~19 words of speech: 3–15 s is plausible; per phoneme 30–160 ms.
        assert!((3.0..15.0).contains(&secs), "{s:?}: {secs} s");
        assert!(
            secs / phonemes as f64 > 0.03 && secs / (phonemes as f64) < 0.16,
            "{s:?}: {secs} s for {phonemes} phonemes"
        );
        assert!(chunks
            .iter()
            .all(|c| c.samples.iter().all(|x| x.is_finite())));
        assert!(chunks.iter().all(|c| c.inference_ms > 0.0));
        match s {
            Strategy::Whole => assert_eq!(chunks.len(), 1),
            Strategy::Sentence => assert_eq!(chunks.len(), 2),
            _ => assert!(chunks.len() >= 3, "{s:?}: {}", chunks.len()),
        }
    }
}

#[test]
fn bad_requests_name_the_value_and_the_choices() {
    let e = common::engine();
    let req = |text: &str, voice: &str, speed: f32| SynthRequest {
        text: text.into(),
        voice: voice.into(),
        speed,
        strategy: Strategy::Whole,
    };
    let err = e
        .synthesize(req("Hello.", "af_nobody", 1.0))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("af_nobody") && err.contains("jf_alpha"),
        "{err}"
    );
    let err = e
        .synthesize(req("   ", "jf_alpha", 1.0))
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty"), "{err}");
    let err = e
        .synthesize(req("Hello.", "jf_alpha", 3.0))
        .unwrap_err()
        .to_string();
    assert!(err.contains("0.5") && err.contains("2"), "{err}");
}

#[test]
fn unreadable_model_is_a_clear_error() {
    let a = common::assets();
    let dir = common::tempdir("badmodel");
    let bad = dir.join("broken.onnx");
    std::fs::write(&bad, b"not an onnx model").unwrap();
    let cfg = EngineConfig {
        ort_lib: a.ort_lib,
        model: bad.clone(),
        voices: a.voices,
        vocab: a.vocab,
        lang: Lang::EnUs,
        session: Default::default(),
    };
    let err = EngineHandle::start(cfg)
        .err()
        .expect("must fail")
        .to_string();
    assert!(
        err.contains("cannot load the model") && err.contains("broken.onnx"),
        "{err}"
    );
}
