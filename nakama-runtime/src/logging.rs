//! Routes module log lines to the host: the [`Logger`](crate::Logger), and
//! the `log` and `tracing` macros used anywhere in module code.
//!
//! A module has its own copies of `log` and `tracing` (it is a separate
//! shared object), so installing their global hooks here affects only this
//! module. Lines written by the macros go to the host of the call being
//! polled at that moment (a thread-local set around every poll), and on
//! threads polling no call, to the module's handle for work outside calls
//! (hosts of ABI 1.3 or later; older hosts have none, and the line is
//! dropped).

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::Mutex;

use abi_stable::std_types::RStr;

use nakama_runtime_abi::ffi::{level, HostHandle};
use serde_json::{Map, Value};

thread_local! {
    static CURRENT_HOST: Cell<Option<HostHandle>> = const { Cell::new(None) };
}

/// The module's handle for work outside calls, if its host has one. Hosts
/// load a module once, but a test binary may start several test hosts on
/// the same copy of a module: the latest init's host gets the lines.
static BACKGROUND: Mutex<Option<HostHandle>> = Mutex::new(None);

/// Keeps the background handle of `host` (at init).
pub(crate) fn set_background(host: HostHandle) {
    let background = crate::nakama::background_handle(host);
    *BACKGROUND.lock().unwrap_or_else(|e| e.into_inner()) = background;
}

/// Sends one line to the host.
pub(crate) fn emit(host: HostHandle, lvl: u8, caller: &str, msg: &str, fields: &str) {
    (host.vtable.log())(
        host.data,
        lvl,
        RStr::from_str(caller),
        RStr::from_str(msg),
        RStr::from_str(fields),
    );
}

/// Sends a line to the host of the call being polled, or else to the
/// background handle, if any.
fn emit_current(lvl: u8, caller: &str, msg: &str, fields: &str) {
    let host = CURRENT_HOST
        .with(Cell::get)
        .or_else(|| *BACKGROUND.lock().unwrap_or_else(|e| e.into_inner()));
    if let Some(host) = host {
        emit(host, lvl, caller, msg, fields);
    }
}

/// Makes `host` the target of `log`/`tracing` lines until the guard drops
/// (then the previous target is restored).
// Inlined into the module's poll of a call, the two thread-local accesses
// of the call share one address lookup (`__tls_get_addr`: the module is a
// shared object loaded at run time).
#[inline]
pub(crate) fn enter(host: HostHandle) -> Entered {
    Entered(CURRENT_HOST.with(|c| c.replace(Some(host))))
}

pub(crate) struct Entered(Option<HostHandle>);

impl Drop for Entered {
    #[inline]
    fn drop(&mut self) {
        CURRENT_HOST.with(|c| c.set(self.0));
    }
}

/// Installs the `log` and `tracing` bridges (once; later calls do nothing,
/// and a process that already has its own logger keeps it).
pub(crate) fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if log::set_logger(&LogBridge).is_ok() {
            log::set_max_level(log::LevelFilter::Trace);
        }
        let _ = tracing::subscriber::set_global_default(TracingBridge);
        // A panic inside a call is logged to the host (with the call's
        // fields), not printed to stderr; the call answers INTERNAL.
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let Some(host) = CURRENT_HOST.with(Cell::get) else {
                return default_hook(info);
            };
            let caller = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let payload = info.payload();
            let msg = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("non-string panic payload");
            emit(
                host,
                level::ERROR,
                &caller,
                &format!("panic in module handler: {msg}"),
                "",
            );
        }));
    });
}

struct LogBridge;

impl log::Log for LogBridge {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let lvl = match record.level() {
            log::Level::Error => level::ERROR,
            log::Level::Warn => level::WARN,
            log::Level::Info => level::INFO,
            log::Level::Debug | log::Level::Trace => level::DEBUG,
        };
        let caller = format!(
            "{}:{}",
            record.file().unwrap_or("?"),
            record.line().unwrap_or(0)
        );
        emit_current(lvl, &caller, &record.args().to_string(), "");
    }

    fn flush(&self) {}
}

/// A minimal `tracing` subscriber: events become log lines with their
/// fields; spans are accepted and ignored.
struct TracingBridge;

impl tracing::Subscriber for TracingBridge {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let meta = event.metadata();
        let lvl = match *meta.level() {
            tracing::Level::ERROR => level::ERROR,
            tracing::Level::WARN => level::WARN,
            tracing::Level::INFO => level::INFO,
            _ => level::DEBUG,
        };
        let mut visitor = FieldVisitor::default();
        event.record(&mut visitor);
        let caller = format!(
            "{}:{}",
            meta.file().unwrap_or("?"),
            meta.line().unwrap_or(0)
        );
        let fields = if visitor.fields.is_empty() {
            String::new()
        } else {
            Value::Object(visitor.fields).to_string()
        };
        emit_current(lvl, &caller, &visitor.message, &fields);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[derive(Default)]
struct FieldVisitor {
    message: String,
    fields: Map<String, Value>,
}

impl tracing::field::Visit for FieldVisitor {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.fields.insert(
                field.name().to_string(),
                Value::String(format!("{value:?}")),
            );
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields.insert(field.name().to_string(), value.into());
        }
    }

    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        self.fields.insert(field.name().to_string(), value.into());
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.fields.insert(field.name().to_string(), value.into());
    }

    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        self.fields.insert(field.name().to_string(), value.into());
    }
}
