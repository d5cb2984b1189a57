//! The one list of judges: every entry the panel loads, in the order a clip is judged. Adding a
//! judge is its module (network, `impl Judge`, `ENTRY`) and one line here.

use super::contract::Entry;

/// Every judge, in the order a clip is judged.
pub const REGISTRY: &[Entry] = &[
    super::distillmos::ENTRY,
    super::dnsmos::ENTRY,
    super::speaker::ENTRY,
    super::whisper::ENTRY,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judges::assets;

    /// Every judge hears the one 16 kHz resampling the panel makes.
    #[test]
    fn every_judge_hears_16_khz() {
        for rate in [
            super::super::dnsmos::SAMPLE_RATE_HZ,
            super::super::distillmos::SAMPLE_RATE_HZ,
            super::super::ge2e::SAMPLE_RATE_HZ,
            super::super::whisper::SAMPLE_RATE_HZ,
        ] {
            assert_eq!(rate, 16_000);
        }
    }

    /// The registry names each judge once and each package once: a judge added in two places.
    #[test]
    fn each_judge_is_listed_once() {
        let mut names: Vec<&str> = REGISTRY.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
        for e in REGISTRY {
            assert!(
                assets::ALL
                    .iter()
                    .any(|p| p.requirement == e.package.requirement),
                "{} reads a package `setup --judges` does not fetch",
                e.name
            );
        }
    }
}
