//! The call's runtime context and its logger.

use std::collections::HashMap;
use std::sync::OnceLock;

use abi_stable::std_types::{ROption, RStr};
use nakama_runtime_abi::ffi::{level, FfiContext, HostHandle, CONTEXT_ON_DEMAND};
use nakama_runtime_abi::{decode_context_map, ContextData, RequestMaps};
use serde_json::{Map, Value};

/// What Nakama knows about the current call: who calls, how, from where.
///
/// The same keys as Nakama's runtime context (`RUNTIME_CTX_*`). Scalars
/// are read in place from what the host passed; the maps (env, headers,
/// query params, vars) are decoded on first use. A host may also give
/// the call's own values only when they are first read (ABI 1.2).
pub struct Context {
    src: Source,
    /// The call's own values, asked of the host (a context on demand).
    asked: OnceLock<Box<ContextData>>,
    /// Boxed: most calls never read them, and a context lives in every
    /// call's future.
    maps: OnceLock<Box<Maps>>,
    logger: Logger,
}

enum Source {
    /// Borrowed from the host for the duration of the call. Marked
    /// [`CONTEXT_ON_DEMAND`], it holds only execution mode, node, version
    /// and env: the rest is asked of the host on first use.
    Ffi(*const FfiContext<'static>),
    Owned(Box<ContextData>),
}

struct Maps {
    env: HashMap<String, String>,
    headers: HashMap<String, Vec<String>>,
    query_params: HashMap<String, Vec<String>>,
    vars: Option<HashMap<String, String>>,
}

// SAFETY: the FFI context is immutable data the host keeps alive, unmoved,
// until the call's future completes; handlers only ever see `&Context`
// inside that future, so no reference to it can outlive the call.
unsafe impl Send for Context {}
unsafe impl Sync for Context {}

static EMPTY_MAP: OnceLock<HashMap<String, String>> = OnceLock::new();

impl Context {
    /// A context borrowing what the host passed.
    ///
    /// # Safety
    /// `ffi` must stay valid until this `Context` is dropped.
    pub(crate) unsafe fn from_ffi(ffi: &FfiContext<'_>, host: HostHandle) -> Self {
        let ptr = (ffi as *const FfiContext<'_>).cast::<FfiContext<'static>>();
        Context {
            src: Source::Ffi(ptr),
            asked: OnceLock::new(),
            maps: OnceLock::new(),
            logger: Logger { host, fields: None },
        }
    }

    /// A context from decoded data (in-process hosts, tests).
    #[doc(hidden)]
    pub fn from_data(data: ContextData, host: HostHandle) -> Self {
        Context {
            src: Source::Owned(Box::new(data)),
            asked: OnceLock::new(),
            maps: OnceLock::new(),
            logger: Logger { host, fields: None },
        }
    }

    fn ffi(&self) -> Option<&FfiContext<'_>> {
        match &self.src {
            // SAFETY: see `from_ffi`.
            Source::Ffi(p) => Some(unsafe { &**p }),
            Source::Owned(_) => None,
        }
    }

    /// Whether the FFI view is a context on demand. Checked when a value
    /// is read, not when the call starts: most handlers read none, and
    /// the comparison touches memory a call otherwise would not.
    fn on_demand(&self) -> bool {
        self.ffi()
            .is_some_and(|c| c.extra_json.as_str() == CONTEXT_ON_DEMAND)
    }

    /// Where the call's own values are when they are not in the FFI view.
    fn own(&self) -> Option<&ContextData> {
        match &self.src {
            Source::Owned(d) => Some(d),
            Source::Ffi(_) if self.on_demand() => {
                Some(self.asked.get_or_init(|| Box::new(self.ask())))
            }
            Source::Ffi(_) => None,
        }
    }

