//! Suites: each kind of measurement a run can include, one module each, behind one contract
//! ([`Suite`]) and one registry ([`REGISTRY`]).
//!
//! A suite hooks into the run where it needs to, and ignores the rest (the hooks default to
//! nothing, like criterion's `Report`):
//!
//! | hook | when | who uses it |
//! |---|---|---|
//! | [`Suite::before_target`] | before the target starts | memory (the sampler sees the engine load) |
//! | [`Suite::target_started`] | the target is up, nothing measured yet | memory (baseline) |
//! | [`Suite::analyse_trial`] | after every trial of the case × trial loop | streaming, quality, agent |
//! | [`Suite::with_target`] | after the loop, the target still running | soak |
//! | [`Suite::own_sessions`] | the target stopped; suites load their own sessions | judges, dual, hardware, providers |
//! | [`Suite::finish`] | the end, whatever happened | memory (stop, leak slope) |
//!
//! Each suite owns its flags (a clap group in [`SuiteArgs`]), validates them into its own options
//! when it is built ([`Entry::build`]) — so a suite that needs options cannot exist without them —
//! and writes its own result into the bundle.

pub mod agent;
pub mod capacity;
pub mod dual;
pub mod hardware;
pub mod judges;
pub mod leak;
pub mod memory;
pub mod providers;
pub mod quality;
pub mod soak;
pub mod streaming;
pub mod trials;
pub mod versus;

use crate::context::settings::Settings;
use crate::context::RunCtx;
use crate::targets::{Target, TargetSpec, TrialOutput};
use anyhow::{bail, Result};
use clap::Args;
use kokoro_bench_bundle::schema::{GateRule, SuiteKind, Trial};

/// One kind of measurement. Every hook has a do-nothing default.
pub trait Suite {
    /// Which suite this is.
    fn kind(&self) -> SuiteKind;

    /// Whether the suite needs the case × trial loop to run.
    fn uses_trials(&self) -> bool {
        false
    }

    /// Before the target starts.
    ///
    /// # Errors
    /// When the suite cannot do its work at all (the run stops before measuring).
    fn before_target(&mut self, _ctx: &mut RunCtx) -> Result<()> {
        Ok(())
    }

    /// The target is up; nothing has been measured yet.
    fn target_started(&mut self, _ctx: &mut RunCtx) {}

    /// After each trial of the loop: derive this suite's part of the trial from its trace.
    fn analyse_trial(&self, _trial: &mut Trial, _out: &TrialOutput, _settings: &Settings) {}

    /// After the loop, with the target still running.
    ///
    /// # Errors
    /// The suite failed; the run goes on and the bundle says why.
    fn with_target(&mut self, _ctx: &mut RunCtx, _target: &dyn Target) -> Result<()> {
        Ok(())
    }

    /// After the target stopped: suites that load their own sessions.
    ///
    /// # Errors
    /// The suite failed; the run goes on and the bundle says why.
    fn own_sessions(&mut self, _ctx: &mut RunCtx) -> Result<()> {
        Ok(())
    }

    /// At the end of the run, interrupted or not.
    fn finish(&mut self, _ctx: &mut RunCtx) {}

    /// Gates the suite applies unless the gates file names the same metric (judges: flag
    /// garbage audio).
    fn default_gates(&self) -> Vec<GateRule> {
        Vec::new()
    }
}

/// Every suite's flags, grouped under their own headings in `run --help`.
#[derive(Args, Debug, Clone)]
pub struct SuiteArgs {
    /// Suites to run (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ttfa,rtf,streaming,quality,memory",
        value_parser = suite_names(),
        help_heading = "Suites"
    )]
    pub suite: Vec<String>,
    /// Memory suite.
    #[command(flatten)]
    pub memory: memory::MemoryArgs,
    /// Soak suite.
    #[command(flatten)]
    pub soak: soak::SoakArgs,
    /// Providers suite.
    #[command(flatten)]
    pub providers: providers::ProvidersArgs,
    /// Dual suite.
    #[command(flatten)]
    pub dual: dual::DualArgs,
    /// Capacity suite.
    #[command(flatten)]
    pub capacity: capacity::CapacityArgs,
    /// Versus flags.
    #[command(flatten)]
    pub versus: versus::VersusArgs,
    /// Judges suite.
    #[command(flatten)]
    pub judges: judges::JudgesArgs,
}

/// What a suite's builder gets: its flags, the target, the shared settings.
pub struct BuildInput<'a> {
    /// Every suite's flags.
    pub args: &'a SuiteArgs,
    /// The target, configured.
    pub target: &'a dyn TargetSpec,
    /// Voice, speed, trials … as validated.
    pub settings: &'a Settings,
}

/// A registered suite.
pub struct Entry {
    /// Its `--suite` name (the wire name of its [`SuiteKind`]).
    pub name: &'static str,
    /// Measures the in-process engine's own sessions (not available for other targets).
    pub engine_only: bool,
    /// A flag of this suite given although the suite was not selected.
    pub stray_flag: fn(&SuiteArgs) -> Option<&'static str>,
    /// Validates the flags and builds the suite.
    pub build: fn(&BuildInput<'_>) -> Result<Box<dyn Suite>>,
}

fn no_flags(_: &SuiteArgs) -> Option<&'static str> {
    None
}

