//! The command target against engines nobody here wrote — espeak-ng (Debian) one process per
//! request, kokoro-onnx 0.6.1 (the package registry) through the persistent-worker adapter on the
//! cached model — and a protocol speaker that injects the faults real engines do not produce on
//! demand: a crash mid-request, a crash after the restart, a hang, an error frame.

mod common;

use kokoro_bench_bundle::schema::{CommandMode, ErrorKind, TargetKind, TrialKind};
use kokoro_bench_bundle::{read_bundle, Bundle};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

fn bundle(out: &Path) -> Bundle {
    let run = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .flatten()
        .next()
        .expect("a run folder");
    read_bundle(&std::fs::read(run.path().join("bundle.json")).unwrap())
        .unwrap()
        .bundle
}

fn run(out: &Path, args: &[&str]) -> Output {
    common::bin()
        .args(["run", "--target", "command", "--preset", "short", "--out"])
        .arg(out)
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn espeak_ng_one_process_per_request_is_measured_like_any_engine() {
    let out = common::tempdir("espeak");
    let o = run(
        &out,
        &[
            "--command",
            "espeak-ng --stdout {text}",
            "--trials",
            "3",
            "--suite",
            "ttfa,rtf,streaming,memory",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let b = bundle(&out);
    assert_eq!(b.run.target, TargetKind::Command);
    let c = b.provenance.command.as_ref().unwrap();
    assert_eq!((c.mode, c.output.as_str()), (CommandMode::OneShot, "wav"));
    let measured: Vec<_> = b.cases[0].measured().collect();
    assert_eq!(measured.len(), 3);
    for t in measured {
        assert!(t.error.is_none(), "{:?}", t.error);
        assert_eq!(
            t.sample_rate_hz, 22_050,
            "espeak-ng's own rate, from its WAV header"
        );
        let (spawn, first_byte, ttfa) =
            (t.spawn_ms.unwrap(), t.ttfb_ms.unwrap(), t.ttfa_ms.unwrap());
        assert!(
            spawn > 0.0 && spawn <= first_byte && first_byte <= ttfa,
            "{spawn} {first_byte} {ttfa}"
        );
        assert!(t.heard_ms.unwrap() >= ttfa);
        assert!(
            t.chunks.t_ms.len() > 1,
            "espeak-ng writes as it synthesises: several reads"
        );
        assert!(
            t.audio_s > 2.0 && t.rtf.unwrap() < 1.0,
            "{} s, RTF {:?}",
            t.audio_s,
            t.rtf
        );
        let rss = t.process_peak_rss_bytes.unwrap();
        assert!(
            rss > 2_000_000 && rss < 500_000_000,
            "espeak-ng's own peak RSS: {rss}"
        );
        assert!(t.process_cpu_ms.unwrap() > 0.0);
    }
    let mem = b.memory.as_ref().unwrap();
    assert!(
        mem.process.contains("espeak-ng") && mem.process.contains("not counted"),
        "{}",
        mem.process
    );
    // The same engine, the text on stdin instead of an argument.
    let out = common::tempdir("espeak-stdin");
    let o = run(
        &out,
        &[
            "--command",
            "espeak-ng --stdout",
            "--stdin",
            "--trials",
            "1",
            "--warmup",
            "0",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let b = bundle(&out);
    assert!(b.provenance.command.as_ref().unwrap().text_on_stdin);
    let t = &b.cases[0].trials[0];
    assert!(
        t.error.is_none() && t.audio_s > 2.0,
        "{:?} {}",
        t.error,
        t.audio_s
    );
}

#[test]
fn a_program_that_fails_prints_text_or_never_answers_fails_its_trials_with_the_reason() {
    let cases: [(&str, ErrorKind, &str); 3] = [
        (
            "sh -c 'echo no-voice-xx >&2; exit 3' sh {text}",
            ErrorKind::ExitStatus,
            "exit status 3; stderr: no-voice-xx",
        ),
        (
            "echo {text}",
            ErrorKind::NotAudio,
            "stdout is not audio: starts with \"The morning",
        ),
        (
            "sh -c 'sleep 60' sh {text}",
            ErrorKind::Deadline,
            "deadline of 2 s",
        ),
    ];
    for (i, (command, kind, says)) in cases.into_iter().enumerate() {
        let out = common::tempdir(&format!("bad-program-{i}"));
        let t0 = Instant::now();
        let o = run(
            &out,
            &[
                "--command",
                command,
                "--trials",
                "1",
                "--warmup",
                "0",
                "--request-timeout",
                "2s",
            ],
        );
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "nothing hangs past the deadline"
        );
        assert_eq!(
            o.status.code(),
            Some(2),
            "a run where nothing succeeded: {}",
            text(&o)
        );
        let b = bundle(&out);
        let e = b.cases[0].trials[0].error.as_ref().expect("failed");
        assert_eq!(e.kind, kind, "{command}: {}", e.message);
        assert!(e.message.contains(says), "{command}: {}", e.message);
    }
    for (command, says) in [
        (
            "no-such-tts-program {text}",
            "`no-such-tts-program` is not on PATH",
        ),
        (
            "espeak-ng --stdout",
            "put {text} where the program expects it",
        ),
    ] {
        let out = common::tempdir("bad-command");
        let o = run(&out, &["--command", command]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(says), "{}", text(&o));
        assert!(!out.join("runs").exists(), "nothing written for bad input");
    }
}

fn faults(out: &Path, faults: &[&str], extra: &[&str]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/worker_faults.py");
    let counter = out.join("requests.txt");
    let command = format!(
        "python3 {} {} {}",
        script.display(),
        counter.display(),
        faults.join(" ")
    );
    let mut args = vec![
        "--worker",
        "--command",
        command.as_str(),
        "--voice",
        "af_test",
    ];
    args.extend_from_slice(extra);
    run(out, &args)
}

#[test]
fn a_worker_that_crashes_mid_request_fails_that_trial_and_is_restarted_once() {
    let out = common::tempdir("worker-crash");
    let o = faults(
        &out,
        &["crash=2", "error=4"],
        // The cold request, then four measured ones in one round.
        &["--trials", "4", "--warmup", "0", "--rounds", "1"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let b = bundle(&out);
    let trials = &b.cases[0].trials;
    let kinds: Vec<Option<ErrorKind>> = trials
        .iter()
        .map(|t| t.error.as_ref().map(|e| e.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            None,
            Some(ErrorKind::WorkerCrashed),
            None,
            Some(ErrorKind::WorkerError),
            None
        ],
        "request 2 crashed, request 4 got an error frame, the rest were answered"
    );
    let crash = trials[1].error.as_ref().unwrap();
    assert!(
        crash.message.contains("exit status 7") && crash.message.contains("boom on request 2"),
        "{}",
        crash.message
    );
    assert!(
        trials[1].samples > 0,
        "what arrived before the crash is kept"
    );
    assert!(trials[3]
        .error
        .as_ref()
        .unwrap()
        .message
        .contains("voice not found: xx"));
    let c = b.provenance.command.as_ref().unwrap();
    assert_eq!((c.mode, c.restarts), (CommandMode::Worker, 1));
    assert!(c.ready_ms.unwrap() > 0.0);
    assert_eq!(c.reported["engine"], "worker-faults");
    assert!(c.stderr_tail.contains("boom on request 2"));
    assert!(trials[2].error.is_none() && trials[2].kind == TrialKind::Warm);
}

#[test]
fn crashing_again_after_the_restart_stops_the_run_and_keeps_the_bundle() {
    let out = common::tempdir("worker-crash-twice");
    let o = faults(&out, &["crash=2,3"], &["--trials", "4", "--warmup", "0"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("crashed again after it was restarted"),
        "{}",
        text(&o)
    );
    let b = bundle(&out);
    let trials = &b.cases[0].trials;
    assert_eq!(trials.len(), 3, "the run stopped at the second crash");
    assert!(trials[0].error.is_none());
    assert_eq!(
        trials[2].error.as_ref().unwrap().kind,
        ErrorKind::WorkerCrashed
    );
}

#[test]
fn a_worker_that_never_answers_is_killed_at_the_deadline_and_replaced() {
    let out = common::tempdir("worker-hang");
    let t0 = Instant::now();
    let o = faults(
        &out,
        &["hang=1"],
        &["--trials", "2", "--warmup", "0", "--request-timeout", "2s"],
    );
    assert!(t0.elapsed() < Duration::from_secs(30));
    assert!(o.status.success(), "{}", text(&o));
    let b = bundle(&out);
    let trials = &b.cases[0].trials;
    assert_eq!(trials[0].error.as_ref().unwrap().kind, ErrorKind::Deadline);
    assert!(trials[1].error.is_none(), "the replacement answers");
    assert_eq!(b.provenance.command.as_ref().unwrap().restarts, 1);
}

#[test]
fn a_worker_that_is_not_a_worker_is_refused_before_anything_is_measured() {
    let out = common::tempdir("not-a-worker");
    let o = run(&out, &["--worker", "--command", "echo hello"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not the worker protocol"), "{}", text(&o));
    let o = run(
        &out,
        &[
            "--worker",
            "--command",
            "sh -c 'echo cannot-load-model >&2; exit 1'",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("exited before it was ready (exit status 1); stderr: cannot-load-model"),
        "{}",
        text(&o)
    );
}

fn kokoro_onnx_command() -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/kokoro-onnx.sh");
    common::assets();
    let o = std::process::Command::new("bash")
        .arg(&script)
        .output()
        .unwrap();
    assert!(o.status.success(), "scripts/kokoro-onnx.sh: {}", text(&o));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

#[test]
fn kokoro_onnx_through_the_worker_adapter_on_the_cached_model() {
    let command = kokoro_onnx_command();
    let out = common::tempdir("kokoro-onnx");
    let repo: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = common::bin()
        .current_dir(&repo)
        .args([
            "run",
            "--target",
            "command",
            "--worker",
            "--command",
            &command,
        ])
        .args(["--voice", "jf_alpha", "--preset", "short", "--trials", "2"])
        .args(["--suite", "ttfa,rtf,streaming,memory", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let b = bundle(&out);
    let c = b.provenance.command.as_ref().unwrap();
    assert_eq!(c.reported["engine"], "kokoro-onnx");
    assert_eq!(c.reported["version"], "0.6.1");
    assert_eq!(c.output, "pcm f32le 24000 Hz");
    assert!(
        c.ready_ms.unwrap() > 100.0,
        "model load is reported once: {:?}",
        c.ready_ms
    );
    for t in b.cases[0].measured() {
        assert!(t.error.is_none(), "{:?}", t.error);
        assert!(
            t.spawn_ms.is_none(),
            "no process start inside a worker's trial"
        );
        assert!(
            t.audio_s > 2.0 && t.ttfa_ms.unwrap() > 50.0,
            "{} s {:?}",
            t.audio_s,
            t.ttfa_ms
        );
        assert!(t.heard_ms.unwrap() >= t.ttfa_ms.unwrap());
    }
    let mem = b.memory.as_ref().unwrap();
    assert!(
        mem.baseline_rss_bytes.unwrap() > 100_000_000,
        "the worker with its model loaded, not the runner: {:?}",
        mem.baseline_rss_bytes
    );
}

#[test]
fn the_mlx_adapter_compiles_and_says_why_it_cannot_run_without_mlx() {
    // No MLX on Linux CI: this checks the adapter's syntax and its refusal, not MLX itself.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for adapter in ["adapters/kokoro_mlx.py", "adapters/kokoro_onnx_worker.py"] {
        let ok = std::process::Command::new("python3")
            .args(["-m", "py_compile", adapter])
            .current_dir(&repo)
            .status()
            .unwrap()
            .success();
        assert!(ok, "{adapter} does not compile");
    }
    let out = common::tempdir("mlx");
    let o = common::bin()
        .current_dir(&repo)
        .args([
            "run",
            "--target",
            "command",
            "--worker",
            "--command",
            "python3 adapters/kokoro_mlx.py",
        ])
        .args(["--preset", "short", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let said = text(&o);
    if cfg!(all(target_os = "macos", target_arch = "aarch64")) && o.status.success() {
        return; // mlx-audio is installed: it ran.
    }
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(
        said.contains("exited before it was ready (exit status 2); stderr: kokoro_mlx:"),
        "{said}"
    );
}

#[test]
fn the_engine_and_kokoro_onnx_side_by_side_in_one_run_get_verdicts() {
    let worker = kokoro_onnx_command();
    let out = common::tempdir("versus");
    let repo: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = common::bin()
        .current_dir(&repo)
        .args([
            "run", "--suite", "versus", "--voice", "jf_alpha", "--preset", "short",
        ])
        // 6 trials: the fewest pairs a side-by-side verdict can rest on (the sign test).
        .args(["--trials", "6", "--warmup", "1", "--out"])
        .arg(&out)
        .arg("--versus")
        .arg(format!(
            "kokoro-onnx=--target command --worker --command '{worker}'"
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("Side by side: engine vs kokoro-onnx"),
        "{}",
        text(&o)
    );
    let b = bundle(&out);
    let v = b.versus.as_ref().expect("versus result");
    assert_eq!(v.targets.len(), 2);
    let (engine, onnx) = (&v.targets[0].cases[0], &v.targets[1].cases[0]);
    assert_eq!(
        (engine.heard_ms.len(), onnx.heard_ms.len()),
        (6, 6),
        "{v:?}"
    );
    assert!(
        engine
            .start_ms
            .iter()
            .zip(&onnx.start_ms)
            .any(|(e, k)| e < k)
            && engine
                .start_ms
                .iter()
                .zip(&onnx.start_ms)
                .any(|(e, k)| e > k),
        "interleaved, order rotated: {:?} {:?}",
        engine.start_ms,
        onnx.start_ms
    );
    // The other target's own cold start and process; the engine's chunk plans per trial.
    let k = &v.targets[1];
    assert!(k.cold_ttfa_ms.is_some_and(|ms| ms > 0.0), "{k:?}");
    let usage = k.usage.as_ref().unwrap();
    assert!(
        usage.peak_rss_bytes.is_some_and(|b| b > 100_000_000) && usage.cpu_max_pct.is_some(),
        "the worker's process, with its model: {usage:?}"
    );
    assert!(
        v.targets[0].usage.is_none(),
        "the run's own: the memory suite's"
    );
    assert_eq!(engine.chunks.len(), 6, "{engine:?}");
    assert!(
        text(&o).contains("cold start (first request)"),
        "{}",
        text(&o)
    );
    let verdicts = kokoro_bench_bundle::compare::variants::compare_targets(v);
    assert_eq!(verdicts[0].variant, "kokoro-onnx");
    for row in &verdicts[0].rows {
        assert_ne!(
            row.verdict,
            kokoro_bench_bundle::compare::Verdict::NotComparable,
            "side by side on purpose: judged"
        );
        assert!(
            !row.reason.contains("too few"),
            "6 pairs can be judged: {}",
            row.reason
        );
    }
}

/// This build's engine as a worker (`kokoro-bench worker`), measured through the worker protocol
/// against itself side by side: real audio arrives chunk by chunk, and the pair-by-pair verdict
/// on two identical builds calls nothing regressed (`compare --side-by-side` exits 0). A head on
/// one intra-op thread against a base on two is caught (exit 1).
#[test]
fn this_build_as_a_worker_is_judged_side_by_side_with_another() {
    let kb = env!("CARGO_BIN_EXE_kokoro-bench");
    let side = |name: &str, other: &str| -> (Output, PathBuf) {
        let out = common::tempdir(name);
        let o = run(
            &out,
            &[
                "--worker",
                "--command",
                &format!("{kb} worker"),
                "--trials",
                "6",
                "--rounds",
                "1",
                "--suite",
                "ttfa,rtf,versus",
                "--versus",
                &format!("head=--target command --worker --command '{kb} worker {other}'"),
                "--save-audio",
                "none",
                "--voice",
                "jf_alpha",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        let run_dir = std::fs::read_dir(out.join("runs"))
            .unwrap()
            .flatten()
            .next()
            .unwrap();
        (o, run_dir.path().join("bundle.json"))
    };
    let (_, same) = side("worker-aa", "");
    let b = read_bundle(&std::fs::read(&same).unwrap()).unwrap().bundle;
    let c = b.provenance.command.as_ref().unwrap();
    assert_eq!(c.mode, CommandMode::Worker);
    assert_eq!(c.reported["engine"], "kokoro-bench worker");
    let warm: Vec<_> = b.cases[0].measured().collect();
    assert_eq!(warm.len(), 6);
    assert!(
        warm.iter().all(|t| t.error.is_none() && t.audio_s > 2.0),
        "{warm:?}"
    );
    assert!(
        warm.iter().all(|t| t.chunks.t_ms.len() >= 2),
        "streamed chunk by chunk"
    );
    // The worker reports its chunk plan in the end frame: the same text every time, cut into
    // chunks.
    let words: Vec<usize> = warm
        .iter()
        .map(|t| {
            t.worker_chunks
                .iter()
                .map(|c| c.split_whitespace().count())
                .sum()
        })
        .collect();
    assert!(
        words[0] > 2 && words.iter().all(|w| *w == words[0]),
        "{:?}",
        warm.iter().map(|t| &t.worker_chunks).collect::<Vec<_>>()
    );
    let versus = b.versus.as_ref().unwrap();
    assert!(
        versus.targets.iter().all(|t| t.cases[0].chunks.len() == 6),
        "plan lengths per pair: {:?}",
        versus
            .targets
            .iter()
            .map(|t| &t.cases[0].chunks)
            .collect::<Vec<_>>()
    );
    let judge = |bundle: &Path| {
        common::bin()
            .args(["compare", "--side-by-side", "--markdown"])
            .arg(bundle)
            .output()
            .unwrap()
    };
    let aa = judge(&same);
    assert_eq!(aa.status.code(), Some(0), "{}", text(&aa));
    assert!(
        text(&aa).contains("trial pair by trial pair"),
        "{}",
        text(&aa)
    );
    let (_, slower) = side("worker-ab", "--threads 1");
    let ab = judge(&slower);
    assert_eq!(ab.status.code(), Some(1), "{}", text(&ab));
    assert!(text(&ab).contains("regressed"), "{}", text(&ab));
}

/// `--workers 2`: two `kokoro-bench worker` processes behind the least-busy router; two
/// concurrent listeners of the capacity suite reach both, and each served requests. More
/// workers than the memory holds (kokoro-onnx, measured on the first one) or a pool of one-shot
/// commands are refused with exit 2.
#[test]
fn a_pool_of_workers_shares_the_load_and_one_too_big_for_the_machine_is_refused() {
    let kb = env!("CARGO_BIN_EXE_kokoro-bench");
    let out = common::tempdir("worker-pool");
    let o = run(
        &out,
        &[
            "--worker",
            "--command",
            &format!("{kb} worker --threads 1"),
            "--workers",
            "2",
            "--suite",
            "ttfa,capacity",
            "--levels",
            "2",
            "--level-requests",
            "6",
            "--trials",
            "2",
            "--rounds",
            "1",
            "--voice",
            "jf_alpha",
            "--save-audio",
            "none",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let b = bundle(&out);
    let c = b.provenance.command.as_ref().unwrap();
    assert_eq!(c.served_per_worker.len(), 2, "{c:?}");
    assert!(c.served_per_worker.iter().all(|&n| n > 0), "{c:?}");
    assert_eq!(c.peak_rss_per_worker_bytes.len(), 2, "{c:?}");
    assert!(
        c.peak_rss_per_worker_bytes.iter().all(|&b| b > 1_000_000),
        "{c:?}"
    );
    assert_eq!(c.restarts, 0);
    assert!(text(&o).contains("2 workers behind a least-busy router"));

    let o = run(
        &out,
        &["--command", "espeak-ng --stdout {text}", "--workers", "2"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("add --worker"), "{}", text(&o));
    let repo: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = common::bin()
        .current_dir(&repo)
        .args(["run", "--target", "command", "--worker", "--command"])
        .arg(kokoro_onnx_command())
        .args(["--workers", "200", "--voice", "jf_alpha", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--workers 200: one worker holds") && text(&o).contains("or fewer"),
        "{}",
        text(&o)
    );
}
