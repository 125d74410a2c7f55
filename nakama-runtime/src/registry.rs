//! The module side of the ABI: the handlers a module declares, the root
//! module it exports, and dispatch with panic isolation.
//!
//! Handlers declared with attributes are collected with `inventory` (static
//! constructors run when the `.so` is loaded). Handlers registered through
//! the [`Initializer`] are appended at init. Both live in one append-only
//! table whose index is the `handler` number the host passes back.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{OnceLock, RwLock};
use std::task::{Context as TaskContext, Poll};

use abi_stable::{
    export_root_module,
    prefix_type::PrefixTypeTrait,
    std_types::{RResult, RSlice, RString, RVec},
};
use async_ffi::BorrowingFfiFuture;
use nakama_runtime_abi::ffi::{
    kind, FfiContext, FfiError, FfiResult, HostHandle, ModuleHeader, ModuleInfo, ModuleRoot,
    ModuleRoot_Ref, Registration, StaticStr, MODULE_MAGIC,
};
use nakama_runtime_abi::{Code, ABI_MAJOR, ABI_MINOR};

use crate::logging;
use crate::{Context, Error, Initializer, Nakama};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Any handler, with its input and output already encoded (see the ABI
/// crate docs for the encoding of each kind).
pub trait Handler: Send + Sync + 'static {
    fn call<'a>(
        &'a self,
        ctx: &'a Context,
        nk: &'a Nakama,
        input: &'a [u8],
    ) -> impl Future<Output = Result<Vec<u8>, Error>> + Send + 'a;
}

/// What the handler table holds: a [`Handler`] whose whole call (its
/// context, the handler, the encoded answer) is one boxed FFI future, the
/// one allocation a call makes besides what the handler does.
pub trait FfiHandler: Send + Sync + 'static {
    fn call_ffi<'a>(
        &'a self,
        what: &'static str,
        host: HostHandle,
        ctx: &'a FfiContext<'a>,
        input: &'a [u8],
    ) -> BorrowingFfiFuture<'a, FfiResult>;
}

impl<H: Handler> FfiHandler for H {
    fn call_ffi<'a>(
        &'a self,
        what: &'static str,
        host: HostHandle,
        ctx: &'a FfiContext<'a>,
        input: &'a [u8],
    ) -> BorrowingFfiFuture<'a, FfiResult> {
        let fut = Guarded::new(what, host, async move {
            // SAFETY: `ctx` outlives this future, which owns the Context.
            let ctx = unsafe { Context::from_ffi(ctx, host) };
            let nk = Nakama::new(host);
            self.call(&ctx, &nk, input).await
        });
        BorrowingFfiFuture::new(ToFfi { inner: fut })
    }
}

pin_project_lite::pin_project! {
    /// Encodes a handler's result for the host. A named future rather
    /// than `async move { ffi_result(fut.await) }`: the async block would
    /// hold `fut` twice (as its capture and as its awaited local), doubling
    /// the boxed future and copying it on the first poll.
    struct ToFfi<F> {
        #[pin]
        inner: F,
    }
}

impl<F: Future<Output = Result<Vec<u8>, Error>>> Future for ToFfi<F> {
    type Output = FfiResult;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<FfiResult> {
        self.project().inner.poll(cx).map(ffi_result)
    }
}

fn ffi_result(r: Result<Vec<u8>, Error>) -> FfiResult {
    match r {
        Ok(out) => RResult::ROk(RVec::from(out)),
        Err(e) => RResult::RErr(e.into_ffi()),
    }
}

/// The `#[init_module]` function.
pub trait InitHandler: Send + Sync + 'static {
    fn call<'a>(
        &'a self,
        ctx: &'a Context,
        nk: &'a Nakama,
        init: &'a mut Initializer,
    ) -> BoxFuture<'a, Result<(), Error>>;
}

/// A handler declared with `#[rpc]`, `#[before_hook]` or `#[after_hook]`.
pub struct Declared {
    /// One of [`kind`].
    pub kind: u8,
    /// RPC id, or hook name.
    pub id: &'static str,
    /// `module_path::fn_name`, for logs.
    pub function: &'static str,
    /// The declaring crate's package name.
    pub package: &'static str,
    pub handler: &'static dyn FfiHandler,
}

/// A function declared with `#[init_module]`.
pub struct DeclaredInit {
    pub function: &'static str,
    pub package: &'static str,
    pub handler: &'static dyn InitHandler,
}

inventory::collect!(Declared);
inventory::collect!(DeclaredInit);

