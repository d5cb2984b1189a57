//! The capacity suite: per load level, how many requests met the SLO, goodput, latency
//! percentiles with intervals, stalls, throughput and what the serving process used; the highest
//! level that held, beside the ceiling one listener's RTF predicts.

use super::{mb, or_dash, Block, Cell, Section, Table, Tone};
use crate::capacity::{summarise, Ceiling, Estimate, LevelSummary};
use crate::schema::{CapacityLevel, CapacityResult, LoadMode};
use crate::Bundle;

/// `3 listeners` / `0.5 req/s`.
pub fn level_label(mode: LoadMode, level: f64) -> String {
    match mode {
        LoadMode::Listeners if level == 1.0 => "1 listener".into(),
        LoadMode::Listeners => format!("{level} listeners"),
        LoadMode::Rate => format!("{level} req/s"),
    }
}

fn estimate(e: &Estimate) -> Cell {
    match e {
        Ok((v, Some(ci))) => Cell::num(format!("{v:.0}")).hint(format!(
            "95 % bootstrap interval {:.0}–{:.0} ms",
            ci.lo, ci.hi
        )),
        Ok((v, None)) => Cell::num(format!("{v:.0}")),
        Err(why) => Cell::toned(super::DASH, Tone::NoData).hint(why.clone()),
    }
}

fn share(s: &LevelSummary) -> Cell {
    match s.met_share {
        Some((p, (lo, hi))) => Cell::toned(
            format!("{}/{} ({:.0} %)", s.met, s.judged, p * 100.0),
            if s.held { Tone::Good } else { Tone::Bad },
        )
        .hint(format!(
            "95 % Wilson interval {:.0}–{:.0} %",
            lo * 100.0,
            hi * 100.0
        )),
        None => Cell::toned("no requests", Tone::NoData),
    }
}

fn row(l: &CapacityLevel, s: &LevelSummary, mode: LoadMode) -> Vec<Cell> {
    let mut level = Cell::text(match l.shard_level {
        Some(here) => format!("{} ({here} here)", level_label(mode, l.level)),
        None => level_label(mode, l.level),
    });
    if let Some(why) = &l.cut_short {
        level = Cell::toned(format!("{} (cut short)", level.text), Tone::Warn).hint(why.clone());
    }
    vec![
        level,
        Cell::num(format!("{} / {}", l.finished - l.failed, l.failed)),
        share(s),
        Cell::num(format!("{:.1}", s.goodput_per_min)),
        estimate(&s.heard.p50),
        estimate(&s.heard.p95),
        estimate(&s.heard.p99),
        estimate(&s.ttfa.p50),
        estimate(&s.ttfa.p95),
        Cell::num(or_dash(s.underruns_mean, |u| format!("{u:.2}"))),
        Cell::num(or_dash(s.stall_ms_mean, |v| format!("{v:.0}"))),
        Cell::num(or_dash(s.rtf_p50, |v| format!("{v:.3}"))),
        Cell::num(format!("{:.2}", l.audio_s_per_s)),
        Cell::num(or_dash(l.cpu_percent_mean, |c| format!("{c:.0} %"))),
        Cell::num(mb(l.peak_rss_bytes)),
    ]
}

/// The sentence naming the sustainable level (or that none held), with its met share.
pub fn verdict(c: &CapacityResult) -> String {
    if let Some(s) = &c.shard {
        return format!(
            "Shard {} of {}: its levels hold only its own share of the requests, so no level is \
             judged here — merge every shard's bundle (`kokoro-bench merge`) for the sweep's knee.",
            s.index, s.of
        );
    }
    let hold = c.slo.hold_fraction * 100.0;
    let Some(best) = c.sustainable_level else {
        return format!(
            "No level held the SLO (`{}` for ≥ {hold:.0} % of requests).",
            c.slo.text
        );
    };
    let at = c
        .levels
        .iter()
        .filter(|l| l.level == best)
        .map(|l| summarise(&c.slo, l))
        .find(|s| s.held);
    let interval = at
        .and_then(|s| s.met_share)
        .map(|(p, (lo, hi))| {
            format!(
                " ({:.0} % met it, 95 % interval {:.0}–{:.0} %)",
                p * 100.0,
                lo * 100.0,
                hi * 100.0
            )
        })
        .unwrap_or_default();
    format!(
        "Sustainable: {}{interval} — the highest level at which ≥ {hold:.0} % of requests met `{}`.",
        level_label(c.mode, best),
        c.slo.text
    )
}

