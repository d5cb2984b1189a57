//! The capacity suite through the CLI against an in-test HTTP server with k workers: each
//! streams a tone in real time (450 ms of audio over ≈ 200 ms), the rest wait in line, first come
//! first served — the schedule of a server with k workers, which no real server produces on
//! demand for a chosen k. No model is needed; each sweep takes seconds.

mod common;

use kokoro_bench::suites::capacity::shard::format_http_date;
use kokoro_bench_bundle::read_bundle;
use kokoro_bench_bundle::schema::{LoadMode, RunStatus};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Line {
    in_service: u32,
    waiting: VecDeque<u64>,
    next: u64,
}

fn chunk(s: &mut impl Write, data: &[u8]) -> std::io::Result<()> {
    write!(s, "{:x}\r\n", data.len())?;
    s.write_all(data)?;
    s.write_all(b"\r\n")?;
    s.flush()
}

fn read_request(s: &mut impl Read) {
    let (mut req, mut buf) = (Vec::new(), [0u8; 4096]);
    loop {
        let n = s.read(&mut buf).unwrap_or(0);
        if n == 0 {
            return;
        }
        req.extend_from_slice(&buf[..n]);
        if let Some(i) = req.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&req[..i]).to_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if req.len() >= i + 4 + len {
                return;
            }
        }
    }
}

/// Serves with `workers` workers; returns the port.
fn server(workers: u32) -> u16 {
    let line = Arc::new((Mutex::new(Line::default()), Condvar::new()));
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let audio = Arc::new(kokoro_bench::measure::pcm::tone_pcm16(150, 24_000));
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let (line, audio) = (line.clone(), audio.clone());
            std::thread::spawn(move || {
                read_request(&mut s);
                let (lock, changed) = &*line;
                let mut q = lock.lock().unwrap();
                let mine = q.next;
                q.next += 1;
                q.waiting.push_back(mine);
                while !(q.waiting.front() == Some(&mine) && q.in_service < workers) {
                    q = changed.wait(q).unwrap();
                }
                q.waiting.pop_front();
                q.in_service += 1;
                changed.notify_all();
                drop(q);
                let header = kokoro_bench::measure::pcm::streaming_wav_header(24_000);
                let now_s = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64;
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\nDate: {}\r\n\r\n",
                    format_http_date(now_s)
                );
                let _ = chunk(&mut s, &header);
                for i in 0..3 {
                    if i > 0 {
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    let _ = chunk(&mut s, &audio);
                }
                let _ = chunk(&mut s, b"");
                let mut q = lock.lock().unwrap();
                q.in_service -= 1;
                changed.notify_all();
            });
        }
    });
    port
}

fn bundle(out: &Path) -> kokoro_bench_bundle::Bundle {
    let run = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .flatten()
        .next()
        .unwrap();
    read_bundle(&std::fs::read(run.path().join("bundle.json")).unwrap())
        .unwrap()
        .bundle
}

fn capacity_run(port: u16, out: &Path, extra: &[&str]) -> std::process::Command {
    let mut cmd = common::bin();
    cmd.args([
        "run", "--target", "http", "--voice", "af_test", "--preset", "short",
    ])
    .args(["--suite", "capacity", "--url"])
    .arg(format!("http://127.0.0.1:{port}/v1/audio/speech"))
    .arg("--out")
    .arg(out)
    .args(extra);
    cmd
}

fn knee(workers: u32) {
    let port = server(workers);
    let out = common::tempdir(&format!("capacity-k{workers}"));
    // One slow request in six is jitter on a busy machine; with one listener more than
    // workers, every round one request waits a whole service time (≈ 200 ms).
    let o = capacity_run(
        port,
        &out,
        &[
            "--slo",
            "heard<=100ms,underruns==0,hold=0.8",
            "--level-requests",
            "6",
        ],
    )
    .output()
    .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let c = bundle(&out).capacity.unwrap();
    let ran: Vec<f64> = c.levels.iter().map(|l| l.level).collect();
    assert_eq!(c.mode, LoadMode::Listeners);
    assert_eq!(
        c.sustainable_level,
        Some(f64::from(workers)),
        "levels {ran:?}: {}",
        c.stopped_because
    );
    assert!(ran.contains(&f64::from(workers + 1)), "{ran:?}");
    assert!(c.levels.iter().all(|l| l.requests.len() == 6));
    let summary = format!("{stdout}{stderr}");
    assert!(
        summary.contains(&format!("Sustainable: {workers} listeners")),
        "{summary}"
    );
    assert!(summary.contains("goodput /min"), "{summary}");
}

#[test]
fn a_server_with_two_workers_holds_two_listeners() {
    knee(2);
}

#[test]
fn a_server_with_three_workers_holds_three_listeners() {
    knee(3);
}

