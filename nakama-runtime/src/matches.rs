//! Authoritative matches: game state the server owns, advanced in ticks.
//!
//! A match handler is a type implementing [`Match`]; one value of it is the
//! state of one running match. Register it in `#[init_module]` with
//! [`Initializer::register_match`](crate::Initializer::register_match);
//! start matches with [`Nakama::match_create`](crate::Nakama::match_create)
//! (from an RPC, say); clients join them over Nakama's realtime socket.
//!
//! ```ignore
//! #[derive(Default)]
//! struct Arena { players: Vec<Presence> }
//!
//! impl Match for Arena {
//!     async fn init(_ctx: &Context, _nk: &Nakama, _params: MatchParams) -> Result<MatchInit<Self>, Error> {
//!         Ok(MatchInit::new(Arena::default(), 10).label("arena"))
//!     }
//!     async fn join(&mut self, _ctx: &Context, _nk: &Nakama, _d: &mut Dispatcher, presences: &[Presence]) {
//!         self.players.extend_from_slice(presences);
//!     }
//!     async fn tick(&mut self, _ctx: &Context, _nk: &Nakama, d: &mut Dispatcher, messages: Vec<MatchData>) {
//!         for m in messages {
//!             // echo every message to everyone, from its sender
//!             let _ = d.broadcast_from(&m.presence, m.op_code, m.data);
//!         }
//!     }
//! }
//!
//! #[init_module]
//! async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
//!     init.register_match::<Arena>("arena");
//!     Ok(())
//! }
//! ```
//!
//! Each method is one of Nakama's `Match` methods. The host calls them one
//! at a time for a given match, so `&mut self` is all the locking a match
//! needs. Where a Go handler ends its match by returning a nil state, a
//! Rust one calls [`Dispatcher::stop`].
//!
//! Reaching a match from elsewhere: [`Signal`] and
//! [`Nakama::match_signal_typed`](crate::Nakama::match_signal_typed) make
//! `match_signal` typed, with the caller's user. Across a dev host reload,
//! a handler registered with
//! [`keep_state_on_reload`](crate::MatchRegistration::keep_state_on_reload)
//! has its running matches carried over to the new build, its state read
//! as it is or through
//! [`migrate_from`](crate::KeptState::migrate_from) when its shape
//! changed.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use nakama_runtime_abi::matches::{
    compact, MatchAction, MatchAnswer, MatchCall, MatchEvent, LABEL_MAX_BYTES, TICK_RATES,
};
pub use nakama_runtime_abi::matches::{MatchData, Presence, PresenceReason};

mod signal;
pub(crate) use signal::{decode as decode_signal_reply, encode as encode_signal};
pub use signal::{Caller, MatchSignal, Signal};

use crate::registry::Handler;
use crate::{Code, Context, Error, Nakama};

/// The params `match_create` passes to [`Match::init`].
pub type MatchParams = serde_json::Map<String, serde_json::Value>;

