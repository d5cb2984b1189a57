//! The real engine: G2P and tokens, synthesis, strategies, errors.

mod common;

use kokoro_bench::engine::g2p::{Lang, Phonemizer};
use kokoro_bench::engine::joins::pause_around;
use kokoro_bench::engine::vocab::Vocab;
use kokoro_bench::engine::{
    Chunking, EngineConfig, EngineHandle, Joins, Strategy, SynthEvent, SynthRequest, SAMPLE_RATE_HZ,
};
use kokoro_bench::measure::audible::first_audible_sample;

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
    // Words misaki-rs does not know go to espeak-ng (the test command installs it), mapped onto
    // the model's phonemes as misaki's Python maps them: nothing is dropped. (Without espeak-ng
    // they become ❓: tests/cli.rs runs that case.)
    assert_eq!(
        g.fallback.as_deref().map(|f| f.starts_with("espeak-ng ")),
        Some(true)
    );
    assert_eq!(g.phonemize("Patel").unwrap(), "pətˈɛl");
    let unk = g.phonemize("qzxwv").unwrap();
    assert!(vocab.encode(&unk).dropped.is_empty(), "{unk}");
}

fn synth(e: &EngineHandle, text: &str, strategy: Strategy) -> Vec<kokoro_bench::engine::ChunkOut> {
    let rx = e
        .synthesize(SynthRequest {
            text: text.into(),
            voice: "jf_alpha".into(),
            speed: 1.0,
            strategy,
            plan: None,
            abort: None,
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
        Strategy::Adaptive,
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
            Strategy::Adaptive => assert!(chunks.len() >= 2, "{}", chunks.len()),
            _ => assert!(chunks.len() >= 3, "{s:?}: {}", chunks.len()),
        }
    }
}

/// Silence heard at each join of the pieces, ms.
fn join_pauses(chunks: &[kokoro_bench::engine::ChunkOut]) -> Vec<f64> {
    let mut all = Vec::new();
    let mut joins = Vec::new();
    for c in chunks {
        if !all.is_empty() {
            joins.push(all.len());
        }
        all.extend_from_slice(&c.samples);
    }
    joins
        .iter()
        .map(|&at| pause_around(&all, at, SAMPLE_RATE_HZ, -50.0))
        .collect()
}

#[test]
fn natural_joins_start_at_speech_and_keep_the_pauses_of_the_text() {
    let text = "The morning train was late again, so we walked to work today. Nobody minded.";
    let a = common::assets();
    let raw = EngineHandle::start(EngineConfig {
        ort_lib: a.ort_lib,
        model: a.model,
        voices: a.voices,
        vocab: a.vocab,
        lang: Lang::EnUs,
        session: Default::default(),
        chunking: Chunking {
            joins: Joins::Raw,
            ..Default::default()
        },
    })
    .unwrap();
    let natural = common::engine();
    // Clause cuts are fixed: "… again," | "so … today." | "Nobody minded."
    let n = synth(&natural, text, Strategy::Clause);
    let r = synth(&raw, text, Strategy::Clause);
    assert_eq!(n.len(), 3);
    let lead_ms = |c: &[kokoro_bench::engine::ChunkOut]| {
        first_audible_sample(&c[0].samples, SAMPLE_RATE_HZ, -50.0).unwrap() as f64 * 1000.0
            / SAMPLE_RATE_HZ as f64
    };
    assert!(
        lead_ms(&n) <= 30.0,
        "natural: {} ms before speech",
        lead_ms(&n)
    );
    assert!(
        lead_ms(&r) >= 150.0,
        "raw: {} ms before speech",
        lead_ms(&r)
    );
    assert_eq!(
        n.iter().map(|c| c.then_pause_ms).collect::<Vec<_>>(),
        [Some(250.0), Some(580.0), None]
    );
    // Heard pauses: the text's own (comma, sentence end) within the edge margins and the
    // speech's decay under the threshold; raw joins put the model's ~1 s of silence there.
    let pauses = join_pauses(&n);
    for (heard, expected) in pauses.iter().zip([250.0, 580.0]) {
        assert!(
            (*heard - expected).abs() <= 100.0,
            "natural join: heard {heard} ms where the text calls for {expected} ms ({pauses:?})"
        );
    }
    let raw_pauses = join_pauses(&r);
    assert!(raw_pauses.iter().all(|&p| p >= 700.0), "{raw_pauses:?}");
    let secs = |c: &[kokoro_bench::engine::ChunkOut]| {
        c.iter().map(|c| c.samples.len()).sum::<usize>() as f64 / SAMPLE_RATE_HZ as f64
    };
    assert!(secs(&r) - secs(&n) >= 1.0, "{} vs {}", secs(&r), secs(&n));
}

#[test]
fn the_adaptive_schedule_records_its_plan_and_learns_this_engines_speed() {
    let e = common::engine();
    let text = "The museum opens at ten on weekdays and at noon on Sundays. Tickets are cheaper \
        online, and children under twelve enter for free. The east wing is closed for repairs.";
    let first = synth(&e, text, Strategy::Adaptive);
    let m = first[0]
        .plan
        .schedule
        .clone()
        .expect("the first chunk carries the model");
    assert_eq!(m.observations, 0, "a fresh engine plans with the prior");
    assert!(first
        .iter()
        .all(|c| c.plan.planned_ms.is_some_and(|p| p > 0.0)));
    assert!(first[0].plan.budget_ms.is_none());
    assert!(first[1..].iter().all(|c| c.plan.budget_ms.is_some()));
    assert!(first[1..].iter().all(|c| c.plan.schedule.is_none()));
    let second = synth(&e, text, Strategy::Adaptive);
    let m = second[0].plan.schedule.clone().unwrap();
    assert_eq!(
        m.observations as usize,
        first.len(),
        "one observation per chunk"
    );
    assert!(
        m.per_phoneme_ms > 0.0 && m.audio_per_phoneme_ms > 20.0,
        "{m:?}"
    );
    let said: Vec<&str> = second
        .iter()
        .flat_map(|c| c.text.split_whitespace())
        .collect();
    assert_eq!(said, text.split_whitespace().collect::<Vec<_>>());
}

#[test]
fn bad_requests_name_the_value_and_the_choices() {
    let e = common::engine();
    let req = |text: &str, voice: &str, speed: f32| SynthRequest {
        text: text.into(),
        voice: voice.into(),
        speed,
        strategy: Strategy::Whole,
        plan: None,
        abort: None,
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
        chunking: Default::default(),
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
