//! The metric registry: one definition per metric, shared by gates, comparisons, the CLI and the
//! page. Each metric says where its value comes from, its unit, which direction is better and how
//! large a change must be before it is news.

pub use crate::schema::Metric;
use crate::schema::{Bundle, Case, Trial};

/// Which direction is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Smaller values are better.
    Lower,
    /// Larger values are better (capacity).
    Higher,
    /// Neither: the metric is judged against a band (loudness, true peak), never ranked.
    Target,
}

/// How a change is judged to be news.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Practical {
    /// Relative change of the median beyond this fraction (e.g. 0.05 = 5 %).
    Relative(f64),
    /// Absolute change of the median beyond this amount, in the metric's unit.
    Absolute(f64),
    /// A count: absolute change of the mean beyond this (the median would hide a stall in one
    /// trial of five).
    Count(f64),
}

impl Metric {
    /// Every metric, in display order.
    pub const ALL: [Metric; 36] = [
        Metric::HeardMs,
        Metric::TtfaMs,
        Metric::TtfaAudibleMs,
        Metric::TtfbMs,
        Metric::ConnectMs,
        Metric::TlsHandshakeMs,
        Metric::Rtf,
        Metric::InferenceRtf,
        Metric::TotalMs,
        Metric::Underruns,
        Metric::UnderrunsPer10min,
        Metric::StallTotalMs,
        Metric::MinPrebufferMs,
        Metric::IntegratedLufs,
        Metric::TruePeakDbtp,
        Metric::PeakRssMb,
        Metric::SoakTtfaDriftPct,
        Metric::CapacitySustainableLevel,
        Metric::FirstChunkModelMs,
        Metric::WholeModelMs,
        Metric::Mos,
        Metric::DnsmosOvrl,
        Metric::DnsmosSig,
        Metric::DnsmosBak,
        Metric::DnsmosP808,
        Metric::SpeakerSimilarity,
        Metric::Wer,
        Metric::Cer,
        Metric::JoinSimilarityMin,
        Metric::OovPhonemeChars,
        Metric::EndOfTurnMs,
        Metric::PieceTtfaMs,
        Metric::TurnPieces,
        Metric::BargeCloseMs,
        Metric::BargeReleaseMs,
        Metric::BargeNextTtfaMs,
    ];

    /// The per-case metrics the CLI summary and the page show first, in order.
    pub const HEADLINE: [Metric; 6] = [
        Metric::HeardMs,
        Metric::TtfaMs,
        Metric::Rtf,
        Metric::Underruns,
        Metric::MinPrebufferMs,
        Metric::IntegratedLufs,
    ];