/// An authoritative match handler. `Self` is one match's state.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a match handler",
    label = "does not implement `nakama_runtime::Match`",
    note = "implement it: `impl Match for {Self} {{ async fn init(..) -> Result<MatchInit<Self>, Error> {{ .. }} async fn tick(&mut self, ..) {{ .. }} }}` (see `nakama_runtime::matches`)"
)]
///
/// Only [`Match::init`] and [`Match::tick`] are required; the others
/// default to what an empty Go method does (accept every join, ignore
/// joins, leaves and termination, answer signals with an empty reply).
pub trait Match: Sized + Send + 'static {
    /// `MatchInit`: build a match from `match_create`'s params. An error
    /// (or a tick rate outside 1..=60, or a label over 2048 bytes) makes
    /// `match_create` fail with it.
    fn init(
        ctx: &Context,
        nk: &Nakama,
        params: MatchParams,
    ) -> impl Future<Output = Result<MatchInit<Self>, Error>> + Send;

    /// `MatchJoinAttempt`: may `presence` join? `ctx` is the joining
    /// user's (user id, username, vars, session expiry, client address);
    /// `metadata` is what the client sent with its join.
    fn join_attempt(
        &mut self,
        ctx: &Context,
        nk: &Nakama,
        d: &mut Dispatcher,
        presence: &Presence,
        metadata: &HashMap<String, String>,
    ) -> impl Future<Output = JoinDecision> + Send {
        let _ = (ctx, nk, d, presence, metadata);
        async { JoinDecision::Accept }
    }

    /// `MatchJoin`: these presences joined (their attempts were accepted).
    fn join(
        &mut self,
        ctx: &Context,
        nk: &Nakama,
        d: &mut Dispatcher,
        presences: &[Presence],
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, nk, d, presences);
        async {}
    }

    /// `MatchLeave`: these presences left, disconnected or were kicked.
    /// Each one's [`Presence::reason`] tells which: [`PresenceReason::Leave`]
    /// (a match leave, or a kick), [`PresenceReason::Disconnect`] (the
    /// socket closed; a handler may hold the seat for a reconnect).
    fn leave(
        &mut self,
        ctx: &Context,
        nk: &Nakama,
        d: &mut Dispatcher,
        presences: &[Presence],
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, nk, d, presences);
        async {}
    }

    /// `MatchLoop`: one tick, with the messages clients sent since the
    /// last one, oldest first.
    fn tick(
        &mut self,
        ctx: &Context,
        nk: &Nakama,
        d: &mut Dispatcher,
        messages: Vec<MatchData>,
    ) -> impl Future<Output = ()> + Send;

    /// `MatchTerminate`: the server is shutting down; the match ends in
    /// `grace_seconds` unless it stops sooner.
    fn terminate(
        &mut self,
        ctx: &Context,
        nk: &Nakama,
        d: &mut Dispatcher,
        grace_seconds: i64,
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, nk, d, grace_seconds);
        async {}
    }

    /// `MatchSignal`: `data` from `match_signal`; the answer is its reply.
    /// If the handler stops the match here, the reply is lost: Nakama
    /// answers the caller "match busy" (and so does the dev host).
    /// [`Signal::answer`] makes this typed, with the caller's user.
    fn signal(
        &mut self,
        ctx: &Context,
        nk: &Nakama,
        d: &mut Dispatcher,
        data: String,
    ) -> impl Future<Output = String> + Send {
        let _ = (ctx, nk, d, data);
        async { String::new() }
    }
}

/// What [`Match::init`] answers: the state, its tick rate and its label.
#[derive(Debug)]
pub struct MatchInit<M> {
    pub state: M,
    /// Ticks per second, 1 to 60.
    pub tick_rate: u32,
    /// Searchable with `match_list`; at most 2048 bytes.
    pub label: String,
}

impl<M> MatchInit<M> {
    /// `state`, ticked `tick_rate` times a second, with an empty label.
    pub fn new(state: M, tick_rate: u32) -> Self {
        MatchInit {
            state,
            tick_rate,
            label: String::new(),
        }
    }

    /// With this label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
}

/// What [`Match::join_attempt`] decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinDecision {
    Accept,
    /// Refused; the client's join fails with this reason.
    Reject(String),
}

/// The match a call is about, and what the handler asks of it (Nakama's
/// `MatchDispatcher` plus the match's facts).
///
/// Messages, kicks and label changes take effect when the call returns,
/// in the order they were asked for; deferred messages go after the
/// others.
#[derive(Debug)]
pub struct Dispatcher {
    match_id: String,
    node: String,
    label: String,
    tick_rate: u32,
    tick: i64,
    actions: Vec<MatchAction>,
    stop: bool,
}

/// A message for [`Dispatcher::send`], with every option Nakama's
/// `BroadcastMessage` has.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub op_code: i64,
    pub data: Vec<u8>,
    /// `None`: everyone in the match. Presences not in it are skipped.
    pub presences: Option<Vec<Presence>>,
    /// Shown to the receivers as the sender; `None`: the server.
    pub sender: Option<Presence>,
    /// Nakama's `reliable` flag (the dev host's socket is always reliable).
    pub reliable: bool,
    /// Sent at the end of the tick (`BroadcastMessageDeferred`).
    pub deferred: bool,
}

