//! English grapheme-to-phoneme conversion with misaki-rs (the phoneme set Kokoro was trained on).
//! One instance per engine: creating it costs ~0.25 s.

use clap::ValueEnum;
use misaki_rs::{Language, G2P};

/// English variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// US English (`en-us`).
    EnUs,
    /// British English (`en-gb`).
    EnGb,
}

impl Lang {
    /// BCP-47-ish code recorded in bundles.
    pub fn code(self) -> &'static str {
        match self {
            Lang::EnUs => "en-us",
            Lang::EnGb => "en-gb",
        }
    }
}

/// misaki-rs version compiled in (kept in step with Cargo.lock by a test).
pub const MISAKI_VERSION: &str = "0.8.0";

/// The G2P front end.
pub struct Phonemizer {
    g2p: G2P,
    /// Language.
    pub lang: Lang,
    /// What pronounces the words misaki-rs's lexicon and rules cannot (`espeak-ng 1.51`), when
    /// this machine has it; without one such words are dropped (and counted).
    pub fallback: Option<String>,
}

impl Phonemizer {
    /// Creates the phonemizer. Words misaki-rs cannot pronounce go to espeak-ng when it is
    /// installed ([`super::espeak`], as misaki's Python fallback); otherwise they become `❓`,
    /// which the vocabulary drops and the bundle counts.
    pub fn new(lang: Lang) -> Phonemizer {
        let language = match lang {
            Lang::EnUs => Language::EnglishUS,
            Lang::EnGb => Language::EnglishGB,
        };
        let espeak = super::espeak::EspeakFallback::find(lang == Lang::EnGb);
        let fallback = espeak.as_ref().map(|e| e.version.clone());
        Phonemizer {
            g2p: G2P::with_fallback(
                language,
                espeak.map(|e| Box::new(e) as Box<dyn misaki_rs::Fallback>),
            ),
            lang,
            fallback,
        }
    }

    /// Phonemes of a text.
    ///
    /// # Errors
    /// misaki's message when it fails.
    pub fn phonemize(&self, text: &str) -> Result<String, String> {
        self.g2p
            .g2p(text)
            .map(|(ps, _)| ps)
            .map_err(|e| format!("G2P failed for {text:?}: {e}"))
    }
}
