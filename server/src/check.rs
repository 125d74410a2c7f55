//! `check`: load modules the way a host does and report what they declare.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use nakama_runtime_host::abi::{mode, Code, ContextData, ABI_MAJOR, ABI_MINOR};
use nakama_runtime_host::{BoxFuture, CallError, HostApi, LoadEvent, LogRecord, Modules};

/// Runs init with no server behind it: logs are printed, nk calls answer
/// UNIMPLEMENTED (a module whose init needs them is reported as such).
struct CheckHost;

impl HostApi for CheckHost {
    fn log(&self, record: LogRecord<'_>) {
        println!(
            "    log from {} ({}): {}",
            record.call.module, record.caller, record.message
        );
    }

    fn nk_call(
        &self,
        _host_token: u64,
        function: &str,
        _args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        let function = function.to_string();
        Box::pin(async move {
            Err(CallError::new(
                Code::Unimplemented,
                format!("nk function `{function}` is not available during `check` (no server)"),
            ))
        })
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
    println!(
        "host ABI {ABI_MAJOR}.{ABI_MINOR}; checking {}",
        path.display()
    );
    let ctx = ContextData {
        execution_mode: mode::RUN_ONCE.into(),
        node: "check".into(),
        ..Default::default()
    };
    let loaded = runtime.block_on(Modules::load(
        path,
        Arc::new(CheckHost),
        ctx,
        |event| match event {
            LoadEvent::Skipped { file, reason } => {
                println!("skipped {}: {reason}", file.display())
            }
            LoadEvent::Loaded {
                name,
                file,
                sdk_version,
                abi,
            } => println!(
                "module {name} ({})\n    nakama-runtime {sdk_version}, ABI {}.{}",
                file.display(),
                abi.0,
                abi.1
            ),
            LoadEvent::Registered { kind, id, .. } => println!("    {kind:<11} {id}"),
        },
    ));
    match loaded {
        Ok(modules) => {
            println!("ok: {} module(s) accepted", modules.modules().len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