impl Message {
    /// A typed message ([`MatchMessage`]) to everyone, from the server,
    /// not deferred; set the other fields as needed.
    pub fn typed<M: MatchMessage>(m: &M) -> Result<Message, Error> {
        Ok(Message {
            op_code: m.op_code(),
            data: m.encode()?,
            reliable: true,
            ..Message::default()
        })
    }
}

impl Dispatcher {
    /// The dispatcher of `call`, and its event (taken, not copied: a tick
    /// allocates no more than its decoding did).
    fn new(call: MatchCall) -> (Self, MatchEvent) {
        let d = Dispatcher {
            match_id: call.match_id,
            node: call.node,
            label: call.label,
            tick_rate: call.tick_rate,
            tick: call.tick,
            actions: Vec::new(),
            stop: false,
        };
        (d, call.event)
    }

    /// `<uuid>.<node>`: what clients join and `match_signal` takes.
    pub fn match_id(&self) -> &str {
        &self.match_id
    }

    /// The node running the match.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The label, as of the last [`Dispatcher::set_label`].
    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn tick_rate(&self) -> u32 {
        self.tick_rate
    }

    /// The current tick, counted from 0.
    pub fn tick(&self) -> i64 {
        self.tick
    }

    /// Sends `data` to everyone in the match, from the server, reliably.
    pub fn broadcast(&mut self, op_code: i64, data: impl Into<Vec<u8>>) -> Result<(), Error> {
        self.send(Message {
            op_code,
            data: data.into(),
            reliable: true,
            ..Message::default()
        })
    }

    /// Sends `data` to everyone in the match as coming from `sender`.
    pub fn broadcast_from(
        &mut self,
        sender: &Presence,
        op_code: i64,
        data: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        self.send(Message {
            op_code,
            data: data.into(),
            sender: Some(sender.clone()),
            reliable: true,
            ..Message::default()
        })
    }

    /// Sends `data` to some presences only, from the server, reliably.
    pub fn send_to(
        &mut self,
        presences: &[Presence],
        op_code: i64,
        data: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        self.send(Message {
            op_code,
            data: data.into(),
            presences: Some(presences.to_vec()),
            reliable: true,
            ..Message::default()
        })
    }

    /// Sends a typed message ([`MatchMessage`]) to everyone, from the
    /// server, reliably.
    pub fn broadcast_msg<M: MatchMessage>(&mut self, m: &M) -> Result<(), Error> {
        self.broadcast(m.op_code(), m.encode()?)
    }

    /// Sends a typed message to some presences only.
    pub fn send_msg_to<M: MatchMessage>(
        &mut self,
        presences: &[Presence],
        m: &M,
    ) -> Result<(), Error> {
        self.send_to(presences, m.op_code(), m.encode()?)
    }

    /// Sends a message with every option. Refused, as in Nakama, when a
    /// presence has an invalid session id (or, the only one, an invalid
    /// user id) or the sender an invalid user or session id.
    pub fn send(&mut self, m: Message) -> Result<(), Error> {
        for p in m.presences.iter().flatten() {
            if !is_uuid(&p.session_id) {
                return Err(Error::invalid_argument(
                    "Presence contains an invalid Session ID",
                ));
            }
        }
        if let Some([only]) = m.presences.as_deref() {
            if !is_uuid(&only.user_id) {
                return Err(Error::invalid_argument(
                    "Presence contains an invalid User ID",
                ));
            }
        }
        if let Some(s) = &m.sender {
            if !is_uuid(&s.user_id) {
                return Err(Error::invalid_argument(
                    "Sender contains an invalid User ID",
                ));
            }
            if !is_uuid(&s.session_id) {
                return Err(Error::invalid_argument(
                    "Sender contains an invalid Session ID",
                ));
            }
        }
        self.actions.push(MatchAction::Broadcast {
            op_code: m.op_code,
            data: m.data,
            presences: m.presences,
            sender: m.sender,
            reliable: m.reliable,
            deferred: m.deferred,
        });
        Ok(())
    }

    /// Removes these presences from the match; [`Match::leave`] follows.
    pub fn kick(&mut self, presences: &[Presence]) -> Result<(), Error> {
        for p in presences {
            if !is_uuid(&p.user_id) {
                return Err(Error::invalid_argument(
                    "Presence contains an invalid User ID",
                ));
            }
            if !is_uuid(&p.session_id) {
                return Err(Error::invalid_argument(
                    "Presence contains an invalid Session ID",
                ));
            }
        }
        if !presences.is_empty() {
            self.actions.push(MatchAction::Kick {
                presences: presences.to_vec(),
            });
        }
        Ok(())
    }

