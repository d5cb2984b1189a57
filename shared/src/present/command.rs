//! What a command target ran: the program and how (a process per request, or a persistent
//! worker), what the worker said about itself, process start and first stdout byte per case,
//! restarts, and the tail of its stderr — so a reader can tell which engine the numbers describe.

use super::{Block, Section};
use crate::schema::{CommandMode, CommandTarget};
use crate::stats::median;
use crate::Bundle;

fn start_lines(b: &Bundle, c: &CommandTarget) -> Vec<String> {
    b.cases
        .iter()
        .filter_map(|case| {
            let first_byte: Vec<f64> = case.measured().filter_map(|t| t.ttfb_ms).collect();
            let first_byte = median(&first_byte)?;
            let spawn: Vec<f64> = case.measured().filter_map(|t| t.spawn_ms).collect();
            let rss: Vec<f64> = case
                .measured()
                .filter_map(|t| t.process_peak_rss_bytes)
                .map(|b| b as f64)
                .collect();
            let cpu: Vec<f64> = case.measured().filter_map(|t| t.process_cpu_ms).collect();
            let usage = match (median(&rss), median(&cpu)) {
                (Some(r), Some(c)) => format!(
                    "; per process: peak RSS p50 {}, CPU time p50 {c:.0} ms",
                    super::mb(Some(r as u64))
                ),
                _ => String::new(),
            };
            Some(match (c.mode, median(&spawn)) {
                (CommandMode::OneShot, Some(s)) => format!(
                    "{}: process start p50 {s:.1} ms; start to first stdout byte p50 {first_byte:.1} ms{usage}",
                    case.id
                ),
                _ => format!(
                    "{}: request to first stdout byte p50 {first_byte:.1} ms",
                    case.id
                ),
            })
        })
        .collect()
}

/// The command section, for command targets.
pub fn section(b: &Bundle) -> Option<Section> {
    let c = b.provenance.command.as_ref()?;
    let mut facts = vec![format!(
        "{}; reads {} from stdout{}",
        crate::describe::command(c),
        c.output,
        if c.text_on_stdin {
            "; the text is written to its stdin"
        } else {
            ""
        }
    )];
    if let Some(ms) = c.ready_ms {
        facts.push(format!(
            "worker ready {ms:.0} ms after it was started (model load: reported once, inside no trial)"
        ));
    }
    if c.served_per_worker.len() > 1 {
        let served: Vec<String> = c.served_per_worker.iter().map(u32::to_string).collect();
        facts.push(format!(
            "{} workers behind a least-busy router (`--workers`); requests served by each: {}",
            c.served_per_worker.len(),
            served.join(" / ")
        ));
    }
    if c.peak_rss_per_worker_bytes.len() > 1 {
        let peaks: Vec<String> = c
            .peak_rss_per_worker_bytes
            .iter()
            .map(|b| format!("{:.0} MB", *b as f64 / 1e6))
            .collect();
        facts.push(format!(
            "peak resident memory of each worker (the kernel's high-water mark): {}",
            peaks.join(" / ")
        ));
    }
    if !c.reported.is_empty() {
        let said: Vec<String> = c.reported.iter().map(|(k, v)| format!("{k} {v}")).collect();
        facts.push(format!("it reported: {}", said.join(" · ")));
    }
    facts.extend(start_lines(b, c));
    let mut blocks = vec![Block::List(facts)];
    if c.restarts > 0 {
        blocks.push(Block::Warning(format!(
            "the worker was restarted {} time(s) after it crashed or a request was abandoned; those trials are recorded as failed",
            c.restarts
        )));
    }
    if !c.stderr_tail.trim().is_empty() {
        blocks.push(Block::Muted(format!(
            "Its stderr (last lines): {}",
            c.stderr_tail.trim()
        )));
    }
    Some(Section {
        id: "command",
        title: "Command".into(),
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_says_what_it_is_and_that_it_restarted() {
        let mut b = crate::testing::bundle_with_ttfa(&[100.0, 120.0, 110.0]);
        assert!(section(&b).is_none(), "only for command targets");
        b.provenance.command = Some(CommandTarget {
            command: "python3 adapters/kokoro_onnx_worker.py".into(),
            mode: CommandMode::Worker,
            text_on_stdin: false,
            output: "pcm f32le 24000 Hz".into(),
            ready_ms: Some(2500.0),
            reported: [("engine".to_string(), "kokoro-onnx".to_string())].into(),
            restarts: 1,
            stderr_tail: "loading model\n".into(),
            served_per_worker: vec![7, 6],
            peak_rss_per_worker_bytes: vec![310_000_000, 305_000_000],
        });
        let s = section(&b).unwrap();
        let text = format!("{:?}", s.blocks);
        assert!(
            text.contains("2 workers behind a least-busy router"),
            "{text}"
        );
        assert!(text.contains("7 / 6"), "{text}");
        assert!(
            text.contains("worker `python3 adapters/kokoro_onnx_worker.py`: kokoro-onnx"),
            "{text}"
        );
        assert!(text.contains("ready 2500 ms"), "{text}");
        assert!(text.contains("restarted 1 time(s)"), "{text}");
        assert!(text.contains("loading model"), "{text}");
    }
}
