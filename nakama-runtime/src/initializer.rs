//! `Initializer`: registering handlers at init time, with ids chosen at run
//! time.

use std::future::Future;

use nakama_runtime_abi::ffi::kind;
use nakama_runtime_abi::http::{self, HttpRequest, HttpResponse};
use nakama_runtime_abi::nk::StorageWriteOp;
use nakama_runtime_abi::storage_index::{self, StorageIndex};
use nakama_runtime_abi::store_notification::{
    PurchaseNotification, Store, SubscriptionNotification,
};
use nakama_runtime_abi::{mode, scheduler};

use crate::matches::{Match, MatchHandler, Migration};
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
        let entries: Vec<MatchmakerEntry> = decode_json(input, "matchmaker entries")?;
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
        let event: api::Event = decode_json(input, "an event")?;
        self.f.call(ctx, nk, event).await.map_err(Into::into)?;
        Ok(Vec::new())
    }
}

/// A call's JSON input; `INTERNAL` naming `what` if it does not decode.
fn decode_json<I: serde::de::DeserializeOwned>(input: &[u8], what: &str) -> Result<I, Error> {
    serde_json::from_slice(input).map_err(|e| {
        Error::new(
            crate::Code::Internal,
            format!("the host sent {what} that cannot be decoded: {e}"),
        )
    })
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
        let call: I = decode_json(input, "a scheduler callback")?;
        self.f.call(ctx, nk, call).await.map_err(Into::into)?;
        Ok(Vec::new())
    }
}

/// The matchmaker override (input `I`: the candidate groups) or processor
/// (input: every entry), registered by value; both answer groups.
struct GroupsByValue<F, I, E> {
    f: F,
    _types: std::marker::PhantomData<fn(I) -> E>,
}

impl<F, I, E> Handler for GroupsByValue<F, I, E>
where
    F: for<'a> RpcFn<'a, I, Output = Result<Vec<Vec<MatchmakerEntry>>, E>>,
    I: serde::de::DeserializeOwned + Send + 'static,
    E: Into<Error> + 'static,
{
    async fn call(&self, ctx: &Context, nk: &Nakama, input: &[u8]) -> Result<Vec<u8>, Error> {
        let entries: I = decode_json(input, "matchmaker entries")?;
        let groups = self.f.call(ctx, nk, entries).await.map_err(Into::into)?;
        serde_json::to_vec(&groups).map_err(|e| Error::new(crate::Code::Internal, e.to_string()))
    }
}

/// An `async fn(&Context, &Nakama) -> Result<(), E>`: the shutdown hook
/// ([`Initializer::register_shutdown`]).
pub trait ShutdownFn<'a>: Send + Sync + 'static {
    type Output;
    type Fut: Future<Output = Self::Output> + Send + 'a;
    fn call(&self, ctx: &'a Context, nk: &'a Nakama) -> Self::Fut;
}

impl<'a, F, Fut> ShutdownFn<'a> for F
where
    F: Fn(&'a Context, &'a Nakama) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'a,
{
    type Output = Fut::Output;
    type Fut = Fut;
    fn call(&self, ctx: &'a Context, nk: &'a Nakama) -> Fut {
        self(ctx, nk)
    }
}

/// A custom HTTP handler, registered by value.
struct HttpByValue<F, E> {
    f: F,
    _types: std::marker::PhantomData<fn() -> E>,
}

impl<F, E> Handler for HttpByValue<F, E>
where
    F: for<'a> RpcFn<'a, HttpRequest, Output = Result<HttpResponse, E>>,
    E: Into<Error> + 'static,
{
    async fn call(&self, ctx: &Context, nk: &Nakama, input: &[u8]) -> Result<Vec<u8>, Error> {
        let req = HttpRequest::decode(input).map_err(|e| {
            Error::new(
                crate::Code::Internal,
                format!("the host sent an HTTP request that does not decode: {e}"),
            )
        })?;
        let resp = self.f.call(ctx, nk, req).await.map_err(Into::into)?;
        Ok(resp.encode())
    }
}

