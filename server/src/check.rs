//! `check`: load modules the way a host does and report what they declare.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// `println!` that does not panic when stdout is closed early (`check ..
/// | grep -q ..`): the report is lost, the exit code still says whether
/// the modules were accepted.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

use nakama_runtime_host::abi::{mode, ContextData, ABI_MAJOR, ABI_MINOR};
use nakama_runtime_host::{BoxFuture, CallError, HostApi, LoadEvent, LogRecord, Modules};

use nakama_devhost::channels::Channels;
use nakama_devhost::db::Db;
use nakama_devhost::events::Events;
use nakama_devhost::log::Logger;
use nakama_devhost::matches::Matches;
use nakama_devhost::nk::DevHostApi;
use nakama_devhost::session::Sessions;
use nakama_devhost::status::Statuses;

/// Runs init with no server behind it: logs are printed, nk calls are
/// answered by the dev host's functions on an empty in-memory database
/// that is dropped afterwards (so an init that creates its leaderboards or
/// reads its configuration works, and nothing is kept).
struct CheckHost {
    scratch: DevHostApi,
}

impl CheckHost {
    fn new() -> Result<CheckHost, String> {
        let db = Db::open(":memory:")?;
        Ok(CheckHost {
            scratch: DevHostApi {
                channels: Channels::new(
                    db.clone(),
                    Default::default(),
                    Logger::new("error", "json"),
                ),
                status: Statuses::new(db.clone(), Logger::new("error", "json")),
                events: Events::inert(Logger::new("error", "json")),
                // `get_config` answers the default settings, named as the
                // init's context names the node.
                misc: nakama_devhost::nk::Extras::new(
                    Default::default(),
                    nakama_devhost::config::Config {
                        name: "check".into(),
                        ..Default::default()
                    }
                    .server_config(),
                ),
                metrics: Arc::new(nakama_devhost::metrics::Metrics::new(
                    &Default::default(),
                    "",
                )),
                storage_indexes: nakama_devhost::storage_index::StorageIndexes::new(
                    db.clone(),
                    &Default::default(),
                    Logger::new("error", "json"),
                ),
                db,
                log: Logger::new("error", "json"),
                sessions: Arc::new(Sessions::new("check", "check", 60, 60)),
                // No modules behind it: an init's match_create answers
                // "not found", as before Nakama has loaded its handlers.
                online: Default::default(),
                // (Its relayed matches are on streams of its own: it has
                // no sockets.)
                matches: Matches::manual(
                    "check",
                    nakama_devhost::VERSION,
                    Logger::new("error", "json"),
                    Default::default(),
                ),
            },
        })
    }
}

impl HostApi for CheckHost {
    fn log(&self, record: LogRecord<'_>) {
        say!(
            "    log from {} ({}): {}",
            record.call.module,
            record.caller,
            record.message
        );
    }

    fn nk_call(
        &self,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        self.scratch.nk_call(host_token, function, args)
    }
}

pub fn run(path: &Path) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    say!(
        "host ABI {ABI_MAJOR}.{ABI_MINOR}; checking {}",
        path.display()
    );
    let ctx = ContextData {
        execution_mode: mode::RUN_ONCE.into(),
        node: "check".into(),
        ..Default::default()
    };
    let host = match CheckHost::new() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: cannot open a scratch database: {e}");
            return ExitCode::FAILURE;
        }
    };
    let loaded = runtime.block_on(Modules::load(
        path,
        Arc::new(host),
        ctx,
        |event| match event {
            LoadEvent::Skipped { file, reason } => {
                say!("skipped {}: {reason}", file.display())
            }
            LoadEvent::Loaded {
                name,
                file,
                sdk_version,
                abi,
            } => say!(
                "module {name} ({})\n    nakama-runtime {sdk_version}, ABI {}.{}",
                file.display(),
                abi.0,
                abi.1
            ),
            LoadEvent::Registered { kind, id, .. } => say!("    {kind:<11} {id}"),
        },
    ));
    match loaded {
        // A file that is not a module (or a folder without one) is skipped
        // when serving, but a check was asked for modules: none is a failure.
        Ok(modules) if modules.modules().is_empty() => {
            eprintln!(
                "error: no module in {}: a module is a cdylib built with nakama-runtime ({})",
                path.display(),
                nakama_runtime_host::EXTENSIONS
                    .iter()
                    .map(|e| format!("*.{e}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            ExitCode::FAILURE
        }
        Ok(modules) => {
            say!("ok: {} module(s) accepted", modules.modules().len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
