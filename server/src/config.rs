//! Configuration in Nakama's shape: defaults, then YAML files
//! (`--config`), then dotted flags (`--runtime.http_key`), later ones
//! winning. Only the keys the dev host uses are known; unknown YAML keys
//! are reported (Nakama ignores them silently, which hides typos).

use std::collections::HashMap;
use std::path::PathBuf;

use nakama_runtime_host::abi::nk;
use serde_yaml_ng::Value;

/// Every setting the dev host reads, with Nakama's defaults.
#[derive(Debug, Clone)]
pub struct Config {
    pub name: String,
    pub data_dir: PathBuf,
    pub runtime_path: PathBuf,
    pub runtime_http_key: String,
    pub runtime_env: Vec<String>,
    /// Dev host only: per-call module timeout (Nakama has none of its own).
    pub runtime_call_timeout_ms: u64,
    /// Dev host only: load the modules folder again when its files change
    /// (see `reload`).
    pub runtime_reload: bool,
    /// Events waiting for the modules' event handlers; more are dropped.
    pub runtime_event_queue_size: usize,
    /// Events handled at a time.
    pub runtime_event_queue_workers: usize,
    /// As given (`get_config` reports it so, as Nakama does); read
    /// without regard to case.
    pub logger_level: String,
    pub logger_format: String,
    pub session_encryption_key: String,
    pub session_refresh_encryption_key: String,
    pub session_token_expiry_sec: i64,
    pub session_refresh_token_expiry_sec: i64,
    /// `session.single_socket`: a user's new socket closes their others.
    pub session_single_socket: bool,
    /// `session.single_match`: a session joining a match leaves its
    /// others (needs `single_socket`, as in Nakama).
    pub session_single_match: bool,
    /// `session.single_party`: a session becoming a member of a party
    /// leaves its others (needs `single_socket`, as in Nakama).
    pub session_single_party: bool,
    pub socket_server_key: String,
    pub socket_address: String,
    pub socket_port: u16,
    pub socket_max_request_size_bytes: usize,
    /// The realtime socket's limits and timings (`socket.*`).
    pub socket: crate::realtime::SocketConfig,
    /// The console's port, where the modules' console HTTP handlers are
    /// served (opened only if there are some).
    pub console_address: String,
    pub console_port: u16,
    /// The longest body a console handler gets (Nakama's console API
    /// limit; its custom handlers have none).
    pub console_max_message_size_bytes: usize,
    /// SQLite file, or `:memory:`.
    pub database_address: String,
    /// On Ctrl-C / SIGTERM, how long matches get to end after their
    /// `terminate` (0: stop at once, no `terminate`), as in Nakama.
    pub shutdown_grace_sec: u64,
    /// `match.max_empty_sec`: seconds an authoritative match may stay
    /// empty before it stops (0: no limit), as in Nakama.
    pub match_max_empty_sec: i64,
    /// `party.idle_check_interval_ms`: how often parties with no one on
    /// their stream and no activity since the last check close (0 or
    /// less: never), as in Nakama.
    pub party_idle_check_interval_ms: i64,
    /// `matchmaker.max_tickets`, `interval_sec`, `max_intervals`.
    pub matchmaker: crate::matchmaker::MatchmakerConfig,
    /// `metrics.prometheus_port` (0: no exporter), `prefix`,
    /// `custom_prefix`, `namespace`.
    pub metrics: crate::metrics::MetricsConfig,
    /// `satori.url`, `api_key_name`, `api_key`, `signing_key`,
    /// `server_key`, `http_timeout_ms`, `retry_count`: the Satori server of the
    /// `satori_*` nk functions.
    pub satori: crate::nk::satori::SatoriConfig,
}

