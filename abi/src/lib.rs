//! The versioned binary contract between a Nakama Rust module and a host.
//!
//! A module is a `cdylib` built with `nakama-runtime`; a host (the dev host,
//! or the bridge inside a real Nakama) loads it with `nakama-runtime-host`.
//! This crate is everything both sides must agree on, and nothing else:
//!
//! - [`ffi`]: the exported [`ffi::ModuleHeader`] (magic + ABI version, read
//!   first) and the abi_stable root module [`ffi::ModuleRoot`], the host
//!   vtable [`ffi::HostVTable`] and the FFI-safe types they use;
//! - [`api`]: Nakama's API messages as serde structs;
//! - [`hooks`]: the client API calls that can be hooked, with their types;
//! - [`rtapi`]: the realtime messages that can be hooked, and their
//!   answers;
//! - [`nk`]: the nk functions, as name + argument struct + output;
//! - [`matches`](mod@matches): authoritative match handlers' calls and answers;
//! - [`matchmaker`]: what the matchmaker's matched hook, override and
//!   processor get;
//! - [`fleet_manager`]: what a fleet manager module's functions get;
//! - [`ContextData`]: the runtime context of a call (and its FFI view);
//! - [`Code`]: the gRPC codes and their HTTP statuses.
//!
//! Module authors never use this crate directly: `nakama-runtime` wraps it.
//! abi_stable is confined here (and in the SDK's and loader's internals) so
//! an author's crate needs no dependency besides `nakama-runtime`.
//!
//! # Versioning policy
//!
//! The ABI has a version `MAJOR.MINOR` ([`ABI_MAJOR`], [`ABI_MINOR`]),
//! independent of crate versions. A module built against ABI `M.a` loads into
//! every host of ABI `M.b` with `b >= a`. A module of another major, or of a
//! newer minor than the host's, is refused with an error naming the file,
//! both versions and the fix ([`check_compatible`]). The loader checks this
//! from [`ffi::ModuleHeader`] *before* looking at any other type, then lets
//! abi_stable compare the layout of every type reachable from the root
//! module; a layout difference is refused the same way. abi_stable's own
//! crate-version check is not used: it has the opposite rule for minors.
//!
//! Within one major, a minor release may only:
//! - append fields after the last field of a prefix type
//!   ([`ffi::ModuleRoot`], [`ffi::HostVTable`]) — older peers do not see them;
//! - add new registration kinds ([`ffi::kind`]), log levels, nk functions
//!   ([`nk`]), hooks, or optional (defaulted) fields to JSON messages;
//!
//! and must not rename, reorder, remove or retype an existing field, change
//! an `#[repr]`, or change the meaning of an existing value. Anything else is
//! a new major.
//!
//! A host that lacks an nk function a module calls answers `UNIMPLEMENTED`
//! naming the function, so a module built for a richer host still loads.
//!
//! # Encoding
//!
//! Everything that is not a fixed FFI type crosses as UTF-8 JSON bytes, in
//! proto3 JSON form with proto field names (the form Nakama's HTTP gateway
//! uses), so a host can pass client bodies straight through:
//!
//! The call's context crosses as [`ffi::FfiContext`], borrowed for the call:
//! scalars in place, the four maps as JSON decoded by the module on first
//! use (so a handler that only reads `user_id` pays no decoding). From ABI
//! 1.1 a host may send headers and query params only when the module asks
//! ([`ffi::HostVTable::context_maps`]), so that it does not encode them
//! either; from ABI 1.2 the same for all of a call's own context
//! ([`ffi::HostVTable::call_context`]).
//!
//! | call | input | output |
//! |---|---|---|
//! | `init` | (context only) | `ModuleInfo` with every registration |
//! | RPC | the raw payload bytes | the raw result bytes |
//! | before hook | the request (empty for the 3 calls without input) | the request to go on with; **empty bytes = drop the call** (hooks with input) or go on (hooks without input) |
//! | after hook | `{"out": <response>, "in": <request>}` (keys present per [`hooks::AfterShape`]) | empty |
//! | realtime before hook | the message ([`rtapi`]) | the message to go on with; **empty bytes = refuse it** |
//! | realtime after hook | `{"out": <answer>, "in": <message>}` (`out` per [`rtapi::after_shape`]) | empty |
//! | match handler | a [`matches::MatchCall`] (from ABI 1.16 a `loop` call may come in [`matches::compact`] form) | a [`matches::MatchAnswer`] (in the call's form) |
//! | matchmaker matched | a JSON array of [`matchmaker::MatchmakerEntry`] | a match id, or empty (no match: the users get a token) |
//! | matchmaker override | the candidate groups: a JSON array of arrays of entries | the groups to form, the same way |
//! | matchmaker processor | every waiting entry: a JSON array | the groups to form: an array of arrays |
//! | custom HTTP handler | an [`http::HttpRequest`] ([`http::encode`]d) | an [`http::HttpResponse`] |
//! | shutdown hook | empty | empty |
//! | storage index filter | a [`nk::StorageWriteOp`] | `true` or `false` ([`storage_index`]) |
//! | fleet manager function | per function ([`fleet_manager`]) | per function |
//! | nk function | [`nk::NkFunction::Args`] | [`nk::NkFunction::Output`] |
//!
//! Errors cross as [`ffi::FfiError`]: a gRPC code and a message.
//!
//! # Panics
//!
//! No panic crosses the boundary: every `extern "C"` function on either side
//! catches unwinding and answers `INTERNAL`; futures cross as
//! [`async_ffi::FfiFuture`], whose poll also catches panics. That needs
//! both sides built to unwind: since ABI 1.11 a module says whether it was
//! ([`ffi::ModuleRoot::panic_unwinds`]) and hosts refuse one built with
//! `panic = "abort"`.

