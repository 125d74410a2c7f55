//! Shared by the dev host's integration tests: starting the real binary on
//! a free port with modules built by `nakama-conformance`, and its raw HTTP
//! client (the tests check statuses, headers and bodies byte for byte).

pub use nakama_conformance::http::HttpResponse;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Builds `packages` and copies their files into a fresh folder.
pub fn modules_dir(packages: &[&str]) -> tempfile::TempDir {
    nakama_conformance::modules::folder(packages, "so")
}

/// A dev host process, killed on drop.
pub struct Server {
    pub port: u16,
    /// `console.port`, open if the modules have console handlers.
    pub console_port: u16,
    child: Child,
    _modules: tempfile::TempDir,
    _data: tempfile::TempDir,
    pub log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts the dev host serving `packages`, with the golden recording
    /// configuration plus `extra` flags.
    pub fn start(packages: &[&str], extra: &[&str]) -> Server {
        let modules = modules_dir(packages);
        let port = free_port();
        let console_port = free_port();
        let log = modules.path().join("server.log");
        // A data_dir of its own unless the test gives one: the default,
        // ./data, would be in the source tree.
        let data = tempfile::tempdir().unwrap();
        let data_dir = if extra.contains(&"--data_dir") {
            None
        } else {
            Some(data.path().to_str().unwrap().to_string())
        };
        let child = Command::new(env!("CARGO_BIN_EXE_nakama-devhost"))
            .arg("--runtime.path")
            .arg(modules.path())
            .args([
                "--database.address",
                ":memory:",
                "--socket.address",
                "127.0.0.1",
            ])
            .args(["--socket.port", &port.to_string()])
            .args(["--console.port", &console_port.to_string()])
            .args(["--name", "nakama1", "--session.token_expiry_sec", "7200"])
            .args(data_dir.iter().flat_map(|d| ["--data_dir", d.as_str()]))
            .args(extra)
            .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start nakama-devhost");
        let server = Server {
            port,
            console_port,
            child,
            _modules: modules,
            _data: data,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(r) = server.request("GET", "/healthcheck", &[], None) {
                if r.status == 200 {
                    return server;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "dev host did not become healthy; log:\n{}",
            std::fs::read_to_string(&server.log).unwrap_or_default()
        );
    }

    /// Sends SIGTERM and waits up to `limit` for the process to end:
    /// its exit status, and how long it took (`None`: still running).
    pub fn terminate(&mut self, limit: Duration) -> Option<(std::process::ExitStatus, Duration)> {
        let started = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some((status, started.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The modules folder it serves.
    pub fn modules_path(&self) -> &std::path::Path {
        self._modules.path()
    }

    /// Sends one request over a fresh connection; answers the response.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> std::io::Result<HttpResponse> {
        nakama_conformance::http::request(self.port, method, path, headers, body)
    }
}