/// The shutdown hook, registered by value.
struct ShutdownByValue<F, E> {
    f: F,
    _types: std::marker::PhantomData<fn() -> E>,
}

impl<F, E> Handler for ShutdownByValue<F, E>
where
    F: for<'a> ShutdownFn<'a, Output = Result<(), E>>,
    E: Into<Error> + 'static,
{
    async fn call(&self, ctx: &Context, nk: &Nakama, _input: &[u8]) -> Result<Vec<u8>, Error> {
        self.f.call(ctx, nk).await.map_err(Into::into)?;
        Ok(Vec::new())
    }
}

/// A storage index filter, registered by value.
struct FilterByValue<F> {
    f: F,
}

impl<F> Handler for FilterByValue<F>
where
    F: for<'a> RpcFn<'a, StorageWriteOp, Output = bool>,
{
    async fn call(&self, ctx: &Context, nk: &Nakama, input: &[u8]) -> Result<Vec<u8>, Error> {
        let write: StorageWriteOp = serde_json::from_slice(input).map_err(|e| {
            Error::new(
                crate::Code::Internal,
                format!("the host sent a storage write that does not decode: {e}"),
            )
        })?;
        Ok(storage_index::encode_answer(
            self.f.call(ctx, nk, write).await,
        ))
    }
}

/// What a storage index declaration has in the handler table: nothing to
/// call (hosts never call it).
struct NoHandler;

impl Handler for NoHandler {
    async fn call(&self, _: &Context, _: &Nakama, _: &[u8]) -> Result<Vec<u8>, Error> {
        Err(Error::new(
            crate::Code::Unimplemented,
            "a storage index has no handler",
        ))
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
    /// The answer can say more about it:
    /// `init.register_match::<Arena>("arena").keep_state_on_reload();`
    pub fn register_match<M: Match>(
        &mut self,
        name: impl Into<String>,
    ) -> MatchRegistration<'_, M> {
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
        MatchRegistration {
            entry: self.entries.last_mut().expect("just pushed"),
            _match: std::marker::PhantomData,
        }
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
        let handler = MatchedByValue {
            f,
            _types: std::marker::PhantomData,
        };
        self.replace(
            kind::MATCHMAKER_MATCHED,
            String::new(),
            std::any::type_name::<F>(),
            handler,
        );
    }

    /// Registers `f` as the matchmaker override (Nakama's
    /// `RegisterMatchmakerOverride`): in each pass where the default
    /// matchmaker found candidate groups, it gets all of them (a ticket may
    /// be in several: every active ticket proposes every group its query,
    /// counts and the others' accept) and answers those to form. The
    /// matchmaker forms them in the answer's order, each unless one of its
    /// tickets went already (an earlier group took it, or it was removed
    /// meanwhile); every ticket not formed stays in the pool for the next
    /// pass. Each group formed then goes to the matched hook
    /// ([`Self::register_matchmaker_matched`]) as usual.
    ///
    /// Answer the entries you were given: a group with an entry that was
    /// not among the candidates is not formed (logged). An error or a
    /// panic is an empty answer: nothing forms this pass. Context mode
    /// `matchmaker_override`, no user.
    ///
    /// ```ignore
    /// // Only groups whose players all chose the same map.
    /// async fn same_map(_: &Context, _: &Nakama, candidates: Vec<Vec<MatchmakerEntry>>)
    ///     -> Result<Vec<Vec<MatchmakerEntry>>, Error> {
    ///     Ok(candidates.into_iter().filter(|g| {
    ///         g.iter().all(|e| e.string_properties.get("map") == g[0].string_properties.get("map"))
    ///     }).collect())
    /// }
    /// init.register_matchmaker_override(same_map);
    /// ```
    ///
    /// One per process: a second registration in this module replaces the
    /// first, one in another module stops the host at load. With a
    /// processor registered the override is never called, as in Nakama.
    pub fn register_matchmaker_override<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<
            'a,
            Vec<Vec<MatchmakerEntry>>,
            Output = Result<Vec<Vec<MatchmakerEntry>>, E>,
        >,
        E: Into<Error> + 'static,
    {
        self.push_groups(kind::MATCHMAKER_OVERRIDE, mode::MATCHMAKER_OVERRIDE, f);
    }

