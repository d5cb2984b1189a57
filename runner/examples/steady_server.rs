//! A speech server that never slows down, for measuring the load generator itself
//! (`scripts/client-ceiling.sh`): every `POST` is answered after `--ttfb-ms` with a WAV stream of
//! a quiet tone, `--audio-ms` long, sent in pieces faster than real time (`--pace`), whatever
//! the number of concurrent requests — a thread per connection that mostly sleeps. Connections
//! are kept alive; every answer carries a `Date` header (sharded sweeps read it).
//!
//! ```sh
//! cargo run --release --example steady_server -- --port 18990 --ttfb-ms 200 --audio-ms 4000
//! ```
//!
//! Not a TTS engine: its numbers describe the client, never a model.

use kokoro_bench::measure::pcm::{streaming_wav_header, tone_pcm16};
use kokoro_bench::suites::capacity::shard::format_http_date;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

struct Config {
    port: u16,
    ttfb: Duration,
    audio_ms: u32,
    piece_ms: u32,
    pace: f64,
}

fn config() -> Config {
    let mut c = Config {
        port: 18990,
        ttfb: Duration::from_millis(200),
        audio_ms: 4000,
        piece_ms: 500,
        pace: 2.0,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        let bad = || -> ! {
            eprintln!(
                "steady_server: `{} {value}`: flags are --port N --ttfb-ms N --audio-ms N --piece-ms N --pace X",
                pair[0]
            );
            std::process::exit(2)
        };
        match pair[0].as_str() {
            "--port" => c.port = value.parse().unwrap_or_else(|_| bad()),
            "--ttfb-ms" => c.ttfb = Duration::from_millis(value.parse().unwrap_or_else(|_| bad())),
            "--audio-ms" => c.audio_ms = value.parse().unwrap_or_else(|_| bad()),
            "--piece-ms" => c.piece_ms = value.parse().unwrap_or_else(|_| bad()),
            "--pace" => c.pace = value.parse().unwrap_or_else(|_| bad()),
            _ => bad(),
        }
    }
    c
}

fn chunk(s: &mut impl Write, data: &[u8]) -> std::io::Result<()> {
    write!(s, "{:x}\r\n", data.len())?;
    s.write_all(data)?;
    s.write_all(b"\r\n")?;
    s.flush()
}

/// Reads one request (head and body); `false` when the client closed the connection.
fn read_request(r: &mut BufReader<TcpStream>) -> bool {
    let mut len = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) => {}
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).is_ok()
}

fn serve(s: TcpStream, c: &Config, piece: &[u8]) {
    let _ = s.set_nodelay(true);
    let Ok(mut w) = s.try_clone() else { return };
    let mut r = BufReader::new(s);
    let pieces = c.audio_ms.div_ceil(c.piece_ms.max(1));
    let gap = Duration::from_secs_f64(f64::from(c.piece_ms) / 1000.0 / c.pace);
    while read_request(&mut r) {
        std::thread::sleep(c.ttfb);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\nDate: {}\r\n\r\n",
            format_http_date(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64)
            )
        );
        if w.write_all(head.as_bytes()).is_err()
            || chunk(&mut w, &streaming_wav_header(24_000)).is_err()
        {
            return;
        }
        for i in 0..pieces {
            if i > 0 {
                std::thread::sleep(gap);
            }
            if chunk(&mut w, piece).is_err() {
                return;
            }
        }
        if chunk(&mut w, b"").is_err() {
            return;
        }
    }
}

fn main() {
    let c: &'static Config = Box::leak(Box::new(config()));
    let piece: &'static [u8] = Box::leak(tone_pcm16(c.piece_ms, 24_000).into_boxed_slice());
    let l = TcpListener::bind(("127.0.0.1", c.port)).unwrap_or_else(|e| {
        eprintln!("steady_server: cannot listen on 127.0.0.1:{}: {e}", c.port);
        std::process::exit(2)
    });
    eprintln!(
        "steady_server: http://127.0.0.1:{}/v1/audio/speech — first byte after {} ms, {} ms of audio at {}× real time",
        c.port,
        c.ttfb.as_millis(),
        c.audio_ms,
        c.pace
    );
    for s in l.incoming().flatten() {
        let spawned = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || serve(s, c, piece));
        if let Err(e) = spawned {
            eprintln!("steady_server: cannot start a connection thread: {e}");
        }
    }
}
