//! `Initializer`: registering handlers at init time, with ids chosen at run
//! time.

use std::future::Future;

use nakama_runtime_abi::ffi::kind;
use nakama_runtime_abi::{mode, scheduler};

use crate::matches::{Match, MatchHandler};
use crate::payload::{RpcInput, RpcOutput};
use crate::registry::{Entry, FfiHandler, Handler};
use crate::{api, MatchmakerEntry};
use crate::{Context, Error, Nakama};

/// Handed to `#[init_module]`: registers handlers by value.
///
/// ```ignore
/// #[init_module]
/// async fn init(ctx: &Context, nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
///     for mode in ["easy", "hard"] {
///         init.register_rpc(format!("start_{mode}"), start_game);
///     }
///     Ok(())
/// }
/// async fn start_game(ctx: &Context, nk: &Nakama, req: Json<Start>) -> Result<Json<Game>, Error> { .. }
/// ```
#[derive(Default)]
pub struct Initializer {
    entries: Vec<Entry>,
}

/// An `async fn(&Context, &Nakama, Req) -> Result<Resp, E>` usable as an
/// RPC handler. Implemented for every such `async fn` item.
pub trait RpcFn<'a, Req>: Send + Sync + 'static {
    type Output;
    type Fut: Future<Output = Self::Output> + Send + 'a;
    fn call(&self, ctx: &'a Context, nk: &'a Nakama, req: Req) -> Self::Fut;
}

impl<'a, F, Fut, Req> RpcFn<'a, Req> for F
where
    F: Fn(&'a Context, &'a Nakama, Req) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'a,
{
    type Output = Fut::Output;
    type Fut = Fut;
    fn call(&self, ctx: &'a Context, nk: &'a Nakama, req: Req) -> Fut {
        self(ctx, nk, req)
    }
}

struct RpcByValue<F, Req, Resp, E> {
    f: F,
    _types: std::marker::PhantomData<fn(Req) -> (Resp, E)>,
}

impl<F, Req, Resp, E> Handler for RpcByValue<F, Req, Resp, E>
where
    F: for<'a> RpcFn<'a, Req, Output = Result<Resp, E>>,
    Req: RpcInput + Send + 'static,
    Resp: RpcOutput + 'static,
    E: Into<Error> + 'static,
{
    async fn call(&self, ctx: &Context, nk: &Nakama, input: &[u8]) -> Result<Vec<u8>, Error> {
        let req = Req::from_payload(input.to_vec())?;
        match self.f.call(ctx, nk, req).await {
            Ok(out) => out.into_payload(),
            Err(e) => Err(e.into()),
        }
    }
}

/// The matchmaker matched hook, registered by value.
struct MatchedByValue<F, E> {
    f: F,
    _types: std::marker::PhantomData<fn() -> E>,
}

impl<F, E> Handler for MatchedByValue<F, E>
where
    F: for<'a> RpcFn<'a, Vec<MatchmakerEntry>, Output = Result<Option<String>, E>>,
    E: Into<Error> + 'static,
{
    async fn call(&self, ctx: &Context, nk: &Nakama, input: &[u8]) -> Result<Vec<u8>, Error> {
        let entries: Vec<MatchmakerEntry> = serde_json::from_slice(input).map_err(|e| {
            Error::new(
                crate::Code::Internal,
                format!("the host sent matchmaker entries that do not decode: {e}"),
            )
        })?;
        match self.f.call(ctx, nk, entries).await {
            Ok(id) => Ok(id.unwrap_or_default().into_bytes()),
            Err(e) => Err(e.into()),
        }
    }
}

/// An event handler, registered by value.
struct EventByValue<F, E> {
    f: F,
    _types: std::marker::PhantomData<fn() -> E>,
}

impl<F, E> Handler for EventByValue<F, E>
where
    F: for<'a> RpcFn<'a, api::Event, Output = Result<(), E>>,
    E: Into<Error> + 'static,
{
    async fn call(&self, ctx: &Context, nk: &Nakama, input: &[u8]) -> Result<Vec<u8>, Error> {
        let event: api::Event = serde_json::from_slice(input).map_err(|e| {
            Error::new(
                crate::Code::Internal,
                format!("the host sent an event that does not decode: {e}"),
            )
        })?;
        self.f.call(ctx, nk, event).await.map_err(Into::into)?;
        Ok(Vec::new())
    }
}

