//! Nakama-style log lines on stdout: one JSON object per line
//! (`level`, `ts`, `caller`, `msg`, then fields), or a readable text form.
//!
//! Hand-rolled (about 80 lines) because the key order and names must be
//! Nakama's exactly; tracing-subscriber's JSON layer nests fields.

use std::io::Write;

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

impl Level {
    pub fn parse(s: &str) -> Level {
        match s {
            "debug" => Level::Debug,
            "warn" => Level::Warn,
            "error" => Level::Error,
            _ => Level::Info,
        }
    }

    /// From the ABI's level numbers.
    pub fn from_abi(n: u8) -> Level {
        match n {
            1 => Level::Debug,
            3 => Level::Warn,
            4 => Level::Error,
            _ => Level::Info,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// The server's logger.
#[derive(Debug, Clone)]
pub struct Logger {
    min: Level,
    json: bool,
}

impl Logger {
    pub fn new(level: &str, format: &str) -> Logger {
        Logger {
            min: Level::parse(level),
            json: format != "text",
        }
    }

    pub fn enabled(&self, level: Level) -> bool {
        level >= self.min
    }

    /// Writes one line with the given caller and fields.
    pub fn write(&self, level: Level, caller: &str, msg: &str, fields: &Map<String, Value>) {
        if !self.enabled(level) {
            return;
        }
        let ts = now_rfc3339_millis();
        let line = if self.json {
            // Built by hand to keep Nakama's key order.
            let mut s = String::with_capacity(128);
            s.push_str("{\"level\":\"");
            s.push_str(level.name());
            s.push_str("\",\"ts\":\"");
            s.push_str(&ts);
            s.push_str("\",\"caller\":");
            s.push_str(&Value::from(caller).to_string());
            s.push_str(",\"msg\":");
            s.push_str(&Value::from(msg).to_string());
            for (k, v) in fields {
                s.push(',');
                s.push_str(&Value::from(k.as_str()).to_string());
                s.push(':');
                s.push_str(&v.to_string());
            }
            s.push('}');
            s
        } else {
            let mut s = format!("{ts} {:5} {caller} {msg}", level.name().to_uppercase());
            for (k, v) in fields {
                s.push_str(&format!(" {k}={v}"));
            }
            s
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
    }

    /// A line from the server itself; the caller is the Rust call site.
    #[track_caller]
    pub fn log(&self, level: Level, msg: &str, fields: &[(&str, Value)]) {
        if !self.enabled(level) {
            return;
        }
        let loc = std::panic::Location::caller();
        let caller = server_caller(loc.file(), loc.line());
        let map: Map<String, Value> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        self.write(level, &caller, msg, &map);
    }

    #[track_caller]
    pub fn info(&self, msg: &str, fields: &[(&str, Value)]) {
        self.log(Level::Info, msg, fields);
    }

    #[track_caller]
    pub fn warn(&self, msg: &str, fields: &[(&str, Value)]) {
        self.log(Level::Warn, msg, fields);
    }

    #[track_caller]
    pub fn error(&self, msg: &str, fields: &[(&str, Value)]) {
        self.log(Level::Error, msg, fields);
    }
}

/// `2026-11-24T10:46:04.523Z`
pub fn now_rfc3339_millis() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    now.format(&fmt).unwrap_or_default()
}

/// The caller of a server line: `server/src/lib.rs:88`, whether the
/// crate was built in the workspace (`server/src/...`) or alone by
/// `cargo install --path server` (`src/...`), so that the server's own
/// lines never look like a module's (`src/lib.rs:20`), as Nakama's own
/// lines say `server/...`.
fn server_caller(file: &str, line: u32) -> String {
    match file.strip_prefix("server/") {
        Some(_) => format!("{file}:{line}"),
        None if file.starts_with("src/") => format!("server/{file}:{line}"),
        None => format!("{file}:{line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_and_parse() {
        assert!(Level::parse("warn") > Level::Info);
        assert_eq!(Level::parse("nonsense"), Level::Info);
        let l = Logger::new("warn", "json");
        assert!(!l.enabled(Level::Info));
        assert!(l.enabled(Level::Error));
    }

    #[test]
    fn server_lines_name_the_server_crate() {
        assert_eq!(
            server_caller("server/src/lib.rs", 88),
            "server/src/lib.rs:88"
        );
        assert_eq!(server_caller("src/lib.rs", 88), "server/src/lib.rs:88");
        assert_eq!(
            server_caller("/abs/host/src/lib.rs", 3),
            "/abs/host/src/lib.rs:3"
        );
    }

    #[test]
    fn timestamps_have_milliseconds() {
        let ts = now_rfc3339_millis();
        assert_eq!(ts.len(), 24, "{ts}");
        assert!(ts.ends_with('Z'));
    }
}