impl Default for Config {
    fn default() -> Self {
        let data_dir = std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("."))
            .join("data");
        Config {
            name: "nakama".into(),
            runtime_path: data_dir.join("modules"),
            data_dir,
            runtime_http_key: "defaulthttpkey".into(),
            runtime_env: Vec::new(),
            runtime_call_timeout_ms: 10_000,
            runtime_reload: false,
            runtime_event_queue_size: crate::events::QUEUE_SIZE,
            runtime_event_queue_workers: crate::events::WORKERS,
            logger_level: "info".into(),
            logger_format: "json".into(),
            session_encryption_key: "defaultencryptionkey".into(),
            session_refresh_encryption_key: "defaultrefreshencryptionkey".into(),
            session_token_expiry_sec: 60,
            session_refresh_token_expiry_sec: 3600,
            session_single_socket: false,
            session_single_match: false,
            session_single_party: false,
            socket_server_key: "defaultkey".into(),
            socket_address: String::new(),
            socket_port: 7350,
            socket_max_request_size_bytes: 262_144,
            socket: Default::default(),
            console_address: String::new(),
            console_port: 7351,
            console_max_message_size_bytes: 4_194_304,
            database_address: String::new(),
            shutdown_grace_sec: 0,
            match_max_empty_sec: 0,
            party_idle_check_interval_ms: 30_000,
            matchmaker: Default::default(),
            metrics: Default::default(),
            satori: crate::nk::satori::SatoriConfig {
                http_timeout_ms: 10_000,
                ..Default::default()
            },
        }
    }
}

/// Keys (YAML path form) the dev host knows.
pub const KEYS: &[&str] = &[
    "name",
    "data_dir",
    "runtime.path",
    "runtime.http_key",
    "runtime.env",
    "runtime.call_timeout_ms",
    "runtime.reload",
    "runtime.event_queue_size",
    "runtime.event_queue_workers",
    "logger.level",
    "logger.format",
    "session.encryption_key",
    "session.refresh_encryption_key",
    "session.token_expiry_sec",
    "session.refresh_token_expiry_sec",
    "session.single_socket",
    "session.single_match",
    "session.single_party",
    "socket.server_key",
    "socket.address",
    "socket.port",
    "socket.max_request_size_bytes",
    "socket.max_message_size_bytes",
    "socket.outgoing_queue_size",
    "socket.ping_period_ms",
    "socket.pong_wait_ms",
    "socket.ping_backoff_threshold",
    "socket.write_wait_ms",
    "socket.close_ack_wait_ms",
    "socket.read_buffer_size_bytes",
    "socket.write_buffer_size_bytes",
    "console.address",
    "console.port",
    "console.max_message_size_bytes",
    "database.address",
    "shutdown_grace_sec",
    "match.max_empty_sec",
    "party.idle_check_interval_ms",
    "matchmaker.max_tickets",
    "matchmaker.interval_sec",
    "matchmaker.max_intervals",
    "matchmaker.rev_precision",
    "matchmaker.rev_threshold",
    "metrics.prometheus_port",
    "metrics.prefix",
    "metrics.custom_prefix",
    "metrics.namespace",
    "satori.url",
    "satori.api_key_name",
    "satori.api_key",
    "satori.signing_key",
    "satori.server_key",
    "satori.http_timeout_ms",
    "satori.retry_count",
];