    /// Registers `f` as the matchmaker processor (Nakama's
    /// `RegisterMatchmakerProcessor`), which replaces the matchmaker's own
    /// grouping: every pass while tickets wait, it gets every entry of
    /// every ticket in the pool (one per user: a party's members share a
    /// ticket) and answers the groups to form. Tickets' queries and counts
    /// are not applied: that is up to `f`. The groups form as with
    /// [`Self::register_matchmaker_override`] (in order, a ticket once,
    /// unknown entries refused, the rest stay; an error or panic forms
    /// nothing) and go to the matched hook. Context mode
    /// `matchmaker_processor`.
    ///
    /// One per process, as the override; it takes precedence over one.
    pub fn register_matchmaker_processor<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, Vec<MatchmakerEntry>, Output = Result<Vec<Vec<MatchmakerEntry>>, E>>,
        E: Into<Error> + 'static,
    {
        self.push_groups(kind::MATCHMAKER_PROCESSOR, mode::MATCHMAKER_PROCESSOR, f);
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

    /// Registers `f` to run when the App Store tells Nakama a purchase was
    /// refunded, after Nakama stored the refund
    /// (`RegisterPurchaseNotificationApple`; Nakama 3.40.0 calls it for
    /// refunds only, [`NotificationType::Refunded`]). Context mode
    /// `purchase_notification_apple`, no user (the purchase names it).
    ///
    /// Nakama calls it from its notification endpoint on the console's
    /// port, which exists once `iap.apple.notifications_endpoint_id` is set
    /// (Apple's App Store Server Notifications V2 point there). Its error
    /// is logged, and Apple is answered 200 all the same (no retry). The
    /// dev host contacts no store and never calls it; test it with the
    /// test host (`TestHost::purchase_notification`).
    ///
    /// ```ignore
    /// async fn refunded(_: &Context, nk: &Nakama, n: PurchaseNotification) -> Result<(), Error> {
    ///     if n.notification_type == NotificationType::Refunded {
    ///         take_back(nk, &n.purchase.user_id, &n.purchase.product_id).await?;
    ///     }
    ///     Ok(())
    /// }
    /// init.register_purchase_notification_apple(refunded);
    /// ```
    ///
    /// One per process, as the scheduler's callbacks: a second
    /// registration in this module replaces the first, one in another
    /// module stops the host at load.
    ///
    /// [`NotificationType::Refunded`]: crate::store_notification::NotificationType::Refunded
    pub fn register_purchase_notification_apple<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, PurchaseNotification, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        let mode = Store::Apple.purchase_mode();
        self.push_scheduled(kind::PURCHASE_NOTIFICATION_APPLE, mode, f);
    }

