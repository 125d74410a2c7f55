//! Loading the modules folder ([`Loader`]), and `runtime.reload` (dev host
//! only, [`watch`]): serve what the folder holds after a change without a
//! restart. Rebuild a module, copy it into the folder, and the next calls
//! go to the new build.
//!
//! Each load works on copies of the files (`<data_dir>/modules-loaded/<n>/`):
//! the dynamic loader hands back the library it already has for a path,
//! and a module file rewritten in place while it is mapped would change
//! code that runs. Only the copies of the modules being served stay on
//! disk (a library stays mapped once its file is removed; a debugger then
//! finds no symbols for it, which only matters for the served build). Calls in flight finish on the modules they started
//! with; older builds stay loaded (a library is never unloaded) until the
//! dev host stops. A folder that fails to load (an init error, an ABI
//! refusal) is logged and the modules loaded before keep serving.
//!
//! The folder is polled (a few `stat`s every [`POLL`]) rather than watched
//! with the `notify` crate: it is one flat folder, and a poll sees a file
//! only once it has held still, not half copied.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use nakama_runtime_host::abi::ffi::FfiContext;
use nakama_runtime_host::abi::ContextData;
use nakama_runtime_host::{
    loader, BoxFuture, CallError, HostApi, LoadError, LoadEvent, LogRecord, Modules, EXTENSIONS,
};
use serde_json::{Map, Value};

use crate::http::App;
use crate::log::Logger;

/// How often the folder is looked at. A change is loaded once the folder
/// looked the same twice in a row.
pub const POLL: Duration = Duration::from_millis(300);

/// Loads the modules folder, the first time and after each change.
pub struct Loader {
    runtime_path: PathBuf,
    /// `None`: load the files themselves (no reload).
    copies: Option<PathBuf>,
    generation: u64,
    /// The generation whose copies are served (0: none yet).
    serving: u64,
    /// The folder as the last load found it, looked at before loading.
    loaded: Fingerprint,
    api: Arc<dyn HostApi>,
    init_ctx: ContextData,
    log: Logger,
}

impl Loader {
    /// With `copies` (a folder of the dev host's own, emptied here), each
    /// load reads copies of the files; without, the files themselves.
    pub fn new(
        runtime_path: PathBuf,
        copies: Option<PathBuf>,
        api: Arc<dyn HostApi>,
        init_ctx: ContextData,
        log: Logger,
    ) -> Result<Loader, String> {
        if let Some(dir) = &copies {
            match std::fs::remove_dir_all(dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot empty {}: {e}", dir.display())),
            }
        }
        Ok(Loader {
            runtime_path,
            copies,
            generation: 0,
            serving: 0,
            loaded: Vec::new(),
            api,
            init_ctx,
            log,
        })
    }

    /// Loads and initialises every module of the folder, logging as Nakama
    /// does.
    pub async fn load(&mut self) -> Result<Modules, LoadError> {
        self.loaded = fingerprint(&self.runtime_path);
        let log = &self.log;
        let on_event = |event| log_event(log, event);
        let (api, init_ctx) = (self.api.clone(), self.init_ctx.clone());
        let Some(copies) = &self.copies else {
            return Modules::load(&self.runtime_path, api, init_ctx, on_event).await;
        };
        self.generation += 1;
        let dir = copies.join(self.generation.to_string());
        let api = Arc::new(Build {
            api,
            build: self.generation,
        });
        let loaded = Modules::load_copies(&self.runtime_path, &dir, api, init_ctx, on_event).await;
        let old = if loaded.is_ok() {
            std::mem::replace(&mut self.serving, self.generation)
        } else {
            self.generation
        };
        // A copy still in use on Windows stays until the next start.
        let _ = std::fs::remove_dir_all(copies.join(old.to_string()));
        loaded
    }
}

/// The host API as one load of the folder sees it: its modules' log lines
/// carry `"build": n`, the load that brought them (the first is 1, each
/// reload adds one, as "Modules reloaded" says), so that after a reload
/// the lines of the new code tell apart from those of matches and calls
/// still on an older build. A field of the line's own named `build` wins.
struct Build {
    api: Arc<dyn HostApi>,
    build: u64,
}