/// One entry of the handler table.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) kind: u8,
    pub(crate) id: String,
    pub(crate) function: &'static str,
    pub(crate) handler: &'static dyn FfiHandler,
}

fn declared_entries() -> Vec<Entry> {
    let mut v: Vec<&Declared> = inventory::iter::<Declared>.into_iter().collect();
    // Stable order whatever order the static constructors ran in.
    v.sort_by(|a, b| (a.kind, a.id, a.function).cmp(&(b.kind, b.id, b.function)));
    v.into_iter()
        .map(|d| Entry {
            kind: d.kind,
            id: if d.kind == kind::RPC {
                d.id.to_lowercase()
            } else {
                d.id.to_string()
            },
            function: d.function,
            handler: d.handler,
        })
        .collect()
}

/// The table: declared handlers first, then those registered at init.
fn table() -> &'static RwLock<Vec<Entry>> {
    static TABLE: OnceLock<RwLock<Vec<Entry>>> = OnceLock::new();
    TABLE.get_or_init(|| RwLock::new(declared_entries()))
}

/// The table's rows as they stood after the first init, read without the
/// lock: every call looks its handler up, from every thread, and a read
/// lock is a write to memory all of them share. Rows are only ever
/// appended, so a row here is the same row in the table.
static SNAPSHOT: OnceLock<Vec<(&'static dyn FfiHandler, &'static str)>> = OnceLock::new();

fn handler_at(index: u32) -> Option<(&'static dyn FfiHandler, &'static str)> {
    if let Some(row) = SNAPSHOT.get().and_then(|rows| rows.get(index as usize)) {
        return Some(*row);
    }
    let table = table().read().unwrap_or_else(|e| e.into_inner());
    table.get(index as usize).map(|e| (e.handler, e.function))
}

/// The module's package name: from its declarations, else "unnamed".
pub(crate) fn package_name() -> &'static str {
    inventory::iter::<Declared>
        .into_iter()
        .map(|d| d.package)
        .chain(
            inventory::iter::<DeclaredInit>
                .into_iter()
                .map(|d| d.package),
        )
        .next()
        .unwrap_or("unnamed")
}

fn registrations(entries: &[(u32, &Entry)]) -> RVec<Registration> {
    entries
        .iter()
        .map(|(i, e)| Registration {
            kind: e.kind,
            id: RString::from(e.id.as_str()),
            handler: *i,
            function: RString::from(e.function),
        })
        .collect()
}

fn module_info(entries: &[(u32, &Entry)]) -> ModuleInfo {
    ModuleInfo {
        name: RString::from(package_name()),
        sdk_version: RString::from(crate::SDK_VERSION),
        registrations: registrations(entries),
    }
}

/// Turns a caught panic into the `INTERNAL` error a host answers with.
pub(crate) fn panic_error(what: &str, payload: &(dyn Any + Send)) -> Error {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_string());
    Error::internal(format!("{what} panicked: {msg}"))
}

pin_project_lite::pin_project! {
    /// Polls a module future with its host as the target of `log`/`tracing`
    /// lines, turning a panic into an `INTERNAL` error naming `what`.
    pub(crate) struct Guarded<F> {
        what: &'static str,
        host: HostHandle,
        #[pin]
        inner: F,
    }
}

impl<F> Guarded<F> {
    pub(crate) fn new(what: &'static str, host: HostHandle, inner: F) -> Self {
        Guarded { what, host, inner }
    }
}

impl<T, F: Future<Output = Result<T, Error>>> Future for Guarded<F> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _current = logging::enter(*this.host);
        let inner = this.inner;
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(p) => p,
            Err(payload) => Poll::Ready(Err(panic_error(this.what, &*payload))),
        }
    }
}

/// Runs handler `index` (what the exported `call` does; in-process hosts
/// call it directly). `ctx` and `input` are borrowed for the call.
#[doc(hidden)]
pub fn dispatch<'a>(
    index: u32,
    host: HostHandle,
    ctx: &'a FfiContext<'a>,
    input: &'a [u8],
) -> BorrowingFfiFuture<'a, FfiResult> {
    match handler_at(index) {
        Some((handler, what)) => handler.call_ffi(what, host, ctx, input),
        None => {
            let e = Error::new(
                Code::NotFound,
                format!("this module has no handler #{index}"),
            );
            BorrowingFfiFuture::new(async move { ffi_result(Err(e)) })
        }
    }
}