pub mod api;
mod code;
mod context;
pub mod ffi;
pub mod fleet_manager;
pub mod hooks;
pub mod http;
pub mod matches;
pub mod matchmaker;
pub mod nk;
pub mod rtapi;
pub mod scheduler;
pub mod storage_index;
pub mod store_notification;

pub use code::Code;
pub use context::{decode_context_map, mode, ContextData, ContextMaps, RequestMaps};

// Re-exported so the SDK and hosts use the very same versions.
pub use abi_stable;
pub use async_ffi;

/// ABI major version: a different major is refused.
pub const ABI_MAJOR: u32 = 1;
/// ABI minor version: a host accepts modules of this minor or older.
///
/// - 1.0: the first.
/// - 1.1: [`ffi::HostVTable::context_maps`]: headers and query params on
///   demand.
/// - 1.2: [`ffi::HostVTable::call_context`] and
///   [`ffi::CONTEXT_ON_DEMAND`]: a call's own context on demand.
/// - 1.3: [`ffi::HostVTable::background`]: a handle for work outside calls.
/// - 1.4: match handlers ([`ffi::kind::MATCH`], [`matches`](mod@matches)) and the
///   `match_*` nk functions.
/// - 1.5: the matchmaker's matched hook ([`ffi::kind::MATCHMAKER_MATCHED`],
///   [`matchmaker`]).
/// - 1.6: realtime message hooks ([`ffi::kind::BEFORE_RT`],
///   [`ffi::kind::AFTER_RT`], [`rtapi`]).
/// - 1.7: event handlers ([`ffi::kind::EVENT`],
///   [`ffi::kind::EVENT_SESSION_START`], [`ffi::kind::EVENT_SESSION_END`])
///   and the leaderboard scheduler's callbacks
///   ([`ffi::kind::TOURNAMENT_END`], [`ffi::kind::TOURNAMENT_RESET`],
///   [`ffi::kind::LEADERBOARD_RESET`], [`scheduler`]).
/// - 1.8: custom HTTP handlers ([`ffi::kind::HTTP`], [`http`](mod@http))
///   and the shutdown hook ([`ffi::kind::SHUTDOWN`]).
/// - 1.9: storage search indexes and their filters
///   ([`ffi::kind::STORAGE_INDEX`], [`storage_index`]), the matchmaker
///   override and processor ([`ffi::kind::MATCHMAKER_OVERRIDE`],
///   [`ffi::kind::MATCHMAKER_PROCESSOR`], [`matchmaker`]).
/// - 1.10: custom HTTP handlers on the console's port
///   ([`ffi::kind::CONSOLE_HTTP`]).
/// - 1.11: [`ffi::ModuleRoot::panic_unwinds`]: hosts refuse a module
///   built with `panic = "abort"`.
/// - 1.12: fleet managers written in Rust ([`ffi::kind::FLEET_MANAGER`],
///   [`fleet_manager`]) and the `fleet_callback` nk function.
/// - 1.13: the stores' notification callbacks
///   ([`ffi::kind::PURCHASE_NOTIFICATION_APPLE`] and the three after it,
///   [`store_notification`]).
/// - 1.14: the `http_request` nk function ([`nk::HttpRequest`]): HTTP
///   requests sent by the host.
/// - 1.15: the `get_config` nk function ([`nk::GetConfig`]): the server's
///   configuration as Nakama gives it to its runtimes.
/// - 1.16: match `loop` calls and their answers in compact form
///   ([`matches::compact`]).
pub const ABI_MINOR: u32 = 16;

