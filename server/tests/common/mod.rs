//! Shared by the dev host's integration tests: building modules, starting
//! the real binary on a free port, and a raw HTTP client that sends exact
//! bytes (the tests check statuses, headers and bodies byte for byte).

#![allow(dead_code)] // each test file uses a part

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Builds `packages` into `target/test-modules` (shared with the loader
/// tests) and copies their files into a fresh folder.
pub fn modules_dir(packages: &[&str]) -> tempfile::TempDir {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let target = workspace.join("target").join("test-modules");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(workspace)
        .args(["build", "--quiet", "--target-dir"])
        .arg(&target);
    for p in packages {
        cmd.args(["-p", p]);
    }
    assert!(
        cmd.status().expect("cargo build").success(),
        "building modules failed"
    );
    let dir = tempfile::tempdir().unwrap();
    for p in packages {
        let name = format!("lib{}.so", p.replace('-', "_"));
        std::fs::copy(target.join("debug").join(&name), dir.path().join(&name)).unwrap();
    }
    dir
}

/// A dev host process, killed on drop.
pub struct Server {
    pub port: u16,
    child: Child,
    _modules: tempfile::TempDir,
    pub log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
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
        let log = modules.path().join("server.log");
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
            .args(["--name", "nakama1", "--session.token_expiry_sec", "7200"])
            .args(extra)
            .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start nakama-devhost");
        let server = Server {
            port,
            child,
            _modules: modules,
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

    /// Sends one request over a fresh connection; answers the response.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> std::io::Result<HttpResponse> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept-Encoding: identity\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(b) = body {
            req.push_str(&format!("Content-Length: {}\r\n", b.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        if let Some(b) = body {
            bytes.extend_from_slice(b);
        }
        s.write_all(&bytes)?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        HttpResponse::parse(&raw)
    }
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    fn parse(raw: &[u8]) -> std::io::Result<HttpResponse> {
        let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "bad HTTP response");
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(bad)?;
        let head = String::from_utf8_lossy(&raw[..split]);
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        let chunked = headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
        if chunked {
            body = dechunk(&body);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
    out
}