impl HostApi for Build {
    fn log(&self, record: LogRecord<'_>) {
        let mut fields = match serde_json::from_str::<Value>(record.fields) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        fields.entry("build").or_insert(self.build.into());
        let fields = Value::Object(fields).to_string();
        self.api.log(LogRecord {
            fields: &fields,
            ..record
        });
    }

    fn nk_call(
        &self,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        self.api.nk_call(host_token, function, args)
    }

    fn nk_call_from(
        &self,
        caller: &FfiContext<'_>,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        self.api.nk_call_from(caller, host_token, function, args)
    }

    fn context_maps(&self, host_token: u64) -> String {
        self.api.context_maps(host_token)
    }

    fn call_context(&self, host_token: u64) -> String {
        self.api.call_context(host_token)
    }
}

/// What a folder holds, to notice a change: each module file's path, size
/// and modification time.
type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>)>;

fn fingerprint(path: &Path) -> Fingerprint {
    loader::candidates(path, EXTENSIONS)
        .unwrap_or_default()
        .into_iter()
        .map(|file| {
            let meta = std::fs::metadata(&file).ok();
            let size = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            (file, size, modified)
        })
        .collect()
}

/// Polls the folder for as long as the dev host runs and swaps a new set
/// of modules into `app` after each change that loads. `loader` made the
/// set `app` serves.
pub fn watch(app: Arc<App>, mut loader: Loader) {
    app.log.info(
        "Reloading modules when their files change",
        &[("path", loader.runtime_path.display().to_string().into())],
    );
    tokio::spawn(async move {
        let mut last = loader.loaded.clone();
        loop {
            tokio::time::sleep(POLL).await;
            let now = fingerprint(&loader.runtime_path);
            let settled = now == last;
            last = now;
            if !settled || last == loader.loaded {
                continue;
            }
            match loader.load().await {
                Ok(modules) => {
                    let count = modules.modules().len();
                    let modules = Arc::new(modules);
                    let routes = match crate::http::custom::Routes::new(modules.clone(), &app.log) {
                        Ok(r) => r,
                        Err(e) => {
                            app.log.error(
                                "Module reload failed; the modules loaded before keep serving",
                                &[("error", e.into())],
                            );
                            continue;
                        }
                    };
                    app.matches.set_modules(modules.clone());
                    app.matchmaker.set_modules(modules.clone());
                    app.events.set_modules(modules.clone());
                    app.scheduler.set_modules(modules.clone());
                    app.storage_indexes.set_modules(modules.clone()).await;
                    app.fleet.set_modules(modules.clone());
                    app.modules.store(modules);
                    app.http_routes.store(Arc::new(routes));
                    if let Err(e) = crate::http::console::open_if_needed(&app).await {
                        app.log.error(
                            "Cannot serve the modules' console HTTP handlers",
                            &[("error", e.into())],
                        );
                    }
                    app.log.info(
                        "Modules reloaded",
                        &[
                            ("path", loader.runtime_path.display().to_string().into()),
                            ("modules", count.into()),
                            ("build", loader.generation.into()),
                        ],
                    );
                    if let Some(warning) = builds_warning(loader.generation) {
                        app.log
                            .warn(&warning, &[("builds_loaded", loader.generation.into())]);
                    }
                }
                Err(e) => app.log.error(
                    "Module reload failed; the modules loaded before keep serving",
                    &[("error", e.to_string().into())],
                ),
            }
        }
    });
}

/// Every this many loads, a reload says that the old builds are still
/// loaded (a library is never unloaded: see server/README.md).
const BUILDS_WARNING_EVERY: u64 = 25;

/// The warning a reload to build `builds` gives, if any.
fn builds_warning(builds: u64) -> Option<String> {
    (builds % BUILDS_WARNING_EVERY == 0).then(|| {
        format!(
            "{builds} builds of the modules are loaded (old ones are never unloaded, \
             each keeps the memory it used); restart the dev host to free them"
        )
    })
}