/// A leaderboard scheduler callback (input `I`), registered by value.
struct ScheduledByValue<F, I, E> {
    f: F,
    _types: std::marker::PhantomData<fn(I) -> E>,
}

impl<F, I, E> Handler for ScheduledByValue<F, I, E>
where
    F: for<'a> RpcFn<'a, I, Output = Result<(), E>>,
    I: serde::de::DeserializeOwned + Send + 'static,
    E: Into<Error> + 'static,
{
    async fn call(&self, ctx: &Context, nk: &Nakama, input: &[u8]) -> Result<Vec<u8>, Error> {
        let call: I = serde_json::from_slice(input).map_err(|e| {
            Error::new(
                crate::Code::Internal,
                format!("the host sent a scheduler callback that does not decode: {e}"),
            )
        })?;
        self.f.call(ctx, nk, call).await.map_err(Into::into)?;
        Ok(Vec::new())
    }
}

impl Initializer {
    /// Registers `f` as RPC `id` (ids are case-insensitive, as in Nakama).
    /// The payload type is `String`, `Vec<u8>` or `Json<T>`; so is the result.
    pub fn register_rpc<F, Req, Resp, E>(&mut self, id: impl Into<String>, f: F)
    where
        F: for<'a> RpcFn<'a, Req, Output = Result<Resp, E>>,
        Req: RpcInput + Send + 'static,
        Resp: RpcOutput + 'static,
        E: Into<Error> + 'static,
    {
        let handler: &'static dyn FfiHandler = Box::leak(Box::new(RpcByValue {
            f,
            _types: std::marker::PhantomData,
        }));
        let id = id.into().to_lowercase();
        self.entries.push(Entry {
            kind: kind::RPC,
            // Leaked once per registration: the table lives as long as the module.
            function: Box::leak(
                format!("{} (registered at init)", std::any::type_name::<F>()).into_boxed_str(),
            ),
            id,
            handler,
        });
    }

    /// Registers match handler `M` under `name`, the name
    /// [`Nakama::match_create`] takes (Nakama's `RegisterMatch`). A later
    /// registration of the same name in this module replaces the earlier.
    pub fn register_match<M: Match>(&mut self, name: impl Into<String>) {
        let name = name.into();
        self.entries
            .retain(|e| !(e.kind == kind::MATCH && e.id == name));
        let handler: &'static dyn FfiHandler = Box::leak(Box::new(MatchHandler::<M>::new()));
        self.entries.push(Entry {
            kind: kind::MATCH,
            function: std::any::type_name::<M>(),
            id: name,
            handler,
        });
    }

    /// Registers `f` as the matchmaker matched hook (Nakama's
    /// `RegisterMatchmakerMatched`): called once per group the matchmaker
    /// forms, with one entry per matched user. Answer `Some(match_id)` of
    /// a match made for them (usually with [`Nakama::match_create`]) and
    /// they are sent its id; `None` or an error and they are sent a token
    /// for a relayed match instead, as in Nakama (an error is logged).
    ///
    /// ```ignore
    /// async fn matched(_: &Context, nk: &Nakama, entries: Vec<MatchmakerEntry>) -> Result<Option<String>, Error> {
    ///     let mut params = MatchParams::new();
    ///     params.insert("max_players".into(), entries.len().into());
    ///     Ok(Some(nk.match_create("arena", params).await?))
    /// }
    /// init.register_matchmaker_matched(matched);
    /// ```
    ///
    /// One per process: a second registration in this module replaces the
    /// first, one in another module stops the host at load.
    pub fn register_matchmaker_matched<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, Vec<MatchmakerEntry>, Output = Result<Option<String>, E>>,
        E: Into<Error> + 'static,
    {
        self.entries.retain(|e| e.kind != kind::MATCHMAKER_MATCHED);
        let handler: &'static dyn FfiHandler = Box::leak(Box::new(MatchedByValue {
            f,
            _types: std::marker::PhantomData,
        }));
        self.entries.push(Entry {
            kind: kind::MATCHMAKER_MATCHED,
            function: std::any::type_name::<F>(),
            id: String::new(),
            handler,
        });
    }

    /// Registers `f` to handle events (Nakama's `RegisterEvent`): those
    /// clients send (`POST /v2/event`, nakama-js `client.emitEvent`,
    /// `external` set) and those modules publish with
    /// [`Nakama::event`](crate::Nakama::event). Events are queued and
    /// handled after the call that sent them has answered, in no
    /// guaranteed order; an error is logged. Every handler registered, in
    /// any module, gets every event.
    ///
    /// ```ignore
    /// async fn on_event(ctx: &Context, nk: &Nakama, evt: api::Event) -> Result<(), Error> {
    ///     ctx.logger().with_field("name", evt.name.as_str()).info("event");
    ///     Ok(())
    /// }
    /// init.register_event(on_event);
    /// ```
    pub fn register_event<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, api::Event, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        self.push_event(kind::EVENT, f);
    }

    /// Registers `f` to run when a realtime session (a socket) starts
    /// (`RegisterEventSessionStart`): the event is `session_start` with
    /// its time, and the context is the session's (user, session id,
    /// vars, client address, `lang`).
    pub fn register_event_session_start<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, api::Event, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        self.push_event(kind::EVENT_SESSION_START, f);
    }

    /// Registers `f` to run when a realtime session ends
    /// (`RegisterEventSessionEnd`): the event is `session_end` with its
    /// time and a `reason` property (empty for a client that closed).
    pub fn register_event_session_end<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, api::Event, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        self.push_event(kind::EVENT_SESSION_END, f);
    }

    /// Registers `f` to run when a tournament's period stops taking scores
    /// (Nakama's `RegisterTournamentEnd`): with the tournament as it was
    /// in that period, the period's end and its reset. The place to hand
    /// out rewards. Context mode `tournament_end`, no user.
    ///
    /// One per process: a second registration in this module replaces the
    /// first, one in another module stops the host at load (as the other
    /// two scheduler callbacks).
    pub fn register_tournament_end<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, scheduler::TournamentCall, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        self.push_scheduled(kind::TOURNAMENT_END, mode::TOURNAMENT_END, f);
    }

    /// Registers `f` to run when a tournament's records expire: a new
    /// period starts, or the tournament ended for good
    /// (`RegisterTournamentReset`). Mode `tournament_reset`.
    pub fn register_tournament_reset<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, scheduler::TournamentCall, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        self.push_scheduled(kind::TOURNAMENT_RESET, mode::TOURNAMENT_RESET, f);
    }

    /// Registers `f` to run when a leaderboard's reset schedule empties it
    /// (`RegisterLeaderboardReset`). Mode `leaderboard_reset`.
    pub fn register_leaderboard_reset<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, scheduler::LeaderboardCall, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        self.push_scheduled(kind::LEADERBOARD_RESET, mode::LEADERBOARD_RESET, f);
    }

    fn push_scheduled<F, I, E>(&mut self, kind: u8, id: &str, f: F)
    where
        F: for<'a> RpcFn<'a, I, Output = Result<(), E>>,
        I: serde::de::DeserializeOwned + Send + 'static,
        E: Into<Error> + 'static,
    {
        self.entries.retain(|e| e.kind != kind);
        let handler: &'static dyn FfiHandler = Box::leak(Box::new(ScheduledByValue {
            f,
            _types: std::marker::PhantomData,
        }));
        self.entries.push(Entry {
            kind,
            function: std::any::type_name::<F>(),
            id: id.to_string(),
            handler,
        });
    }

    fn push_event<F, E>(&mut self, kind: u8, f: F)
    where
        F: for<'a> RpcFn<'a, api::Event, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        let handler: &'static dyn FfiHandler = Box::leak(Box::new(EventByValue {
            f,
            _types: std::marker::PhantomData,
        }));
        self.entries.push(Entry {
            kind,
            function: std::any::type_name::<F>(),
            id: String::new(),
            handler,
        });
    }

    pub(crate) fn into_entries(self) -> Vec<Entry> {
        self.entries
    }
}