#[test]
fn bad_capacity_flags_exit_2_before_anything_is_measured() {
    let out = common::tempdir("capacity-bad");
    for (flags, says) in [
        (vec!["--levels", "0"], "listeners must be 1 to 16384"),
        (vec!["--levels", "1,-4"], "listeners must be 1 to 16384"),
        (vec!["--levels", "2", "--shard", "3/2"], "numbered 1 to 2"),
        (
            vec!["--levels", "2", "--shard", "1/2"],
            "--shard needs --start-at",
        ),
        (
            vec![
                "--levels",
                "2",
                "--shard",
                "1/2",
                "--start-at",
                "2020-01-01T00:00:00Z",
            ],
            "in the past",
        ),
        (
            vec!["--shard", "1/2", "--start-at", "2099-01-01T00:00:00Z"],
            "more than 24 hours",
        ),
        (vec!["--rates", "0"], "between 0.01 and 1000"),
        (vec!["--rates", "5000/s"], "between 0.01 and 1000"),
        (vec!["--slo", "heard under 2s"], "--slo `heard under 2s`"),
        (vec!["--sessions", "2"], "--target engine"),
    ] {
        let o = capacity_run(1, &out, &flags).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(says), "{flags:?}: {err}");
    }
    let o = common::bin()
        .args([
            "run",
            "--target",
            "http",
            "--url",
            "http://127.0.0.1:1/x",
            "--levels",
            "2",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--suite capacity"));
    assert!(
        !out.join("runs").exists(),
        "nothing measured, nothing written"
    );
}

/// Two runner processes drive one server as shards 1/2 and 2/2 of one sweep (one listener each
/// at level 2, two and one at level 3), `merge` joins them: one curve whose knee is the server's
/// worker count, as a single runner finds it; merging a shard with itself is refused.
#[test]
fn two_shards_merge_into_one_sweep_with_the_single_runners_knee() {
    let port = server(2);
    let start = std::time::SystemTime::now() + Duration::from_secs(4);
    let start_at = humantime::format_rfc3339_seconds(start).to_string();
    let flags = |i: u32| {
        vec![
            "--levels".to_string(),
            "2,3".into(),
            "--level-requests".into(),
            "6".into(),
            "--level-budget".into(),
            "3s".into(),
            "--slo".into(),
            "heard<=100ms,underruns==0,hold=0.8".into(),
            "--shard".into(),
            format!("{i}/2"),
            "--start-at".into(),
            start_at.clone(),
        ]
    };
    let outs: Vec<_> = (1..=2)
        .map(|i| common::tempdir(&format!("capacity-shard{i}")))
        .collect();
    let children: Vec<_> = (1..=2u32)
        .map(|i| {
            let f = flags(i);
            let refs: Vec<&str> = f.iter().map(String::as_str).collect();
            capacity_run(port, &outs[i as usize - 1], &refs)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let shard_paths: Vec<_> = outs
        .iter()
        .map(|o| {
            let run = std::fs::read_dir(o.join("runs"))
                .unwrap()
                .flatten()
                .next()
                .unwrap();
            run.path().join("bundle.json")
        })
        .collect();
    let one = bundle(&outs[0]).capacity.unwrap();
    let plan = one.shard.clone().unwrap();
    assert_eq!((plan.index, plan.of, plan.slot_s), (1, 2, 6.0));
    let [lo, hi] = plan.clock_offset_ms.expect("the server sends Date");
    assert!(
        lo <= hi && hi - lo < 1100.0 && lo < 1000.0 && hi > -1000.0,
        "{lo}..{hi}"
    );
    assert_eq!(one.sustainable_level, None, "a shard judges no level");
    assert_eq!(one.levels[1].shard_level, Some(2.0));

    let merged_out = common::tempdir("capacity-merged");
    let o = common::bin()
        .arg("merge")
        .args(&shard_paths)
        .arg("--out")
        .arg(&merged_out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let c = bundle(&merged_out).capacity.unwrap();
    assert_eq!(c.merged_from.len(), 2);
    assert_eq!(
        c.levels
            .iter()
            .map(|l| l.requests.len())
            .collect::<Vec<_>>(),
        vec![6, 6],
        "every shard's measured requests"
    );
    assert_eq!(c.sustainable_level, Some(2.0), "{text}");
    assert!(text.contains("Merged from 2 shards"), "{text}");

    let o = common::bin()
        .arg("merge")
        .args([&shard_paths[0], &shard_paths[0]])
        .arg("--out")
        .arg(&merged_out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("appears twice"));
}

#[test]
fn ctrl_c_mid_sweep_keeps_the_finished_levels() {
    let port = server(1);
    let out = common::tempdir("capacity-ctrlc");
    let child = capacity_run(port, &out, &["--levels", "1,2,4", "--level-requests", "4"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let levels_on_disk = || {
        std::fs::read_dir(out.join("runs"))
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .and_then(|e| std::fs::read(e.path().join("bundle.json")).ok())
            .and_then(|b| read_bundle(&b).ok())
            .and_then(|l| l.bundle.capacity)
            .map_or(0, |c| c.levels.len())
    };
    while levels_on_disk() < 1 {
        assert!(Instant::now() < deadline, "level 1 never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(150));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "an interrupted run says so");
    let b = bundle(&out);
    assert_eq!(
        b.run.status,
        RunStatus::Interrupted,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let c = b.capacity.unwrap();
    assert_eq!(c.levels[0].requests.len(), 4, "level 1 is kept whole");
    assert!(!c.levels[0].interrupted);
    assert!(c.levels.last().unwrap().interrupted);
    assert!(
        c.stopped_because.contains("interrupted"),
        "{}",
        c.stopped_because
    );
}