    /// Registers `f` to run when the App Store tells Nakama a subscription
    /// started, renewed, expired, was cancelled or refunded
    /// (`RegisterSubscriptionNotificationApple`). Mode
    /// `subscription_notification_apple`; otherwise as
    /// [`Initializer::register_purchase_notification_apple`].
    pub fn register_subscription_notification_apple<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, SubscriptionNotification, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        let mode = Store::Apple.subscription_mode();
        self.push_scheduled(kind::SUBSCRIPTION_NOTIFICATION_APPLE, mode, f);
    }

    /// Registers `f` to run when Google Play tells Nakama a purchase was
    /// voided (refunded), `RegisterPurchaseNotificationGoogle`; Nakama's
    /// endpoint exists once `iap.google.notifications_endpoint_id` is set.
    /// Mode `purchase_notification_google`. Unlike the others, its error
    /// makes Nakama answer Google 500, so Google sends the notification
    /// again; otherwise as
    /// [`Initializer::register_purchase_notification_apple`].
    pub fn register_purchase_notification_google<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, PurchaseNotification, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        let mode = Store::Google.purchase_mode();
        self.push_scheduled(kind::PURCHASE_NOTIFICATION_GOOGLE, mode, f);
    }

    /// Registers `f` to run when Google Play tells Nakama of a
    /// subscription's change (`RegisterSubscriptionNotificationGoogle`).
    /// Mode `subscription_notification_google`; otherwise as
    /// [`Initializer::register_purchase_notification_apple`].
    pub fn register_subscription_notification_google<F, E>(&mut self, f: F)
    where
        F: for<'a> RpcFn<'a, SubscriptionNotification, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        let mode = Store::Google.subscription_mode();
        self.push_scheduled(kind::SUBSCRIPTION_NOTIFICATION_GOOGLE, mode, f);
    }

    /// Registers `f` to answer HTTP requests on the client API's port
    /// (7350) whose path matches `path_pattern` and whose method is one of
    /// `methods` (any method if empty), as Nakama's `RegisterHttp`.
    ///
    /// The pattern is a gorilla/mux path template, as in Nakama: it starts
    /// with `/`; `{name}` matches one path segment and `{name:regex}` what
    /// the regex matches, both found in [`HttpRequest::vars`]. A handler
    /// takes precedence over Nakama's own API routes of the same path
    /// (all but `GET`/`POST /v2/rpc/...`, `GET /` and `GET /ws`); a request
    /// of another method goes on to those routes (usually a 404). Handlers
    /// are tried in load order; the first whose pattern and method match
    /// answers.
    ///
    /// **Nakama authenticates nothing here**: check a key or a token
    /// yourself. [`HttpRequest::http_key_valid`] says whether the request
    /// carries the server's `runtime.http_key` (query `http_key` or Basic
    /// auth, as for RPCs); for a shared secret of your own, put it in
    /// `runtime.env` and compare with [`Context::env`].
    ///
    /// An error answers its code's HTTP status with
    /// `{"code":..,"message":..}`; a panic answers 500, and the server
    /// keeps serving. The body is capped at
    /// `socket.max_request_size_bytes` (a longer one answers 400). The
    /// context has mode `http`, the env, the headers and query params and
    /// the client address, no user.
    ///
    /// ```ignore
    /// async fn webhook(ctx: &Context, nk: &Nakama, req: HttpRequest) -> Result<HttpResponse, Error> {
    ///     if req.header("X-Secret") != ctx.env().get("WEBHOOK_SECRET").map(String::as_str) {
    ///         return Err(Error::new(Code::Unauthenticated, "bad secret"));
    ///     }
    ///     Ok(HttpResponse::json(200, &serde_json::json!({"ok": true})))
    /// }
    /// init.register_http("/guild/webhook", &["POST"], webhook);
    /// ```
    pub fn register_http<F, E>(&mut self, path_pattern: impl AsRef<str>, methods: &[&str], f: F)
    where
        F: for<'a> RpcFn<'a, HttpRequest, Output = Result<HttpResponse, E>>,
        E: Into<Error> + 'static,
    {
        let handler = HttpByValue {
            f,
            _types: std::marker::PhantomData,
        };
        let id = http::registration_id(path_pattern.as_ref(), methods);
        self.push(kind::HTTP, id, std::any::type_name::<F>(), handler);
    }

    /// Registers `f` as a custom HTTP handler on the **console's** port
    /// (`console.port`, 7351 by default) instead of the client API's, as
    /// Nakama's `RegisterConsoleHttp` (ABI 1.10): for admin tools that
    /// must not be reachable where clients are. Patterns, methods, the
    /// request, the context and the answers are as for
    /// [`Initializer::register_http`].
    ///
    /// Nakama authenticates nothing here either, except under
    /// `/v2/console/hiro/`, where it asks for a console session (the dev
    /// host, which has no console users, does not).
    ///
    /// ```ignore
    /// init.register_console_http("/admin/guilds/{id}", &["DELETE"], delete_guild);
    /// ```
    pub fn register_console_http<F, E>(
        &mut self,
        path_pattern: impl AsRef<str>,
        methods: &[&str],
        f: F,
    ) where
        F: for<'a> RpcFn<'a, HttpRequest, Output = Result<HttpResponse, E>>,
        E: Into<Error> + 'static,
    {
        let handler = HttpByValue {
            f,
            _types: std::marker::PhantomData,
        };
        let id = http::registration_id(path_pattern.as_ref(), methods);
        self.push(kind::CONSOLE_HTTP, id, std::any::type_name::<F>(), handler);
    }

    /// Registers `f` to run once when the server receives a termination
    /// signal (SIGTERM, Ctrl-C), before it stops, as Nakama's
    /// `RegisterShutdown`: only if `shutdown_grace_sec` is above 0, and cut
    /// short when that grace period ends (authoritative matches get their
    /// `terminate` in the same period). Context mode `shutdown`, no user;
    /// an error is logged.
    ///
    /// One per process: a second registration in this module replaces the
    /// first, one in another module stops the host at load.
    pub fn register_shutdown<F, E>(&mut self, f: F)
    where
        F: for<'a> ShutdownFn<'a, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        let handler = ShutdownByValue {
            f,
            _types: std::marker::PhantomData,
        };
        self.replace(
            kind::SHUTDOWN,
            String::new(),
            std::any::type_name::<F>(),
            handler,
        );
    }

    /// Declares a storage search index, as Nakama's `RegisterStorageIndex`:
    /// the server keeps the storage objects of `collection` (of `key`
    /// only, unless it is empty) in an in-memory index of the `fields` of
    /// their value, that [`Nakama::storage_index_list`] queries.
    ///
    /// The index fills from the database when the server starts (up to
    /// `max_entries` objects) and follows every storage write and delete
    /// after that, clients' and modules' alike; a value that is not a JSON
    /// object, or has none of `fields`, is not indexed. Past 110% of
    /// `max_entries`, the least recently updated objects leave it. With
    /// `index_only`, a listing answers from the index itself (only the
    /// indexed fields of each value) without reading the database; the
    /// objects are still stored.
    ///
    /// Nakama's checks: an empty name or collection, `max_entries` below
    /// 1, no `fields`, or a name already registered (by this module; the
    /// host refuses one another module registered) is an error, which
    /// stops the server if init returns it.
    ///
    /// ```ignore
    /// init.register_storage_index(StorageIndex {
    ///     name: "guilds_by_tag".into(),
    ///     collection: "guilds".into(),
    ///     fields: vec!["tag".into(), "size".into()],
    ///     sortable_fields: vec!["size".into()],
    ///     max_entries: 10_000,
    ///     ..Default::default()
    /// })?;
    /// // later: nk.storage_index_list(None, "guilds_by_tag", "+value.tag:pvp", 10, &["-value.size"], None)
    /// ```
    pub fn register_storage_index(&mut self, index: StorageIndex) -> Result<(), Error> {
        let invalid = |m: &str| Err(Error::new(crate::Code::InvalidArgument, m));
        if index.name.is_empty() {
            return invalid("storage index 'name' must be set");
        }
        if index.collection.is_empty() {
            return invalid("storage index 'collection' must be set");
        }
        if index.max_entries < 1 {
            return invalid("storage Index 'max_entries' must be > 0");
        }
        if index.fields.is_empty() {
            return invalid(
                "storage Index 'fields' must contain at least one top level key to index",
            );
        }
        let exists = self.entries.iter().any(|e| {
            e.kind == kind::STORAGE_INDEX
                && matches!(storage_index::Registration::decode(&e.id),
                    Ok(storage_index::Registration::Index(i)) if i.name == index.name)
        });
        if exists {
            return Err(Error::new(
                crate::Code::AlreadyExists,
                format!(
                    "cannot create index: index with name {:?} already exists",
                    index.name
                ),
            ));
        }
        let id = storage_index::Registration::Index(index).encode();
        self.push(kind::STORAGE_INDEX, id, "storage index", NoHandler);
        Ok(())
    }

    /// Registers `f` as the filter of storage index `index_name`, as
    /// Nakama's `RegisterStorageIndexFilter`: before an object enters the
    /// index (a write, or the load at start), `f` gets it as written (its
    /// owner in `user_id`, its new version) and answers whether to index
    /// it; `false` also drops an earlier version of it from the index. A
    /// filter that panics counts as `false` (logged).
    /// Context mode `storage_index_filter`, no user.
    ///
    /// One per index: a second replaces the first.
    ///
    /// ```ignore
    /// async fn open_guilds(_: &Context, _: &Nakama, w: StorageWriteOp) -> bool {
    ///     !w.value.contains("\"closed\":true")
    /// }
    /// init.register_storage_index_filter("guilds_by_tag", open_guilds);
    /// ```
    pub fn register_storage_index_filter<F>(&mut self, index_name: impl AsRef<str>, f: F)
    where
        F: for<'a> RpcFn<'a, StorageWriteOp, Output = bool>,
    {
        let id = storage_index::Registration::Filter(index_name.as_ref().to_string()).encode();
        self.entries
            .retain(|e| !(e.kind == kind::STORAGE_INDEX && e.id == id));
        self.push(
            kind::STORAGE_INDEX,
            id,
            std::any::type_name::<F>(),
            FilterByValue { f },
        );
    }

    /// Registers `fm` as the fleet manager (Nakama's
    /// `RegisterFleetManager`): every module's
    /// [`Nakama::fleet_manager`] calls reach it, and in Nakama Go, Lua and
    /// JavaScript modules' `GetFleetManager()` too. See
    /// [`crate::fleet_manager`].
    ///
    /// ```ignore
    /// init.register_fleet_manager(Servers::new());
    /// ```
    ///
    /// One per process: a second registration in this module replaces the
    /// first, one in another module stops the host at load. In Nakama, a
    /// Go module's `RegisterFleetManager` and this one replace each other:
    /// the last to run stands (the bridge's `InitModule` runs in the order
    /// Nakama loads plugins, by file name).
    pub fn register_fleet_manager<T: crate::FleetManagerHandler>(&mut self, fm: T) {
        use nakama_runtime_abi::fleet_manager::op;
        self.entries.retain(|e| e.kind != kind::FLEET_MANAGER);
        let fm = std::sync::Arc::new(fm);
        for name in op::ALL {
            let handler = crate::fleet_manager::FleetOp {
                fm: fm.clone(),
                op: name,
            };
            self.push(
                kind::FLEET_MANAGER,
                name.to_string(),
                std::any::type_name::<T>(),
                handler,
            );
        }
    }

    fn push_scheduled<F, I, E>(&mut self, kind: u8, id: &str, f: F)
    where
        F: for<'a> RpcFn<'a, I, Output = Result<(), E>>,
        I: serde::de::DeserializeOwned + Send + 'static,
        E: Into<Error> + 'static,
    {
        let handler = ScheduledByValue {
            f,
            _types: std::marker::PhantomData,
        };
        self.replace(kind, id.to_string(), std::any::type_name::<F>(), handler);
    }

    fn push_groups<F, I, E>(&mut self, kind: u8, id: &str, f: F)
    where
        F: for<'a> RpcFn<'a, I, Output = Result<Vec<Vec<MatchmakerEntry>>, E>>,
        I: serde::de::DeserializeOwned + Send + 'static,
        E: Into<Error> + 'static,
    {
        let handler = GroupsByValue {
            f,
            _types: std::marker::PhantomData,
        };
        self.replace(kind, id.to_string(), std::any::type_name::<F>(), handler);
    }

    fn push_event<F, E>(&mut self, kind: u8, f: F)
    where
        F: for<'a> RpcFn<'a, api::Event, Output = Result<(), E>>,
        E: Into<Error> + 'static,
    {
        let handler = EventByValue {
            f,
            _types: std::marker::PhantomData,
        };
        self.push(kind, String::new(), std::any::type_name::<F>(), handler);
    }

    /// Adds the registration of a kind the module has one of (one per
    /// process), in place of an earlier one.
    fn replace(&mut self, kind: u8, id: String, function: &'static str, handler: impl FfiHandler) {
        self.entries.retain(|e| e.kind != kind);
        self.push(kind, id, function, handler);
    }

    /// Adds a registration; its handler lives as long as the module.
    fn push(&mut self, kind: u8, id: String, function: &'static str, handler: impl FfiHandler) {
        let handler: &'static dyn FfiHandler = Box::leak(Box::new(handler));
        self.entries.push(Entry {
            kind,
            function,
            id,
            handler,
        });
    }

    pub(crate) fn into_entries(self) -> Vec<Entry> {
        self.entries
    }
}

