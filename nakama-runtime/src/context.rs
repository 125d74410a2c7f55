//! The call's runtime context and its logger.

use std::collections::HashMap;
use std::sync::OnceLock;

use nakama_runtime_abi::ffi::{level, HostHandle};
use nakama_runtime_abi::ContextData;
use serde_json::{Map, Value};

/// What Nakama knows about the current call: who calls, how, from where.
///
/// The same keys as Nakama's runtime context (`RUNTIME_CTX_*`). Decoded
/// lazily: a handler that never looks at it pays nothing.
pub struct Context {
    raw: Vec<u8>,
    data: OnceLock<ContextData>,
    logger: Logger,
}

static EMPTY_MAP: OnceLock<HashMap<String, String>> = OnceLock::new();
static EMPTY_MULTI: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();

impl Context {
    /// A context from the JSON a host sent.
    pub(crate) fn from_raw(raw: Vec<u8>, host: HostHandle) -> Self {
        Context {
            raw,
            data: OnceLock::new(),
            logger: Logger {
                host,
                fields: Map::new(),
            },
        }
    }

    /// A context from decoded data (in-process hosts, tests).
    #[doc(hidden)]
    pub fn from_data(data: ContextData, host: HostHandle) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(data);
        Context {
            raw: Vec::new(),
            data: cell,
            logger: Logger {
                host,
                fields: Map::new(),
            },
        }
    }

    /// All context data at once.
    pub fn data(&self) -> &ContextData {
        // A host always sends valid JSON; a broken one gets an empty context
        // rather than a panic inside the module.
        self.data
            .get_or_init(|| serde_json::from_slice(&self.raw).unwrap_or_default())
    }

    /// The logger for this call (carries the call's fields).
    pub fn logger(&self) -> &Logger {
        &self.logger
    }

    /// `runtime.env` values.
    pub fn env(&self) -> &HashMap<String, String> {
        &self.data().env
    }

    /// `rpc`, `before`, `after`, `run_once`, ...
    pub fn execution_mode(&self) -> &str {
        &self.data().execution_mode
    }

    /// The node name (config `name`).
    pub fn node(&self) -> &str {
        &self.data().node
    }

    /// The server version.
    pub fn version(&self) -> &str {
        &self.data().version
    }

    /// The caller's user id; `None` for server-to-server calls (http_key).
    pub fn user_id(&self) -> Option<&str> {
        self.data().user_id.as_deref()
    }

    pub fn username(&self) -> Option<&str> {
        self.data().username.as_deref()
    }

    /// Session variables from the token (empty without a session).
    pub fn vars(&self) -> &HashMap<String, String> {
        self.data()
            .vars
            .as_ref()
            .unwrap_or_else(|| EMPTY_MAP.get_or_init(HashMap::new))
    }

    /// Session expiry, Unix seconds.
    pub fn session_expiry(&self) -> Option<i64> {
        self.data().user_session_exp
    }

    /// Realtime session id (socket calls only).
    pub fn session_id(&self) -> Option<&str> {
        self.data().session_id.as_deref()
    }

    pub fn lang(&self) -> Option<&str> {
        self.data().lang.as_deref()
    }

    pub fn client_ip(&self) -> Option<&str> {
        self.data().client_ip.as_deref()
    }

    pub fn client_port(&self) -> Option<&str> {
        self.data().client_port.as_deref()
    }

    /// Request headers, canonical name -> values.
    pub fn headers(&self) -> &HashMap<String, Vec<String>> {
        &self.data().headers
    }

    /// First value of a header, name matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.first())
            .map(String::as_str)
    }

    /// Query parameters (without `http_key`), name -> values.
    pub fn query_params(&self) -> &HashMap<String, Vec<String>> {
        let q = &self.data().query_params;
        if q.is_empty() {
            EMPTY_MULTI.get_or_init(HashMap::new)
        } else {
            q
        }
    }

    /// First value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query_params()
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    pub fn trace_id(&self) -> Option<&str> {
        self.data().trace_id.as_deref()
    }
}

/// Nakama-shaped logger: debug/info/warn/error with fields.
///
/// Lines reach the host's log with the caller's `file:line` and
/// `"runtime":"rust"`. `log` and `tracing` macros in module code reach the
/// same log.
#[derive(Clone)]
pub struct Logger {
    host: HostHandle,
    fields: Map<String, Value>,
}

impl Logger {
    #[track_caller]
    pub fn debug(&self, msg: impl std::fmt::Display) {
        self.write(level::DEBUG, msg);
    }

    #[track_caller]
    pub fn info(&self, msg: impl std::fmt::Display) {
        self.write(level::INFO, msg);
    }

    #[track_caller]
    pub fn warn(&self, msg: impl std::fmt::Display) {
        self.write(level::WARN, msg);
    }

    #[track_caller]
    pub fn error(&self, msg: impl std::fmt::Display) {
        self.write(level::ERROR, msg);
    }

    /// A logger that adds `key: value` to every line. The key `runtime` is
    /// reserved and dropped, as in Nakama.
    pub fn with_field(&self, key: impl Into<String>, value: impl Into<Value>) -> Logger {
        let mut out = self.clone();
        let key = key.into();
        if key != "runtime" {
            out.fields.insert(key, value.into());
        }
        out
    }

    /// A logger that adds every field of `fields`.
    pub fn with_fields<K: Into<String>, V: Into<Value>>(
        &self,
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Logger {
        let mut out = self.clone();
        for (k, v) in fields {
            let k = k.into();
            if k != "runtime" {
                out.fields.insert(k, v.into());
            }
        }
        out
    }

    /// The fields this logger adds.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    #[track_caller]
    fn write(&self, lvl: u8, msg: impl std::fmt::Display) {
        let loc = std::panic::Location::caller();
        let caller = format!("{}:{}", loc.file(), loc.line());
        let fields = if self.fields.is_empty() {
            String::new()
        } else {
            Value::Object(self.fields.clone()).to_string()
        };
        crate::logging::emit(self.host, lvl, &caller, &msg.to_string(), &fields);
    }
}
