//! The CLI end to end on the real model: run → bundle → validate / compare / migrate, the
//! synthetic slow producer, and the documented errors (exit 2).

mod common;

use common::bin;
use kokoro_bench_bundle::read_bundle;
use std::path::{Path, PathBuf};

fn run_bench(out: &Path, extra: &[&str]) -> (i32, String, String) {
    common::assets();
    let o = bin()
        .arg("run")
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn only_bundle(out: &Path) -> PathBuf {
    let runs: Vec<_> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1);
    runs[0].join("bundle.json")
}

#[test]
fn run_writes_a_bundle_that_validates_and_compares_with_itself() {
    let out = common::tempdir("run");
    let (csv, md, json) = (out.join("r.csv"), out.join("r.md"), out.join("r.json"));
    std::fs::create_dir_all(&out).unwrap();
    let (code, stdout, stderr) = run_bench(
        &out,
        &[
            "--preset",
            "short",
            "--trials",
            "3",
            "--json",
            "-v",
            "--export-csv",
            csv.to_str().unwrap(),
            "--export-markdown",
            md.to_str().unwrap(),
            "--export-json",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(" (warm): heard_ms "),
        "-v prints a line per trial: {stderr}"
    );
    exports_agree_with_the_bundle(&out, &csv, &md, &json);
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["cases"][0]["n"], 3);
    let bundle_path = only_bundle(&out);
    let b = read_bundle(&std::fs::read(&bundle_path).unwrap())
        .unwrap()
        .bundle;
    let c = &b.cases[0];
    assert_eq!(
        c.trials.len(),
        1 + 3 + 3,
        "the cold start, then 3 rounds of a warm-up and a measured trial"
    );
    assert_eq!(
        c.trials[0].kind,
        kokoro_bench_bundle::schema::TrialKind::Cold
    );
    assert_eq!(
        c.measured().count(),
        3,
        "--trials 3 is three measured trials"
    );
    assert!(
        c.trials.iter().all(|t| t.contention.is_some()),
        "every trial says what else ran"
    );
    assert!(
        b.probes
            .iter()
            .any(|p| p.kind == kokoro_bench_bundle::schema::ProbeKind::Engine),
        "the engine probe ran between cases"
    );
    for t in c.measured() {
        let ttfa = t.ttfa_ms.unwrap();
        assert!(ttfa > 0.0 && ttfa <= t.total_ms.unwrap());
        assert!(t.ttfa_audible_ms.unwrap() >= ttfa);
        assert!(t.rtf.unwrap() > 0.0 && t.audio_s > 1.0);
        assert!(t.playback.is_some() && t.quality.is_some());
        assert_eq!(t.chunks.len(), t.chunks.samples.len());
    }
    // Artifacts: WAV of the first measured trial, traces, summary, index.
    let dir = bundle_path.parent().unwrap();
    let audio = c
        .measured()
        .find_map(|t| t.audio.clone())
        .expect("first measured trial keeps its audio");
    let wav = std::fs::read(dir.join(&audio.path)).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    assert_eq!(kokoro_bench::fsutil::sha256_hex(&wav), audio.sha256);
    assert!(dir.join("summary.md").is_file());
    let index: kokoro_bench_bundle::index::RunIndex =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    assert_eq!(index.runs[0].id, b.run.id);
    let mem = b.memory.as_ref().unwrap();
    assert!(
        mem.peak_rss_bytes.unwrap() > 100_000_000,
        "the engine's own process holds the model"
    );

    let v = bin().arg("validate").arg(&bundle_path).output().unwrap();
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let cmp = bin()
        .arg("compare")
        .arg(&bundle_path)
        .arg(&bundle_path)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&cmp.stdout);
    assert_eq!(cmp.status.code(), Some(0), "{table}");
    assert!(!table.contains("REGRESSED"));
    assert!(table.contains("TTFA"));
    let json = bin()
        .args(["compare", "--json"])
        .arg(&bundle_path)
        .arg(&bundle_path)
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(0));
    let parsed: Vec<kokoro_bench_bundle::compare::Comparison> =
        serde_json::from_slice(&json.stdout).expect("compare --json is an array of comparisons");
    assert_eq!(parsed.len(), 1);
    assert!(parsed[0].rows.iter().any(|r| r.metric.key() == "ttfa_ms"));
    assert!(parsed[0].setup.iter().all(|l| !l.differs()));
}