    /// The call's own values, from the host (none if it has no answer).
    fn ask(&self) -> ContextData {
        let host = self.logger.host;
        let json = host.vtable.call_context().map(|f| f(host.data));
        json.and_then(|j| serde_json::from_str(j.as_str()).ok())
            .unwrap_or_default()
    }

    fn text<'s>(
        &'s self,
        ffi: impl FnOnce(&FfiContext<'s>) -> RStr<'s>,
        owned: impl FnOnce(&'s ContextData) -> &'s str,
    ) -> &'s str {
        match &self.src {
            Source::Owned(d) => owned(d),
            _ => self.ffi().map(|c| ffi(c).as_str()).unwrap_or_default(),
        }
    }

    fn opt_text<'s>(
        &'s self,
        ffi: impl FnOnce(&FfiContext<'s>) -> ROption<RStr<'s>>,
        owned: impl FnOnce(&'s ContextData) -> &'s Option<String>,
    ) -> Option<&'s str> {
        match self.own() {
            Some(d) => owned(d).as_deref(),
            None => self
                .ffi()
                .and_then(|c| ffi(c).into_option().map(|s| s.as_str())),
        }
    }

    fn maps(&self) -> &Maps {
        self.maps.get_or_init(|| Box::new(self.build_maps()))
    }

    fn build_maps(&self) -> Maps {
        match (&self.src, self.ffi()) {
            (Source::Ffi(_), Some(c)) if self.on_demand() => {
                let d = self.own().expect("asked");
                Maps {
                    env: decode_context_map(c.env_json.as_str()),
                    headers: d.headers.clone(),
                    query_params: d.query_params.clone(),
                    vars: d.vars.clone(),
                }
            }
            (_, Some(c)) => {
                let (headers, query_params) = self.request_maps(c);
                Maps {
                    env: decode_context_map(c.env_json.as_str()),
                    headers,
                    query_params,
                    vars: c
                        .vars_json
                        .into_option()
                        .map(|v| decode_context_map(v.as_str())),
                }
            }
            (Source::Owned(d), None) => Maps {
                env: d.env.clone(),
                headers: d.headers.clone(),
                query_params: d.query_params.clone(),
                vars: d.vars.clone(),
            },
            (Source::Ffi(_), None) => {
                unreachable!("an FFI source always has an FFI view")
            }
        }
    }

    /// Headers and query params: from the context, or (both empty there)
    /// from the host, which may send them only on demand (ABI 1.1).
    fn request_maps(
        &self,
        c: &FfiContext<'_>,
    ) -> (HashMap<String, Vec<String>>, HashMap<String, Vec<String>>) {
        let (headers, query) = (c.headers_json.as_str(), c.query_params_json.as_str());
        if headers.is_empty() && query.is_empty() {
            let host = self.logger.host;
            if let Some(context_maps) = host.vtable.context_maps() {
                let m = RequestMaps::decode(context_maps(host.data).as_str());
                return (m.headers, m.query_params);
            }
        }
        (decode_context_map(headers), decode_context_map(query))
    }

    /// Everything at once, as an owned copy.
    pub fn to_data(&self) -> ContextData {
        match &self.src {
            Source::Owned(d) => (**d).clone(),
            Source::Ffi(_) if !self.on_demand() => {
                let mut data = self.ffi().map(ContextData::from_ffi).unwrap_or_default();
                let maps = self.maps();
                data.headers.clone_from(&maps.headers);
                data.query_params.clone_from(&maps.query_params);
                data
            }
            Source::Ffi(_) => {
                let fixed = self.ffi().map(ContextData::from_ffi).unwrap_or_default();
                ContextData {
                    env: fixed.env,
                    execution_mode: fixed.execution_mode,
                    node: fixed.node,
                    version: fixed.version,
                    ..self.own().cloned().unwrap_or_default()
                }
            }
        }
    }

    /// The logger for this call (carries the call's fields).
    pub fn logger(&self) -> &Logger {
        &self.logger
    }