    /// Changes the label `match_list` searches (at most 2048 bytes).
    pub fn set_label(&mut self, label: impl Into<String>) -> Result<(), Error> {
        let label = label.into();
        check_label(&label)?;
        self.label.clone_from(&label);
        self.actions.push(MatchAction::Label { label });
        Ok(())
    }

    /// Ends the match when this call returns (a Go handler's nil state).
    /// Its presences are not told why; send them a message first if they
    /// should be.
    pub fn stop(&mut self) {
        self.stop = true;
    }

    /// Whether [`Dispatcher::stop`] was called in this call.
    pub fn stopping(&self) -> bool {
        self.stop
    }
}

/// A match's messages as one Rust type: each value has its op code, and
/// its data is JSON. Derive it on an enum, one variant per message:
///
/// ```
/// use nakama_runtime::prelude::*;
/// # #[derive(serde::Serialize, serde::Deserialize)] pub struct Position { x: i32, y: i32 }
///
/// #[derive(MatchMessage)]
/// enum FromClient {
///     #[op(1)]
///     Move(Position),                // data: the Position as JSON
///     #[op(2)]
///     Say { text: String },          // data: {"text": ..}
///     #[op(3)]
///     Ready,                         // no data
/// }
///
/// let m = FromClient::decode(2, br#"{"text":"hi"}"#).ok().unwrap();
/// assert!(matches!(m, FromClient::Say { ref text } if text == "hi"));
/// let e = FromClient::decode(7, b"").err().unwrap();
/// assert_eq!(e.message(), "op code 7 is not a FromClient message (1 Move, 2 Say, 3 Ready)");
/// ```
///
/// In a match: `FromClient::from_data(&m)` for each [`MatchData`] a tick
/// gets, and [`Dispatcher::broadcast_msg`], [`Dispatcher::send_msg_to`] to
/// send. Op codes may be constants (`#[op(OP_MOVE)]`); two variants with
/// the same one do not compile. Fields of a variant with named fields take
/// `#[serde(..)]` attributes; a variant's single type must be
/// `Serialize + DeserializeOwned`, or a protobuf message in
/// `Proto` (feature `prost`), whose data is its bytes.
pub trait MatchMessage: Sized {
    /// Each variant's op code and name.
    const OP_CODES: &'static [(i64, &'static str)];

    fn op_code(&self) -> i64;

    /// The message's data.
    fn encode(&self) -> Result<Vec<u8>, Error>;

    /// The message of `op_code` from its data; `INVALID_ARGUMENT` naming
    /// the op code and what is wrong when it is not one of these messages.
    fn decode(op_code: i64, data: &[u8]) -> Result<Self, Error>;

    /// The message a client sent.
    fn from_data(m: &MatchData) -> Result<Self, Error> {
        Self::decode(m.op_code, &m.data)
    }
}

/// What a [`MatchMessage`] variant may carry: any `Serialize +
/// DeserializeOwned` type (its data is its JSON), or a protobuf message
/// as `Proto<T>` (feature `prost`; its data is its bytes).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the data of a match message",
    label = "not Serialize + Deserialize",
    note = "derive `serde::Serialize` and `serde::Deserialize` for `{Self}`, or give the variant named fields; a prost message goes in `nakama_runtime::Proto<{Self}>` (feature `prost`)"
)]
pub trait MessageData: Sized {
    /// Its JSON.
    fn to_data(&self) -> Result<Vec<u8>, Error>;
    /// Read from JSON; the error names the op code and variant.
    fn from_data(op_code: i64, variant: &str, data: &[u8]) -> Result<Self, Error>;
}

impl<T: serde::Serialize + serde::de::DeserializeOwned> MessageData for T {
    fn to_data(&self) -> Result<Vec<u8>, Error> {
        encode_fields(self)
    }

    fn from_data(op_code: i64, variant: &str, data: &[u8]) -> Result<Self, Error> {
        decode_fields(op_code, variant, data)
    }
}