/// A configuration problem that stops startup.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Builds the configuration from YAML files then `key=value` flags.
    /// Answers it with the warnings to log (unknown YAML keys).
    pub fn load(
        files: &[PathBuf],
        flags: &[(String, String)],
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let mut values: Vec<(String, Value)> = Vec::new();
        let mut warnings = Vec::new();
        let mut runtime_path_set = false;
        for file in files {
            let text = std::fs::read_to_string(file).map_err(|e| {
                ConfigError(format!("cannot read config file {}: {e}", file.display()))
            })?;
            let doc: Value = serde_yaml_ng::from_str(&text).map_err(|e| {
                ConfigError(format!(
                    "config file {} is not valid YAML: {e}",
                    file.display()
                ))
            })?;
            flatten("", &doc, &mut values);
        }
        for (k, v) in flags {
            values.push((k.clone(), Value::String(v.clone())));
        }
        let mut c = Config::default();
        let mut data_dir_set = false;
        for (key, value) in values {
            if !KEYS.contains(&key.as_str()) {
                warnings.push(key);
                continue;
            }
            let text = || scalar(&value);
            match key.as_str() {
                "name" => c.name = text(),
                "data_dir" => {
                    c.data_dir = PathBuf::from(text());
                    data_dir_set = true;
                }
                "runtime.path" => {
                    c.runtime_path = PathBuf::from(text());
                    runtime_path_set = true;
                }
                "runtime.http_key" => c.runtime_http_key = text(),
                "runtime.env" => match &value {
                    Value::Sequence(items) => c.runtime_env.extend(items.iter().map(scalar)),
                    other => c.runtime_env.push(scalar(other)),
                },
                "runtime.call_timeout_ms" => c.runtime_call_timeout_ms = number(&key, &text())?,
                "runtime.reload" => c.runtime_reload = boolean(&key, &text())?,
                "runtime.event_queue_size" => c.runtime_event_queue_size = number(&key, &text())?,
                "runtime.event_queue_workers" => {
                    c.runtime_event_queue_workers = number(&key, &text())?
                }
                "shutdown_grace_sec" => c.shutdown_grace_sec = number(&key, &text())?,
                "match.max_empty_sec" => c.match_max_empty_sec = number(&key, &text())?,
                "party.idle_check_interval_ms" => {
                    c.party_idle_check_interval_ms = number(&key, &text())?
                }
                "matchmaker.max_tickets" => c.matchmaker.max_tickets = number(&key, &text())?,
                "matchmaker.interval_sec" => c.matchmaker.interval_sec = number(&key, &text())?,
                "matchmaker.max_intervals" => c.matchmaker.max_intervals = number(&key, &text())?,
                "matchmaker.rev_precision" => c.matchmaker.rev_precision = boolean(&key, &text())?,
                "matchmaker.rev_threshold" => c.matchmaker.rev_threshold = number(&key, &text())?,
                "metrics.prometheus_port" => c.metrics.prometheus_port = number(&key, &text())?,
                "metrics.prefix" => c.metrics.prefix = text(),
                "metrics.custom_prefix" => c.metrics.custom_prefix = text(),
                "metrics.namespace" => c.metrics.namespace = text(),
                "satori.url" => c.satori.url = text(),
                "satori.api_key_name" => c.satori.api_key_name = text(),
                "satori.api_key" => c.satori.api_key = text(),
                "satori.signing_key" => c.satori.signing_key = text(),
                "satori.server_key" => c.satori.server_key = text(),
                "satori.http_timeout_ms" => c.satori.http_timeout_ms = number(&key, &text())?,
                "satori.retry_count" => c.satori.retry_count = number(&key, &text())?,
                "logger.level" => c.logger_level = text(),
                "logger.format" => c.logger_format = text().to_lowercase(),
                "session.encryption_key" => c.session_encryption_key = text(),
                "session.refresh_encryption_key" => c.session_refresh_encryption_key = text(),
                "session.token_expiry_sec" => c.session_token_expiry_sec = number(&key, &text())?,
                "session.refresh_token_expiry_sec" => {
                    c.session_refresh_token_expiry_sec = number(&key, &text())?
                }
                "session.single_socket" => c.session_single_socket = boolean(&key, &text())?,
                "session.single_match" => c.session_single_match = boolean(&key, &text())?,
                "session.single_party" => c.session_single_party = boolean(&key, &text())?,
                "socket.server_key" => c.socket_server_key = text(),
                "socket.address" => c.socket_address = text(),
                "socket.port" => c.socket_port = number(&key, &text())?,
                "console.address" => c.console_address = text(),
                "console.port" => c.console_port = number(&key, &text())?,
                "console.max_message_size_bytes" => {
                    c.console_max_message_size_bytes = number(&key, &text())?
                }
                "socket.max_request_size_bytes" => {
                    c.socket_max_request_size_bytes = number(&key, &text())?
                }
                "socket.max_message_size_bytes" => {
                    c.socket.max_message_size_bytes = number(&key, &text())?
                }
                "socket.outgoing_queue_size" => {
                    c.socket.outgoing_queue_size = number(&key, &text())?
                }
                "socket.ping_period_ms" => c.socket.ping_period_ms = number(&key, &text())?,
                "socket.pong_wait_ms" => c.socket.pong_wait_ms = number(&key, &text())?,
                "socket.ping_backoff_threshold" => {
                    c.socket.ping_backoff_threshold = number(&key, &text())?
                }
                "socket.write_wait_ms" => c.socket.write_wait_ms = number(&key, &text())?,
                "socket.close_ack_wait_ms" => c.socket.close_ack_wait_ms = number(&key, &text())?,
                "socket.read_buffer_size_bytes" => {
                    c.socket.read_buffer_size_bytes = number(&key, &text())?
                }
                "socket.write_buffer_size_bytes" => {
                    c.socket.write_buffer_size_bytes = number(&key, &text())?
                }
                "database.address" => c.database_address = text(),
                _ => unreachable!("every key of KEYS is handled"),
            }
        }
        if data_dir_set && !runtime_path_set {
            c.runtime_path = c.data_dir.join("modules");
        }
        c.validate()?;
        Ok((c, warnings))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let fail = |m: String| Err(ConfigError(m));
        if !["debug", "info", "warn", "error"].contains(&self.logger_level.to_lowercase().as_str())
        {
            return fail(format!(
                "logger.level must be debug, info, warn or error, not {:?}",
                self.logger_level
            ));
        }
        if !["json", "text"].contains(&self.logger_format.as_str()) {
            return fail(format!(
                "logger.format must be json or text, not {:?}",
                self.logger_format
            ));
        }
        if self.runtime_http_key.is_empty() {
            return fail("runtime.http_key must not be empty".into());
        }
        if self.socket_server_key.is_empty() {
            return fail("socket.server_key must not be empty".into());
        }
        if self.session_encryption_key == self.session_refresh_encryption_key {
            return fail(
                "session.encryption_key and session.refresh_encryption_key must differ".into(),
            );
        }
        if self.session_token_expiry_sec < 1 || self.session_refresh_token_expiry_sec < 1 {
            return fail("session token expiries must be at least 1 second".into());
        }
        for e in &self.runtime_env {
            if !e.contains('=') {
                return fail(format!("runtime.env entry {e:?} must be KEY=VALUE"));
            }
        }
        // Nakama's own checks and messages.
        if self.session_single_match && !self.session_single_socket {
            return fail("Single match cannot be enabled without single socket".into());
        }
        if self.session_single_party && !self.session_single_socket {
            return fail("Single party cannot be enabled without single socket".into());
        }
        if self.match_max_empty_sec < 0 {
            return fail("Match max idle seconds must be >= 0".into());
        }
        let socket = &self.socket;
        if socket.max_message_size_bytes < 1 {
            return fail("Socket max message size bytes must be >= 1".into());
        }
        if socket.close_ack_wait_ms < 1 {
            return fail("Socket close ack timeout milliseconds must be >= 1".into());
        }
        if socket.read_buffer_size_bytes < 1 {
            return fail("Socket read buffer size bytes must be >= 1".into());
        }
        if socket.write_buffer_size_bytes < 1 {
            return fail("Socket write buffer size bytes must be >= 1".into());
        }
        if socket.ping_period_ms >= socket.pong_wait_ms {
            return fail("Ping period value must be less than pong wait value".into());
        }
        // Nakama takes these as 0, and then closes nearly every socket at
        // its first message or write; refused here.
        if socket.outgoing_queue_size < 1 {
            return fail("socket.outgoing_queue_size must be >= 1".into());
        }
        if socket.write_wait_ms < 1 {
            return fail("socket.write_wait_ms must be >= 1".into());
        }
        let m = &self.matchmaker;
        if m.max_tickets < 1 {
            return fail("Matchmaker maximum ticket count must be >= 1".into());
        }
        if m.interval_sec < 1 {
            return fail("Matchmaker interval time seconds must be >= 1".into());
        }
        if m.max_intervals < 1 {
            return fail("Matchmaker max intervals must be >= 1".into());
        }
        if m.rev_threshold < 0 {
            return fail("Matchmaker reverse matching threshold must be >= 0".into());
        }
        if self.satori.http_timeout_ms < 1 {
            return fail(
                "Satori configuration invalid: http_timeout_ms must be greater than 0".into(),
            );
        }
        if !(0..=3).contains(&self.satori.retry_count) {
            return fail(
                "Satori configuration invalid: retry_count must be a value between 0 and 3".into(),
            );
        }
        Ok(())
    }

    /// What `get_config` answers: these settings in the shape Nakama
    /// gives its runtimes. The dev host listens on TCP as Nakama's
    /// default `socket.protocol` says; it has no `session.single_session`,
    /// nor `social`, `iap` or `google_auth` settings (it contacts no
    /// provider or store), which are answered as Nakama's defaults.
    pub fn server_config(&self) -> nk::ServerConfig {
        // As Nakama rewrites `runtime.env` at startup: one entry per key
        // (the last given), sorted.
        let mut env: Vec<String> = (self.env_map().into_iter())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        env.sort();
        nk::ServerConfig {
            name: self.name.clone(),
            shutdown_grace_sec: self.shutdown_grace_sec.try_into().unwrap_or(i64::MAX),
            logger: nk::LoggerConfig {
                level: self.logger_level.clone(),
            },
            session: nk::SessionConfig {
                encryption_key: self.session_encryption_key.clone(),
                token_expiry_sec: self.session_token_expiry_sec,
                refresh_encryption_key: self.session_refresh_encryption_key.clone(),
                refresh_token_expiry_sec: self.session_refresh_token_expiry_sec,
                single_socket: self.session_single_socket,
                single_match: self.session_single_match,
                single_party: self.session_single_party,
                single_session: false,
            },
            socket: nk::SocketConfig {
                server_key: self.socket_server_key.clone(),
                port: self.socket_port.into(),
                address: self.socket_address.clone(),
                protocol: "tcp".into(),
            },
            runtime: nk::RuntimeConfig {
                env,
                http_key: self.runtime_http_key.clone(),
            },
            satori: nk::SatoriConfig {
                url: self.satori.url.clone(),
                api_key_name: self.satori.api_key_name.clone(),
                api_key: self.satori.api_key.clone(),
                signing_key: self.satori.signing_key.clone(),
            },
            ..Default::default()
        }
    }

    /// `runtime.env` as a map (values may contain `=`).
    pub fn env_map(&self) -> HashMap<String, String> {
        self.runtime_env
            .iter()
            .filter_map(|e| e.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Where the SQLite database lives.
    pub fn database_path(&self) -> String {
        if self.database_address.is_empty() {
            self.data_dir
                .join("devhost.sqlite3")
                .to_string_lossy()
                .into_owned()
        } else {
            self.database_address.clone()
        }
    }

    /// Settings still at their insecure defaults, for the startup WARN.
    pub fn insecure_defaults(&self) -> Vec<&'static str> {
        let d = Config::default();
        let mut v = Vec::new();
        if self.socket_server_key == d.socket_server_key {
            v.push("socket.server_key");
        }
        if self.session_encryption_key == d.session_encryption_key {
            v.push("session.encryption_key");
        }
        if self.session_refresh_encryption_key == d.session_refresh_encryption_key {
            v.push("session.refresh_encryption_key");
        }
        if self.runtime_http_key == d.runtime_http_key {
            v.push("runtime.http_key");
        }
        v
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Mapping(m) => {
            for (k, v) in m {
                let k = scalar(k);
                let key = if prefix.is_empty() {
                    k
                } else {
                    format!("{prefix}.{k}")
                };
                // runtime.env is a list value, not a section.
                if matches!(v, Value::Mapping(_)) {
                    flatten(&key, v, out);
                } else {
                    out.push((key, v.clone()));
                }
            }
        }
        Value::Null => {}
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn boolean(key: &str, text: &str) -> Result<bool, ConfigError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ConfigError(format!(
            "{key} must be true or false, not {text:?}"
        ))),
    }
}

