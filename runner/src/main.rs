//! `kokoro-bench`: parse, dispatch, map to an exit code, print the error's cause chain.

use clap::Parser;
use kokoro_bench::cli::{Cli, Command};
use kokoro_bench::commands::{self, EXIT_ERROR};

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Setup(args) => commands::setup(&args),
        Command::Run(args) => commands::run::run(*args),
        Command::Schema => Ok(commands::bundles::schema()),
        Command::Validate { files } => Ok(commands::bundles::validate(&files)),
        Command::Migrate { file } => commands::bundles::migrate(&file),
        Command::Judge(args) => commands::judge::run(&args),
        Command::Compare(args) => commands::compare::run(&args),
        Command::History(args) => commands::history::run(&args),
        Command::Merge(args) => commands::merge::run(&args),
        Command::Publish(args) => commands::site::publish(&args),
        Command::Export(args) => commands::site::export(&args),
        Command::View { dir, port } => commands::site::view(&dir, port),
        Command::Worker(args) => commands::worker::run(&args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "kokoro-bench",
                &mut std::io::stdout(),
            );
            Ok(commands::EXIT_OK)
        }
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {}", kokoro_bench::redact::scrub(&format!("{e:#}")));
            std::process::exit(EXIT_ERROR);
        }
    }
}