/// A protobuf message as a variant's data: its bytes (feature `prost`).
#[cfg(feature = "prost")]
impl<T: prost::Message + Default> MessageData for crate::Proto<T> {
    fn to_data(&self) -> Result<Vec<u8>, Error> {
        Ok(self.encode())
    }

    fn from_data(op_code: i64, variant: &str, data: &[u8]) -> Result<Self, Error> {
        crate::Proto::decode(data).map_err(|e| {
            Error::invalid_argument(format!("op code {op_code} ({variant}): {}", e.message()))
        })
    }
}

/// For the derive: a variant's named fields, as data.
#[doc(hidden)]
pub fn encode_fields<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(v).map_err(|e| Error::internal(format!("encoding a match message: {e}")))
}

/// For the derive: a variant's named fields, read.
#[doc(hidden)]
pub fn decode_fields<T: serde::de::DeserializeOwned>(
    op_code: i64,
    variant: &str,
    data: &[u8],
) -> Result<T, Error> {
    serde_json::from_slice(data)
        .map_err(|e| Error::invalid_argument(format!("op code {op_code} ({variant}): {e}")))
}

/// For the derive: an op code that is none of the enum's.
#[doc(hidden)]
pub fn unknown_op_code<M: MatchMessage>(op_code: i64, name: &str) -> Error {
    let known: Vec<String> = M::OP_CODES
        .iter()
        .map(|(op, v)| format!("{op} {v}"))
        .collect();
    Error::invalid_argument(format!(
        "op code {op_code} is not a {name} message ({})",
        known.join(", ")
    ))
}

fn check_label(label: &str) -> Result<(), Error> {
    if label.len() > LABEL_MAX_BYTES {
        return Err(Error::invalid_argument(format!(
            "match label is {} bytes, must be {LABEL_MAX_BYTES} bytes or less",
            label.len()
        )));
    }
    Ok(())
}

/// `8-4-4-4-12` hex digits, as Go's `uuid.FromString` reads a canonical id.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Every running match's state in this module, by number. A state is
/// taken out for the length of a call and put back after it, so a call
/// dropped half-way (or one that panicked) loses it: later calls for that
/// match fail and the host ends it.
fn states() -> &'static Mutex<HashMap<u64, Box<dyn Any + Send>>> {
    static STATES: OnceLock<Mutex<HashMap<u64, Box<dyn Any + Send>>>> = OnceLock::new();
    STATES.get_or_init(Default::default)
}

fn take_state<M: Match>(number: u64) -> Result<Box<M>, Error> {
    let any = states()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&number)
        .ok_or_else(|| state_gone(number))?;
    any.downcast::<M>().map_err(|_| state_not_a::<M>(number))
}

/// The state `save` makes of match state `number`, which stays where it
/// is (a panicking `save` cannot lose it).
fn save_state<M: Match>(
    number: u64,
    save: fn(&M) -> serde_json::Result<String>,
) -> Result<String, Error> {
    let states = states().lock().unwrap_or_else(|e| e.into_inner());
    let any = states.get(&number).ok_or_else(|| state_gone(number))?;
    let state = any
        .downcast_ref::<M>()
        .ok_or_else(|| state_not_a::<M>(number))?;
    save(state).map_err(|e| {
        Error::internal(format!(
            "match state {} could not be saved: {e}",
            std::any::type_name::<M>()
        ))
    })
}

fn state_gone(number: u64) -> Error {
    Error::new(
        Code::NotFound,
        format!("match state #{number} is gone (its match ended or a call on it failed)"),
    )
}

fn state_not_a<M>(number: u64) -> Error {
    Error::internal(format!(
        "match state #{number} is not a {}",
        std::any::type_name::<M>()
    ))
}

fn put_state(number: u64, state: Box<dyn Any + Send>) {
    states()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(number, state);
}

/// The handler table's row for match handler `M`.
pub(crate) struct MatchHandler<M> {
    keep: Option<Keep<M>>,
}