fn setup(c: &CapacityResult) -> String {
    let load = match c.mode {
        LoadMode::Listeners => {
            "Closed loop: each listener asks again as soon as its stream has ended".to_string()
        }
        LoadMode::Rate => format!(
            "Open loop: requests arrive at random (Poisson, seed {}) whether or not earlier ones ended",
            c.seed.unwrap_or_default()
        ),
    };
    let sessions = match (c.sessions, c.threads_per_session) {
        (Some(1), Some(t)) => format!(
            "; in-process engine: every request queues on one session ({t} intra-op threads)"
        ),
        (Some(k), Some(t)) => format!(
            "; in-process engine: {k} sessions of {t} intra-op threads, each request to the least busy"
        ),
        _ => String::new(),
    };
    format!(
        "{load}{sessions}. Stopped: {}.{}",
        c.stopped_because,
        shards(c)
    )
}

/// `19:30:00 UTC` of a Unix time in ms.
fn time_of_day_utc(unix_ms: f64) -> String {
    let s = (unix_ms / 1000.0).floor() as i64;
    let day = s.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02} UTC",
        day / 3600,
        day % 3600 / 60,
        day % 60
    )
}

fn offset(o: Option<[f64; 2]>) -> String {
    o.map_or_else(
        || "clock not checked (no Date from the server)".into(),
        |[lo, hi]| format!("clock {lo:+.0} to {hi:+.0} ms from the server's"),
    )
}

/// Where a shard or a merged sweep came from.
fn shards(c: &CapacityResult) -> String {
    if let Some(s) = &c.shard {
        return format!(
            " Shard {} of {}: level k began at {} + (k − 1) × {:.0} s on every shard; {}.",
            s.index,
            s.of,
            time_of_day_utc(s.start_at_unix_ms),
            s.slot_s,
            offset(s.clock_offset_ms)
        );
    }
    if c.merged_from.is_empty() {
        return String::new();
    }
    let each: Vec<String> = c
        .merged_from
        .iter()
        .map(|o| {
            format!(
                "{}: {} on {}, {}",
                o.index,
                o.run_id,
                o.machine,
                offset(o.clock_offset_ms)
            )
        })
        .collect();
    format!(
        " Merged from {} shards, every level judged from all their raw requests ({}).",
        c.merged_from.len(),
        each.join("; ")
    )
}

/// The load generator's own CPU per level, and a warning when it neared its machine's cores.
fn client(c: &CapacityResult, cores: u32) -> Vec<Block> {
    let per_level: Vec<String> = c
        .levels
        .iter()
        .filter_map(|l| {
            let pct = l.client_cpu_percent?;
            let per_req = l
                .client_cpu_ms_per_request
                .map(|ms| format!(", {ms:.1} ms per request"))
                .unwrap_or_default();
            Some(format!(
                "{}: {pct:.0} %{per_req}",
                level_label(c.mode, l.level)
            ))
        })
        .collect();
    if per_level.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let limit = f64::from(cores.max(1)) * 100.0 * 0.7;
    if let Some(l) = c
        .levels
        .iter()
        .find(|l| l.client_cpu_percent.is_some_and(|p| p >= limit))
    {
        out.push(Block::Warning(format!(
            "At {} the load generator itself used {:.0} % of one core — near this machine's {cores} \
             cores: its own delays are inside the latencies. Shard the sweep over more runners \
             (`--shard`).",
            level_label(c.mode, l.level),
            l.client_cpu_percent.unwrap_or_default()
        )));
    }
    out.push(Block::Muted(format!(
        "The load generator's own CPU (% of one core): {}.",
        per_level.join("; ")
    )));
    out
}

fn ceiling(c: &CapacityResult, cores: u32) -> Vec<Block> {
    let Some(p) = c.predicted_ceiling else {
        return Vec::new();
    };
    let why = match crate::capacity::ceiling(c, cores) {
        Some(Ceiling {
            rtf,
            cores_busy: Some(busy),
            cores,
            ..
        }) => format!(
            ": at one listener a stream took RTF {rtf:.2} with {busy:.2} cores busy, {:.2} core-seconds per second of audio; {cores} cores fit {p:.1} such streams in real time if they shared perfectly.",
            rtf * busy
        ),
        Some(Ceiling { rtf, .. }) => format!(
            ": 1 / RTF {rtf:.2} at one listener, assuming a stream had the server's whole machine (its CPU was not sampled)."
        ),
        None => ".".into(),
    };
    let mut out = vec![Block::Text(format!(
        "Predicted ceiling {p:.1} listeners{why}"
    ))];
    if c.mode == LoadMode::Listeners && c.sustainable_level.unwrap_or(0.0) < (p * 0.5).floor() {
        out.push(Block::Warning(format!(
            "The measured level ({}) is well below the prediction ({p:.1}): requests are not sharing the machine (one session or worker serving one request at a time, a queue in front, a lock).",
            c.sustainable_level
                .map(|s| s.to_string())
                .unwrap_or_else(|| "none".into())
        )));
    }
    out
}