#[test]
fn slow_producer_underruns_in_the_playback_simulation() {
    let out = common::tempdir("slow");
    // A scripted producer: 1 s of audio, then the next chunk 1.5 s later — the player must stall
    // for about 0.5 s before it arrives, and once more before the third.
    let (code, _, stderr) = run_bench(
        &out,
        &[
            "--target",
            "fake",
            "--fake-script",
            "100:1000,1500:2000,2600:500",
            "--preset",
            "medium",
            "--trials",
            "1",
            "--warmup",
            "0",
            "--suite",
            "ttfa,rtf,streaming",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let b = read_bundle(&std::fs::read(only_bundle(&out)).unwrap())
        .unwrap()
        .bundle;
    let t = &b.cases[0].trials[0];
    let p = t.playback.as_ref().unwrap();
    // Expected stalls from first principles: chunk i (i ≥ 1) stalls the player when the audio
    // delivered before it runs out before it arrives, given playback started at chunk 0.
    let sr = t.sample_rate_hz as f64;
    let mut delivered_ms = 0.0;
    let mut play_clock = t.chunks.t_ms[0];
    let mut expected = 0;
    let mut expected_stall = 0.0;
    for i in 0..t.chunks.len() {
        let arrival = t.chunks.t_ms[i];
        let runs_out = play_clock + delivered_ms;
        if i > 0 && arrival > runs_out {
            expected += 1;
            expected_stall += arrival - runs_out;
            play_clock += arrival - runs_out;
        }
        delivered_ms += t.chunks.samples[i] as f64 * 1000.0 / sr;
    }
    assert_eq!(expected, 2, "the script starves the player twice");
    assert_eq!(p.underruns, expected);
    assert!(
        (p.stall_total_ms - expected_stall).abs() < 1.0,
        "{} vs {expected_stall}",
        p.stall_total_ms
    );
    assert!(p.min_prebuffer_ms > 0.0);
    assert!(b.has_note(&kokoro_bench_bundle::schema::NoteCode::ScriptedTarget));
    assert_eq!(
        b.run.target,
        kokoro_bench_bundle::schema::TargetKind::Scripted
    );
}

/// The three `--export-*` files hold the bundle's numbers: every measured trial's TTFA in the
/// CSV, the same median in CSV, Markdown and JSON.
fn exports_agree_with_the_bundle(out: &Path, csv: &Path, md: &Path, json: &Path) {
    let b = read_bundle(&std::fs::read(only_bundle(out)).unwrap())
        .unwrap()
        .bundle;
    let c = &b.cases[0];
    let csv = std::fs::read_to_string(csv).unwrap();
    for t in &c.trials {
        let row = format!("trial,short,{},", t.index);
        let value = format!(",ttfa_ms,ms,{},", t.ttfa_ms.unwrap());
        assert!(
            csv.lines()
                .any(|l| l.starts_with(&row) && l.contains(&value)),
            "trial {} missing from the CSV:\n{csv}",
            t.index
        );
    }
    let ttfa: Vec<f64> = c.measured().filter_map(|t| t.ttfa_ms).collect();
    let median = kokoro_bench_bundle::stats::median(&ttfa).unwrap();
    assert!(
        csv.contains(&format!("summary,short,,warm,ttfa_ms,ms,,3,{median},")),
        "{csv}"
    );
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    let s = j["summaries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metric"] == "ttfa_ms")
        .unwrap();
    assert_eq!(s["median"].as_f64(), Some(median));
    assert_eq!(j["run_id"], b.run.id.as_str());
    let md = std::fs::read_to_string(md).unwrap();
    assert!(
        md.contains(&format!("| TTFA (first sample) | {:.0} ms |", median)),
        "{md}"
    );
}

#[test]
fn completions_cover_every_command_and_flag() {
    for shell in ["bash", "zsh", "fish"] {
        let o = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&o.stdout);
        for word in ["history", "export-csv", "suite", "versus"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
}

#[test]
fn bad_inputs_exit_2_with_what_why_and_how() {
    let out = common::tempdir("bad");
    let (code, _, err) = run_bench(&out, &["--preset", "huge"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown preset `huge`") && err.contains("medium"),
        "{err}"
    );
    let (code, _, err) = run_bench(&out, &["--speed", "3"]);
    assert_eq!(code, 2);
    assert!(err.contains("--speed 3 is outside 0.5–2.0"), "{err}");
    let (code, _, err) = run_bench(&out, &["--model", "/nonexistent/model.onnx"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/model.onnx"), "{err}");
    let (code, _, err) = run_bench(&out, &["--voice", "af_nobody", "--trials", "1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("af_nobody") && err.contains("jf_alpha"),
        "{err}"
    );
    let gates = out.join("gates.json");
    std::fs::write(&gates, r#"{"gates": [{"metric": "warp_speed", "max": 1}]}"#).unwrap();
    let (code, _, err) = run_bench(&out, &["--gates", gates.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("warp_speed") && err.contains("gates.json"),
        "{err}"
    );
    std::fs::write(
        &gates,
        r#"{"gates": [{"metric": "judges.mos", "max_decrease": 0.5}]}"#,
    )
    .unwrap();
    let (code, _, err) = run_bench(&out, &["--gates", gates.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("relative to a baseline") && err.contains("\"baseline\""),
        "{err}"
    );
    std::fs::write(
        &gates,
        r#"{"baseline": "no-such-run/bundle.json", "gates": [{"metric": "judges.mos", "max_decrease": 0.5}]}"#,
    )
    .unwrap();
    let (code, _, err) = run_bench(&out, &["--gates", gates.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-run/bundle.json"), "{err}");
    let (code, _, err) = run_bench(&out, &["--export-csv", "/nonexistent-dir/r.csv"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--export-csv") && err.contains("/nonexistent-dir/r.csv"),
        "{err}"
    );
    assert!(
        !out.join("runs").exists(),
        "nothing is written for a run that could not start"
    );

    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/invalid");
    let v = bin()
        .arg("validate")
        .arg(fixtures.join("wrong-type.json"))
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(2));
    let e = String::from_utf8_lossy(&v.stderr);
    assert!(
        e.contains("cases[0].trials[2].ttfa_ms") && e.contains("wrong-type.json"),
        "{e}"
    );
    let v = bin()
        .arg("validate")
        .arg(fixtures.join("newer-schema.json"))
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&v.stderr).contains("newer kokoro-bench"));
}

#[test]
fn migrate_converts_a_legacy_result_and_keeps_a_backup() {
    let dir = common::tempdir("migrate");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/legacy/run_bench_v2_stream.json");
    let f = dir.join("old.json");
    std::fs::copy(&src, &f).unwrap();
    let o = bin().arg("migrate").arg(&f).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read(dir.join("old.json.bak")).unwrap(),
        std::fs::read(&src).unwrap()
    );
    let l = read_bundle(&std::fs::read(&f).unwrap()).unwrap();
    assert_eq!(l.origin, kokoro_bench_bundle::Origin::Current);
    assert!(l.bundle.untrusted("ttfa_ms").is_some());
    let schema = bin().arg("schema").output().unwrap();
    let s: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    assert_eq!(s["title"], "Bundle");
}

#[test]
fn a_short_soak_yields_a_drift_figure_and_a_memory_series() {
    let out = common::tempdir("soak");
    let (code, _, stderr) = run_bench(
        &out,
        &[
            "--preset",
            "short",
            "--trials",
            "1",
            "--warmup",
            "0",
            "--suite",
            "ttfa,rtf,memory,soak",
            "--iterations",
            "6",
            "--soak-windows",
            "2",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let b = read_bundle(&std::fs::read(only_bundle(&out)).unwrap())
        .unwrap()
        .bundle;
    let s = b.soak.as_ref().expect("soak result");
    assert_eq!(s.requests, 6);
    assert_eq!(s.request_ttfa_ms.iter().filter(|t| t.is_some()).count(), 6);
    assert_eq!(s.window_ttfa_p50_ms.len(), 2);
    let drift = s.ttfa_drift_pct.expect("a drift figure");
    let ci = s.ttfa_drift_ci95.unwrap();
    assert!(ci[0] <= drift && drift <= ci[1]);
    assert!(
        s.window_rss_bytes.iter().all(|r| r.is_some()),
        "RSS per window from the memory series"
    );
    let m = b.memory.as_ref().unwrap();
    assert!(
        m.mark_label
            .iter()
            .filter(|l| l.starts_with("soak:"))
            .count()
            == 6
    );
    assert!(
        stderr.contains("## Soak") && stderr.contains("6 requests (1 concurrent)"),
        "{stderr}"
    );
    // Soak flags without the soak suite are a usage error.
    let (code, _, err) = run_bench(&out, &["--iterations", "3"]);
    assert_eq!(code, 2);
    assert!(err.contains("--suite soak"), "{err}");
}

#[test]
fn providers_matrix_reports_every_variant_and_skips_the_impossible_one() {
    let out = common::tempdir("providers");
    let (code, _, stderr) = run_bench(
        &out,
        &[
            "--preset",
            "short",
            "--trials",
            "2",
            "--suite",
            "providers,hardware",
            "--churn-cycles",
            "2",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let b = read_bundle(&std::fs::read(only_bundle(&out)).unwrap())
        .unwrap()
        .bundle;
    assert!(b.cases.is_empty(), "no trial suites were asked for");
    let p = b.providers.as_ref().unwrap();
    assert_eq!(p.reference, "cpu-2t");
    let ran: Vec<_> = p.variants.iter().filter(|v| v.skipped.is_none()).collect();
    assert_eq!(
        ran.len(),
        4,
        "the default Linux matrix has four CPU variants"
    );
    for v in &ran {
        assert_eq!(
            v.registered_providers,
            vec!["CPUExecutionProvider".to_string()]
        );
        assert!(
            v.node_placement
                .get("CPUExecutionProvider")
                .copied()
                .unwrap_or(0)
                > 100,
            "{:?}",
            v.node_placement
        );
        assert!(v.session_create_ms.unwrap() > 0.0 && v.first_inference_ms.unwrap() > 0.0);
        let c = &v.cases[0];
        assert_eq!(c.first_chunk_ms.len(), 2);
        assert_eq!(c.whole_ms.len(), 2);
        assert!(c.audio_s > 1.0);
        if v.name != p.reference {
            let d = c.drift.as_ref().expect("drift against the reference");
            assert!(d.correlation.0 > 0.9 && d.snr_db > 20.0, "{d:?}");
        }
        assert_eq!(v.churn.as_ref().unwrap().rss_mb.len(), 2);
    }
    let coreml = p.variants.iter().find(|v| v.name == "coreml-all").unwrap();
    let why = coreml
        .skipped
        .as_deref()
        .expect("CoreML cannot run on Linux");
    assert!(
        why.contains("CoreMLExecutionProvider is not in this ONNX Runtime build"),
        "{why}"
    );
    assert!(
        coreml.registered_providers.is_empty(),
        "never silently run on CPU under another name"
    );
    let h = b.hardware.as_ref().unwrap();
    assert_eq!(h.inference_ms.len(), 5);
    assert!(!b.machine.power_hints.is_empty());
    assert_eq!(kokoro_bench_bundle::compare::compare_variants(p).len(), 3);
    assert!(
        p.accelerator_activity.starts_with("not applicable"),
        "{}",
        p.accelerator_activity
    );
    assert!(
        p.accelerator_idle.is_none() && p.variants.iter().all(|v| v.accelerator.is_none()),
        "no accelerator numbers where none can be measured"
    );
    assert!(
        p.variants.iter().all(|v| v.flags.is_empty()),
        "the default matrix has no twins and CPU takes every node: {:?}",
        p.variants.iter().map(|v| &v.flags).collect::<Vec<_>>()
    );
}

#[test]
fn dual_sessions_are_measured_against_one_session_with_the_same_threads() {
    let out = common::tempdir("dual");
    let (code, _, stderr) = run_bench(
        &out,
        &[
            "--preset",
            "short,medium",
            "--suite",
            "ttfa,memory,dual",
            "--trials",
            "1",
            "--warmup",
            "0",
            "--dual-levels",
            "1,2",
            "--dual-requests-per-client",
            "2",
            "--dual-policy",
            "round-robin",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let b = read_bundle(&std::fs::read(only_bundle(&out)).unwrap())
        .unwrap()
        .bundle;
    // The run's peak RSS covers the measured trials only: the dual suite's extra sessions come
    // after the window (their samples stay in the series, after the `dual` mark).
    let m = b.memory.as_ref().expect("memory series");
    let end = m
        .peak_window_end_ms
        .expect("peak window closed before the dual suite");
    let in_window = m
        .t_ms
        .iter()
        .zip(&m.rss_bytes)
        .filter(|(t, _)| **t <= end)
        .map(|(_, &r)| r)
        .max();
    assert_eq!(m.peak_rss_bytes, in_window);
    let dual_mark = m.mark_label.iter().position(|l| l == "dual").unwrap();
    assert!(m.mark_t_ms[dual_mark] >= end);
    assert!(
        m.t_ms.last().unwrap() > &end,
        "samples continue through the dual suite"
    );
    let d = b.dual.as_ref().expect("dual result");
    assert_eq!(d.policy, "round_robin");
    assert_eq!(d.total_threads, 2);
    let modes: Vec<(&str, u32)> = d
        .levels
        .iter()
        .map(|l| (l.mode.as_str(), l.concurrency))
        .collect();
    assert_eq!(
        modes,
        vec![("single", 1), ("single", 2), ("dual", 1), ("dual", 2)]
    );
    for l in &d.levels {
        assert_eq!(l.ttfa_ms.len(), (l.concurrency * 2) as usize);
        assert!(l.ttfa_ms.iter().all(|t| t.is_some()), "{l:?}");
        // Throughput is a measurement, not a pass mark (this machine is shared and noisy).
        assert!(l.audio_s_per_s > 0.0, "{l:?}");
        match l.mode.as_str() {
            "single" => assert!(l.served_by.iter().all(|&s| s == 0)),
            _ => assert!(
                l.served_by.contains(&0) && l.served_by.contains(&1),
                "round robin uses both sessions: {:?}",
                l.served_by
            ),
        }
    }
    assert!(stderr.contains("Dual sessions"), "{stderr}");
}

/// A tmpfs of `kib` KiB mounted on a fresh folder (the test runs as root, as CI does); unmounted
/// when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn new(tag: &str, kib: u32) -> SmallDisk {
        let dir = common::tempdir(tag);
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(&dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "mounting a {kib} KiB tmpfs on {} failed: this test needs root (CI runs as root)",
            dir.display()
        );
        SmallDisk(dir)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(leftovers(&p));
        } else if p.to_string_lossy().contains(".tmp-") {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_full_disk_loses_files_not_measurements() {
    // Room for the bundle of a small scripted run, not for its WAVs (2 s of audio ≈ 96 KB each).
    let disk = SmallDisk::new("diskfull", 64);
    let args = [
        "--target",
        "fake",
        "--fake-script",
        "5:2000",
        "--preset",
        "short",
        "--warmup",
        "0",
        "--trials",
        "3",
        "--suite",
        "ttfa,rtf,streaming",
        "--save-audio",
        "all",
    ];
    let (code, _, stderr) = run_bench(&disk.0, &args);
    assert_eq!(code, 0, "{stderr}");
    let b = read_bundle(&std::fs::read(only_bundle(&disk.0)).unwrap())
        .unwrap()
        .bundle;
    assert_eq!(
        b.cases[0].trials.len(),
        4,
        "every measurement (the cold request and three measured) is in the bundle"
    );
    let lost = b
        .notes
        .iter()
        .find(|n| n.code == kokoro_bench_bundle::schema::NoteCode::ArtifactsLost)
        .expect("the lost WAVs are named");
    assert!(lost.message.contains(".wav"), "{}", lost.message);
    assert!(
        b.cases[0].trials.iter().all(|t| t.audio.is_none()),
        "no reference to a file that is not there"
    );
    assert!(
        leftovers(&disk.0).is_empty(),
        "no temporary file left behind: {:?}",
        leftovers(&disk.0)
    );

    // Not even the bundle fits: the run says so, with what it measured, and exits 2.
    let tiny = SmallDisk::new("diskfull-tiny", 8);
    let (code, _, stderr) = run_bench(&tiny.0, &args);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("could not write the final bundle") && stderr.contains("is the disk full?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("measured 4 trial(s) in 1 case(s)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("| short (61 chars) | 3 | 0 |"),
        "the numbers are shown once: {stderr}"
    );
    assert!(leftovers(&tiny.0).is_empty(), "{:?}", leftovers(&tiny.0));
}

#[test]
fn two_runs_of_the_same_build_never_regress_or_improve() {
    // The scripted target: the same schedule twice, with the run-to-run noise of this machine.
    let out = common::tempdir("same-build");
    let args = [
        "--target",
        "fake",
        "--fake-script",
        "40:600:100,120:900",
        "--preset",
        "short,medium",
        "--warmup",
        "1",
        "--trials",
        "8",
        "--suite",
        "ttfa,rtf,streaming,quality",
    ];
    for _ in 0..2 {
        let (code, _, err) = run_bench(&out, &args);
        assert_eq!(code, 0, "{err}");
    }
    let mut runs: Vec<PathBuf> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path().join("bundle.json"))
        .collect();
    runs.sort();
    for (a, b) in [(&runs[0], &runs[1]), (&runs[0], &runs[0])] {
        let o = bin()
            .arg("compare")
            .arg(a)
            .arg(b)
            .arg("--json")
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let c: Vec<kokoro_bench_bundle::compare::Comparison> =
            serde_json::from_slice(&o.stdout).unwrap();
        for r in &c[0].rows {
            assert!(
                !matches!(
                    r.verdict,
                    kokoro_bench_bundle::compare::Verdict::Regressed
                        | kokoro_bench_bundle::compare::Verdict::Improved
                ),
                "{} {:?}: {:?} — {}",
                r.metric.key(),
                r.case,
                r.verdict,
                r.reason
            );
        }
        assert!(
            c[0].not_like_for_like.is_empty(),
            "{:?}",
            c[0].not_like_for_like
        );
    }
}

#[test]
fn a_word_misaki_cannot_pronounce_goes_to_espeak_ng_or_is_counted_and_said() {
    // misaki-rs has no pronunciation for "Patel". With espeak-ng installed (the test command
    // installs it) the engine asks it, as misaki's Python fallback does; without, the word is
    // dropped — counted per trial and case, warned about, and a gate on the metric fails.
    let run = |out: &Path, path_env: Option<&str>, exit: i32| {
        common::assets();
        std::fs::create_dir_all(out).unwrap();
        let gates = out.join("gates.json");
        std::fs::write(
            &gates,
            r#"{"gates": [{"id": "every-word-spoken", "metric": "oov_phoneme_chars",
                "stat": "max", "max": 0}], "min_samples": 1}"#,
        )
        .unwrap();
        let mut cmd = bin();
        cmd.args(["run", "--out"])
            .arg(out)
            .arg("--gates")
            .arg(&gates)
            .args([
                "--text",
                "Dr. Patel said the results would be ready.",
                "--warmup",
                "0",
                "--trials",
                "2",
            ]);
        if let Some(p) = path_env {
            cmd.env("PATH", p);
        }
        let o = cmd.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(exit),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let b: serde_json::Value =
            serde_json::from_slice(&std::fs::read(only_bundle(out)).unwrap()).unwrap();
        b
    };
    let with = run(&common::tempdir("espeak-fallback"), None, 0);
    let g2p = with.to_string();
    assert!(
        g2p.contains(r#""fallback":"espeak-ng "#),
        "{}",
        with["target"]
    );
    assert_eq!(
        with["cases"][0]["oov_phoneme_chars"], 0,
        "{}",
        with["cases"][0]
    );
    assert_eq!(with["cases"][0]["trials"][0]["oov_phoneme_chars"], 0);
    let without = run(&common::tempdir("unspoken"), Some("/nonexistent"), 1);
    let gate = &without["gates"][0];
    assert_eq!(gate["rule"]["id"], "every-word-spoken");
    assert_eq!(gate["status"], "fail", "{gate}");
    assert_eq!(with["gates"][0]["status"], "pass", "{}", with["gates"]);
    assert!(!without.to_string().contains(r#""fallback":"#));
    assert_eq!(without["cases"][0]["oov_phoneme_chars"], 1);
    assert_eq!(without["cases"][0]["trials"][0]["oov_phoneme_chars"], 1);
    let note = without["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["code"] == "unspoken_words")
        .expect("a note says words were not spoken");
    assert!(
        note["message"].as_str().unwrap().contains("custom-1"),
        "{note}"
    );
    // Fewer phonemes without the word: it was not spoken.
    let phonemes = |b: &serde_json::Value| b["cases"][0]["phonemes"].as_u64().unwrap();
    assert!(phonemes(&with) > phonemes(&without) + 3);
}

fn load(p: &Path) -> kokoro_bench_bundle::Bundle {
    read_bundle(&std::fs::read(p).unwrap()).unwrap().bundle
}

#[test]
fn plan_from_replays_another_runs_chunks_and_refuses_another_text() {
    let flags = [
        "--preset", "short", "--trials", "2", "--rounds", "1", "--suite", "ttfa,rtf",
    ];
    let a = common::tempdir("plan-a");
    let (code, _, err) = run_bench(&a, &flags);
    assert_eq!(code, 0, "{err}");
    let src = only_bundle(&a);
    let b = common::tempdir("plan-b");
    let mut with = flags.to_vec();
    with.extend(["--plan-from", src.to_str().unwrap()]);
    let (code, _, err) = run_bench(&b, &with);
    assert_eq!(code, 0, "{err}");
    let (sa, sb) = (load(&src), load(&only_bundle(&b)));
    assert_eq!(sb.plan.plan_from.as_deref(), Some(sa.run.id.as_str()));
    let source: Vec<Vec<String>> = sa.cases[0]
        .trials
        .iter()
        .filter(|t| t.kind != kokoro_bench_bundle::schema::TrialKind::Warmup)
        .map(|t| t.chunks.text.clone())
        .collect();
    for (i, t) in sb.cases[0].trials.iter().enumerate() {
        assert_eq!(
            t.chunks.text,
            source[i % source.len()],
            "request {i} spoke plan {}",
            i % source.len()
        );
    }
    let o = bin()
        .args(["compare", "--markdown"])
        .arg(&src)
        .arg(only_bundle(&b))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("replayed the baseline's chunk plans"),
        "{text}"
    );
    // A plan of another text, a plan that is not a bundle: exit 2 before measuring.
    let (code, _, err) = run_bench(
        &b,
        &["--preset", "medium", "--plan-from", src.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no case `medium`"), "{err}");
    let (code, _, err) = run_bench(&b, &["--plan-from", "/nonexistent/bundle.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/bundle.json"), "{err}");
}

#[test]
fn impossible_trial_budgets_and_a_busy_machine_under_refuse_exit_2() {
    let out = common::tempdir("budgets");
    let (code, _, err) = run_bench(
        &out,
        &["--trials", "auto", "--max-trials", "3", "--min-trials", "5"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot meet this budget"), "{err}");
    let (code, _, err) = run_bench(&out, &["--trials", "4", "--max-trials", "9"]);
    assert_eq!(code, 2);
    assert!(err.contains("--trials auto"), "{err}");
    // Another process spinning a core: --quiet-machine refuse measures nothing.
    std::process::Command::new("sh")
        .args([
            "-c",
            "setsid python3 -c 'import time\nt=time.time()\nwhile time.time()-t<8: pass' &",
        ])
        .status()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let (code, _, err) = run_bench(
        &out,
        &[
            "--preset",
            "short",
            "--trials",
            "1",
            "--quiet-machine",
            "refuse",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the machine is busy"), "{err}");
    assert!(
        !out.join("runs").exists() || std::fs::read_dir(out.join("runs")).unwrap().count() == 0,
        "nothing measured, nothing written"
    );
}
