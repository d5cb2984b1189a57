//! Voice-agent turns on the real engine: text arriving at a token rate, cut into sentences, one
//! request per sentence, the audio played back to back — and the bad inputs that must exit 2.

mod common;

use common::bin;
use std::path::Path;

fn run(out: &Path, extra: &[&str]) -> (i32, String) {
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
        String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout),
    )
}

#[test]
fn the_agent_suite_speaks_turns_as_they_arrive_and_counts_from_the_first_token() {
    let out = common::tempdir("agent");
    let (code, said) = run(
        &out,
        &[
            "--suite",
            "ttfa,streaming,agent",
            "--text-arrival",
            "30tok/s~0.2",
            "--trials",
            "2",
            "--rounds",
            "1",
            "--save-audio",
            "none",
        ],
    );
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("Voice-agent turns") && said.contains("9–20 words"),
        "{said}"
    );
    let b = common::the_bundle(&out);
    assert_eq!(b.plan.text_arrival.as_ref().unwrap().spec, "30tok/s~0.2");
    assert_eq!(b.cases.len(), 9, "the turns preset by default");
    for c in &b.cases {
        assert_eq!(c.failed().count(), 0, "{}", c.id);
        for t in c.measured() {
            let u = t.turn.as_ref().unwrap();
            let first = &u.pieces[0];
            // Heard speech counts from the first token: after the first piece was released and
            // its request answered.
            let heard = t.heard_ms.unwrap();
            assert!(
                heard >= first.sent_ms + first.ttfa_ms.unwrap() - 0.5,
                "{}: {heard}",
                c.id
            );
            assert!(first.sent_ms >= first.ready_ms, "{first:?}");
            assert!(
                u.end_of_turn_ms.unwrap() > 0.0,
                "the audio outlasts the text"
            );
            let audio: f64 = u.pieces.iter().map(|p| p.audio_ms).sum();
            assert!((audio - t.audio_s * 1000.0).abs() < 1.0);
            for w in u.pieces.windows(2) {
                assert!(
                    w[1].sent_ms >= w[0].done_ms.unwrap() - 0.5,
                    "one request at a time"
                );
                assert!(
                    w[1].play_from_ms.unwrap() >= w[0].play_until_ms.unwrap() - 1e-3,
                    "back to back"
                );
            }
            assert!(t.playback.is_some(), "stalls between pieces are simulated");
        }
    }
    let two = b.cases.iter().find(|c| c.id == "w9-20-flights").unwrap();
    assert!(two
        .measured()
        .all(|t| t.turn.as_ref().unwrap().pieces.len() == 2));
}

#[test]
fn bad_turn_flags_exit_2_with_what_to_write() {
    let out = common::tempdir("agent-bad");
    let trace = out.join("backwards.jsonl");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        &trace,
        "{\"t_ms\": 50, \"text\": \"a\"}\n{\"t_ms\": 10, \"text\": \"b\"}\n",
    )
    .unwrap();
    let trace_flag = format!("trace:{}", trace.display());
    for (flags, expect) in [
        (vec!["--text-arrival", "40lines/s"], "unknown unit `lines`"),
        (vec!["--text-arrival", trace_flag.as_str()], "time order"),
        (vec!["--aggregate", "clause"], "--text-arrival"),
        (vec!["--text-arrival", "40tok/s~3"], "0 to 0.9"),
    ] {
        let (code, said) = run(&out, &flags);
        assert_eq!(code, 2, "{flags:?}: {said}");
        assert!(said.contains(expect), "{flags:?}: {said}");
    }
    assert!(
        !out.join("runs").exists(),
        "nothing measured, nothing written"
    );
}

/// A listener interrupts after 1 s of audio: the engine stops inside its running inference, so
/// its CPU falls within a few polls, the next request is not kept waiting behind the abandoned
/// text, and the first request of the case (heard to the end) is not interrupted. Then a turn is
/// interrupted the same way; an interruption after the end of the audio is refused (exit 2)
/// with the bundle of what was measured kept.
#[test]
fn a_listener_who_barges_in_stops_the_engine_and_the_next_request_is_not_kept_waiting() {
    let out = common::tempdir("barge");
    let (code, said) = run(
        &out,
        &[
            "--preset",
            "long",
            "--interrupt-after",
            "1s",
            "--trials",
            "4",
            "--rounds",
            "1",
            "--save-audio",
            "none",
        ],
    );
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("Barge-in"), "{said}");
    let b = common::the_bundle(&out);
    assert_eq!(b.plan.interrupt.as_ref().unwrap().spec, "1s");
    let c = &b.cases[0];
    assert_eq!(c.failed().count(), 0);
    let first = c.trials.iter().find(|t| t.index == 0).unwrap();
    assert!(
        first.barge.is_none() && first.audio_s > 10.0,
        "heard to the end"
    );
    let (mut released, mut next) = (0, 0);
    for t in c.measured() {
        let g = t.barge.as_ref().expect("every measured trial interrupted");
        assert!(g.sending, "`long` is still arriving after 1 s of it played");
        assert!(t.audio_s < first.audio_s, "the stream stopped early");
        // A closed stream is noticed within the engine's 10 ms poll (with room for a busy
        // machine), the listener's own 2 ms ticks included.
        assert!(g.close_ms < 250.0, "{g:?}");
        assert!(g.interrupt_ms >= t.ttfa_ms.unwrap() + 1000.0 - 5.0, "{g:?}");
        if t.index % 2 == 0 {
            let r = g.release_ms.expect("the engine's CPU fell back to idle");
            // The running inference is terminated: not the seconds a whole chunk takes.
            assert!(r < 600.0, "{g:?}");
            released += 1;
        } else {
            assert!(g.next_ttfa_ms.is_some(), "{g:?}");
            next += 1;
        }
    }
    assert!(released >= 1 && next >= 1);

    let out = common::tempdir("barge-turn");
    let (code, said) = run(
        &out,
        &[
            "--text",
            "Sure. I found three flights to Denver tomorrow morning, and the earliest one leaves at six fifteen from the north terminal.",
            "--text-arrival",
            "40tok/s",
            "--interrupt-after",
            "30%",
            "--trials",
            "2",
            "--rounds",
            "1",
            "--save-audio",
            "none",
        ],
    );
    assert_eq!(code, 0, "{said}");
    let b = common::the_bundle(&out);
    for t in b.cases[0].measured() {
        assert!(t.error.is_none(), "{:?}", t.error);
        assert!(t.barge.is_some() && t.turn.is_some());
    }

    let out = common::tempdir("barge-late");
    let (code, said) = run(
        &out,
        &[
            "--preset",
            "short",
            "--interrupt-after",
            "60s",
            "--trials",
            "2",
        ],
    );
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("--interrupt-after 60s") && said.contains("give less than"),
        "{said}"
    );
    let kept = common::the_bundle(&out);
    assert!(kept.cases[0].trials.iter().any(|t| t.index == 0), "kept");
}

#[test]
fn bad_barge_flags_exit_2_with_what_to_write() {
    let out = common::tempdir("barge-bad");
    for (flags, expect) in [
        (vec!["--interrupt-after", "soon"], "`1.5s`"),
        (vec!["--interrupt-after", "120%"], "less than 100 %"),
        (
            vec!["--interrupt-after", "1s", "--next-text", " "],
            "--next-text is empty",
        ),
    ] {
        let (code, said) = run(&out, &flags);
        assert_eq!(code, 2, "{flags:?}: {said}");
        assert!(said.contains(expect), "{flags:?}: {said}");
    }
    assert!(
        !out.join("runs").exists(),
        "nothing measured, nothing written"
    );
}