/// Why a module's ABI version is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionMismatch {
    /// The module's major differs from the host's.
    Major {
        module: (u32, u32),
        host: (u32, u32),
    },
    /// The module needs a newer minor than the host has.
    NewerMinor {
        module: (u32, u32),
        host: (u32, u32),
    },
}

impl std::fmt::Display for VersionMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionMismatch::Major { module, host } => write!(
                f,
                "module ABI {}.{} is not compatible with host ABI {}.{} (different major version); \
                 rebuild the module against a nakama-runtime whose ABI major is {}, or use a host with ABI {}.x",
                module.0, module.1, host.0, host.1, host.0, module.0
            ),
            VersionMismatch::NewerMinor { module, host } => write!(
                f,
                "module ABI {}.{} is newer than host ABI {}.{}; \
                 upgrade the host to ABI {}.{} or later, or rebuild the module against an older nakama-runtime",
                module.0, module.1, host.0, host.1, module.0, module.1
            ),
        }
    }
}

/// Applies the versioning policy: a module `M.a` loads into a host `M.b`
/// when `b >= a`.
pub fn check_compatible(module: (u32, u32), host: (u32, u32)) -> Result<(), VersionMismatch> {
    if module.0 != host.0 {
        Err(VersionMismatch::Major { module, host })
    } else if module.1 > host.1 {
        Err(VersionMismatch::NewerMinor { module, host })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_or_equal_minor_loads() {
        assert!(check_compatible((1, 0), (1, 0)).is_ok());
        assert!(check_compatible((1, 0), (1, 3)).is_ok());
        assert!(check_compatible((1, 2), (1, 3)).is_ok());
    }

    #[test]
    fn newer_minor_and_other_major_are_refused() {
        assert!(matches!(
            check_compatible((1, 5), (1, 4)),
            Err(VersionMismatch::NewerMinor { .. })
        ));
        assert!(matches!(
            check_compatible((2, 0), (1, 3)),
            Err(VersionMismatch::Major { .. })
        ));
        assert!(matches!(
            check_compatible((0, 9), (1, 0)),
            Err(VersionMismatch::Major { .. })
        ));
    }

    #[test]
    fn messages_name_both_versions_and_a_fix() {
        let m = check_compatible((2, 1), (1, 0)).unwrap_err().to_string();
        assert!(
            m.contains("2.1") && m.contains("1.0") && m.contains("rebuild"),
            "{m}"
        );
        let m = check_compatible((1, 5), (1, 0)).unwrap_err().to_string();
        assert!(m.contains("1.5") && m.contains("upgrade the host"), "{m}");
    }
}