/// A match handler just registered ([`Initializer::register_match`]).
pub struct MatchRegistration<'i, M> {
    entry: &'i mut Entry,
    _match: std::marker::PhantomData<fn() -> M>,
}

/// A match whose state can move to a reloaded build: `Serialize` and
/// `Deserialize` (see [`MatchRegistration::keep_state_on_reload`]).
#[diagnostic::on_unimplemented(
    message = "match `{Self}` cannot keep its state across reloads",
    label = "not Serialize + Deserialize",
    note = "derive `serde::Serialize` and `serde::Deserialize` for `{Self}`: its state moves to the new build as JSON"
)]
pub trait KeepableState: serde::Serialize + serde::de::DeserializeOwned {}

impl<T: serde::Serialize + serde::de::DeserializeOwned> KeepableState for T {}

/// An older build's match state that a migration reads: `Deserialize`
/// (see [`KeptState::migrate_from`]).
#[diagnostic::on_unimplemented(
    message = "a migration cannot read an older state as `{Self}`",
    label = "not Deserialize",
    note = "derive `serde::Deserialize` for `{Self}` (the older build's state, kept under this name), or take `serde_json::Value`"
)]
pub trait OlderState: serde::de::DeserializeOwned {}

impl<T: serde::de::DeserializeOwned> OlderState for T {}