    /// `runtime.env` values.
    pub fn env(&self) -> &HashMap<String, String> {
        &self.maps().env
    }

    /// `rpc`, `before`, `after`, `run_once`, ...
    pub fn execution_mode(&self) -> &str {
        self.text(|c| c.execution_mode, |d| &d.execution_mode)
    }

    /// The node name (config `name`).
    pub fn node(&self) -> &str {
        self.text(|c| c.node, |d| &d.node)
    }

    /// The server version.
    pub fn version(&self) -> &str {
        self.text(|c| c.version, |d| &d.version)
    }

    /// The caller's user id; `None` for server-to-server calls (http_key).
    pub fn user_id(&self) -> Option<&str> {
        self.opt_text(|c| c.user_id, |d| &d.user_id)
    }

    pub fn username(&self) -> Option<&str> {
        self.opt_text(|c| c.username, |d| &d.username)
    }

    /// Session variables from the token (empty without a session).
    pub fn vars(&self) -> &HashMap<String, String> {
        self.maps()
            .vars
            .as_ref()
            .unwrap_or_else(|| EMPTY_MAP.get_or_init(HashMap::new))
    }

    /// Session expiry, Unix seconds.
    pub fn session_expiry(&self) -> Option<i64> {
        match self.own() {
            Some(d) => d.user_session_exp,
            None => self.ffi().and_then(|c| c.user_session_exp.into_option()),
        }
    }

    /// Realtime session id (socket calls only).
    pub fn session_id(&self) -> Option<&str> {
        self.opt_text(|c| c.session_id, |d| &d.session_id)
    }

    pub fn lang(&self) -> Option<&str> {
        self.opt_text(|c| c.lang, |d| &d.lang)
    }

    pub fn client_ip(&self) -> Option<&str> {
        self.opt_text(|c| c.client_ip, |d| &d.client_ip)
    }

    pub fn client_port(&self) -> Option<&str> {
        self.opt_text(|c| c.client_port, |d| &d.client_port)
    }

    /// Request headers, canonical name -> values.
    pub fn headers(&self) -> &HashMap<String, Vec<String>> {
        &self.maps().headers
    }

    /// First value of a header, name matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.first())
            .map(String::as_str)
    }

    /// Query parameters (without `http_key`), name -> values. An RPC
    /// called with `GET` (nakama-js's `rpcHttpKey`) finds its input here,
    /// as `payload`: Nakama reads a payload from a `POST` body only.
    pub fn query_params(&self) -> &HashMap<String, Vec<String>> {
        &self.maps().query_params
    }

    /// First value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query_params()
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    pub fn trace_id(&self) -> Option<&str> {
        self.opt_text(|c| c.trace_id, |d| &d.trace_id)
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
    /// `None` until a field is added: every call makes a logger, and
    /// most never add one (an empty map still costs its drop).
    fields: Option<Box<Map<String, Value>>>,
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
            out.fields_mut().insert(key, value.into());
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
                out.fields_mut().insert(k, v.into());
            }
        }
        out
    }

    /// The fields this logger adds.
    pub fn fields(&self) -> &Map<String, Value> {
        static NONE: OnceLock<Map<String, Value>> = OnceLock::new();
        match &self.fields {
            Some(f) => f,
            None => NONE.get_or_init(Map::new),
        }
    }

    fn fields_mut(&mut self) -> &mut Map<String, Value> {
        self.fields.get_or_insert_with(Default::default)
    }

    #[track_caller]
    fn write(&self, lvl: u8, msg: impl std::fmt::Display) {
        let loc = std::panic::Location::caller();
        let caller = format!("{}:{}", loc.file(), loc.line());
        let fields = match &self.fields {
            Some(f) if !f.is_empty() => Value::Object((**f).clone()).to_string(),
            _ => String::new(),
        };
        crate::logging::emit(self.host, lvl, &caller, &msg.to_string(), &fields);
    }
}