fn number<T: std::str::FromStr>(key: &str, text: &str) -> Result<T, ConfigError> {
    text.trim()
        .parse()
        .map_err(|_| ConfigError(format!("{key} must be a number, not {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_nakamas() {
        let (c, w) = Config::load(&[], &[]).unwrap();
        assert!(w.is_empty());
        assert_eq!(c.socket_port, 7350);
        assert_eq!(c.session_token_expiry_sec, 60);
        assert_eq!(c.runtime_http_key, "defaulthttpkey");
        assert_eq!(c.socket_max_request_size_bytes, 262_144);
        assert!(c.runtime_path.ends_with("data/modules"));
    }

    #[test]
    fn yaml_then_flags_and_unknown_keys_reported() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("local.yml");
        std::fs::write(
            &file,
            "name: nakama1\nsession:\n  token_expiry_sec: 7200\nruntime:\n  env:\n    - A=1\n    - B=x=y\nsocket:\n  prot: 1\n",
        )
        .unwrap();
        let (c, w) = Config::load(
            &[file],
            &flags(&[("socket.port", "7450"), ("runtime.http_key", "k")]),
        )
        .unwrap();
        assert_eq!(c.name, "nakama1");
        assert_eq!(c.session_token_expiry_sec, 7200);
        assert_eq!(c.socket_port, 7450);
        assert_eq!(c.runtime_http_key, "k");
        assert_eq!(c.env_map()["B"], "x=y");
        assert_eq!(w, ["socket.prot"]);
    }

    #[test]
    fn bad_values_are_refused_with_the_key() {
        let e = Config::load(&[], &flags(&[("socket.port", "x")])).unwrap_err();
        assert!(e.0.contains("socket.port"));
        let e = Config::load(&[], &flags(&[("logger.level", "loud")])).unwrap_err();
        assert!(e.0.contains("logger.level"));
        let e = Config::load(&[], &flags(&[("runtime.env", "NOEQUALS")])).unwrap_err();
        assert!(e.0.contains("KEY=VALUE"));
        let e = Config::load(&[], &flags(&[("runtime.reload", "yes")])).unwrap_err();
        assert!(
            e.0.contains("runtime.reload must be true or false"),
            "{}",
            e.0
        );
        let (c, _) = Config::load(&[], &flags(&[("runtime.reload", "TRUE")])).unwrap();
        assert!(c.runtime_reload);
    }

    #[test]
    fn matchmaker_settings_are_read_and_checked_as_nakama_does() {
        let (c, _) = Config::load(&[], &[]).unwrap();
        assert_eq!(c.matchmaker, crate::matchmaker::MatchmakerConfig::default());
        assert_eq!(
            (
                c.matchmaker.max_tickets,
                c.matchmaker.interval_sec,
                c.matchmaker.max_intervals
            ),
            (3, 15, 2)
        );
        let (c, _) = Config::load(
            &[],
            &flags(&[
                ("matchmaker.interval_sec", "1"),
                ("matchmaker.max_tickets", "5"),
            ]),
        )
        .unwrap();
        assert_eq!(
            (c.matchmaker.interval_sec, c.matchmaker.max_tickets),
            (1, 5)
        );
        for (key, message) in [
            (
                "matchmaker.max_tickets",
                "Matchmaker maximum ticket count must be >= 1",
            ),
            (
                "matchmaker.interval_sec",
                "Matchmaker interval time seconds must be >= 1",
            ),
            (
                "matchmaker.max_intervals",
                "Matchmaker max intervals must be >= 1",
            ),
        ] {
            let e = Config::load(&[], &flags(&[(key, "0")])).unwrap_err();
            assert_eq!(e.0, message);
        }
        assert_eq!(
            (c.matchmaker.rev_precision, c.matchmaker.rev_threshold),
            (false, 1)
        );
        let (c, _) = Config::load(
            &[],
            &flags(&[
                ("matchmaker.rev_precision", "true"),
                ("matchmaker.rev_threshold", "0"),
            ]),
        )
        .unwrap();
        assert_eq!(
            (c.matchmaker.rev_precision, c.matchmaker.rev_threshold),
            (true, 0)
        );
        let e = Config::load(&[], &flags(&[("matchmaker.rev_threshold", "-1")])).unwrap_err();
        assert_eq!(e.0, "Matchmaker reverse matching threshold must be >= 0");
    }

    #[test]
    fn satori_settings_are_read_and_checked_as_nakama_does() {
        let (c, _) = Config::load(&[], &[]).unwrap();
        assert_eq!(
            (c.satori.http_timeout_ms, c.satori.retry_count),
            (10_000, 0)
        );
        let (c, _) = Config::load(
            &[],
            &flags(&[("satori.retry_count", "3"), ("satori.server_key", "sk")]),
        )
        .unwrap();
        assert_eq!(
            (c.satori.retry_count, c.satori.server_key.as_str()),
            (3, "sk")
        );
        for (key, value, message) in [
            (
                "satori.retry_count",
                "4",
                "Satori configuration invalid: retry_count must be a value between 0 and 3",
            ),
            (
                "satori.retry_count",
                "-1",
                "Satori configuration invalid: retry_count must be a value between 0 and 3",
            ),
            (
                "satori.http_timeout_ms",
                "0",
                "Satori configuration invalid: http_timeout_ms must be greater than 0",
            ),
        ] {
            let e = Config::load(&[], &flags(&[(key, value)])).unwrap_err();
            assert_eq!(e.0, message, "{key}={value}");
        }
    }

    #[test]
    fn single_match_and_party_need_single_socket_as_in_nakama() {
        for (key, message) in [
            (
                "session.single_match",
                "Single match cannot be enabled without single socket",
            ),
            (
                "session.single_party",
                "Single party cannot be enabled without single socket",
            ),
        ] {
            let e = Config::load(&[], &flags(&[(key, "true")])).unwrap_err();
            assert_eq!(e.0, message);
        }
        let all = [
            ("session.single_match", "true"),
            ("session.single_party", "true"),
            ("session.single_socket", "true"),
        ];
        let (c, _) = Config::load(&[], &flags(&all)).unwrap();
        assert!(c.session_single_match && c.session_single_party && c.session_single_socket);
    }

    #[test]
    fn match_max_empty_sec_is_nakamas_setting() {
        let (c, _) = Config::load(&[], &[]).unwrap();
        assert_eq!(c.match_max_empty_sec, 0);
        let (c, _) = Config::load(&[], &flags(&[("match.max_empty_sec", "30")])).unwrap();
        assert_eq!(c.match_max_empty_sec, 30);
        let e = Config::load(&[], &flags(&[("match.max_empty_sec", "-1")])).unwrap_err();
        assert_eq!(e.0, "Match max idle seconds must be >= 0");
    }

    #[test]
    fn party_idle_check_interval_is_nakamas_setting() {
        let (c, _) = Config::load(&[], &[]).unwrap();
        assert_eq!(c.party_idle_check_interval_ms, 30_000);
        // Nakama takes any number; 0 or less turns the check off.
        let key = "party.idle_check_interval_ms";
        let (c, _) = Config::load(&[], &flags(&[(key, "-5")])).unwrap();
        assert_eq!(c.party_idle_check_interval_ms, -5);
        let e = Config::load(&[], &flags(&[(key, "soon")])).unwrap_err();
        assert_eq!(
            e.0,
            "party.idle_check_interval_ms must be a number, not \"soon\""
        );
    }

    #[test]
    fn socket_settings_take_nakamas_defaults_keys_and_checks() {
        let (c, _) = Config::load(&[], &[]).unwrap();
        assert_eq!(c.socket, crate::realtime::SocketConfig::default());
        assert_eq!(
            (
                c.socket.max_message_size_bytes,
                c.socket.outgoing_queue_size
            ),
            (4096, 64)
        );
        let set = |pairs: &[(&str, &str)]| Config::load(&[], &flags(pairs));
        let (c, _) = set(&[
            ("socket.max_message_size_bytes", "100"),
            ("socket.outgoing_queue_size", "8"),
            ("socket.ping_period_ms", "100"),
            ("socket.pong_wait_ms", "300"),
            ("socket.ping_backoff_threshold", "0"),
            ("socket.write_wait_ms", "50"),
            ("socket.close_ack_wait_ms", "10"),
            ("socket.read_buffer_size_bytes", "1024"),
            ("socket.write_buffer_size_bytes", "2048"),
        ])
        .unwrap();
        assert_eq!(
            c.socket,
            crate::realtime::SocketConfig {
                max_message_size_bytes: 100,
                outgoing_queue_size: 8,
                ping_period_ms: 100,
                pong_wait_ms: 300,
                ping_backoff_threshold: 0,
                write_wait_ms: 50,
                close_ack_wait_ms: 10,
                read_buffer_size_bytes: 1024,
                write_buffer_size_bytes: 2048,
            }
        );
        for (pairs, refused) in [
            (
                &[("socket.max_message_size_bytes", "0")][..],
                "Socket max message size bytes must be >= 1",
            ),
            (
                &[("socket.close_ack_wait_ms", "0")],
                "Socket close ack timeout milliseconds must be >= 1",
            ),
            (
                &[("socket.read_buffer_size_bytes", "0")],
                "Socket read buffer size bytes must be >= 1",
            ),
            (
                &[("socket.write_buffer_size_bytes", "0")],
                "Socket write buffer size bytes must be >= 1",
            ),
            (
                &[("socket.ping_period_ms", "25000")],
                "Ping period value must be less than pong wait value",
            ),
            (
                &[("socket.outgoing_queue_size", "0")],
                "socket.outgoing_queue_size must be >= 1",
            ),
            (
                &[("socket.write_wait_ms", "0")],
                "socket.write_wait_ms must be >= 1",
            ),
            (
                &[("socket.pong_wait_ms", "-1")],
                "socket.pong_wait_ms must be a number, not \"-1\"",
            ),
        ] {
            assert_eq!(set(pairs).unwrap_err().0, refused, "{pairs:?}");
        }
    }

    #[test]
    fn get_config_reports_the_settings_in_nakamas_shape() {
        let settings = flags(&[
            ("name", "node7"),
            ("socket.port", "7450"),
            ("runtime.env", "B=2"),
            ("runtime.env", "A=1=x"),
            ("runtime.env", "B=3"),
            ("session.token_expiry_sec", "120"),
            ("satori.url", "http://satori"),
            ("logger.level", "WARN"),
            ("iap.apple.shared_password", "not taken"),
        ]);
        let (c, w) = Config::load(&[], &settings).unwrap();
        assert_eq!(w, ["iap.apple.shared_password"]);
        let r = c.server_config();
        assert_eq!((r.name.as_str(), r.shutdown_grace_sec), ("node7", 0));
        assert_eq!(r.logger.level, "WARN");
        assert_eq!(
            (
                r.socket.port,
                r.socket.protocol.as_str(),
                r.socket.server_key.as_str()
            ),
            (7450, "tcp", "defaultkey")
        );
        assert_eq!(
            (
                r.session.token_expiry_sec,
                r.session.refresh_token_expiry_sec
            ),
            (120, 3600)
        );
        assert_eq!(r.runtime.env, ["A=1=x", "B=3"]);
        assert_eq!(r.runtime.http_key, "defaulthttpkey");
        assert_eq!(r.satori.url, "http://satori");
        assert_eq!(r.iap, nk::IapConfig::default());
        assert_eq!(r.social.steam.app_id, 0);
    }
}
