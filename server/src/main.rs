//! `nakama-devhost`: serve Rust modules behind Nakama's client API,
//! `check` them, or start a `new` one.
//!
//! ```text
//! nakama-devhost [--config local.yml] [--runtime.path DIR] [--socket.port 7350] ...
//! nakama-devhost check <dir-or-file>
//! nakama-devhost new <folder> [--sdk <nakama-rs clone>]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command};
use nakama_devhost::config::{Config, KEYS};

mod check;
mod new;

fn cli() -> Command {
    // Nakama's flags are the YAML paths (`--runtime.http_key`): one option
    // per known key, so an unknown flag is an error that lists them.
    let mut cmd = Command::new("nakama-devhost")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Run Nakama Rust modules behind Nakama's client API, with SQLite")
        .arg(
            Arg::new("config")
                .long("config")
                .value_name("FILE")
                .action(ArgAction::Append)
                .help("YAML config file in Nakama's format (repeatable; later ones win)"),
        )
        .subcommand(
            Command::new("check")
                .about("Load modules and print what each declares; exit 1 on a refusal")
                .arg(Arg::new("path").required(true).value_name("DIR-OR-FILE")),
        )
        .subcommand(
            Command::new("new")
                .about("Start a module crate in a new folder: an RPC, its test, ready to build")
                .arg(Arg::new("path").required(true).value_name("FOLDER"))
                .arg(
                    Arg::new("sdk")
                        .long("sdk")
                        .value_name("DIR")
                        .help("the nakama-rs clone to depend on (default: the one this dev host was built from)"),
                ),
        )
        .subcommand(Command::new("serve").about("Serve the modules (the default)"));
    for key in KEYS {
        cmd = cmd.arg(
            Arg::new(*key)
                .long(*key)
                .value_name("VALUE")
                .action(ArgAction::Append)
                .help(format!("config key {key}")),
        );
    }
    cmd
}

fn main() -> ExitCode {
    let matches = cli().get_matches();
    if let Some(("check", sub)) = matches.subcommand() {
        let path: &String = sub.get_one("path").expect("required");
        return check::run(&PathBuf::from(path));
    }
    if let Some(("new", sub)) = matches.subcommand() {
        let path: &String = sub.get_one("path").expect("required");
        let sdk = sub.get_one::<String>("sdk").map(PathBuf::from);
        return new::run(&PathBuf::from(path), sdk.as_deref());
    }
    let files: Vec<PathBuf> = matches
        .get_many::<String>("config")
        .map(|v| v.map(PathBuf::from).collect())
        .unwrap_or_default();
    // Flags in command-line order, so repeated ones append (runtime.env).
    let mut flags: Vec<(usize, String, String)> = Vec::new();
    for key in KEYS {
        if let (Some(values), Some(indices)) =
            (matches.get_many::<String>(key), matches.indices_of(key))
        {
            for (v, i) in values.zip(indices) {
                flags.push((i, key.to_string(), v.clone()));
            }
        }
    }
    flags.sort();
    let flags: Vec<(String, String)> = flags.into_iter().map(|(_, k, v)| (k, v)).collect();
    let (config, warnings) = match Config::load(&files, &flags) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        // Listening for the signals before serving: one that comes as soon
        // as the port answers must not find Rust's default (exit at once).
        let mut stop = StopSignal::new();
        let running = match nakama_devhost::start(config, warnings).await {
            Ok(r) => r,
            Err(e) => {
                let log = nakama_devhost::log::Logger::new("info", "json");
                log.error("Startup failed", &[("error", e.into())]);
                return ExitCode::FAILURE;
            }
        };
        let shutdown = running.shutdown.clone();
        tokio::select! {
            r = running.server => match r {
                Ok(Ok(())) => ExitCode::SUCCESS,
                _ => ExitCode::FAILURE,
            },
            _ = stop.recv() => {
                // Matches get `terminate` and the shutdown hook runs, within
                // shutdown_grace_sec; a second signal stops at once.
                tokio::select! {
                    _ = shutdown.run() => {}
                    _ = stop.recv() => {}
                }
                ExitCode::SUCCESS
            }
        }
    })
}

/// Ctrl-C, or SIGTERM where there is one (what Nakama stops on).
struct StopSignal {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignal {
    fn new() -> StopSignal {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = signal(SignalKind::terminate())
                .and_then(|term| Ok((term, signal(SignalKind::interrupt())?)))
                .ok();
            StopSignal { signals }
        }
        #[cfg(not(unix))]
        StopSignal {}
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some((term, int)) = &mut self.signals {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
