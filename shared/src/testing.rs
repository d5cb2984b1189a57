//! Test helpers: small bundles built in code.

use crate::schema::*;

/// A one-case (`medium`, 140 chars) bundle whose measured trials have the given TTFAs.
pub fn bundle_with_ttfa(ttfa_ms: &[f64]) -> Bundle {
    let trials = ttfa_ms
        .iter()
        .enumerate()
        .map(|(i, &t)| Trial {
            index: i as u32,
            kind: TrialKind::Warm,
            ttfa_ms: Some(t),
            total_ms: Some(t * 4.0),
            samples: 24_000 * 3,
            sample_rate_hz: 24_000,
            audio_s: 3.0,
            rtf: Some(t * 4.0 / 3000.0),
            ..Default::default()
        })
        .collect();
    let run = RunMeta {
        id: "test-run".into(),
        started_at: "2026-01-01T00:00:00Z".into(),
        started_unix_ms: 1_767_225_600_000,
        finished_at: None,
        finished_unix_ms: None,
        tool: "test".into(),
        git_commit: None,
        build_profile: "release".into(),
        command_line: vec![],
        status: RunStatus::Completed,
        target: TargetKind::Engine,
    };
    let machine = Machine {
        cpu_model: "Test CPU".into(),
        logical_cores: 2,
        ..Default::default()
    };
    let plan = Plan {
        suites: vec![crate::schema::SuiteKind::Ttfa],
        measured_trials: ttfa_ms.len() as u32,
        strategy: "progressive".into(),
        voice: "v".into(),
        speed: 1.0,
        audible_threshold_dbfs: Some(-50.0),
        nonce_per_trial: true,
        ..Default::default()
    };
    Bundle {
        provenance: Provenance {
            voice_id: "v".into(),
            corpus: vec![CorpusText {
                id: "medium".into(),
                text: "x".repeat(140),
                sha256: "abc".into(),
                chars: 140,
            }],
            ..Default::default()
        },
        cases: vec![Case {
            id: "medium".into(),
            chars: 140,
            phonemes: Some(120),
            oov_phoneme_chars: 0,
            trials,
        }],
        ..Bundle::new(run, machine, plan)
    }
}
