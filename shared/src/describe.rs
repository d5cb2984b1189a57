//! A run's set-up as labelled facts: what was measured, where, with what. The run header
//! ([`crate::present::header`]) and the side-by-side set-up of a comparison ([`crate::compare`])
//! both read these, so the two never describe a run differently. Engine-only facts say "not
//! applicable" for an HTTP server instead of a blank.

use crate::schema::{Bundle, RunStatus, TargetKind};

/// What an engine-only fact says for a target that has no in-process session.
pub const NOT_APPLICABLE: &str = "not applicable (the server's or program's own)";

/// The target in words: `in-process engine`, the URL with its dialect, or `legacy import`.
pub fn target(b: &Bundle) -> String {
    match (&b.provenance.http, b.run.target) {
        (Some(h), _) => format!(
            "{} ({}{}{})",
            h.url,
            h.dialect,
            h.format
                .as_deref()
                .map(|f| format!(", {f}"))
                .unwrap_or_default(),
            if h.keep_alive { ", keep-alive" } else { "" }
        ),
        (None, TargetKind::Engine) => "in-process engine".into(),
        (None, TargetKind::Http) => "HTTP server".into(),
        (None, TargetKind::Legacy) => "legacy import".into(),
        (None, TargetKind::Scripted) => "scripted target (harness test)".into(),
        (None, TargetKind::Command) => match &b.provenance.command {
            Some(c) => command(c),
            None => "command".into(),
        },
    }
}

/// A command target in words: the command, and for a worker what it said it is.
pub fn command(c: &crate::schema::CommandTarget) -> String {
    match c.mode {
        crate::schema::CommandMode::OneShot => {
            format!("command `{}` (a process per request)", c.command)
        }
        crate::schema::CommandMode::Worker => {
            let engine = c.reported.get("engine").map(|e| {
                let v = c
                    .reported
                    .get("version")
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default();
                format!(": {e}{v}")
            });
            format!("worker `{}`{}", c.command, engine.unwrap_or_default())
        }
    }
}

/// The language a Kokoro voice was made for, from the first letter of its id (Kokoro's naming:
/// `af_heart` is American English, `jf_alpha` Japanese); `None` for ids outside that scheme.
pub fn voice_language(voice: &str) -> Option<&'static str> {
    if voice.as_bytes().get(2) != Some(&b'_') {
        return None;
    }
    Some(match voice.as_bytes()[0] {
        b'a' => "en-us",
        b'b' => "en-gb",
        b'j' => "ja",
        b'z' => "zh",
        b'e' => "es",
        b'f' => "fr",
        b'h' => "hi",
        b'i' => "it",
        b'p' => "pt-br",
        _ => return None,
    })
}

/// A warning when the voice was made for another language than the text is read in.
pub fn voice_language_mismatch(voice: &str, lang: &str) -> Option<String> {
    let made_for = voice_language(voice)?;
    (made_for != lang).then(|| {
        format!(
            "voice `{voice}` was made for {made_for} but reads {lang} text here: Kokoro voices are trained per language, so accent and quality differ from a voice made for {lang} (the timings are of the same model either way)"
        )
    })
}

/// A run status in words.
pub fn status(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Completed => "completed",
        RunStatus::Degraded => "degraded: a case has no successful trial",
        RunStatus::Failed => "FAILED: no trial succeeded",
        RunStatus::Interrupted => "interrupted",
        RunStatus::InProgress => "in progress",
    }
}

fn engine_only(b: &Bundle, value: Option<String>) -> String {
    match (value, b.run.target) {
        (Some(v), _) => v,
        (None, TargetKind::Http | TargetKind::Command) => NOT_APPLICABLE.into(),
        (None, _) => "—".into(),
    }
}

/// The set-up facts of one run, in a fixed order of labels (two runs line up by position).
pub fn facts(b: &Bundle) -> Vec<(&'static str, String)> {
    let p = &b.provenance;
    let model = p
        .model
        .as_ref()
        .map(|m| format!("{} ({})", m.name, m.sha256.get(..12).unwrap_or(&m.sha256)));
    let runtime = p
        .runtime
        .as_ref()
        .map(|r| format!("{} · {}", r.ort_version, r.registered_providers.join(", ")));
    let session = p.session.as_ref().map(|s| {
        format!(
            "{} intra / {} inter threads · optimisation {} · arena {}",
            s.intra_op_threads,
            s.inter_op_threads,
            s.graph_optimization_level,
            if s.cpu_memory_arena { "on" } else { "off" }
        )
    });
    let g2p = p.g2p.as_ref().map(|g| {
        let unknown = match &g.fallback {
            Some(f) => format!("unknown words via {f}"),
            None => "unknown words not spoken".into(),
        };
        format!("{} {} ({}) · {unknown}", g.name, g.version, g.language)
    });
    vec![
        (
            "tool commit",
            b.run.git_commit.clone().unwrap_or_else(|| "—".into()),
        ),
        (
            "machine",
            format!(
                "{} · {} threads",
                b.machine.cpu_model, b.machine.logical_cores
            ),
        ),
        ("OS", format!("{} {}", b.machine.os, b.machine.os_version)),
        ("target", target(b)),
        ("model", engine_only(b, model)),
        ("ONNX Runtime", engine_only(b, runtime)),
        ("session", engine_only(b, session)),
        ("G2P", engine_only(b, g2p)),
        (
            "strategy",
            match &b.plan.joins {
                Some(j) => format!("{} · {j} joins", b.plan.strategy),
                None => b.plan.strategy.clone(),
            },
        ),
        (
            "voice · speed",
            format!("{} · {}", b.plan.voice, b.plan.speed),
        ),
        (
            "trials",
            match b.plan.rounds {
                Some(r) => format!(
                    "{} measured per case in {r} round(s), {} warm-up each",
                    b.plan.measured_trials, b.plan.warmup_trials
                ),
                None => format!(
                    "{} warm-up + {} measured per case",
                    b.plan.warmup_trials, b.plan.measured_trials
                ),
            },
        ),
        ("pre-buffer", format!("{} ms", b.plan.prebuffer_ms)),
    ]
}

