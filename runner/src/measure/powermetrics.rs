//! GPU / Neural Engine activity on macOS from `powermetrics` (which needs root).
//!
//! One `powermetrics --samplers cpu_power,gpu_power -f plist` process runs for the whole
//! providers suite and writes NUL-separated XML property lists to a scratch file; each document
//! is one sample with `elapsed_ns`, a `timestamp`, `processor.{cpu,gpu,ane}_energy` (mJ over the
//! sample) and `gpu.{idle_ratio,freq_hz}`. Samples are assigned to a window (one variant's warm
//! trials, or the idle baseline) by the midpoint of their interval. The numbers are system-wide:
//! the idle baseline is recorded beside them so other processes' activity can be read off.
//!
//! When `powermetrics` is missing or refuses (not root), the activity is recorded as unavailable
//! with its own message — never guessed.

use kokoro_bench_bundle::schema::AcceleratorActivity;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// One `powermetrics` sample.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerSample {
    /// The document's `timestamp` (whole seconds in the releases we know of).
    pub stamp: SystemTime,
    /// End of the sample's interval, from [`align_ends`] (the stamp until then).
    pub end: SystemTime,
    /// Length of the interval, seconds.
    pub elapsed_s: f64,
    /// GPU active fraction (1 − `gpu.idle_ratio`).
    pub gpu_active_ratio: Option<f64>,
    /// GPU frequency, MHz.
    pub gpu_freq_mhz: Option<f64>,
    /// GPU energy over the interval, mJ.
    pub gpu_energy_mj: Option<f64>,
    /// Neural Engine energy over the interval, mJ.
    pub ane_energy_mj: Option<f64>,
    /// CPU energy over the interval, mJ.
    pub cpu_energy_mj: Option<f64>,
}

impl PowerSample {
    fn midpoint(&self) -> SystemTime {
        self.end
            .checked_sub(Duration::from_secs_f64(self.elapsed_s / 2.0))
            .unwrap_or(self.end)
    }
}

fn number(v: Option<&plist::Value>) -> Option<f64> {
    let v = v?;
    v.as_real()
        .or_else(|| v.as_signed_integer().map(|i| i as f64))
        .or_else(|| v.as_unsigned_integer().map(|i| i as f64))
        .filter(|x| x.is_finite())
}

/// Parses one plist document; `None` when it is not a `powermetrics` sample (no `elapsed_ns` or
/// no `timestamp`).
pub fn parse_sample(doc: &[u8]) -> Option<PowerSample> {
    let value = plist::Value::from_reader_xml(doc).ok()?;
    let top = value.as_dictionary()?;
    let elapsed_s = number(top.get("elapsed_ns"))? / 1e9;
    let end: SystemTime = top.get("timestamp")?.as_date()?.into();
    let processor = top.get("processor").and_then(|p| p.as_dictionary());
    let gpu = top.get("gpu").and_then(|g| g.as_dictionary());
    let energy = |key: &str| {
        // Newer releases also put gpu_energy in the `gpu` dictionary.
        number(processor.and_then(|p| p.get(key))).or_else(|| number(gpu.and_then(|g| g.get(key))))
    };
    Some(PowerSample {
        stamp: end,
        end,
        elapsed_s,
        gpu_active_ratio: number(gpu.and_then(|g| g.get("idle_ratio"))).map(|r| 1.0 - r),
        gpu_freq_mhz: number(gpu.and_then(|g| g.get("freq_hz"))).map(|hz| hz / 1e6),
        gpu_energy_mj: energy("gpu_energy"),
        ane_energy_mj: energy("ane_energy"),
        cpu_energy_mj: energy("cpu_energy"),
    })
    .filter(|s| s.elapsed_s > 0.0)
}

