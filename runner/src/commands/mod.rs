//! Command implementations. Each returns the process exit code: 0 ok, 1 a gate failed or a
//! comparison regressed, 2 the command could not be done (an `Err`).

pub mod bundles;
pub mod compare;
pub mod export;
pub mod history;
pub mod judge;
pub mod merge;
pub mod run;
pub mod site;
pub mod table;
pub mod upstream;
pub mod worker;

/// `kokoro-bench setup`: ONNX Runtime and the registry pack, and with `--model` the release files.
///
/// # Errors
/// Whatever a download or a verification says.
pub fn setup(args: &upstream::SetupArgs) -> anyhow::Result<i32> {
    crate::setup::run()?;
    if args.judges {
        for pkg in &crate::judges::assets::ALL {
            crate::judges::assets::setup(&crate::judges::assets::default_dir(), pkg)?;
        }
    }
    if let Some(p) = args.model {
        let (model, voices) = upstream::fetch(p, args.mirror.as_deref())?;
        println!(
            "kokoro-bench run --model {} --voices {} --voice af_heart",
            model.display(),
            voices.display()
        );
    }
    Ok(EXIT_OK)
}

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: a gate failed or a comparison regressed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code: the command could not be done.
pub const EXIT_ERROR: i32 = 2;
/// Exit code: the run was interrupted (Ctrl-C); what it measured is written.
pub const EXIT_INTERRUPTED: i32 = 130;
