//! Words misaki-rs cannot pronounce (names such as "Patel"), through espeak-ng — the fallback
//! misaki's own Python offers (`misaki.espeak.EspeakFallback`): espeak-ng's IPA with tie marks,
//! mapped onto misaki's phoneme set with misaki's table (`E2M`, longest first, then its US/GB
//! and version-1 replacements). Without it misaki-rs emits `❓`, the vocabulary drops it and the
//! word is never spoken. espeak-ng runs as a process per unknown word (≈ 5 ms), inside G2P time,
//! because that is work the engine does before it can speak.

use misaki_rs::fallback::{Fallback, FallbackError};
use std::io::Write;
use std::process::{Command, Stdio};

/// The espeak-ng program on this machine, when there is one that answers.
pub struct EspeakFallback {
    british: bool,
    /// `espeak-ng 1.51`, for the bundle's provenance.
    pub version: String,
}

/// misaki's `EspeakFallback.E2M`, in its dictionary order (applied longest key first, a stable
/// sort, as misaki applies it).
const E2M: [(&str, &str); 20] = [
    ("ʔˌn\u{0329}", "ʔn"),
    ("ʔn\u{0329}", "ʔn"),
    ("a^ɪ", "I"),
    ("a^ʊ", "W"),
    ("d^ʒ", "ʤ"),
    ("e^ɪ", "A"),
    ("e", "A"),
    ("t^ʃ", "ʧ"),
    ("ɔ^ɪ", "Y"),
    ("ə^l", "ᵊl"),
    ("ʲo", "jo"),
    ("ʲə", "jə"),
    ("ʲ", ""),
    ("ɚ", "əɹ"),
    ("r", "ɹ"),
    ("x", "k"),
    ("ç", "k"),
    ("ɐ", "ə"),
    ("ɬ", "l"),
    ("\u{0303}", ""),
];

impl EspeakFallback {
    /// Finds `espeak-ng` on the `PATH` (it must answer `--version`).
    pub fn find(british: bool) -> Option<EspeakFallback> {
        let out = Command::new("espeak-ng").arg("--version").output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        // "eSpeak NG text-to-speech: 1.51  Data at: …"
        let version = text
            .split("text-to-speech:")
            .nth(1)?
            .split_whitespace()
            .next()?
            .to_string();
        out.status.success().then(|| EspeakFallback {
            british,
            version: format!("espeak-ng {version}"),
        })
    }

    fn ipa(&self, word: &str) -> Option<String> {
        let voice = if self.british { "en-gb" } else { "en-us" };
        let mut child = Command::new("espeak-ng")
            .args(["-q", "--ipa", "--tie=^", "-v", voice, "--stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        child.stdin.take()?.write_all(word.as_bytes()).ok()?;
        let out = child.wait_with_output().ok()?;
        let ipa = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !ipa.is_empty()).then_some(ipa)
    }
}

/// espeak-ng IPA → misaki phonemes, as misaki's `EspeakFallback.__call__` does (version 1).
pub fn to_misaki(ipa: &str, british: bool) -> String {
    let mut ps = ipa.trim().to_string();
    let mut table = E2M.to_vec();
    table.sort_by_key(|(k, _)| std::cmp::Reverse(k.chars().count()));
    for (old, new) in table {
        ps = ps.replace(old, new);
    }
    // A syllabic consonant (`n̩`) becomes `ᵊn`.
    let mut out = String::new();
    let chars: Vec<char> = ps.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if i + 1 < chars.len() && !chars[i].is_whitespace() && chars[i + 1] == '\u{0329}' {
            out.push('ᵊ');
            out.push(chars[i]);
            i += 2;
        } else {
            if chars[i] != '\u{0329}' {
                out.push(chars[i]);
            }
            i += 1;
        }
    }
    let mut ps = out;
    if british {
        ps = ps
            .replace("e^ə", "ɛː")
            .replace("iə", "ɪə")
            .replace("ə^ʊ", "Q");
    } else {
        ps = ps
            .replace("o^ʊ", "O")
            .replace("ɜːɹ", "ɜɹ")
            .replace("ɜː", "ɜɹ")
            .replace("ɪə", "iə")
            .replace('ː', "");
    }
    ps.replace('o', "ɔ")
        .replace('ɾ', "T")
        .replace('ʔ', "t")
        .replace('^', "")
}

impl Fallback for EspeakFallback {
    /// The word's phonemes; `❓` (dropped and counted, as without a fallback) when espeak-ng
    /// fails, so one odd word never fails a whole synthesis.
    fn phonemize(&self, word: &str) -> Result<String, FallbackError> {
        Ok(self
            .ipa(word)
            .map_or_else(|| "❓".to_string(), |ipa| to_misaki(&ipa, self.british)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn espeak_ipa_maps_onto_misakis_phonemes_as_misaki_maps_it() {
        assert_eq!(to_misaki("pɐtˈɛl", false), "pətˈɛl");
        assert_eq!(to_misaki("t^ʃˈa^ɪ", false), "ʧˈI");
        assert_eq!(to_misaki("nˈuːjɛn", false), "nˈujɛn");
        assert_eq!(to_misaki("ɡˈo^ʊld", false), "ɡˈOld");
        assert_eq!(to_misaki("bˈʌɾɚ", false), "bˈʌTəɹ");
        assert_eq!(to_misaki("bˈʌʔn\u{0329}", false), "bˈʌtn");
        assert_eq!(to_misaki("lˈɪt\u{0329}l", false), "lˈɪᵊtl");
        assert_eq!(to_misaki("ɡˈə^ʊld", true), "ɡˈQld");
    }
}
