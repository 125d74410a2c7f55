//! A real Nakama 3.40.0 on PostgreSQL, started through `scripts/nakama-up`
//! (which builds Nakama once into the cache, installs and starts
//! PostgreSQL, migrates) with a runtime folder holding the bridge plugin
//! and Rust modules.
//!
//! There is one Nakama per machine (its pid file and port live in the
//! cache, `~/.cache/nakama-rs`), so [`start`] takes a process-wide lock that
//! the returned [`Nakama`] holds until dropped: tests that start one run
//! one after the other.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use crate::http::{self, HttpResponse};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn cache() -> PathBuf {
    match std::env::var_os("NAKAMA_RS_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/nakama-rs")
        }
    }
}

fn log_text() -> String {
    std::fs::read_to_string(cache().join("nakama.log")).unwrap_or_default()
}

/// The bridge plugin `bridge/build.sh` builds.
pub fn bridge_plugin() -> PathBuf {
    let file = crate::workspace().join("bridge/build/nakama_rust_bridge.so");
    assert!(
        file.exists(),
        "{} is missing: run bridge/build.sh (bridge/test.sh does) before these tests",
        file.display()
    );
    file
}

/// A fresh runtime folder: the bridge plugin and each of `packages` built
/// and copied as `<name>.rsmod` (Nakama opens every `*.so` there as a Go
/// plugin, so the Rust modules take another extension).
pub fn runtime_folder(packages: &[&str]) -> tempfile::TempDir {
    let dir = crate::modules::folder(packages, "rsmod");
    std::fs::copy(bridge_plugin(), dir.path().join("nakama_rust_bridge.so"))
        .expect("copy the bridge plugin");
    dir
}

/// A running Nakama; stopped on drop (PostgreSQL keeps running).
pub struct Nakama {
    pub port: u16,
    /// Its console's port (`scripts/nakama-up`: the client port + 1).
    pub console_port: u16,
    _turn: MutexGuard<'static, ()>,
}

/// Starts Nakama on a fresh database with `runtime` as its runtime.path,
/// INFO logs, and `extra` flags. `Err` is Nakama's log when it stops
/// during startup (a refused module) or does not come up.
pub fn start(runtime: &Path, extra: &[&str]) -> Result<Nakama, String> {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let port: u16 = std::env::var("NAKAMA_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(7450);
    let status = Command::new(crate::workspace().join("scripts/nakama-up"))
        .env("NAKAMA_RESTART", "1")
        .env("NAKAMA_FRESH_DB", "1")
        .env("NAKAMA_PORT", port.to_string())
        .arg("--runtime.path")
        .arg(runtime)
        .args(["--logger.level", "INFO"])
        .args(extra)
        .status()
        .expect("run scripts/nakama-up");
    if !status.success() {
        return Err(log_text());
    }
    Ok(Nakama {
        port,
        console_port: port + 1,
        _turn: turn,
    })
}

impl Nakama {
    /// Stops Nakama as [`Drop`] does (SIGTERM, then waits up to 10 s for
    /// it to be gone) and answers everything it logged, its shutdown too.
    pub fn stop(self) -> String {
        drop(self);
        log_text()
    }

    /// Everything Nakama logged since it started.
    pub fn log(&self) -> String {
        log_text()
    }

    /// Its log lines (JSON objects) whose `msg` contains `text`.
    pub fn log_lines(&self, text: &str) -> Vec<serde_json::Value> {
        self.log()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["msg"].as_str().is_some_and(|m| m.contains(text)))
            .collect()
    }

    /// One raw request (see [`http::request`]).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> HttpResponse {
        http::request(self.port, method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }
}

impl Drop for Nakama {
    fn drop(&mut self) {
        let pid_file = cache().join("nakama.pid");
        let Ok(pid) = std::fs::read_to_string(&pid_file) else {
            return;
        };
        let pid = pid.trim();
        let _ = Command::new("kill").arg(pid).status();
        // Wait for it to be gone: the next start wants its port.
        for _ in 0..100 {
            let alive = Command::new("kill")
                .args(["-0", pid])
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !alive {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = std::fs::remove_file(pid_file);
    }
}