fn secs(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Places each sample's interval in time. Stamps are whole seconds but samples are contiguous, so
/// the ends are the first sample's start plus the running sum of `elapsed_ns`; the start is the
/// offset that agrees with every truncated stamp (the intersection of `[stamp − Σ, stamp − Σ + 1 s)`
/// over samples, centre taken). With sub-second stamps the median of `stamp − Σ` is used; when no
/// offset agrees with every stamp (a gap in sampling), each end is its stamp + 0.5 s.
pub fn align_ends(samples: &mut [PowerSample]) {
    let mut cumulative = 0.0;
    let mut offsets = Vec::with_capacity(samples.len());
    for s in samples.iter() {
        cumulative += s.elapsed_s;
        offsets.push((secs(s.stamp) - cumulative, cumulative));
    }
    let whole_seconds = samples.iter().all(|s| secs(s.stamp).fract() == 0.0);
    let lower = offsets
        .iter()
        .map(|o| o.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let upper = offsets.iter().map(|o| o.0).fold(f64::INFINITY, f64::min) + 1.0;
    let start = if !whole_seconds {
        let mut o: Vec<f64> = offsets.iter().map(|o| o.0).collect();
        o.sort_by(f64::total_cmp);
        Some(o[o.len() / 2])
    } else if lower <= upper {
        Some((lower + upper) / 2.0)
    } else {
        None
    };
    let at = |x: f64| SystemTime::UNIX_EPOCH + Duration::from_secs_f64(x.max(0.0));
    for (s, (_, cum)) in samples.iter_mut().zip(&offsets) {
        s.end = match start {
            Some(o) => at(o + cum),
            None => at(secs(s.stamp) + 0.5),
        };
    }
}

/// Parses a `powermetrics -f plist` stream: documents separated by NUL bytes. Returns the samples,
/// placed in time by [`align_ends`], and how many non-empty documents could not be read (a
/// truncated last one, typically).
pub fn parse_stream(bytes: &[u8]) -> (Vec<PowerSample>, usize) {
    let mut samples = Vec::new();
    let mut unreadable = 0;
    for doc in bytes.split(|&b| b == 0) {
        if doc.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_sample(doc) {
            Some(s) => samples.push(s),
            None => unreadable += 1,
        }
    }
    if !samples.is_empty() {
        align_ends(&mut samples);
    }
    (samples, unreadable)
}

/// Summarises the samples whose interval midpoint lies in `[from, to]`; `None` when none does.
/// Powers are energy over time (Σ mJ / Σ s = mW); ratios and frequencies are time-weighted.
pub fn summarise(
    samples: &[PowerSample],
    from: SystemTime,
    to: SystemTime,
) -> Option<AcceleratorActivity> {
    let inside: Vec<&PowerSample> = samples
        .iter()
        .filter(|s| (from..=to).contains(&s.midpoint()))
        .collect();
    if inside.is_empty() {
        return None;
    }
    let total_s: f64 = inside.iter().map(|s| s.elapsed_s).sum();
    let power = |f: fn(&PowerSample) -> Option<f64>| {
        let with: Vec<_> = inside
            .iter()
            .filter_map(|s| f(s).map(|e| (e, s.elapsed_s)))
            .collect();
        let secs: f64 = with.iter().map(|(_, t)| t).sum();
        (secs > 0.0).then(|| with.iter().map(|(e, _)| e).sum::<f64>() / secs)
    };
    let weighted = |f: fn(&PowerSample) -> Option<f64>| {
        let with: Vec<_> = inside
            .iter()
            .filter_map(|s| f(s).map(|v| (v, s.elapsed_s)))
            .collect();
        let secs: f64 = with.iter().map(|(_, t)| t).sum();
        (secs > 0.0).then(|| with.iter().map(|(v, t)| v * t).sum::<f64>() / secs)
    };
    Some(AcceleratorActivity {
        samples: inside.len() as u32,
        sampled_s: total_s,
        gpu_active_ratio: weighted(|s| s.gpu_active_ratio),
        gpu_freq_mhz: weighted(|s| s.gpu_freq_mhz),
        gpu_power_mw: power(|s| s.gpu_energy_mj),
        ane_power_mw: power(|s| s.ane_energy_mj),
        cpu_power_mw: power(|s| s.cpu_energy_mj),
    })
}

/// A running `powermetrics`.
pub struct Sampler {
    child: Child,
    out: PathBuf,
    interval_ms: u32,
}

impl Sampler {
    /// Starts `program` (normally `powermetrics`) sampling every `interval_ms` into a file in
    /// `scratch`. Waits briefly so an immediate refusal (not root, unknown sampler) is reported
    /// here with the program's own message.
    ///
    /// # Errors
    /// A sentence saying why activity cannot be recorded, ending with the program.
    pub fn start(program: &Path, scratch: &Path, interval_ms: u32) -> Result<Sampler, String> {
        let out = scratch.join("powermetrics.plist");
        let _ = std::fs::remove_file(&out);
        let mut child = Command::new(program)
            .args(["--samplers", "cpu_power,gpu_power", "-f", "plist", "-i"])
            .arg(interval_ms.to_string())
            .arg("-o")
            .arg(&out)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(600) {
            if let Ok(Some(status)) = child.try_wait() {
                let mut msg = String::new();
                if let Some(mut err) = child.stderr.take() {
                    use std::io::Read;
                    let _ = err.read_to_string(&mut msg);
                }
                let msg = msg.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                return Err(format!(
                    "it refused ({status}{}{}); run kokoro-bench with sudo to record GPU / Neural Engine activity: {}",
                    if msg.is_empty() { "" } else { ": " },
                    msg.trim(),
                    program.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Sampler {
            child,
            out,
            interval_ms,
        })
    }

    /// Stops the sampler (SIGINT so it flushes its last document, then SIGKILL after 3 s) and
    /// reads every sample it wrote. Returns the samples and a note on how they were taken.
    pub fn stop(mut self) -> (Vec<PowerSample>, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["-INT", &pid])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let bytes = std::fs::read(&self.out).unwrap_or_default();
        let _ = std::fs::remove_file(&self.out);
        let (samples, unreadable) = parse_stream(&bytes);
        let note = format!(
            "recorded by powermetrics (cpu_power, gpu_power samplers, every {} ms): {} samples{}; system-wide, read against the idle baseline",
            self.interval_ms,
            samples.len(),
            if unreadable > 0 {
                format!(", {unreadable} unreadable")
            } else {
                String::new()
            }
        );
        (samples, note)
    }
}

impl Drop for Sampler {
    /// A sampler dropped without [`Sampler::stop`] (an early return) must not outlive the run.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape `powermetrics --samplers cpu_power,gpu_power -f plist` writes on Apple silicon
    /// (keys as documented by asitop and other readers of it; values made up).
    fn doc(timestamp: &str, elapsed_ns: u64, gpu_idle: f64, gpu_mj: u64, ane_mj: u64) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>is_delta</key><true/>
	<key>elapsed_ns</key><integer>{elapsed_ns}</integer>
	<key>hw_model</key><string>Mac14,2</string>
	<key>timestamp</key><date>{timestamp}</date>
	<key>processor</key>
	<dict>
		<key>clusters</key><array/>
		<key>ane_energy</key><integer>{ane_mj}</integer>
		<key>cpu_energy</key><integer>600</integer>
		<key>gpu_energy</key><integer>{gpu_mj}</integer>
		<key>combined_power</key><real>2092.0</real>
	</dict>
	<key>gpu</key>
	<dict>
		<key>freq_hz</key><real>1.398e+09</real>
		<key>idle_ratio</key><real>{gpu_idle}</real>
		<key>dvfm_states</key><array/>
	</dict>
</dict>
</plist>
"#
        )
    }

    #[test]
    fn nul_separated_samples_are_read_and_windowed() {
        let mut stream = Vec::new();
        // Four 500 ms samples ending at :01, :01.5, :02, :02.5.
        for (i, ts) in [
            "2026-11-24T10:00:01Z",
            "2026-11-24T10:00:01.5Z",
            "2026-11-24T10:00:02Z",
            "2026-11-24T10:00:02.5Z",
        ]
        .iter()
        .enumerate()
        {
            if i > 0 {
                stream.push(0);
            }
            let busy = i >= 2;
            stream.extend(
                doc(
                    ts,
                    500_000_000,
                    if busy { 0.25 } else { 1.0 },
                    if busy { 400 } else { 10 },
                    if busy { 1000 } else { 0 },
                )
                .bytes(),
            );
        }
        stream.push(0);
        stream.extend(b"<?xml version=\"1.0\"?><plist><dict><key>elapsed_ns</key>"); // cut off
        let (samples, unreadable) = parse_stream(&stream);
        assert_eq!((samples.len(), unreadable), (4, 1));
        assert_eq!(samples[0].gpu_freq_mhz, Some(1398.0));
        let at = |s: &str| -> SystemTime { plist::Date::from_xml_format(s).unwrap().into() };
        // The busy window: samples whose midpoints are 01.75 and 02.25.
        let busy = summarise(
            &samples,
            at("2026-11-24T10:00:01.6Z"),
            at("2026-11-24T10:00:02.5Z"),
        )
        .unwrap();
        assert_eq!(busy.samples, 2);
        assert!((busy.sampled_s - 1.0).abs() < 1e-9);
        assert_eq!(busy.gpu_active_ratio, Some(0.75));
        assert_eq!(busy.gpu_power_mw, Some(800.0)); // 800 mJ over 1 s
        assert_eq!(busy.ane_power_mw, Some(2000.0));
        assert_eq!(busy.cpu_power_mw, Some(1200.0));
        let idle = summarise(
            &samples,
            at("2026-11-24T10:00:00Z"),
            at("2026-11-24T10:00:01.5Z"),
        )
        .unwrap();
        assert_eq!((idle.samples, idle.gpu_active_ratio), (2, Some(0.0)));
        assert_eq!(idle.ane_power_mw, Some(0.0));
        assert!(summarise(
            &samples,
            at("2026-11-24T11:00:00Z"),
            at("2026-11-24T11:00:01Z")
        )
        .is_none());
    }

    #[test]
    fn whole_second_stamps_are_placed_by_the_running_sum_of_intervals() {
        // True start 10:00:00.30; 200 ms samples; stamps truncated to the second.
        let t0 = 1_795_000_000.30_f64;
        let mut samples: Vec<PowerSample> = (1..=20)
            .map(|i| {
                let end = t0 + 0.2 * i as f64;
                let stamp = SystemTime::UNIX_EPOCH + Duration::from_secs(end.floor() as u64);
                PowerSample {
                    stamp,
                    end: stamp,
                    elapsed_s: 0.2,
                    gpu_active_ratio: None,
                    gpu_freq_mhz: None,
                    gpu_energy_mj: None,
                    ane_energy_mj: None,
                    cpu_energy_mj: None,
                }
            })
            .collect();
        align_ends(&mut samples);
        for (i, s) in samples.iter().enumerate() {
            let truth = t0 + 0.2 * (i + 1) as f64;
            assert!(
                (secs(s.end) - truth).abs() < 0.1,
                "sample {i}: {} vs {truth}",
                secs(s.end)
            );
        }
    }

    #[test]
    fn documents_that_are_not_samples_are_counted_not_invented() {
        assert!(
            parse_sample(b"<plist><dict><key>hw_model</key><string>x</string></dict></plist>")
                .is_none()
        );
        assert!(parse_sample(b"garbage").is_none());
        let (s, bad) = parse_stream(b"\n\0  \0");
        assert!(s.is_empty());
        assert_eq!(bad, 0);
    }

    #[test]
    fn a_program_that_refuses_is_reported_with_its_message() {
        let dir = std::env::temp_dir().join(format!("kb-pm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // `false` stands in for powermetrics run without root: it exits at once.
        let err = match Sampler::start(Path::new("false"), &dir, 200) {
            Err(e) => e,
            Ok(s) => {
                s.stop();
                panic!("`false` should be reported as refusing")
            }
        };
        assert!(
            err.starts_with("it refused (exit status: 1") && err.ends_with("false"),
            "{err}"
        );
        let err = match Sampler::start(Path::new("/nonexistent/powermetrics"), &dir, 200) {
            Err(e) => e,
            Ok(_) => panic!("a missing program must not start"),
        };
        assert!(
            err.starts_with("cannot start /nonexistent/powermetrics"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