/// How a handler registered with
/// [`MatchRegistration::keep_state_on_reload`](crate::MatchRegistration::keep_state_on_reload)
/// saves its state for the next build and reads it back there.
struct Keep<M> {
    save: fn(&M) -> serde_json::Result<String>,
    restore: fn(&str) -> serde_json::Result<M>,
    /// Tried in order when a saved state does not read as `M`
    /// ([`KeptState::migrate_from`](crate::KeptState::migrate_from)). A
    /// lock because they are added after the handler is registered; only
    /// a restore reads them.
    migrations: Mutex<Vec<Migration<M>>>,
}

/// One way to read an older build's saved state: as `from`, then made
/// into this build's `M`.
pub(crate) struct Migration<M> {
    from: &'static str,
    read: Box<ReadOlder<M>>,
}

/// Reads a saved state as an older type and migrates it.
type ReadOlder<M> = dyn Fn(&str) -> Result<M, MigrationFailed> + Send + Sync;

enum MigrationFailed {
    /// The saved state does not read as the older type.
    Unread(serde_json::Error),
    /// It did; the migration answered this error.
    Refused(Error),
}

impl<M> Migration<M> {
    pub(crate) fn new<Old, F>(migrate: F) -> Self
    where
        Old: serde::de::DeserializeOwned,
        F: Fn(Old) -> Result<M, Error> + Send + Sync + 'static,
    {
        Migration {
            from: std::any::type_name::<Old>(),
            read: Box::new(move |saved| {
                let old = serde_json::from_str::<Old>(saved).map_err(MigrationFailed::Unread)?;
                migrate(old).map_err(MigrationFailed::Refused)
            }),
        }
    }
}

impl<M> MatchHandler<M> {
    pub(crate) fn new() -> Self {
        MatchHandler { keep: None }
    }

    /// Adds a migration to a handler made by `keeping_state` (the only
    /// kind `KeptState` holds).
    pub(crate) fn add_migration(&self, migration: Migration<M>) {
        if let Some(keep) = &self.keep {
            keep.migrations
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(migration);
        }
    }
}

impl<M: serde::Serialize + serde::de::DeserializeOwned> MatchHandler<M> {
    pub(crate) fn keeping_state() -> Self {
        MatchHandler {
            keep: Some(Keep {
                save: |m| serde_json::to_string(m),
                restore: |s| serde_json::from_str(s),
                migrations: Mutex::new(Vec::new()),
            }),
        }
    }
}

/// This build's `M` from a state an older build saved: as it reads, or
/// through the first migration whose older type reads it. The error says
/// what each attempt met.
fn restore_state<M>(keep: &Keep<M>, saved: &str) -> Result<M, Error> {
    let unread = match (keep.restore)(saved) {
        Ok(state) => return Ok(state),
        Err(e) => e,
    };
    let mut why = format!(
        "the saved match state does not read as this build's {}: {unread}",
        std::any::type_name::<M>()
    );
    let migrations = keep.migrations.lock().unwrap_or_else(|e| e.into_inner());
    for migration in migrations.iter() {
        match (migration.read)(saved) {
            Ok(state) => return Ok(state),
            Err(MigrationFailed::Unread(e)) => {
                why.push_str(&format!("; nor as {}: {e}", migration.from));
            }
            Err(MigrationFailed::Refused(e)) => {
                why.push_str(&format!(
                    "; it reads as {} but migrate_from refused it: {}",
                    migration.from,
                    e.message()
                ));
                return Err(Error::new(e.code(), why));
            }
        }
    }
    Err(Error::invalid_argument(why))
}

impl<M: Match> Handler for MatchHandler<M> {
    /// A call in compact form is answered in it; one in JSON, in JSON.
    async fn call(&self, ctx: &Context, nk: &Nakama, input: &[u8]) -> Result<Vec<u8>, Error> {
        let compact = compact::is_compact(input);
        let call: MatchCall = if compact {
            compact::read_call(input).map_err(Error::invalid_argument)?
        } else {
            serde_json::from_slice(input).map_err(|e| {
                Error::invalid_argument(format!("match call could not be decoded: {e}"))
            })?
        };
        let answer = run::<M>(ctx, nk, call, self.keep.as_ref()).await?;
        if compact {
            let mut out = Vec::with_capacity(64);
            compact::write_answer(&answer, &mut out);
            return Ok(out);
        }
        serde_json::to_vec(&answer)
            .map_err(|e| Error::internal(format!("match answer could not be encoded: {e}")))
    }
}