impl<M: Match> MatchRegistration<'_, M> {
    /// When the dev host reloads its modules (`runtime.reload`), running
    /// matches of this handler go on in the new build: the old build's
    /// state is saved as JSON and read back as the new build's `M` (a field
    /// added with `#[serde(default)]` reads fine), keeping the match's id,
    /// presences, label and tick. If the new build has no handler of this
    /// name, or its `M` does not read the saved state, the match stays on
    /// the build it started on (logged with the reason). Without this, a
    /// running match always stays there. Nakama does not reload modules:
    /// on it this changes nothing.
    ///
    /// A state whose shape changed in a way serde cannot bridge (a field
    /// renamed or retyped, a required one added) reads through
    /// [`KeptState::migrate_from`] instead.
    pub fn keep_state_on_reload(self) -> KeptState<M>
    where
        M: KeepableState,
    {
        let handler: &'static MatchHandler<M> =
            Box::leak(Box::new(MatchHandler::<M>::keeping_state()));
        self.entry.handler = handler;
        KeptState { handler }
    }
}

/// A match handler that keeps its state across reloads
/// ([`MatchRegistration::keep_state_on_reload`]).
pub struct KeptState<M: 'static> {
    handler: &'static MatchHandler<M>,
}

impl<M: Match> KeptState<M> {
    /// Reads a state an older build saved that does not read as this
    /// build's `M`: as `Old` (any `Deserialize` type: the older state's
    /// struct kept under another name, or `serde_json::Value`), then made
    /// into an `M` by `migrate`. Migrations are tried in the order they
    /// were added; the first whose `Old` reads the state decides: its `M`
    /// goes on with the match, its error leaves the match on the build it
    /// started on (logged with the reason, as a state nothing reads).
    ///
    /// ```ignore
    /// // The previous build's state, kept here to read it.
    /// #[derive(Deserialize)]
    /// struct ArenaV1 { players: Vec<Player> }
    ///
    /// init.register_match::<Arena>("arena")
    ///     .keep_state_on_reload()
    ///     .migrate_from(|old: ArenaV1| Ok(Arena { players: old.players, round: 1 }));
    /// ```
    pub fn migrate_from<Old, F>(self, migrate: F) -> Self
    where
        Old: OlderState,
        F: Fn(Old) -> Result<M, Error> + Send + Sync + 'static,
    {
        self.handler.add_migration(Migration::new(migrate));
        self
    }
}
