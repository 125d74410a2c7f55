//! `nakama-devhost`: the dev host binary.
//!
//! - `nakama-devhost check <dir-or-file>`: load modules and print what each
//!   declares; exit non-zero on a refusal.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;

#[derive(Parser)]
#[command(name = "nakama-devhost", version, about = "Run Nakama Rust modules")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load modules and print, per module, its name, SDK and ABI versions
    /// and every registration. Exits non-zero if any module is refused.
    Check {
        /// A module file, or a folder of modules.
        path: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { path } => check::run(&path),
    }
}