/// A number for a new state.
fn new_state_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// `save` and `restore` on a handler registered without
/// `keep_state_on_reload`.
fn not_kept<M>() -> Error {
    Error::new(
        Code::FailedPrecondition,
        format!(
            "match handler {} does not keep its state across reloads \
         (register it with .keep_state_on_reload())",
            std::any::type_name::<M>()
        ),
    )
}

async fn run<M: Match>(
    ctx: &Context,
    nk: &Nakama,
    call: MatchCall,
    keep: Option<&Keep<M>>,
) -> Result<MatchAnswer, Error> {
    let number = call.state;
    let (mut d, event) = Dispatcher::new(call);
    let mut answer = MatchAnswer::default();
    let mut state = match event {
        MatchEvent::Init { params } => {
            let init = M::init(ctx, nk, params).await?;
            if !TICK_RATES.contains(&init.tick_rate) {
                return Err(Error::invalid_argument(format!(
                    "match init answered tick rate {}, must be between 1 and 60",
                    init.tick_rate
                )));
            }
            check_label(&init.label)?;
            answer.state = new_state_number();
            answer.tick_rate = init.tick_rate;
            answer.label = Some(init.label);
            put_state(answer.state, Box::new(init.state));
            return Ok(answer);
        }
        MatchEvent::Drop => {
            states()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&number);
            return Ok(answer);
        }
        MatchEvent::Save => {
            let keep = keep.ok_or_else(not_kept::<M>)?;
            answer.saved = Some(save_state::<M>(number, keep.save)?);
            return Ok(answer);
        }
        MatchEvent::Restore { saved } => {
            let keep = keep.ok_or_else(not_kept::<M>)?;
            let state = restore_state(keep, &saved)?;
            answer.state = new_state_number();
            put_state(answer.state, Box::new(state));
            return Ok(answer);
        }
        _ => take_state::<M>(number)?,
    };
    match event {
        MatchEvent::JoinAttempt { presence, metadata } => {
            match state
                .join_attempt(ctx, nk, &mut d, &presence, &metadata)
                .await
            {
                JoinDecision::Accept => answer.accept = true,
                JoinDecision::Reject(reason) => answer.reason = reason,
            }
        }
        MatchEvent::Join { presences } => state.join(ctx, nk, &mut d, &presences).await,
        MatchEvent::Leave { presences } => state.leave(ctx, nk, &mut d, &presences).await,
        MatchEvent::Loop { messages } => state.tick(ctx, nk, &mut d, messages).await,
        MatchEvent::Terminate { grace_seconds } => {
            state.terminate(ctx, nk, &mut d, grace_seconds).await
        }
        MatchEvent::Signal { data } => answer.reply = state.signal(ctx, nk, &mut d, data).await,
        MatchEvent::Init { .. }
        | MatchEvent::Drop
        | MatchEvent::Save
        | MatchEvent::Restore { .. } => unreachable!("answered above"),
    }
    answer.actions = d.actions;
    if d.stop {
        answer.stop = true;
    } else {
        put_state(number, state);
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_checked_as_go_reads_them() {
        assert!(is_uuid("5c7d8a57-0d9f-4f0b-9f5e-3d8a3f1b2c4d"));
        assert!(!is_uuid("5c7d8a57-0d9f-4f0b-9f5e-3d8a3f1b2c4"));
        assert!(!is_uuid("5c7d8a57x0d9f-4f0b-9f5e-3d8a3f1b2c4d"));
        assert!(!is_uuid(""));
    }

    #[test]
    fn dispatcher_refuses_bad_presences_and_long_labels() {
        let call: MatchCall = serde_json::from_str(
            r#"{"call":"loop","state":1,"match_id":"m","node":"n","label":"a","tick_rate":5,"tick":9}"#,
        )
        .unwrap();
        let (mut d, _) = Dispatcher::new(call);
        assert_eq!((d.tick(), d.tick_rate(), d.label()), (9, 5, "a"));
        let bad = Presence {
            session_id: "nope".into(),
            ..Presence::default()
        };
        let e = d.send_to(std::slice::from_ref(&bad), 1, "x").unwrap_err();
        assert_eq!(e.message(), "Presence contains an invalid Session ID");
        assert!(d.kick(&[bad]).is_err());
        let no_user = Presence {
            session_id: "5c7d8a57-0d9f-4f0b-9f5e-3d8a3f1b2c4d".into(),
            ..Presence::default()
        };
        let e = d
            .send_to(std::slice::from_ref(&no_user), 1, "x")
            .unwrap_err();
        assert_eq!(e.message(), "Presence contains an invalid User ID");
        // With others, Nakama checks only session ids.
        d.send_to(&[no_user.clone(), no_user], 1, "x").unwrap();
        assert!(d.set_label("x".repeat(LABEL_MAX_BYTES + 1)).is_err());
        d.set_label("b").unwrap();
        d.broadcast(3, "hi").unwrap();
        assert_eq!(d.label(), "b");
        assert_eq!(d.actions.len(), 3);
        assert!(!d.stopping());
        d.stop();
        assert!(d.stopping());
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Now {
        count: u64,
        level: u32,
    }

    #[derive(serde::Deserialize)]
    struct Before {
        ticks: u64,
    }

    fn keeping(migrations: Vec<Migration<Now>>) -> MatchHandler<Now> {
        let handler = MatchHandler::<Now>::keeping_state();
        for m in migrations {
            handler.add_migration(m);
        }
        handler
    }

    fn restore(handler: &MatchHandler<Now>, saved: &str) -> Result<Now, Error> {
        restore_state(handler.keep.as_ref().unwrap(), saved)
    }

    #[test]
    fn a_saved_state_reads_as_it_is_before_any_migration() {
        let never =
            Migration::new(|_: serde_json::Value| -> Result<Now, Error> { panic!("not needed") });
        let h = keeping(vec![never]);
        let state = restore(&h, r#"{"count":3,"level":2}"#).unwrap();
        assert_eq!(state, Now { count: 3, level: 2 });
    }

    #[test]
    fn migrations_are_tried_in_order_until_one_reads_the_state() {
        let h = keeping(vec![
            Migration::new(|_: Vec<u8>| Ok(Now { count: 0, level: 0 })),
            Migration::new(|old: Before| {
                Ok(Now {
                    count: old.ticks,
                    level: 1,
                })
            }),
            Migration::new(|_: serde_json::Value| Err(Error::internal("too late"))),
        ]);
        let state = restore(&h, r#"{"ticks":7}"#).unwrap();
        assert_eq!(state, Now { count: 7, level: 1 });
    }

    #[test]
    fn a_state_nothing_reads_says_what_each_attempt_met() {
        let h = keeping(vec![Migration::new(|old: Before| {
            Ok(Now {
                count: old.ticks,
                level: 1,
            })
        })]);
        let e = restore(&h, r#"{"turns":7}"#).unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument);
        let now = std::any::type_name::<Now>();
        let before = std::any::type_name::<Before>();
        assert_eq!(
            e.message(),
            format!(
                "the saved match state does not read as this build's {now}: missing field \
                 `count` at line 1 column 11; nor as {before}: missing field `ticks` at line 1 column 11"
            )
        );
    }

    #[test]
    fn a_refusing_migration_ends_the_search_with_its_code() {
        let h = keeping(vec![
            Migration::new(|_: serde_json::Value| {
                Err(Error::new(Code::FailedPrecondition, "no level to give it"))
            }),
            Migration::new(|old: Before| {
                Ok(Now {
                    count: old.ticks,
                    level: 1,
                })
            }),
        ]);
        let e = restore(&h, r#"{"ticks":7}"#).unwrap_err();
        assert_eq!(e.code(), Code::FailedPrecondition);
        assert!(
            e.message().ends_with(
                "; it reads as serde_json::value::Value but migrate_from refused it: no level to give it"
            ),
            "{}",
            e.message()
        );
    }

    #[test]
    fn a_handler_without_kept_state_takes_no_migration() {
        let plain = MatchHandler::<Now>::new();
        plain.add_migration(Migration::new(|old: Before| {
            Ok(Now {
                count: old.ticks,
                level: 1,
            })
        }));
        assert!(plain.keep.is_none());
    }
}
