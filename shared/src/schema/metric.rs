//! The metric keys a bundle's gates name (definitions live in [`crate::metrics`]).

use serde::{Deserialize, Serialize};

/// A metric kokoro-bench reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Heard-speech latency: when a real-time player plays the first audible window, ms.
    HeardMs,
    /// Time to the first audio sample delivered, ms.
    TtfaMs,
    /// Time to the first audible sample, ms.
    TtfaAudibleMs,
    /// Time to the first response byte (HTTP), ms.
    TtfbMs,
    /// HTTP: name resolution and TCP connect, ms (inside TTFB).
    ConnectMs,
    /// HTTP over TLS: the handshake, ms (inside TTFB).
    TlsHandshakeMs,
    /// Wall time to the last sample / audio seconds.
    Rtf,
    /// Model time / audio seconds (engine).
    InferenceRtf,
    /// Wall time to the last sample, ms.
    TotalMs,
    /// Stalls of the simulated player per trial.
    Underruns,
    /// Stalls per 10 minutes of audio.
    #[serde(rename = "underruns_per_10min")]
    UnderrunsPer10min,
    /// Total stall time per trial, ms.
    StallTotalMs,
    /// Pre-buffer needed to avoid all stalls, ms.
    MinPrebufferMs,
    /// Integrated loudness, LUFS.
    IntegratedLufs,
    /// True peak, dBTP.
    TruePeakDbtp,
    /// Peak RSS of the synthesising process over the run, MB (run-level).
    PeakRssMb,
    /// Model time of the first progressive chunk, ms (providers suite).
    FirstChunkModelMs,
    /// Model time of the whole text, ms (providers suite).
    WholeModelMs,
    /// Soak TTFA drift first → last window, percent (run-level).
    SoakTtfaDriftPct,
    /// Capacity: the most listeners (or requests/s) served within the SLO (run-level).
    CapacitySustainableLevel,
    /// DistillMOS predicted mean opinion score of a trial's kept audio (judges suite), 1–5.
    Mos,
    /// DNSMOS P.835 overall quality of a trial's kept audio (judges suite), 1–5.
    DnsmosOvrl,
    /// DNSMOS P.835 speech signal quality, 1–5.
    DnsmosSig,
    /// DNSMOS P.835 background (noise) quality, 1–5.
    DnsmosBak,
    /// DNSMOS P.808 overall quality, 1–5.
    #[serde(rename = "dnsmos_p808")]
    DnsmosP808,
    /// Speaker similarity of a trial's kept audio to the voice's reference print (judges suite).
    SpeakerSimilarity,
    /// Word error rate of Whisper's transcript of a trial's kept audio against the text sent
    /// (judges suite), 0 = every word heard.
    Wer,
    /// Character error rate of the same transcript.
    Cer,
    /// The lowest speaker similarity between consecutive streamed pieces of a trial (judges
    /// suite, engine targets).
    JoinSimilarityMin,
    /// Phoneme characters dropped before synthesis in a trial — about one per word the G2P could
    /// not pronounce, so not spoken (engine target; 0 when every word was spoken).
    OovPhonemeChars,
    /// `--text-arrival`: the last token → the listener hears the end of the turn's audio, ms.
    EndOfTurnMs,
    /// `--text-arrival`: the median over a turn's pieces of each request's own time to first
    /// audio, ms.
    PieceTtfaMs,
    /// `--text-arrival`: requests a turn was cut into (fixed by the text and the aggregator).
    TurnPieces,
    /// `--interrupt-after`: the listener interrupted → the stream ended on our side, ms.
    BargeCloseMs,
    /// `--interrupt-after`: the listener interrupted → the serving process's CPU back at idle, ms.
    BargeReleaseMs,
    /// `--interrupt-after`: the next request's time to first audio, sent right after the
    /// interrupted stream closed, ms.
    BargeNextTtfaMs,
}