/// Every suite, in the order their phases run.
pub const REGISTRY: &[Entry] = &[
    Entry {
        name: "ttfa",
        engine_only: false,
        stray_flag: no_flags,
        build: trials::build_ttfa,
    },
    Entry {
        name: "rtf",
        engine_only: false,
        stray_flag: no_flags,
        build: trials::build_rtf,
    },
    Entry {
        name: "streaming",
        engine_only: false,
        stray_flag: no_flags,
        build: streaming::build,
    },
    Entry {
        name: "quality",
        engine_only: false,
        stray_flag: no_flags,
        build: quality::build,
    },
    Entry {
        name: "memory",
        engine_only: false,
        stray_flag: no_flags,
        build: memory::build,
    },
    Entry {
        name: "soak",
        engine_only: false,
        stray_flag: soak::stray_flag,
        build: soak::build,
    },
    Entry {
        name: "capacity",
        engine_only: false,
        stray_flag: capacity::stray_flag,
        build: capacity::build,
    },
    Entry {
        name: "versus",
        engine_only: false,
        stray_flag: versus::stray_flag,
        build: versus::build,
    },
    Entry {
        name: "agent",
        engine_only: false,
        stray_flag: no_flags,
        build: agent::build,
    },
    Entry {
        name: "judges",
        engine_only: false,
        stray_flag: judges::stray_flag,
        build: judges::build,
    },
    Entry {
        name: "dual",
        engine_only: true,
        stray_flag: no_flags,
        build: dual::build,
    },
    Entry {
        name: "hardware",
        engine_only: true,
        stray_flag: no_flags,
        build: hardware::build,
    },
    Entry {
        name: "providers",
        engine_only: true,
        stray_flag: providers::stray_flag,
        build: providers::build,
    },
];

impl Entry {
    /// The suite's kind.
    pub fn kind(&self) -> SuiteKind {
        SuiteKind::parse(self.name)
    }
}

/// The names `--suite` accepts, from the registry.
fn suite_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(REGISTRY.iter().map(|e| e.name))
}

/// Builds the selected suites in registry order, after checking that they fit the target and
/// that no suite's flags were given without the suite.
///
/// # Errors
/// Engine-only suites on another target, stray flags, and each suite's own validation.
pub fn build(input: &BuildInput<'_>) -> Result<Vec<Box<dyn Suite>>> {
    let selected: Vec<SuiteKind> = input
        .args
        .suite
        .iter()
        .map(|s| SuiteKind::parse(s))
        .collect();
    let mut out = Vec::new();
    for e in REGISTRY {
        if !selected.contains(&e.kind()) {
            if let Some(flag) = (e.stray_flag)(input.args) {
                bail!(
                    "{flag} belongs to the {} suite: add `--suite {}` (with the others you want)",
                    e.name,
                    e.name
                );
            }
            continue;
        }
        if e.engine_only && input.target.engine().is_none() {
            bail!(
                "the {} suite measures the in-process engine's own sessions; drop it or use --target engine",
                e.name
            );
        }
        out.push((e.build)(input)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::testing::settings;
    use crate::targets::fake::{FakeSpec, Script};
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        suites: SuiteArgs,
    }

    fn build_from(args: &[&str]) -> Result<Vec<Box<dyn Suite>>> {
        let cli = Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied()))?;
        let target = FakeSpec(Script::parse("1:100").unwrap());
        build(&BuildInput {
            args: &cli.suites,
            target: &target,
            settings: &settings(3),
        })
    }

    #[test]
    fn suites_are_built_in_registry_order_and_bad_plans_are_refused() {
        let kinds: Vec<SuiteKind> = build_from(&["--suite", "memory,ttfa,streaming"])
            .unwrap()
            .iter()
            .map(|s| s.kind())
            .collect();
        assert_eq!(
            kinds,
            [SuiteKind::Ttfa, SuiteKind::Streaming, SuiteKind::Memory]
        );
        let err = |a: &[&str]| {
            build_from(a)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err(&["--suite", "ttfa,dual"]).contains("--target engine"));
        assert!(err(&["--suite", "providers"]).contains("--target engine"));
        assert!(err(&["--duration", "5m"]).contains("--suite soak"));
        assert!(err(&["--variant", "x:threads=1"]).contains("--suite providers"));
        assert!(err(&["--suite", "soak"]).contains("--duration"));
        assert!(err(&[
            "--suite",
            "soak",
            "--iterations",
            "3",
            "--arrival-rate",
            "-1"
        ])
        .contains("--arrival-rate"));
        assert!(err(&["--suite", "soak", "--duration", "soon"]).contains("not a duration"));
        assert!(err(&["--suite", "memory", "--memory-interval-ms", "0"]).contains("at least 1"));
        assert!(err(&["--suite", "warp"]).contains("invalid value"));
    }

    #[test]
    fn every_registered_suite_is_a_known_suite_kind_once() {
        for (i, e) in REGISTRY.iter().enumerate() {
            assert!(
                !matches!(e.kind(), SuiteKind::Other(_)),
                "{} is not a SuiteKind",
                e.name
            );
            assert!(
                REGISTRY[..i].iter().all(|o| o.name != e.name),
                "{} twice",
                e.name
            );
        }
        assert_eq!(
            SuiteKind::KNOWN.len(),
            REGISTRY.len(),
            "a SuiteKind without a suite"
        );
    }
}