/// How text arrived, in words.
pub fn arrival(a: &crate::schema::TextArrival) -> String {
    let pace = match &a.pace {
        crate::schema::ArrivalPace::Rate {
            per_s,
            unit,
            jitter,
        } => {
            let unit = match unit {
                crate::schema::ArrivalUnit::Tokens => "tokens",
                crate::schema::ArrivalUnit::Words => "words",
            };
            if *jitter > 0.0 {
                format!("{per_s} {unit}/s (each gap ±{:.0} %)", jitter * 100.0)
            } else {
                format!("{per_s} {unit}/s")
            }
        }
        crate::schema::ArrivalPace::Trace {
            file,
            events,
            duration_ms,
            ..
        } => format!("the recorded trace {file} ({events} events over {duration_ms:.0} ms)"),
    };
    let rule = match a.aggregation {
        crate::schema::Aggregation::Sentence => "sentence",
        crate::schema::Aggregation::Clause => "clause",
    };
    format!("text arrived at {pace}, cut into requests by the {rule} rule")
}

/// `--interrupt-after` in words: `interrupted after 1.5 s heard` / `after 40 % of the audio`.
pub fn interrupt(i: Option<&crate::schema::Interrupt>) -> String {
    match i {
        None => "listened to the end".into(),
        Some(i) => match (i.after_ms, i.after_share) {
            (Some(ms), _) => format!("interrupted after {:.1} s heard", ms / 1000.0),
            (None, Some(p)) => format!("interrupted after {:.0} % of the audio", p * 100.0),
            (None, None) => format!("interrupted ({})", i.spec),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voice_of_another_language_is_named() {
        assert_eq!(voice_language("af_heart"), Some("en-us"));
        assert_eq!(voice_language("custom"), None);
        assert!(voice_language_mismatch("af_heart", "en-us").is_none());
        let w = voice_language_mismatch("jf_alpha", "en-us").unwrap();
        assert!(
            w.contains("made for ja") && w.contains("reads en-us"),
            "{w}"
        );
        assert!(
            voice_language_mismatch("bench_alpha", "en-us").is_none(),
            "not Kokoro's naming"
        );
    }

    #[test]
    fn the_g2p_says_what_became_of_words_it_could_not_pronounce() {
        let mut b = crate::testing::bundle_with_ttfa(&[1.0]);
        let g2p = |b: &Bundle| facts(b).into_iter().find(|(l, _)| *l == "G2P").unwrap().1;
        assert_eq!(g2p(&b), "—", "an engine run from before G2P provenance");
        b.provenance.g2p = Some(crate::schema::G2pInfo {
            name: "misaki-rs".into(),
            version: "0.8.0".into(),
            language: "en-us".into(),
            fallback: Some("espeak-ng 1.51".into()),
        });
        assert_eq!(
            g2p(&b),
            "misaki-rs 0.8.0 (en-us) · unknown words via espeak-ng 1.51"
        );
        b.provenance.g2p.as_mut().unwrap().fallback = None;
        assert!(g2p(&b).ends_with("unknown words not spoken"));
    }

    #[test]
    fn http_runs_say_not_applicable_instead_of_blank_engine_fields() {
        let mut b = crate::testing::bundle_with_ttfa(&[1.0]);
        let engine = facts(&b);
        assert_eq!(engine[3].1, "in-process engine");
        b.run.target = TargetKind::Http;
        b.provenance.session = None;
        b.provenance.http = Some(crate::schema::HttpTarget {
            url: "http://127.0.0.1:8880/v1/audio/speech".into(),
            dialect: "openai".into(),
            response_headers: Default::default(),
            keep_alive: false,
            format: Some("pcm".into()),
        });
        let http = facts(&b);
        assert_eq!(
            http[3].1,
            "http://127.0.0.1:8880/v1/audio/speech (openai, pcm)"
        );
        let session = http.iter().find(|(l, _)| *l == "session").unwrap();
        assert_eq!(session.1, NOT_APPLICABLE);
        let g2p = http.iter().find(|(l, _)| *l == "G2P").unwrap();
        assert_eq!(g2p.1, NOT_APPLICABLE);
        assert_eq!(engine.len(), http.len(), "labels line up by position");
    }
}
