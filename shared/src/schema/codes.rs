//! Machine-readable codes written into bundles: why a trial failed ([`ErrorKind`]), what was
//! noticed about a response ([`TrialFlag`]) and what a run note is about ([`NoteCode`]).
//!
//! They are written as the same snake_case strings bundles always carried, so old bundles read
//! unchanged; a code this build does not know (a newer writer) is kept verbatim as `Other`.
//! Writers and readers share these enums, so a code is never spelled twice.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Declares a string-coded enum: unit variants with their wire strings, plus `Other(String)`.
macro_rules! string_codes {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A code this build does not know, kept as written.
            Other(String),
        }

        impl $name {
            /// Every known code, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Other(s) => s,
                }
            }

            /// Reads a wire string (unknown strings become `Other`).
            pub fn parse(s: &str) -> $name {
                match s {
                    $( $wire => $name::$variant, )*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::parse(&String::deserialize(d)?))
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "String".into()
            }
            fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
                String::json_schema(g)
            }
        }
    };
}

string_codes! {
    /// Why a trial failed.
    pub enum ErrorKind {
        /// The request was refused before synthesis (empty text, speed out of range, unknown voice).
        Request => "request",
        /// The engine failed while synthesising.
        Synthesis => "synthesis",
        /// The engine thread is gone.
        Engine => "engine",
        /// A model call failed.
        Inference => "inference",
        /// The server answered 4xx (the run stops: the request itself is wrong).
        Http4xx => "http_4xx",
        /// The server answered 5xx.
        Http5xx => "http_5xx",
        /// The body could not be parsed as WAV or PCM.
        NotAudio => "not_audio",
        /// The response ended without a single audio sample.
        NoAudio => "no_audio",
        /// No byte arrived within the idle timeout.
        Timeout => "timeout",
        /// The whole request took longer than the request deadline.
        Deadline => "deadline",
        /// The run was stopped (Ctrl-C) while the request was in flight.
        Interrupted => "interrupted",
        /// The server answered with a redirect that was not followed.
        Redirect => "redirect",
        /// The body's Content-Encoding cannot be decoded.
        NotDecodable => "not_decodable",
        /// The stream ended before its declared end.
        StreamEndedEarly => "stream_ended_early",
        /// The connection could not be made.
        Connect => "connect",
        /// Malformed HTTP.
        Protocol => "protocol",
        /// TLS failed.
        Tls => "tls",
        /// Another IO error.
        Io => "io",
        /// The command could not be started (not found, not executable).
        Spawn => "spawn",
        /// The command exited with a failure status (its stderr is in the message).
        ExitStatus => "exit_status",
        /// The worker process died during the request (it is restarted once).
        WorkerCrashed => "worker_crashed",
        /// The worker answered the request with an error frame.
        WorkerError => "worker_error",
        /// Open-loop soak: the request was not sent because too many were in flight.
        DroppedOverload => "dropped_overload",
        /// The trial came from a legacy tool that recorded only that it failed.
        Legacy => "legacy",
    }
}

string_codes! {
    /// What a note on a run is about.
    pub enum NoteCode {
        /// A debug build: timings are not comparable with release builds.
        DebugBuild => "debug_build",
        /// How long the engine took to load.
        EngineLoad => "engine_load",
        /// Memory/CPU of the synthesising process could not be sampled.
        MemoryNotSampled => "memory_not_sampled",
        /// A scripted (fake) target produced the numbers: they describe the harness, not an engine.
        ScriptedTarget => "scripted_target",
        /// Written by older builds when their test hook slowed the engine.
        SyntheticDelay => "synthetic_delay",
        /// The server compressed audio although asked not to.
        CompressedAudio => "compressed_audio",
        /// A suite that runs after the trials failed (the message names it).
        SuiteFailed => "suite_failed",
        /// The dual suite failed (older builds).
        DualFailed => "dual_failed",
        /// The hardware suite failed (older builds).
        HardwareFailed => "hardware_failed",
        /// The providers suite failed (older builds).
        ProvidersFailed => "providers_failed",
        /// The run was interrupted.
        Interrupted => "interrupted",
        /// Some files (WAVs, traces) could not be written.
        ArtifactsLost => "artifacts_lost",
        /// The cache-busting nonce made every request speak more audio.
        NonceAddsAudio => "nonce_adds_audio",
        /// Requests went through a proxy.
        ViaProxy => "via_proxy",
        /// The capacity suite loaded extra engine sessions (how many, threads, load time).
        CapacitySessions => "capacity_sessions",
        /// This run is one shard of a capacity sweep shared by several runners.
        CapacityShard => "capacity_shard",
        /// This run merges the shards of one capacity sweep (which, their clocks, late levels).
        ShardsMerged => "shards_merged",
        /// A capacity sweep of many listeners opened a new connection per request.
        CapacityConnections => "capacity_connections",
        /// Other work competed with the benchmark.
        NoisyMachine => "noisy_machine",
        /// Imported from the legacy run_bench.py format.
        LegacyImport => "legacy_import",
        /// Some trials of a migrated bundle have no heard-speech latency.
        HeardNotAvailable => "heard_not_available",
        /// The voice was made for another language than the text is read in.
        VoiceLanguage => "voice_language",
        /// Some case (or the whole run) has no successful trial.
        NothingMeasured => "nothing_measured",
        /// The judges suite could not judge (models not set up, no kept audio): skipped, not passed.
        JudgesSkipped => "judges_skipped",
        /// The legacy file dropped failed trials.
        LegacyDroppedFailures => "legacy_dropped_failures",
        /// A legacy gate result, kept for reference.
        LegacyGate => "legacy_gate",
        /// The G2P could not pronounce some words (no fallback): they were not spoken.
        UnspokenWords => "unspoken_words",
    }
}