/// Logs what the loader reports, in Nakama's words where it has some.
fn log_event(log: &Logger, event: LoadEvent) {
    match event {
        LoadEvent::Skipped { file, reason } => log.warn(
            "Skipping file that is not a Rust module",
            &[
                ("path", file.display().to_string().into()),
                ("reason", reason.into()),
            ],
        ),
        LoadEvent::Loaded {
            name,
            file,
            sdk_version,
            abi,
        } => log.info(
            "Rust module loaded",
            &[
                ("name", name.into()),
                ("path", file.display().to_string().into()),
                ("sdk_version", sdk_version.into()),
                ("abi", format!("{}.{}", abi.0, abi.1).into()),
            ],
        ),
        LoadEvent::Registered { module, kind, id }
            if kind == "before hook" && id == crate::http::UNRUN_BEFORE_HOOK =>
        {
            log.warn(
                "Before hook registered but never run: Nakama 3.40.0 runs no Go module's (so no bridged Rust module's) before hook on this call, and neither does the dev host",
                &[("id", id.to_lowercase().into()), ("module", Value::from(module))],
            )
        }
        LoadEvent::Registered { module, kind, id } => {
            let Some(msg) = registered_message(kind) else {
                return log.info(
                    "Registered a Rust handler of a kind this host does not serve",
                    &[
                        ("kind", kind.into()),
                        ("id", id.into()),
                        ("module", Value::from(module)),
                    ],
                );
            };
            let id = if kind.ends_with("hook") {
                id.to_lowercase()
            } else {
                id
            };
            log.info(msg, &[("id", id.into()), ("module", Value::from(module))]);
        }
    }
}

/// The startup line for a registration of `kind` (the loader's
/// [`nakama_runtime_host::loader::kind_name`]): Nakama's words for its Go
/// runtime where it has some, realtime hooks under the API hooks' (ids
/// lower-cased, no prefix). `None`: a kind of a newer ABI minor.
fn registered_message(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "rpc" => "Registered Rust runtime RPC function invocation",
        "before hook" | "realtime before hook" => "Registered Rust runtime Before function invocation",
        "after hook" | "realtime after hook" => "Registered Rust runtime After function invocation",
        "matchmaker matched hook" => {
            "Registered Rust runtime Matchmaker Matched function invocation"
        }
        // Nakama logs nothing for these; a dev host says what it serves.
        "match handler" => "Registered Rust match handler",
        "tournament end callback" => "Registered Rust runtime Tournament End function invocation",
        "tournament reset callback" => {
            "Registered Rust runtime Tournament Reset function invocation"
        }
        "leaderboard reset callback" => {
            "Registered Rust runtime Leaderboard Reset function invocation"
        }
        "shutdown hook" => "Registered Rust runtime Shutdown function invocation",
        "matchmaker override" => "Registered Rust runtime Matchmaker Override function invocation",
        "matchmaker processor" => {
            "Registered Rust runtime Matchmaker Processor function invocation"
        }
        // Its pattern is logged as Nakama logs it, with the routes.
        "http handler" => "Registered Rust custom HTTP handler",
        "console http handler" => "Registered Rust custom console HTTP handler",
        "event handler" => "Registered Rust event handler",
        "session start event handler" => "Registered Rust session start event handler",
        "session end event handler" => "Registered Rust session end event handler",
        "storage index" => "Registered Rust storage index or filter",
        "fleet manager" => "Registered Rust fleet manager function",
        "apple purchase notification callback"
        | "apple subscription notification callback"
        | "google purchase notification callback"
        | "google subscription notification callback" => {
            "Registered Rust store notification callback: the dev host contacts no store, so never calls it (the test host does: TestHost::purchase_notification, subscription_notification)"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{builds_warning, registered_message};
    use nakama_runtime_host::loader::kind_name;

    #[test]
    fn every_kind_the_loader_knows_has_its_startup_line() {
        // Kinds 1 to 24: ABI 1.13's. A kind added later makes this fail
        // until it has a line of its own.
        for kind in 1..=24 {
            let name = kind_name(kind);
            assert_ne!(name, "unknown kind", "kind {kind}");
            assert!(registered_message(name).is_some(), "{name}");
        }
        assert_eq!(kind_name(25), "unknown kind");
        assert_eq!(registered_message("unknown kind"), None);
    }

    #[test]
    fn every_25th_build_says_old_builds_stay_loaded() {
        assert_eq!(builds_warning(2), None);
        assert_eq!(builds_warning(24), None);
        let warning = builds_warning(25).expect("the 25th build warns");
        assert!(
            warning.starts_with("25 builds of the modules are loaded"),
            "{warning}"
        );
        assert!(warning.contains("restart the dev host"), "{warning}");
        assert!(builds_warning(50).is_some());
        assert_eq!(builds_warning(51), None);
    }
}