/// Failed requests per level, by kind: `4 listeners: 3 × timeout, 1 × dropped_overload`.
fn failures(c: &CapacityResult) -> Vec<String> {
    c.levels
        .iter()
        .filter(|l| l.failed > 0)
        .map(|l| {
            let mut by_kind = std::collections::BTreeMap::<String, u32>::new();
            for e in l.requests.iter().filter_map(|r| r.error.as_ref()) {
                *by_kind.entry(e.to_string()).or_default() += 1;
            }
            let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} × {k}")).collect();
            format!("{}: {}", level_label(c.mode, l.level), kinds.join(", "))
        })
        .collect()
}

/// The capacity section.
pub fn section(b: &Bundle) -> Option<Section> {
    let c = b.capacity.as_ref()?;
    let mut t = Table::new(
        "capacity-levels",
        &[
            "load",
            "ok / failed",
            "met SLO",
            "goodput /min",
            "heard p50 ms",
            "heard p95 ms",
            "heard p99 ms",
            "TTFA p50 ms",
            "TTFA p95 ms",
            "underruns / stream",
            "stall ms / stream",
            "RTF p50",
            "audio s / wall s",
            "CPU",
            "peak RSS",
        ],
    );
    let mut by_load: Vec<&CapacityLevel> = c.levels.iter().collect();
    by_load.sort_by(|a, b| a.level.total_cmp(&b.level));
    for l in by_load {
        t.rows.push(row(l, &summarise(&c.slo, l), c.mode));
    }
    let mut blocks = vec![Block::Text(verdict(c))];
    blocks.extend(ceiling(c, b.machine.logical_cores));
    blocks.push(Block::Table(t));
    let failures = failures(c);
    if !failures.is_empty() {
        blocks.push(Block::Warning(
            "Failed requests (they count against the SLO):".into(),
        ));
        blocks.push(Block::List(failures));
    }
    blocks.extend(client(c, b.machine.logical_cores));
    blocks.push(Block::Muted(setup(c)));
    blocks.push(Block::Muted(format!(
        "SLO `{}`, judged per request (a failed request never meets it); a level holds when ≥ {:.0} % of its measured requests met it. Goodput = requests per minute that met it. Warm-up requests are not counted; percentiles need 20 (p95) and 100 (p99) requests; their 95 % intervals are in the report's tooltips.",
        c.slo.text,
        c.slo.hold_fraction * 100.0
    )));
    Some(Section {
        id: "capacity",
        title: "Capacity".into(),
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::{meets, parse_slo, DEFAULT_SLO};
    use crate::schema::CapacityRequest;

    fn level(n: f64, heard: &[f64]) -> CapacityLevel {
        let slo = parse_slo(DEFAULT_SLO).unwrap();
        let requests: Vec<CapacityRequest> = heard
            .iter()
            .map(|&h| {
                let mut r = CapacityRequest {
                    heard_ms: Some(h),
                    underruns: Some(0),
                    audio_s: 2.0,
                    ..Default::default()
                };
                r.met_slo = meets(&slo, &r);
                r
            })
            .collect();
        CapacityLevel {
            level: n,
            started: heard.len() as u32,
            finished: heard.len() as u32,
            wall_s: 10.0,
            requests,
            ..Default::default()
        }
    }

    #[test]
    fn the_section_names_the_sustainable_level_and_flags_a_knee_far_below_the_prediction() {
        let mut c = CapacityResult {
            mode: LoadMode::Listeners,
            slo: parse_slo(DEFAULT_SLO).unwrap(),
            sessions: Some(1),
            threads_per_session: Some(2),
            seed: None,
            levels: vec![level(1.0, &[500.0; 20]), level(2.0, &[2500.0; 20])],
            sustainable_level: Some(1.0),
            predicted_ceiling: Some(4.2),
            stopped_because: "the SLO failed at two levels in a row".into(),
            shard: None,
            merged_from: Vec::new(),
        };
        let mut b = crate::testing::bundle_with_ttfa(&[500.0]);
        b.capacity = Some(c.clone());
        let s = section(&b).unwrap();
        let text = format!("{s:?}");
        assert!(
            text.contains("Sustainable: 1 listener (100 % met it"),
            "{text}"
        );
        assert!(text.contains("well below the prediction"), "{text}");
        assert!(text.contains("queues on one session (2 intra-op threads)"));
        let Block::Table(t) = &s.blocks[3] else {
            panic!("{:?}", s.blocks)
        };
        assert_eq!(t.rows.len(), 2);
        assert!(t.rows.iter().all(|r| r.len() == t.headings.len()));
        assert_eq!(t.rows[0][2].tone, Tone::Good);
        assert_eq!(t.rows[1][2].tone, Tone::Bad);
        assert_eq!(t.rows[0][6].tone, Tone::NoData, "p99 needs 100 requests");
        c.sustainable_level = None;
        assert!(verdict(&c).starts_with("No level held"));
    }
}