string_codes! {
    /// A suite: one kind of measurement a run can include (`--suite`).
    pub enum SuiteKind {
        /// Time to first audio (the trial loop).
        Ttfa => "ttfa",
        /// Real-time factor (the trial loop).
        Rtf => "rtf",
        /// Chunk cadence and the playback-clock simulation, per trial.
        Streaming => "streaming",
        /// Loudness, true peak and audio checks, per trial.
        Quality => "quality",
        /// RSS/CPU of the synthesising process through the run.
        Memory => "memory",
        /// Endurance: many requests over a duration or a count.
        Soak => "soak",
        /// Execution providers / session options on the same tokens.
        Providers => "providers",
        /// A fixed workload to line machines up.
        Hardware => "hardware",
        /// Two sessions behind a router against one.
        Dual => "dual",
        /// Listeners (or requests per second) served before speech stutters.
        Capacity => "capacity",
        /// The same cases on several targets, interleaved trial by trial.
        Versus => "versus",
        /// Models that listen to the kept audio: predicted quality (DNSMOS), after the trials.
        Judges => "judges",
        /// Voice-agent turns: text arriving like a language model's output, per turn size.
        Agent => "agent",
    }
}

/// Something noticed about one trial's response.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrialFlag {
    /// The body had this `Content-Encoding` (decoded here when possible); compression can
    /// hide streaming. Written `content_encoding_<name>`, e.g. `content_encoding_gzip`.
    ContentEncoding(String),
    /// A kept-alive connection carried the request.
    ConnectionReused,
    /// A kept-alive connection had been closed by the server; the request was sent again.
    ConnectionRetried,
    /// The request went through a proxy (the environment's `http(s)_proxy`).
    ViaProxy,
    /// The stream ended with this many bytes of an incomplete sample frame.
    TruncatedFrame(u64),
    /// A flag this build does not know, kept as written.
    Other(String),
}

impl TrialFlag {
    /// The wire string, e.g. `truncated_frame_1_bytes`.
    pub fn to_wire(&self) -> String {
        match self {
            TrialFlag::ContentEncoding(name) => format!("content_encoding_{name}"),
            TrialFlag::ConnectionReused => "connection_reused".into(),
            TrialFlag::ConnectionRetried => "connection_retried".into(),
            TrialFlag::ViaProxy => "via_proxy".into(),
            TrialFlag::TruncatedFrame(n) => format!("truncated_frame_{n}_bytes"),
            TrialFlag::Other(s) => s.clone(),
        }
    }

    /// Reads a wire string (unknown strings become `Other`).
    pub fn parse(s: &str) -> TrialFlag {
        if let Some(name) = s
            .strip_prefix("content_encoding_")
            .filter(|n| !n.is_empty())
        {
            return TrialFlag::ContentEncoding(name.to_string());
        }
        match s {
            "connection_reused" => TrialFlag::ConnectionReused,
            "connection_retried" => TrialFlag::ConnectionRetried,
            "via_proxy" => TrialFlag::ViaProxy,
            _ => s
                .strip_prefix("truncated_frame_")
                .and_then(|r| r.strip_suffix("_bytes"))
                .and_then(|n| n.parse().ok())
                .map(TrialFlag::TruncatedFrame)
                .unwrap_or_else(|| TrialFlag::Other(s.to_string())),
        }
    }
}

impl fmt::Display for TrialFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl Serialize for TrialFlag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for TrialFlag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(TrialFlag::parse(&String::deserialize(d)?))
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for TrialFlag {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "String".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_wire_strings() {
        for k in ErrorKind::KNOWN {
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(serde_json::from_str::<ErrorKind>(&json).unwrap(), *k);
        }
        for n in NoteCode::KNOWN {
            assert_eq!(NoteCode::parse(n.as_str()), *n);
        }
        assert_eq!(ErrorKind::parse("http_4xx"), ErrorKind::Http4xx);
        assert_eq!(
            ErrorKind::parse("brand_new"),
            ErrorKind::Other("brand_new".into())
        );
        assert_eq!(ErrorKind::Other("x".into()).as_str(), "x");
        for f in [
            TrialFlag::ContentEncoding("gzip".into()),
            TrialFlag::ContentEncoding("br".into()),
            TrialFlag::ConnectionReused,
            TrialFlag::ConnectionRetried,
            TrialFlag::ViaProxy,
            TrialFlag::TruncatedFrame(3),
            TrialFlag::Other("odd".into()),
        ] {
            assert_eq!(TrialFlag::parse(&f.to_wire()), f);
        }
        assert_eq!(
            TrialFlag::TruncatedFrame(1).to_wire(),
            "truncated_frame_1_bytes"
        );
    }
}