/// Runs `#[init_module]` (if any) and answers every registration.
#[doc(hidden)]
pub fn run_init<'a>(
    host: HostHandle,
    ctx: &'a FfiContext<'a>,
) -> impl Future<Output = Result<ModuleInfo, Error>> + Send + 'a {
    let fut = async move {
        let inits: Vec<&DeclaredInit> = inventory::iter::<DeclaredInit>.into_iter().collect();
        if inits.len() > 1 {
            let names: Vec<&str> = inits.iter().map(|i| i.function).collect();
            return Err(Error::new(
                Code::FailedPrecondition,
                format!(
                    "a module may have one #[init_module] function, found {}: {}",
                    inits.len(),
                    names.join(", ")
                ),
            ));
        }
        let mut initializer = Initializer::default();
        if let Some(init) = inits.first() {
            // SAFETY: `ctx` outlives this future, which owns the Context.
            let ctx = unsafe { Context::from_ffi(ctx, host) };
            let nk = Nakama::new(host);
            init.handler.call(&ctx, &nk, &mut initializer).await?;
        }
        let mut table = table().write().unwrap_or_else(|e| e.into_inner());
        // Declared handlers are rows 0..n; this init's own rows follow.
        let declared = table
            .iter()
            .take(inventory::iter::<Declared>.into_iter().count())
            .cloned()
            .collect::<Vec<_>>();
        let mut rows: Vec<(u32, Entry)> = declared
            .into_iter()
            .enumerate()
            .map(|(i, e)| (i as u32, e))
            .collect();
        for entry in initializer.into_entries() {
            table.push(entry.clone());
            rows.push(((table.len() - 1) as u32, entry));
        }
        let _ = SNAPSHOT.set(table.iter().map(|e| (e.handler, e.function)).collect());
        let refs: Vec<(u32, &Entry)> = rows.iter().map(|(i, e)| (*i, e)).collect();
        Ok(module_info(&refs))
    };
    Guarded::new("#[init_module]", host, fut)
}

/// What the module declares with attributes (before init).
#[doc(hidden)]
pub fn declared_info() -> ModuleInfo {
    let table = table().read().unwrap_or_else(|e| e.into_inner());
    let n = inventory::iter::<Declared>.into_iter().count();
    let refs: Vec<(u32, &Entry)> = table
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, e)| (i as u32, e))
        .collect();
    module_info(&refs)
}

extern "C" fn ffi_info() -> ModuleInfo {
    catch_unwind(declared_info).unwrap_or_else(|_| ModuleInfo {
        name: RString::from(package_name()),
        sdk_version: RString::from(crate::SDK_VERSION),
        registrations: RVec::new(),
    })
}

extern "C" fn ffi_init<'a>(
    host: HostHandle,
    ctx: &'a FfiContext<'a>,
) -> BorrowingFfiFuture<'a, RResult<ModuleInfo, FfiError>> {
    logging::install();
    logging::set_background(host);
    let fut = run_init(host, ctx);
    BorrowingFfiFuture::new(async move {
        match fut.await {
            Ok(info) => RResult::ROk(info),
            Err(e) => RResult::RErr(e.into_ffi()),
        }
    })
}

extern "C" fn ffi_call<'a>(
    handler: u32,
    host: HostHandle,
    ctx: &'a FfiContext<'a>,
    input: RSlice<'a, u8>,
) -> BorrowingFfiFuture<'a, FfiResult> {
    dispatch(handler, host, ctx, input.as_slice())
}

/// Read by the loader before anything else (see the ABI crate).
#[doc(hidden)]
#[unsafe(no_mangle)]
pub static NAKAMA_RUST_MODULE_HEADER: ModuleHeader = ModuleHeader {
    magic: MODULE_MAGIC,
    abi_major: ABI_MAJOR,
    abi_minor: ABI_MINOR,
    sdk_version: StaticStr::new(crate::SDK_VERSION),
    rustc_version: StaticStr::new(env!("NAKAMA_RUNTIME_RUSTC_VERSION")),
};

#[export_root_module]
fn root_module() -> ModuleRoot_Ref {
    in_process_root()
}

/// The root module of the handlers linked into this binary: what the
/// exported symbol answers, for hosts (tests) that run a module compiled
/// into themselves instead of loading its `.so`.
#[doc(hidden)]
pub fn in_process_root() -> ModuleRoot_Ref {
    static ROOT: OnceLock<ModuleRoot_Ref> = OnceLock::new();
    *ROOT.get_or_init(|| {
        ModuleRoot {
            abi_major: ABI_MAJOR,
            abi_minor: ABI_MINOR,
            info: ffi_info,
            init: ffi_init,
            call: ffi_call,
            // The whole module is built with one panic strategy: its
            // profile's.
            panic_unwinds: cfg!(panic = "unwind"),
        }
        .leak_into_prefix()
    })
}