    /// Stable key, as written in gate files and URLs.
    pub fn key(self) -> &'static str {
        match self {
            Metric::HeardMs => "heard_ms",
            Metric::TtfaMs => "ttfa_ms",
            Metric::TtfaAudibleMs => "ttfa_audible_ms",
            Metric::TtfbMs => "ttfb_ms",
            Metric::ConnectMs => "connect_ms",
            Metric::TlsHandshakeMs => "tls_handshake_ms",
            Metric::Rtf => "rtf",
            Metric::InferenceRtf => "inference_rtf",
            Metric::TotalMs => "total_ms",
            Metric::Underruns => "underruns",
            Metric::UnderrunsPer10min => "underruns_per_10min",
            Metric::StallTotalMs => "stall_total_ms",
            Metric::MinPrebufferMs => "min_prebuffer_ms",
            Metric::IntegratedLufs => "integrated_lufs",
            Metric::TruePeakDbtp => "true_peak_dbtp",
            Metric::PeakRssMb => "peak_rss_mb",
            Metric::SoakTtfaDriftPct => "soak_ttfa_drift_pct",
            Metric::CapacitySustainableLevel => "capacity_sustainable_level",
            Metric::FirstChunkModelMs => "first_chunk_model_ms",
            Metric::WholeModelMs => "whole_model_ms",
            Metric::Mos => "mos",
            Metric::DnsmosOvrl => "dnsmos_ovrl",
            Metric::DnsmosSig => "dnsmos_sig",
            Metric::DnsmosBak => "dnsmos_bak",
            Metric::DnsmosP808 => "dnsmos_p808",
            Metric::SpeakerSimilarity => "speaker_similarity",
            Metric::Wer => "wer",
            Metric::Cer => "cer",
            Metric::JoinSimilarityMin => "join_similarity_min",
            Metric::OovPhonemeChars => "oov_phoneme_chars",
            Metric::EndOfTurnMs => "end_of_turn_ms",
            Metric::PieceTtfaMs => "piece_ttfa_ms",
            Metric::BargeCloseMs => "barge_close_ms",
            Metric::BargeReleaseMs => "barge_release_ms",
            Metric::BargeNextTtfaMs => "barge_next_ttfa_ms",
            Metric::TurnPieces => "turn_pieces",
        }
    }

    /// Parses a key.
    pub fn from_key(key: &str) -> Option<Metric> {
        // The gates file may also name it as the issue tracker and the docs do
        // (`capacity.sustainable_level`, `judges.dnsmos_ovrl`).
        let key = match key {
            "capacity.sustainable_level" => "capacity_sustainable_level",
            k => k.strip_prefix("judges.").unwrap_or(k),
        };
        Metric::ALL.into_iter().find(|m| m.key() == key)
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Metric::HeardMs => "Heard speech",
            Metric::TtfaMs => "TTFA (first sample)",
            Metric::TtfaAudibleMs => "First audible chunk",
            Metric::TtfbMs => "TTFB",
            Metric::ConnectMs => "TCP connect",
            Metric::TlsHandshakeMs => "TLS handshake",
            Metric::Rtf => "RTF",
            Metric::InferenceRtf => "Model-only RTF",
            Metric::TotalMs => "Total time",
            Metric::Underruns => "Underruns / trial",
            Metric::UnderrunsPer10min => "Underruns / 10 min audio",
            Metric::StallTotalMs => "Stall time / trial",
            Metric::MinPrebufferMs => "Min. pre-buffer",
            Metric::IntegratedLufs => "Integrated loudness",
            Metric::TruePeakDbtp => "True peak",
            Metric::PeakRssMb => "Peak RSS",
            Metric::SoakTtfaDriftPct => "Soak TTFA drift",
            Metric::CapacitySustainableLevel => "Sustainable load",
            Metric::FirstChunkModelMs => "First-chunk model time",
            Metric::WholeModelMs => "Whole-text model time",
            Metric::Mos => "MOS (DistillMOS)",
            Metric::DnsmosOvrl => "DNSMOS overall",
            Metric::DnsmosSig => "DNSMOS speech",
            Metric::DnsmosBak => "DNSMOS background",
            Metric::DnsmosP808 => "DNSMOS P.808",
            Metric::SpeakerSimilarity => "Speaker similarity",
            Metric::Wer => "Word error rate",
            Metric::Cer => "Character error rate",
            Metric::JoinSimilarityMin => "Voice across joins",
            Metric::OovPhonemeChars => "Unspoken words (G2P)",
            Metric::EndOfTurnMs => "End of turn",
            Metric::PieceTtfaMs => "Piece TTFA",
            Metric::BargeCloseMs => "Barge-in: stream closed",
            Metric::BargeReleaseMs => "Barge-in: server released",
            Metric::BargeNextTtfaMs => "Barge-in: next TTFA",
            Metric::TurnPieces => "Pieces / turn",
        }
    }

    /// One line saying what the metric is and which way is better (the page's hover text).
    pub fn definition(self) -> &'static str {
        match self {
            Metric::HeardMs => "Request → a real-time player that starts at the first audio plays the first audible sound; leading silence and stalls count. Lower is better.",
            Metric::TtfaMs => "Request → first audio sample delivered (silence included). Lower is better.",
            Metric::TtfaAudibleMs => "Request → arrival of the chunk holding the first audible 10 ms (a diagnostic). Lower is better.",
            Metric::TtfbMs => "HTTP: request → first byte of the response body (connection set-up included). Lower is better.",
            Metric::ConnectMs => "HTTP: name resolution and TCP connect. Lower is better.",
            Metric::TlsHandshakeMs => "HTTPS: the TLS handshake. Lower is better.",
            Metric::Rtf => "Real-time factor: (last sample delivered − request) ÷ seconds of audio; below 1 is faster than real time. Lower is better.",
            Metric::InferenceRtf => "Model time alone ÷ seconds of audio. Lower is better.",
            Metric::TotalMs => "Request → last audio sample delivered. Lower is better.",
            Metric::Underruns => "Times a real-time player ran out of audio mid-speech, per trial. 0 is the goal.",
            Metric::UnderrunsPer10min => "Underruns per 10 minutes of audio, so long and short texts compare. Lower is better.",
            Metric::StallTotalMs => "Time the player spent waiting for audio after it started, per trial. Lower is better.",
            Metric::MinPrebufferMs => "The smallest pre-buffer that would have avoided every stall. Lower is better.",
            Metric::IntegratedLufs => "Loudness over the whole utterance (ITU-R BS.1770, gated). Judged against a band, not ranked.",
            Metric::TruePeakDbtp => "Highest inter-sample peak (4× oversampled); above −1 dBTP risks clipping after encoding. Judged against a band.",
            Metric::PeakRssMb => "Largest resident memory of the synthesising process during the measured trials. Lower is better.",
            Metric::SoakTtfaDriftPct => "Change of TTFA from the soak's first window to its last. Near 0 is better.",
            Metric::CapacitySustainableLevel => "The highest load level whose latency SLO held. Higher is better.",
            Metric::FirstChunkModelMs => "Model time of the first chunk alone (what streaming has to wait for). Lower is better.",
            Metric::WholeModelMs => "Model time of the whole text in one call. Lower is better.",
            Metric::Mos => "Predicted mean opinion score (DistillMOS, 1–5) of the kept audio: naturalness and quality as listeners would rate them; clean Kokoro int8 ≈ 4.1 on average, the same weights noised by ±2 LSB ≈ 2.8, white noise ≈ 1.4. Higher is better.",
            Metric::DnsmosOvrl => "Predicted overall opinion score (DNSMOS P.835, 1–5) of the kept audio: hears noise and distortion, not naturalness. Higher is better.",
            Metric::DnsmosSig => "Predicted speech-signal score (DNSMOS P.835 SIG, 1–5): distortion of the voice itself. Higher is better.",
            Metric::DnsmosBak => "Predicted background score (DNSMOS P.835 BAK, 1–5): noise around the voice. Higher is better.",
            Metric::DnsmosP808 => "Predicted opinion score (DNSMOS P.808, 1–5). Higher is better.",
            Metric::Wer => "Words Whisper tiny.en heard wrong, missed or added, ÷ words sent, after both texts are normalised (case, punctuation, numbers spelled out). The recogniser makes its own mistakes: compare with a baseline, not with zero. Lower is better.",
            Metric::Cer => "Characters heard wrong, missed or added ÷ characters sent (normalised texts). Lower is better.",
            Metric::JoinSimilarityMin => "The lowest speaker similarity (GE2E cosine) between one streamed piece and the next in a trial: a join where the voice changes scores low. Pieces of a second or two embed less surely than whole utterances. Higher is better.",
            Metric::OovPhonemeChars => "Phoneme characters the model's vocabulary lacks, dropped before synthesis: about one per word the G2P could not pronounce, which was then not spoken (the engine asks espeak-ng for such words when it is installed). 0 is the goal; only the in-process engine knows it.",
            Metric::EndOfTurnMs => "Text arriving like a language model's output: the last token → the listener hears the end of the turn's audio (the player's clock: stalls between pieces count). Lower is better.",
            Metric::BargeCloseMs => "A listener interrupted (--interrupt-after): the interruption → the stream ended on our side (0 when everything had arrived). Lower is better.",
            Metric::BargeReleaseMs => "A listener interrupted: the interruption → the serving process's CPU back at its idle level (100 ms windows, 20 ms apart). A server that goes on synthesising the abandoned text holds the CPU for seconds. Lower is better.",
            Metric::BargeNextTtfaMs => "A listener interrupted: the next request, sent as soon as the stream closed → its first audio. Compare with the same text on an idle target (the section's fresh figure). Lower is better.",
            Metric::PieceTtfaMs => "Text arriving like a language model's output: each piece's request → its first audio, the median over the turn's pieces. Lower is better.",
            Metric::TurnPieces => "Requests the client-side aggregator cut a turn into (fixed by the text and the rule). Fewer means later first audio, more means more joins.",
            Metric::SpeakerSimilarity => "Cosine of the audio's speaker embedding (Resemblyzer GE2E) to the voice's reference print from the clean model: same voice ≈ 0.95, another voice ≤ 0.75. Higher is better.",
        }
    }

    /// Unit symbol.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::HeardMs
            | Metric::TtfaMs
            | Metric::TtfaAudibleMs
            | Metric::TtfbMs
            | Metric::ConnectMs
            | Metric::TlsHandshakeMs
            | Metric::TotalMs
            | Metric::StallTotalMs
            | Metric::MinPrebufferMs
            | Metric::FirstChunkModelMs
            | Metric::WholeModelMs
            | Metric::EndOfTurnMs
            | Metric::PieceTtfaMs
            | Metric::BargeCloseMs
            | Metric::BargeReleaseMs
            | Metric::BargeNextTtfaMs => "ms",
            Metric::Rtf | Metric::InferenceRtf => "×",
            Metric::Underruns
            | Metric::UnderrunsPer10min
            | Metric::OovPhonemeChars
            | Metric::TurnPieces => "",
            Metric::IntegratedLufs => "LUFS",
            Metric::TruePeakDbtp => "dBTP",
            Metric::PeakRssMb => "MB",
            Metric::SoakTtfaDriftPct => "%",
            Metric::CapacitySustainableLevel => "",
            Metric::Mos
            | Metric::DnsmosOvrl
            | Metric::DnsmosSig
            | Metric::DnsmosBak
            | Metric::DnsmosP808 => "",
            Metric::SpeakerSimilarity | Metric::Wer | Metric::Cer | Metric::JoinSimilarityMin => "",
        }
    }

    /// Which direction is better.
    pub fn better(self) -> Better {
        match self {
            Metric::CapacitySustainableLevel
            | Metric::Mos
            | Metric::DnsmosOvrl
            | Metric::DnsmosSig
            | Metric::DnsmosBak
            | Metric::DnsmosP808
            | Metric::SpeakerSimilarity
            | Metric::JoinSimilarityMin => Better::Higher,
            // Audio properties judged against bands, not "faster is better".
            Metric::IntegratedLufs | Metric::TruePeakDbtp => Better::Target,
            _ => Better::Lower,
        }
    }

    /// The smallest change that is news (see [`Practical`]).
    pub fn practical(self) -> Practical {
        match self {
            Metric::HeardMs
            | Metric::TtfaMs
            | Metric::TtfaAudibleMs
            | Metric::TtfbMs
            | Metric::TotalMs
            | Metric::EndOfTurnMs
            | Metric::PieceTtfaMs
            | Metric::BargeNextTtfaMs => Practical::Relative(0.05),
            // Often 0 (nothing was arriving, the CPU was already idle), seen through 20 ms
            // polls: a relative threshold would call one poll news.
            Metric::BargeCloseMs | Metric::BargeReleaseMs => Practical::Absolute(25.0),
            Metric::Rtf | Metric::InferenceRtf => Practical::Relative(0.05),
            // Sub-millisecond on loopback: a relative threshold would call noise news.
            Metric::ConnectMs | Metric::TlsHandshakeMs => Practical::Absolute(5.0),
            Metric::FirstChunkModelMs | Metric::WholeModelMs => Practical::Relative(0.05),
            // A stall in one trial of ten is news.
            Metric::Underruns => Practical::Count(0.1),
            Metric::UnderrunsPer10min => Practical::Count(0.5),
            Metric::StallTotalMs | Metric::MinPrebufferMs => Practical::Absolute(50.0),
            Metric::IntegratedLufs => Practical::Absolute(1.0),
            Metric::TruePeakDbtp => Practical::Absolute(0.5),
            Metric::PeakRssMb => Practical::Relative(0.05),
            Metric::SoakTtfaDriftPct => Practical::Absolute(2.0),
            // One listener more or less is news.
            Metric::CapacitySustainableLevel => Practical::Absolute(0.5),
            // Repeated runs of the same audio path move DNSMOS by a few hundredths; a change of
            // 0.2 is beyond that and still well inside "clean" (see docs/measurements.md).
            Metric::DnsmosOvrl | Metric::DnsmosSig | Metric::DnsmosBak | Metric::DnsmosP808 => {
                Practical::Absolute(0.2)
            }
            // Clean cases spread over ≈ ±0.1 between runs (docs/measurements.md); damaged
            // weights move it by more than 2.
            Metric::Mos => Practical::Absolute(0.2),
            // The clean model's trials spread over ≈ ±0.01 (docs/measurements.md).
            Metric::SpeakerSimilarity => Practical::Absolute(0.03),
            // Short pieces embed less surely than whole utterances.
            Metric::JoinSimilarityMin => Practical::Absolute(0.05),
            // One word in twenty: greedy tiny.en moves by about that between clean runs of a
            // short text (docs/measurements.md).
            Metric::Wer | Metric::Cer => Practical::Absolute(0.05),
            // The G2P is deterministic: one word more or less unspoken is news.
            Metric::OovPhonemeChars => Practical::Count(0.5),
            // Fixed by the text and the rule: one piece more or less is news.
            Metric::TurnPieces => Practical::Count(0.5),
        }
    }

    /// A duration or speed: slower machines make it larger, so comparisons widen its threshold
    /// by how much the machine itself slowed down (its CPU calibration).
    pub fn is_timing(self) -> bool {
        matches!(
            self,
            Metric::HeardMs
                | Metric::TtfaMs
                | Metric::TtfaAudibleMs
                | Metric::TtfbMs
                | Metric::TotalMs
                | Metric::Rtf
                | Metric::InferenceRtf
                | Metric::FirstChunkModelMs
                | Metric::WholeModelMs
                | Metric::EndOfTurnMs
                | Metric::PieceTtfaMs
                | Metric::BargeCloseMs
                | Metric::BargeReleaseMs
                | Metric::BargeNextTtfaMs
        )
    }

    /// Whether the value is fixed by the input and the software rather than measured with noise
    /// (the G2P's unspoken words: every trial of a text gives the same count). `compare` judges
    /// such a change by its size alone — no number of trials makes it more certain.
    pub fn deterministic(self) -> bool {
        matches!(self, Metric::OovPhonemeChars | Metric::TurnPieces)
    }

    /// Whether the value comes from each trial (`true`) or from the run as a whole.
    pub fn per_trial(self) -> bool {
        !matches!(
            self,
            Metric::PeakRssMb | Metric::SoakTtfaDriftPct | Metric::CapacitySustainableLevel
        )
    }

    /// The value of this metric in one trial.
    pub fn trial_value(self, t: &Trial) -> Option<f64> {
        let pb = t.playback.as_ref();
        let q = t.quality.as_ref();
        let dns = t.judges.as_ref().and_then(|j| j.dnsmos.as_ref());
        match self {
            Metric::HeardMs => t.heard_ms,
            Metric::TtfaMs => t.ttfa_ms,
            Metric::TtfaAudibleMs => t.ttfa_audible_ms,
            Metric::TtfbMs => t.ttfb_ms,
            Metric::ConnectMs => t.connect_ms,
            Metric::TlsHandshakeMs => t.tls_handshake_ms,
            Metric::Rtf => t.rtf,
            Metric::InferenceRtf => t.inference_rtf,
            Metric::TotalMs => t.total_ms,
            Metric::Underruns => pb.map(|p| p.underruns as f64),
            Metric::UnderrunsPer10min => pb.map(|p| p.underruns_per_10min),
            Metric::StallTotalMs => pb.map(|p| p.stall_total_ms),
            Metric::MinPrebufferMs => pb.map(|p| p.min_prebuffer_ms),
            Metric::IntegratedLufs => q.and_then(|q| q.integrated_lufs).and_then(|v| v.finite()),
            Metric::TruePeakDbtp => q.and_then(|q| q.true_peak_dbtp.finite()),
            Metric::Mos => t.judges.as_ref().and_then(|j| j.mos),
            Metric::DnsmosOvrl => dns.map(|d| d.ovrl),
            Metric::DnsmosSig => dns.map(|d| d.sig),
            Metric::DnsmosBak => dns.map(|d| d.bak),
            Metric::DnsmosP808 => dns.map(|d| d.p808),
            Metric::SpeakerSimilarity => t.judges.as_ref().and_then(|j| j.speaker_similarity),
            Metric::Wer => t
                .judges
                .as_ref()
                .and_then(|j| j.asr.as_ref())
                .map(|a| a.wer),
            Metric::Cer => t
                .judges
                .as_ref()
                .and_then(|j| j.asr.as_ref())
                .map(|a| a.cer),
            Metric::JoinSimilarityMin => t
                .judges
                .as_ref()
                .and_then(|j| j.join_similarity.iter().flatten().copied().reduce(f64::min)),
            Metric::OovPhonemeChars => t.oov_phoneme_chars.map(f64::from),
            Metric::EndOfTurnMs => t.turn.as_ref().and_then(|u| u.end_of_turn_ms),
            Metric::PieceTtfaMs => t.turn.as_ref().and_then(|u| u.piece_ttfa_median_ms()),
            Metric::TurnPieces => t.turn.as_ref().map(|u| u.pieces.len() as f64),
            Metric::BargeCloseMs => t.barge.as_ref().map(|b| b.close_ms),
            Metric::BargeReleaseMs => t.barge.as_ref().and_then(|b| b.release_ms),
            Metric::BargeNextTtfaMs => t.barge.as_ref().and_then(|b| b.next_ttfa_ms),
            Metric::PeakRssMb
            | Metric::SoakTtfaDriftPct
            | Metric::CapacitySustainableLevel
            | Metric::FirstChunkModelMs
            | Metric::WholeModelMs => None,
        }
        .filter(|v| v.is_finite())
    }

    /// Values over the measured (warm, successful) trials of a case.
    pub fn case_values(self, case: &Case) -> Vec<f64> {
        case.measured()
            .filter_map(|t| self.trial_value(t))
            .collect()
    }

    /// Values over the measured trials of a case grouped by round, rounds in order (one group for
    /// bundles written before rounds existed): what the two-stage bootstrap resamples.
    pub fn case_rounds(self, case: &Case) -> Vec<Vec<f64>> {
        let mut rounds: std::collections::BTreeMap<u32, Vec<f64>> = Default::default();
        for t in case.measured() {
            if let Some(v) = self.trial_value(t) {
                rounds.entry(t.round.unwrap_or(0)).or_default().push(v);
            }
        }
        rounds.into_values().collect()
    }

    /// Run-level value.
    pub fn run_value(self, b: &Bundle) -> Option<f64> {
        match self {
            Metric::PeakRssMb => b
                .memory
                .as_ref()?
                .peak_rss_bytes
                .map(|v| v as f64 / 1_000_000.0),
            Metric::SoakTtfaDriftPct => b.soak.as_ref()?.ttfa_drift_pct,
            // A sweep whose every level failed sustains 0: a value, not "no data".
            Metric::CapacitySustainableLevel => {
                let c = b.capacity.as_ref()?;
                c.levels
                    .iter()
                    .any(|l| !l.interrupted && !l.requests.is_empty())
                    .then(|| c.sustainable_level.unwrap_or(0.0))
            }
            _ => None,
        }
    }

    /// Formats a value of this metric for people.
    pub fn format(self, v: f64) -> String {
        match self {
            Metric::Rtf | Metric::InferenceRtf => format!("{v:.3}"),
            Metric::Underruns | Metric::OovPhonemeChars | Metric::TurnPieces => {
                format!("{v:.1}")
            }
            Metric::UnderrunsPer10min => format!("{v:.1}"),
            Metric::IntegratedLufs | Metric::TruePeakDbtp | Metric::SoakTtfaDriftPct => {
                format!("{v:.1} {}", self.unit())
            }
            Metric::PeakRssMb => format!("{v:.0} MB"),
            Metric::Mos
            | Metric::DnsmosOvrl
            | Metric::DnsmosSig
            | Metric::DnsmosBak
            | Metric::DnsmosP808 => {
                format!("{v:.2}")
            }
            Metric::SpeakerSimilarity | Metric::JoinSimilarityMin => format!("{v:.3}"),
            Metric::Wer | Metric::Cer => format!("{:.1} %", v * 100.0),
            Metric::CapacitySustainableLevel => format!("{v}"),
            _ if v >= 10_000.0 => format!("{:.2} s", v / 1000.0),
            _ => format!("{v:.0} ms"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let mut keys: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
        for m in Metric::ALL {
            assert_eq!(Metric::from_key(m.key()), Some(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.key())
            );
        }
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), Metric::ALL.len());
    }
}
