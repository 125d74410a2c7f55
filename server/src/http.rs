//! Nakama's client HTTP API on one port: the hand-written RPC route
//! (`/v2/rpc/{id}`, its own error shape) and the gateway routes
//! (`{"code","message"}` errors), with modules' hooks around the calls.
//!
//! This file holds the router, the RPC route, the account and event
//! routes and the helpers every route shares (bodies, query values,
//! sessions, the gateway's answers); the other routes live in a submodule
//! per area (`auth`, `storage`, `friend`, `group`, ...).

// Helpers answer `Err(response)` to return early from a handler; the
// response is moved once, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future as _;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use axum::Router;
use base64::Engine as _;
use futures_util::future::Either;
use nakama_runtime_host::abi::hooks::{hook, Hook};
use nakama_runtime_host::abi::http as api_http;
use nakama_runtime_host::abi::{api, mode, Code, ContextData, ContextMaps};
use nakama_runtime_host::{Before, CallContext, CallError, EventKind, Modules};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

mod account;
mod auth;
mod channel;
pub mod console;
pub mod custom;
mod friend;
mod group;
mod leaderboard;
mod matches;
mod notification;
mod party;
mod purchase;
pub mod serve;
mod social;
mod storage;
mod tournament;

use crate::config::Config;
use crate::db::{self, Db};
use crate::log::Logger;
use crate::session::{Claims, Sessions};

/// The one API call whose before hook Nakama 3.40.0 never runs for a Go
/// module (its runtime does not pass a Go module's on, runtime.go), so
/// for a Rust module behind the bridge; the dev host does the same.
pub const UNRUN_BEFORE_HOOK: &str = "ListFriendsOfFriends";

/// Everything a request handler needs.
pub struct App {
    pub config: Config,
    pub db: Db,
    /// The modules served; `runtime.reload` swaps in a new set, and a
    /// call keeps the set it started with.
    pub modules: ArcSwap<Modules>,
    /// The modules' custom HTTP handlers (with the set they come from,
    /// swapped with it).
    pub http_routes: ArcSwap<custom::Routes>,
    /// The console's port, once open (see [`console`]); a failed bind
    /// leaves it empty, for a reload to try again.
    pub console_open: tokio::sync::OnceCell<std::net::SocketAddr>,
    pub sessions: Arc<Sessions>,
    /// The running matches.
    pub matches: crate::matches::Matches,
    /// The matchmaker's pool of tickets.
    pub matchmaker: crate::matchmaker::Matchmaker,
    /// The chat channels' members and history.
    pub channels: crate::channels::Channels,
    /// The sessions connected over the realtime socket.
    pub online: crate::online::Online,
    /// Users' status: followers, status presences, the `online` flag.
    pub status: crate::status::Statuses,
    /// The modules' event handlers' queue.
    pub events: crate::events::Events,
    /// Runs the tournament and leaderboard callbacks when they fall due.
    pub scheduler: crate::scheduler::Scheduler,
    /// The storage indexes the modules declared.
    pub storage_indexes: crate::storage_index::StorageIndexes,
    /// The modules' fleet manager, told about reloads.
    pub fleet: crate::nk::Fleet,
    /// The parties of realtime sessions.
    pub parties: crate::parties::Parties,
    /// The Prometheus metrics (`metrics.prometheus_port`).
    pub metrics: Arc<crate::metrics::Metrics>,
    pub log: Logger,
}

type Shared = State<Arc<App>>;

/// Nakama's CORS policy: any origin, its headers, `methods`.
fn cors(methods: &[Method]) -> tower_http::cors::CorsLayer {
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::USER_AGENT,
        ])
        .allow_methods(methods.to_vec())
}

/// The API. Requests that need compression, decompression or CORS go
/// through those layers; the others skip them, which saves about a sixth of
/// the time of a small RPC (Go's handlers check the headers the same way).
pub fn router(
    app: Arc<App>,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = Infallible,
    Future = impl std::future::Future<Output = Result<Response, Infallible>> + Send,
> + Clone
       + Send
       + Sync
       + 'static {
    let plain = routes(app.clone());
    let full = routes(app.clone())
        // Gzip/deflate bodies in, compressed answers out when asked, and
        // Nakama's CORS policy (any origin).
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(cors(&[
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
        ]));
    tower::service_fn(move |req: Request| {
        let h = req.headers();
        let accepts = h.get_all(header::ACCEPT_ENCODING).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.contains("gzip") || v.contains("deflate"))
        });
        if accepts || h.contains_key(header::ORIGIN) || h.contains_key(header::CONTENT_ENCODING) {
            let scope = RequestScope::of(&req);
            return Either::Left(
                REQUEST.scope(scope, tower::ServiceExt::oneshot(full.clone(), req)),
            );
        }
        // The hot path, an RPC by a plain id, skips the router: what it
        // would do (route, extract the id, add the common headers) is done
        // here. Any other id (escaped, empty, nested) takes the router, as
        // do other methods (a module's HTTP handler may take them).
        let rpc_method = matches!(*req.method(), Method::GET | Method::POST);
        if let Some(id) = plain_rpc_id(req.uri().path()).filter(|_| rpc_method) {
            let (app, id) = (app.clone(), id.to_string());
            let fut: BoxedResponse =
                Box::pin(async move { Ok(common_headers(rpc_inner(app, id, req).await).await) });
            return Either::Right(fut);
        }
        let scope = RequestScope::of(&req);
        Either::Left(REQUEST.scope(scope, tower::ServiceExt::oneshot(plain.clone(), req)))
    })
}

tokio::task_local! {
    /// The request being served, for the hook contexts of its handler.
    static REQUEST: RequestScope;
}

/// What a request's hooks share.
struct RequestScope {
    /// The client's IP. Nakama's hooks get no port: its gateway forwards
    /// the address in X-Forwarded-For, IP only. (RPCs, served directly,
    /// set both.)
    client_ip: Option<String>,
    /// One per request, as Nakama's before and after hooks of a call get
    /// the same; made when a hook first asks.
    trace_id: std::sync::OnceLock<String>,
}

impl RequestScope {
    fn of(req: &Request) -> RequestScope {
        RequestScope {
            client_ip: client_address(req.headers(), req.extensions()).map(|(ip, _)| ip),
            trace_id: std::sync::OnceLock::new(),
        }
    }
}

type BoxedResponse =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, Infallible>> + Send>>;

/// The id of `/v2/rpc/{id}` when it needs no decoding: unreserved URL
/// characters only.
fn plain_rpc_id(path: &str) -> Option<&str> {
    let id = path.strip_prefix("/v2/rpc/")?;
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
    // `.` and `..` are path segments the router cleans away.
    let segment = id == "." || id == "..";
    (!id.is_empty() && !segment && id.bytes().all(plain)).then_some(id)
}

fn routes(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(|| async { StatusCode::OK }))
        .route(
            "/healthcheck",
            get(|| async { gateway_ok(&serde_json::json!({})) }),
        )
        .route("/v2/rpc/", any(rpc_empty_id))
        .route("/v2/rpc/{id}", any(rpc))
        .route("/v2/match", get(matches::list))
        .route("/v2/party", get(party::list))
        .route("/v2/matchmaker/stats", get(matches::matchmaker_stats))
        .route_vars("/v2/channel/{channel_id}", get(channel::list))
        .route(
            "/v2/friend",
            get(friend::list).post(friend::add).delete(friend::delete),
        )
        .route("/v2/friend/block", post(friend::block))
        .route("/v2/friend/friends", get(friend::friends_of_friends))
        .route("/v2/friend/facebook", post(friend::import_facebook))
        .route("/v2/friend/steam", post(friend::import_steam))
        .route(
            "/v2/notification",
            get(notification::list).delete(notification::delete),
        )
        .route("/v2/account/authenticate/custom", post(auth::custom))
        .route("/v2/account/authenticate/device", post(auth::device))
        .route("/v2/account/authenticate/email", post(auth::email))
        .route("/v2/account/session/refresh", post(auth::session_refresh))
        .route("/v2/session/logout", post(auth::session_logout))
        .route("/v2/event", post(event))
        .route(
            "/v2/account",
            get(get_account).put(update_account).delete(account::delete),
        )
        .route("/v2/account/link/custom", post(account::link_custom))
        .route("/v2/account/link/device", post(account::link_device))
        .route("/v2/account/link/email", post(account::link_email))
        .route("/v2/account/unlink/custom", post(account::unlink_custom))
        .route("/v2/account/unlink/device", post(account::unlink_device))
        .route("/v2/account/unlink/email", post(account::unlink_email))
        .route(
            "/v2/account/authenticate/apple",
            post(social::authenticate_apple),
        )
        .route(
            "/v2/account/authenticate/facebook",
            post(social::authenticate_facebook),
        )
        .route(
            "/v2/account/authenticate/facebookinstantgame",
            post(social::authenticate_facebook_instant_game),
        )
        .route(
            "/v2/account/authenticate/gamecenter",
            post(social::authenticate_game_center),
        )
        .route(
            "/v2/account/authenticate/google",
            post(social::authenticate_google),
        )
        .route(
            "/v2/account/authenticate/steam",
            post(social::authenticate_steam),
        )
        .route("/v2/account/link/apple", post(social::link_apple))
        .route("/v2/account/link/facebook", post(social::link_facebook))
        .route(
            "/v2/account/link/facebookinstantgame",
            post(social::link_facebook_instant_game),
        )
        .route(
            "/v2/account/link/gamecenter",
            post(social::link_game_center),
        )
        .route("/v2/account/link/google", post(social::link_google))
        .route("/v2/account/link/steam", post(social::link_steam))
        .route("/v2/account/unlink/apple", post(social::unlink_apple))
        .route("/v2/account/unlink/facebook", post(social::unlink_facebook))
        .route(
            "/v2/account/unlink/facebookinstantgame",
            post(social::unlink_facebook_instant_game),
        )
        .route(
            "/v2/account/unlink/gamecenter",
            post(social::unlink_game_center),
        )
        .route("/v2/account/unlink/google", post(social::unlink_google))
        .route("/v2/account/unlink/steam", post(social::unlink_steam))
        .route("/v2/user", get(get_users))
        .route("/v2/iap/purchase/apple", post(purchase::purchase_apple))
        .route("/v2/iap/purchase/google", post(purchase::purchase_google))
        .route("/v2/iap/purchase/huawei", post(purchase::purchase_huawei))
        .route(
            "/v2/iap/purchase/facebookinstant",
            post(purchase::purchase_facebook_instant),
        )
        .route("/v2/iap/purchase/samsung", post(purchase::purchase_samsung))
        .route("/v2/iap/subscription", post(purchase::subscriptions))
        .route(
            "/v2/iap/subscription/apple",
            post(purchase::subscription_apple).get(purchase::subscription_named),
        )
        .route(
            "/v2/iap/subscription/google",
            post(purchase::subscription_google).get(purchase::subscription_named),
        )
        .route_vars(
            "/v2/iap/subscription/{product_id}",
            get(purchase::subscription),
        )
        .route("/v2/storage", put(storage::write).post(storage::read))
        .route("/v2/storage/delete", put(storage::delete))
        .route_vars("/v2/storage/{collection}", get(storage::list))
        .route_vars(
            "/v2/storage/{collection}/{user_id}",
            get(storage::list_user),
        )
        .route_vars(
            "/v2/leaderboard/{leaderboard_id}",
            get(leaderboard::list)
                .post(leaderboard::write)
                .delete(leaderboard::delete),
        )
        .route_vars(
            "/v2/leaderboard/{leaderboard_id}/owner/{owner_id}",
            get(leaderboard::around_owner),
        )
        .route("/v2/group", get(group::list).post(group::create))
        .route_vars(
            "/v2/group/{group_id}",
            put(group::update).delete(group::delete),
        )
        .route("/v2/group/{group_id}/join", post(group::join))
        .route("/v2/group/{group_id}/leave", post(group::leave))
        .route(
            "/v2/group/{group_id}/add",
            post(group::members::<hook::AddGroupUsers>),
        )
        .route(
            "/v2/group/{group_id}/kick",
            post(group::members::<hook::KickGroupUsers>),
        )
        .route(
            "/v2/group/{group_id}/ban",
            post(group::members::<hook::BanGroupUsers>),
        )
        .route(
            "/v2/group/{group_id}/promote",
            post(group::members::<hook::PromoteGroupUsers>),
        )
        .route(
            "/v2/group/{group_id}/demote",
            post(group::members::<hook::DemoteGroupUsers>),
        )
        .route("/v2/group/{group_id}/user", get(group::users))
        .route("/v2/user/{user_id}/group", get(group::user_groups))
        .merge(tournament::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            api_metrics,
        ))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Modules' handlers before the routes above, as in Nakama's router.
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            custom_http,
        ))
        .layer(axum::middleware::map_response(common_headers))
        .layer(axum::middleware::from_fn(clean_path))
        // The realtime socket: without the API's cache headers, as in Nakama.
        .route("/ws", get(crate::realtime::upgrade))
        .with_state(app)
}

/// Nakama's router answers a request whose decoded path is not clean
/// (`//`, `.` or `..` segments) with a redirect to the cleaned one
/// (`301`, no body), before any route (see [`custom::clean_redirect`]).
async fn clean_path(req: Request, next: axum::middleware::Next) -> Response {
    match custom::clean_redirect(req.uri().path(), req.uri().query()) {
        None => next.run(req).await,
        Some(location) => (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response(),
    }
}

/// Counts a client API call in the metrics, as Nakama's gRPC stats
/// handler does: the calls of its API methods (not RPCs, counted on their
/// own), once a handler answered (answers made before one, like a body
/// too large, are the gateway's in Nakama and are not counted).
async fn api_metrics(State(app): Shared, req: Request, next: axum::middleware::Next) -> Response {
    let route = (app.metrics.enabled())
        .then(|| req.extensions().get::<axum::extract::MatchedPath>())
        .flatten();
    let method = route.and_then(|r| crate::metrics::api_method(req.method().as_str(), r.as_str()));
    let Some(method) = method else {
        return next.run(req).await;
    };
    let recv = axum::body::HttpBody::size_hint(req.body())
        .exact()
        .unwrap_or(0);
    let start = std::time::Instant::now();
    let response = next.run(req).await;
    let code = match response.extensions().get::<Code>() {
        Some(code) => *code,
        None if response.status().is_success() => Code::Ok,
        None => return response,
    };
    let sent = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .unwrap_or(0);
    app.metrics.api(method, start.elapsed(), (recv, sent), code);
    response
}

/// A module's custom HTTP handler answers the request if one matches it
/// (see [`custom`]); otherwise the API routes do.
async fn custom_http(State(app): Shared, req: Request, next: axum::middleware::Next) -> Response {
    let routes = app.http_routes.load_full();
    if routes.is_empty() {
        return next.run(req).await;
    }
    let path = custom::decoded_path(req.uri().path());
    let Some(found) = routes.find(req.method().as_str(), &path) else {
        return next.run(req).await;
    };
    let limit = app.config.socket_max_request_size_bytes;
    serve_custom(&app, &routes, found, req, &path, limit).await
}

/// Calls the custom handler `found` (one of `routes`) with `req`, whose
/// decoded path is `path` and whose body may hold `limit` bytes.
async fn serve_custom(
    app: &App,
    routes: &custom::Routes,
    found: custom::Found<'_>,
    req: Request,
    path: &str,
    limit: usize,
) -> Response {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b.to_vec(),
        Err(_) => return too_large(),
    };
    let query = parts.uri.query().map(form_pairs).unwrap_or_default();
    // As Go's `r.Header`, which the bridge passes on: no Host.
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter(|(k, _)| *k != header::HOST)
        .map(|(k, v)| {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (k.as_str().to_string(), v)
        })
        .collect();
    let method = parts.method.as_str();
    let key = &app.config.runtime_http_key;
    let req = custom::request(method, path, &query, &headers, key, body);
    // The context as an RPC's by http key: no user, the query without
    // http_key.
    let mut ctx = app.base_context(mode::HTTP);
    let mut ctx_query = url_query(&parts.uri);
    ctx_query.remove("http_key");
    let maps = request_context(&mut ctx, &parts, &ctx_query, None);
    // The peer, as Go's handlers get it (`r.RemoteAddr`, which the bridge
    // passes on), not the forwarded address an RPC's context has: the
    // handler has the headers if it trusts a proxy.
    let peer = Conn::of(&parts.extensions).map(|c| c.peer);
    ctx.client_ip = peer.map(|p| p.ip().to_string());
    ctx.client_port = peer.map(|p| p.port().to_string());
    let call = CallContext::Data {
        data: &ctx,
        maps: Some(maps),
        host_token: 0,
    };
    let answer = app
        .timed(async { Ok(routes.call(found, call, req).await) })
        .await
        .unwrap_or_else(|e| custom::error_response(&e));
    http_response(answer)
}

/// A handler's answer as axum's; header lines that are not valid HTTP are
/// left out.
pub fn http_response(answer: api_http::HttpResponse) -> Response {
    let mut r = Response::new(Body::from(answer.body));
    *r.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in answer.headers {
        if let (Ok(k), Ok(v)) = (
            header::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            r.headers_mut().append(k, v);
        }
    }
    r
}

async fn common_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, must-revalidate"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    r
}

// ---- response shapes -------------------------------------------------------

/// A gateway success: JSON with Nakama's extra header.
fn gateway_ok<T: Serialize>(body: &T) -> Response {
    let mut r = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(body).unwrap_or_default(),
    )
        .into_response();
    r.headers_mut().insert(
        "grpc-metadata-content-type",
        HeaderValue::from_static("application/grpc"),
    );
    r
}

fn status_of(code: Code) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Runs a handler written with `?` over `Result<Response, Response>`: an
/// early `Err` is the answer as much as the final `Ok`.
async fn run(f: impl std::future::Future<Output = Result<Response, Response>>) -> Response {
    f.await.unwrap_or_else(|r| r)
}

/// A gateway error: `{"code","message"}`, `WWW-Authenticate` on 401s.
fn gateway_err(code: Code, message: &str) -> Response {
    let body = serde_json::json!({"code": code.as_u32(), "message": message}).to_string();
    let mut r = (
        status_of(code),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if code == Code::Unauthenticated {
        if let Ok(v) = HeaderValue::from_str(message) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    // For the metrics (`api_metrics`).
    r.extensions_mut().insert(code);
    r
}

fn gateway_call_err(e: CallError) -> Response {
    gateway_err(e.code, &e.message)
}

/// The RPC route's fixed errors: `{"error","message","code"}`.
fn rpc_fixed_err(code: Code, message: &str) -> Response {
    let body = format!(
        "{{\"error\":{m},\"message\":{m},\"code\":{}}}",
        code.as_u32(),
        m = Value::from(message)
    );
    (
        status_of(code),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn too_large() -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        "{\"code\":3, \"message\":\"http: request body too large\"}",
    )
        .into_response()
}

/// A route's path variables, as axum's `Path` gives them, for a route
/// registered with [`RouteVars::route_vars`]: Nakama's gateway also matches
/// such a route with its last segment empty (`GET /v2/leaderboard/` is a
/// listing of leaderboard "", refused with "Invalid leaderboard ID."), and
/// then the last variable is "".
pub(super) struct Vars<const N: usize>(pub [String; N]);

impl<S: Send + Sync, const N: usize> axum::extract::FromRequestParts<S> for Vars<N> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Response> {
        use axum::extract::rejection::RawPathParamsRejection;
        let found = match axum::extract::RawPathParams::from_request_parts(parts, state).await {
            Ok(params) => params.iter().map(|(_, v)| v.to_string()).collect(),
            Err(RawPathParamsRejection::MissingPathParams(_)) => Vec::new(),
            Err(e) => return Err(e.into_response()),
        };
        let mut found = found.into_iter();
        Ok(Vars(std::array::from_fn(|_| {
            found.next().unwrap_or_default()
        })))
    }
}

/// `Router::route` for a path whose last segment is a variable: also
/// routes the path without it, for [`Vars`].
trait RouteVars {
    fn route_vars(self, path: &str, methods: axum::routing::MethodRouter<Arc<App>>) -> Self;
}

impl RouteVars for Router<Arc<App>> {
    fn route_vars(self, path: &str, methods: axum::routing::MethodRouter<Arc<App>>) -> Self {
        let bare = path
            .rfind("/{")
            .map(|i| &path[..=i])
            .expect("a path ending in a variable");
        self.route(path, methods.clone()).route(bare, methods)
    }
}

async fn not_found() -> Response {
    gateway_err(Code::NotFound, "Not Found")
}

async fn method_not_allowed() -> Response {
    gateway_err(Code::Unimplemented, "Method Not Allowed")
}

/// A text query parameter as grpc-gateway reads one into a request field:
/// one value at most (`too many values for field "cursor": a, b`, 400).
fn query_text(
    query: &HashMap<String, Vec<String>>,
    name: &str,
) -> Result<Option<String>, Response> {
    match query_values(query, name) {
        [] => Ok(None),
        [v] => Ok(Some(v.clone())),
        values => Err(too_many_values(name, values)),
    }
}

/// grpc-gateway's refusal of a field that is not a list given twice or more.
fn too_many_values(name: &str, values: &[String]) -> Response {
    let all = values.join(", ");
    gateway_err(
        Code::InvalidArgument,
        &format!("too many values for field {name:?}: {all}"),
    )
}

/// The values of query parameter `name`, given by its proto name or its
/// JSON name (`min_size` or `minSize`), as grpc-gateway takes either.
fn query_values<'q>(query: &'q HashMap<String, Vec<String>>, name: &str) -> &'q [String] {
    (query.get(name))
        .or_else(|| query.get(&crate::protojson::json_name(name)))
        .map_or(&[], Vec::as_slice)
}

/// A query parameter's value as grpc-gateway reads one into a request
/// field: with Go's `strconv` (`ParseInt` / `ParseUint` in base 10 for
/// the field's bits, `ParseBool`), whose words its errors keep.
pub(crate) trait GoQueryValue: Sized {
    /// The `strconv` function, as its errors name it.
    const FUNC: &'static str;
    /// The value, or why not: `invalid syntax` or `value out of range`.
    fn go_parse(v: &str) -> Result<Self, &'static str>;
}

macro_rules! go_integers {
    ($($t:ty => $func:literal, $signed:literal;)*) => {$(
        impl GoQueryValue for $t {
            const FUNC: &'static str = $func;
            fn go_parse(v: &str) -> Result<Self, &'static str> {
                // Base 10 digits after an optional sign (none for ParseUint).
                let digits = if $signed { v.strip_prefix(['+', '-']).unwrap_or(v) } else { v };
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("invalid syntax");
                }
                v.parse().map_err(|_| "value out of range")
            }
        }
    )*};
}

go_integers! {
    i32 => "ParseInt", true;
    i64 => "ParseInt", true;
    u32 => "ParseUint", false;
    u64 => "ParseUint", false;
}

impl GoQueryValue for bool {
    const FUNC: &'static str = "ParseBool";
    fn go_parse(v: &str) -> Result<Self, &'static str> {
        match v {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
            _ => Err("invalid syntax"),
        }
    }
}

/// A number or boolean query parameter read as the gateway reads it: one
/// value at most, in Go's syntax, refused (400) in grpc-gateway's words
/// (`parsing field "limit": strconv.ParseInt: parsing "abc": invalid
/// syntax`, `too many values for field "limit": 5, 6`).
fn query_number<T: GoQueryValue>(
    query: &HashMap<String, Vec<String>>,
    name: &str,
) -> Result<Option<T>, Response> {
    let Some(v) = query_text(query, name)? else {
        return Ok(None);
    };
    T::go_parse(&v).map(Some).map_err(|why| {
        let message = format!(
            "parsing field {name:?}: strconv.{}: parsing {}: {why}",
            T::FUNC,
            crate::gochars::go_quote(v.as_bytes())
        );
        gateway_err(Code::InvalidArgument, &message)
    })
}

/// Reads a body up to the configured size.
async fn read_body(app: &App, body: Body) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, app.config.socket_max_request_size_bytes)
        .await
        .map_err(|_| too_large())
}

/// Reads and decodes a gateway JSON body.
async fn read_json<T: DeserializeOwned + Default>(app: &App, body: Body) -> Result<T, Response> {
    json_body(&read_body(app, body).await?)
}

/// Decodes a gateway JSON body (white space only = defaults) as Nakama's
/// gateway reads it ([`crate::gobody`]: Go's words for a malformed body,
/// what follows the first value ignored).
fn json_body<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, Response> {
    let invalid = |message: &str| gateway_err(Code::InvalidArgument, message);
    match crate::gobody::read(bytes).map_err(|m| invalid(&m))? {
        None => Ok(T::default()),
        Some(value) => crate::protojson::from_slice(value).map_err(|m| invalid(&m)),
    }
}

/// A client API route's query as grpc-gateway reads it (`req.ParseForm`,
/// Go's `url.ParseQuery`): refused (400, Go's words) for a malformed
/// escape or a `;` anywhere, else [`url_query`].
fn query_map(uri: &Uri) -> Result<HashMap<String, Vec<String>>, Response> {
    match uri.query().and_then(go_query_error) {
        Some(message) => Err(gateway_err(Code::InvalidArgument, &message)),
        None => Ok(url_query(uri)),
    }
}

/// Why Go's `url.ParseQuery` refuses `q`: a pair holding a `;` (that
/// error wins, whatever came before), else the first malformed escape of
/// a key or value ([`go_unescape`]).
fn go_query_error(q: &str) -> Option<String> {
    if q.split('&').any(|pair| pair.contains(';')) {
        return Some("invalid semicolon separator in query".into());
    }
    q.split('&')
        .filter(|pair| !pair.is_empty())
        .find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let bad = go_unescape(k).and_then(|_| go_unescape(v)).err()?;
            let bad = crate::gochars::go_quote(bad);
            Some(format!("invalid URL escape {bad}"))
        })
}

/// The query's pairs, decoded, leniently (Go's `r.URL.Query()`, which
/// Nakama's RPC and custom handlers read).
fn url_query(uri: &Uri) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if let Some(q) = uri.query() {
        for (k, v) in form_pairs(q) {
            out.entry(k).or_default().push(v);
        }
    }
    out
}

/// `a=1&b=x%20y` as decoded pairs, as Go's `url.ParseQuery` decodes them
/// (`r.URL.Query()`): pairs split at `&`, a `+` a space, a pair holding a
/// `;` or a `%` without two hex digits left out; bytes that are not UTF-8
/// read as U+FFFD (fuzzed by `fuzz/`).
pub fn form_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|pair| !pair.is_empty() && !pair.contains(';'))
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((go_unescape(k).ok()?, go_unescape(v).ok()?))
        })
        .collect()
}

/// Go's `url.QueryUnescape`; `Err` is a malformed escape (the `%` and
/// up to two bytes after it), as Go's error quotes it. (The
/// percent-encoding crate keeps a malformed escape as text.)
fn go_unescape(s: &str) -> Result<String, &[u8]> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .ok_or(&b[i..(i + 3).min(b.len())])?;
                let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.push(digit(hex[0]) * 16 + digit(hex[1]));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn basic_key(headers: &HeaderMap) -> Option<Option<String>> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let Some(encoded) = auth.strip_prefix("Basic ") else {
        return Some(None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(decoded.map(|d| d.split_once(':').map(|(k, _)| k.to_string()).unwrap_or(d)))
}

/// Checks the server key of authenticate and refresh calls.
fn check_server_key(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    match basic_key(headers) {
        None => Err(gateway_err(Code::Unauthenticated, "Server key required")),
        Some(Some(k)) if k == app.config.socket_server_key => Ok(()),
        Some(_) => Err(gateway_err(Code::Unauthenticated, "Server key invalid")),
    }
}

/// Checks the Bearer session of gateway calls.
fn session(app: &App, headers: &HeaderMap) -> Result<Claims, Response> {
    let Some(auth) = headers.get(header::AUTHORIZATION) else {
        return Err(gateway_err(Code::Unauthenticated, "Auth token required"));
    };
    auth.to_str()
        .ok()
        .and_then(|a| a.strip_prefix("Bearer "))
        .and_then(|t| app.sessions.check_session(t.trim()))
        .ok_or_else(|| gateway_err(Code::Unauthenticated, "Auth token invalid"))
}

impl App {
    /// A call's context; its env is left empty: the loader gives every
    /// call the init context's env, encoded once.
    fn base_context(&self, mode: &str) -> ContextData {
        ContextData {
            execution_mode: mode.to_string(),
            node: self.config.name.clone(),
            version: crate::VERSION.to_string(),
            ..Default::default()
        }
    }

    fn hook_context(&self, mode: &str, claims: Option<&Claims>) -> ContextData {
        let mut ctx = self.base_context(mode);
        (ctx.client_ip, ctx.trace_id) = REQUEST
            .try_with(|r| {
                let trace = r.trace_id.get_or_init(|| uuid::Uuid::new_v4().to_string());
                (r.client_ip.clone(), Some(trace.clone()))
            })
            .unwrap_or_default();
        if let Some(c) = claims {
            ctx.user_id = Some(c.uid.clone());
            ctx.username = Some(c.usn.clone());
            ctx.vars = (!c.vrs.is_empty()).then(|| c.vrs.clone());
            ctx.user_session_exp = Some(c.exp);
        }
        ctx
    }

    /// Runs a module call under the configured timeout. The timer is only
    /// set once the call is pending: most finish in their first poll, and
    /// a timer per call costs a clock read and the runtime's shared timer.
    pub(crate) async fn timed<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, CallError>>,
    ) -> Result<T, CallError> {
        let limit = Duration::from_millis(self.config.runtime_call_timeout_ms);
        let mut fut = std::pin::pin!(fut);
        let mut timer = std::pin::pin!(None::<tokio::time::Sleep>);
        std::future::poll_fn(|cx| {
            if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                return Poll::Ready(v);
            }
            if timer.is_none() {
                timer.set(Some(tokio::time::sleep(limit)));
            }
            match timer.as_mut().as_pin_mut().map(|t| t.poll(cx)) {
                Some(Poll::Ready(())) => Poll::Ready(Err(CallError::new(
                    Code::DeadlineExceeded,
                    "module call exceeded runtime.call_timeout_ms",
                ))),
                _ => Poll::Pending,
            }
        })
        .await
    }

    /// The before hook of `H`; `Err` is the response to send instead.
    async fn before<H: Hook>(
        &self,
        claims: Option<&Claims>,
        req: H::Request,
    ) -> Result<H::Request, Response> {
        let modules = self.modules.load();
        if !modules.has_before(H::NAME) {
            return Ok(req);
        }
        let ctx = self.hook_context(mode::BEFORE, claims);
        match self.timed(modules.before::<H>(&ctx, req)).await {
            Ok(Before::Proceed(req)) => Ok(req),
            Ok(Before::Drop) => {
                self.log.warn(
                    "Intercepted a disabled resource.",
                    &[("resource", format!("/nakama.api.Nakama/{}", H::NAME).into())],
                );
                Err(gateway_err(
                    Code::NotFound,
                    "Requested resource was not found.",
                ))
            }
            Err(e) => Err(gateway_call_err(e)),
        }
    }

    /// The after hook of `H`; its error is logged, never sent.
    async fn after<H: Hook>(&self, claims: Option<&Claims>, out: &H::Response, req: &H::Request) {
        let modules = self.modules.load();
        if !modules.has_after(H::NAME) {
            return;
        }
        let ctx = self.hook_context(mode::AFTER, claims);
        if let Err(e) = self.timed(modules.after::<H>(&ctx, out, req)).await {
            self.log.warn(
                "After hook returned an error.",
                &[
                    ("api_id", H::NAME.to_lowercase().into()),
                    ("error", e.message.into()),
                ],
            );
        }
    }
}

// ---- RPC ---------------------------------------------------------------------

async fn rpc_empty_id(State(app): Shared, req: Request) -> Response {
    rpc_inner(app, String::new(), req).await
}

async fn rpc(State(app): Shared, Path(id): Path<String>, req: Request) -> Response {
    rpc_inner(app, id, req).await
}

async fn rpc_inner(app: Arc<App>, id: String, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if parts.method != Method::GET && parts.method != Method::POST {
        // The gateway answers other methods, matching the decoded path:
        // an id with a `/` (`%2F`) makes it a path it does not know.
        if id.contains('/') {
            return not_found().await;
        }
        return method_not_allowed().await;
    }
    let query = url_query(&parts.uri);
    // 1. Authentication, in Nakama's order.
    let http_key = query
        .get("http_key")
        .and_then(|v| v.first())
        .filter(|k| !k.is_empty());
    let mut claims = None;
    if let Some(k) = http_key {
        if *k != app.config.runtime_http_key {
            return rpc_fixed_err(Code::Unauthenticated, "HTTP key invalid");
        }
    } else if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        let auth = auth.to_str().unwrap_or("");
        if auth.starts_with("Basic ") {
            match basic_key(&parts.headers) {
                Some(Some(k)) if k == app.config.runtime_http_key => {}
                _ => return rpc_fixed_err(Code::Unauthenticated, "HTTP key invalid"),
            }
        } else {
            match auth
                .strip_prefix("Bearer ")
                .and_then(|t| app.sessions.check_session(t.trim()))
            {
                Some(c) => claims = Some(c),
                None => return rpc_fixed_err(Code::Unauthenticated, "Auth token invalid"),
            }
        }
    } else {
        return rpc_fixed_err(Code::Unauthenticated, "Auth token or HTTP key required");
    }
    // 2. The id.
    if id.is_empty() {
        return rpc_fixed_err(Code::InvalidArgument, "RPC ID must be set");
    }
    let modules = app.modules.load();
    if !modules.has_rpc(&id) {
        return rpc_fixed_err(Code::NotFound, "RPC function not found");
    }
    // From here on the call counts in the metrics, as in Nakama.
    if !app.metrics.enabled() {
        return rpc_run(&app, &id, &modules, parts, body, query, claims)
            .await
            .0;
    }
    let start = std::time::Instant::now();
    let (response, recv, code) = rpc_run(&app, &id, &modules, parts, body, query, claims).await;
    let sent = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .unwrap_or(0);
    let io = (recv as u64, sent);
    let transport = crate::metrics::Transport::Http;
    app.metrics.rpc(transport, &id, start.elapsed(), io, code);
    response
}

/// An RPC call past its checks: the response, the body's size and the
/// call's code (`Unknown` where Nakama leaves it so: a body it could not
/// read).
async fn rpc_run(
    app: &App,
    id: &str,
    modules: &Modules,
    parts: axum::http::request::Parts,
    body: Body,
    query: HashMap<String, Vec<String>>,
    claims: Option<crate::session::Claims>,
) -> (Response, usize, Code) {
    // 3. The payload.
    let unwrap = query.contains_key("unwrap");
    let mut recv = 0;
    let payload: Vec<u8> = if parts.method == Method::GET {
        Vec::new()
    } else {
        let bytes = match read_body(app, body).await {
            Ok(b) => b,
            Err(r) => return (r, 0, Code::Unknown),
        };
        recv = bytes.len();
        if unwrap || bytes.is_empty() {
            bytes.to_vec()
        } else {
            let text = String::from_utf8_lossy(&bytes);
            match serde_json::from_str::<Option<String>>(&text) {
                Ok(s) => s.unwrap_or_default().into_bytes(),
                Err(_) => {
                    let r = rpc_fixed_err(
                        Code::InvalidArgument,
                        "json: cannot unmarshal object into Go value of type string",
                    );
                    return (r, recv, Code::Unknown);
                }
            }
        }
    };
    // 4. The context; its maps go to the module as JSON, written once.
    let mut ctx = app.base_context(mode::RPC);
    let mut query = query;
    query.remove("http_key");
    let mut vars = None;
    if let Some(c) = &claims {
        ctx.user_id = Some(c.uid.clone());
        ctx.username = Some(c.usn.clone());
        vars = (!c.vrs.is_empty()).then(|| json_text(&c.vrs));
        ctx.user_session_exp = Some(c.exp);
    }
    ctx.trace_id = Some(uuid::Uuid::new_v4().to_string());
    let maps = request_context(&mut ctx, &parts, &query, vars);
    // 5. The call.
    let call = CallContext::Data {
        data: &ctx,
        maps: Some(maps),
        host_token: 0,
    };
    let result = app
        .timed(async {
            modules
                .call_rpc_tagged(id, call, &payload)
                .await
                .unwrap_or_else(|| Err(CallError::new(Code::NotFound, "RPC function not found")))
        })
        .await;
    let code = result.as_ref().err().map_or(Code::Ok, |e| e.code);
    let response = match result {
        Ok(out) if unwrap => {
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .cloned()
                .unwrap_or(HeaderValue::from_static("text/plain"));
            // The body is the module's own buffer: no copy on the way out.
            let body = Body::from(Bytes::from_owner(out));
            (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
        }
        Ok(out) => {
            let body = format!(
                "{{\"payload\":{}}}",
                crate::gojson::string(&String::from_utf8_lossy(&out))
            );
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response()
        }
        Err(e) => {
            let code = e.code.as_u32();
            let body = serde_json::json!({
                "code": code,
                "error": {"Message": e.message, "Code": code},
                "message": e.message,
            });
            (
                status_of(e.code),
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
    };
    (response, recv, code)
}

/// The client's address into `ctx`, and the maps of a call made for the
/// request: its headers, `query` and the session's `vars` (JSON), written
/// once.
fn request_context(
    ctx: &mut ContextData,
    parts: &axum::http::request::Parts,
    query: &HashMap<String, Vec<String>>,
    vars: Option<String>,
) -> ContextMaps {
    if let Some((ip, port)) = client_address(&parts.headers, &parts.extensions) {
        ctx.client_ip = Some(ip);
        ctx.client_port = port;
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        json_text(query)
    };
    ContextMaps::from_json(String::new(), headers_json(&parts.headers), query, vars)
}

/// `x-custom-header` -> `X-Custom-Header`, as Go's net/http canonicalises.
pub(crate) fn canonical_header(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        upper = c == '-';
    }
    out
}

/// The caller's address as Nakama reports it with its default
/// `socket.proxy_count` 0: the right-most usable entry of X-Forwarded-For
/// (loopback entries skipped unless first), port-less; else the peer's
/// address and port.
pub(crate) fn client_address(
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> Option<(String, Option<String>)> {
    if let Some(list) = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
    {
        let entries: Vec<&str> = list.split(',').map(str::trim).collect();
        for (i, entry) in entries.iter().enumerate().rev() {
            let (ip, port) = match entry.parse::<std::net::SocketAddr>() {
                Ok(a) => (a.ip(), Some(a.port().to_string())),
                Err(_) => match entry.parse::<std::net::IpAddr>() {
                    Ok(ip) => (ip, None),
                    Err(_) => continue,
                },
            };
            if i > 0 && ip.is_loopback() {
                continue;
            }
            return Some((ip.to_string(), port));
        }
        return None;
    }
    let peer = Conn::of(extensions)?.peer;
    Some((peer.ip().to_string(), Some(peer.port().to_string())))
}

/// A request's TCP connection: the client's address and the server's
/// end of it (Go's `net.Conn` addresses, which its read errors name).
#[derive(Debug, Clone, Copy)]
pub struct Conn {
    pub peer: std::net::SocketAddr,
    pub local: std::net::SocketAddr,
}

impl Conn {
    /// The connection a request came on (none in tests that build
    /// requests by hand).
    pub fn of(extensions: &axum::http::Extensions) -> Option<Conn> {
        extensions
            .get::<axum::extract::ConnectInfo<Conn>>()
            .map(|c| c.0)
    }
}

/// A map as JSON text (for the module's context).
fn json_text<T: serde::Serialize>(map: &HashMap<String, T>) -> String {
    serde_json::to_string(map).unwrap_or_default()
}

/// The request's headers as the module's context has them,
/// `{"Name":["value",..]}` with names canonicalised as Go's net/http does
/// and Grpc-Timeout left out as Nakama does; empty for none.
fn headers_json(headers: &HeaderMap) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(64 * headers.keys_len());
    for name in headers.keys() {
        let canonical = canonical_header(name.as_str());
        // Go's server moves Host out of a request's headers; Nakama leaves
        // Grpc-Timeout out.
        if canonical == "Grpc-Timeout" || canonical == "Host" {
            continue;
        }
        out.push(if out.is_empty() { b'{' } else { b',' });
        let _ = serde_json::to_writer(&mut out, &canonical);
        out.extend_from_slice(b":[");
        for (i, value) in headers.get_all(name).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let _ = serde_json::to_writer(&mut out, &String::from_utf8_lossy(value.as_bytes()));
        }
        out.push(b']');
    }
    if out.is_empty() {
        return String::new();
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
}

// ---- events ------------------------------------------------------------------

/// `POST /v2/event`: an event for the modules' event handlers, queued
/// (as Nakama's api_event.go: marked external, answered at once).
async fn event(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    let mut evt: api::Event = match read_json(&app, body).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    evt.external = true;
    let claims = match session(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let ctx = app.hook_context(mode::EVENT, Some(&claims));
    app.events.publish(EventKind::Event, ctx, evt);
    gateway_ok(&serde_json::json!({}))
}

// ---- account and users ----------------------------------------------------------

async fn get_account(State(app): Shared, headers: HeaderMap) -> Response {
    let claims = match session(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = app.before::<hook::GetAccount>(Some(&claims), ()).await {
        return r;
    }
    let uid = claims.uid.clone();
    match app.db.run(move |c| db::account(c, &uid)).await {
        Ok(Some(mut account)) => {
            app.status.fill_accounts([&mut account]);
            app.after::<hook::GetAccount>(Some(&claims), &account, &())
                .await;
            gateway_ok(&account)
        }
        Ok(None) => gateway_err(Code::NotFound, "Account not found."),
        Err(e) => gateway_call_err(e),
    }
}

async fn update_account(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    let req: api::UpdateAccountRequest = match read_json(&app, body).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let claims = match session(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = match app.before::<hook::UpdateAccount>(Some(&claims), req).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Some(u) = &req.username {
        if u.is_empty() || u.len() > 128 {
            return gateway_err(
                Code::InvalidArgument,
                "Username invalid, must be 1-128 bytes.",
            );
        }
        if let Err(r) = auth::check_username(u) {
            return r;
        }
    }
    let uid = claims.uid.clone();
    let r = req.clone();
    match app.db.run(move |c| db::update_account(c, &uid, &r)).await {
        Ok(()) => {
            app.after::<hook::UpdateAccount>(Some(&claims), &(), &req)
                .await;
            gateway_ok(&serde_json::json!({}))
        }
        Err(e) => gateway_call_err(e),
    }
}

/// `GET /v2/user` (`ids`, `usernames`, `facebook_ids`): the users found
/// by any of them, each once; the system user (nil id, empty username)
/// is one of them, as in Nakama.
async fn get_users(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    let query = match query_map(&uri) {
        Ok(q) => q,
        Err(refused) => return refused,
    };
    let list = |name: &str| query_values(&query, name).to_vec();
    let req = api::GetUsersRequest {
        ids: list("ids"),
        usernames: list("usernames"),
        facebook_ids: list("facebook_ids"),
    };
    run(async move {
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::GetUsers>(Some(&claims), req).await?;
        // Nothing asked: answered before the ids are checked, and without
        // the after hook, as Nakama does.
        if req.ids.is_empty() && req.usernames.is_empty() && req.facebook_ids.is_empty() {
            return Ok(gateway_ok(&api::Users::default()));
        }
        if let Some(id) = req.ids.iter().find(|id| uuid::Uuid::parse_str(id).is_err()) {
            let message = format!("ID '{id}' is not a valid system ID.");
            return Err(gateway_err(Code::InvalidArgument, &message));
        }
        let r = req.clone();
        let found = app.db.run(move |c| {
            let mut all = db::users(c, &r.ids)?;
            let others = [
                db::users_by_name(c, &r.usernames)?,
                db::users_by_facebook_id(c, &r.facebook_ids)?,
            ];
            for u in others.into_iter().flatten() {
                if !all.iter().any(|x| x.id == u.id) {
                    all.push(u);
                }
            }
            Ok(all)
        });
        let mut users = found
            .await
            .map_err(|_| gateway_err(Code::Internal, "Error retrieving user accounts."))?;
        app.status.fill_users(&mut users);
        let out = api::Users { users };
        app.after::<hook::GetUsers>(Some(&claims), &out, &req).await;
        Ok(gateway_ok(&out))
    })
    .await
}

// ---- shared by the routes of the submodules -------------------------------------

/// A session-authenticated call with a JSON request and hooks around its
/// database work: session check, decode, before hook, `work` (checks the
/// request and answers the database task), after hook, the gateway's answer
/// (`{}` for calls that answer nothing).
async fn hooked_db_call<H, D>(
    app: &App,
    headers: &HeaderMap,
    body: Body,
    work: impl FnOnce(&Claims, &H::Request) -> Result<D, Response>,
) -> Response
where
    H: Hook,
    D: FnOnce(&mut db::Conn) -> Result<H::Response, CallError> + Send + 'static,
{
    let req: H::Request = match read_json(app, body).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let claims = match session(app, headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = match app.before::<H>(Some(&claims), req).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let task = match work(&claims, &req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    match app.db.run(task).await {
        Ok(out) => {
            app.after::<H>(Some(&claims), &out, &req).await;
            if std::any::TypeId::of::<H::Response>() == std::any::TypeId::of::<()>() {
                gateway_ok(&serde_json::json!({}))
            } else {
                gateway_ok(&out)
            }
        }
        Err(e) => gateway_call_err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go 1.26's `url.ParseQuery` on the same queries (`None`: taken).
    #[test]
    fn malformed_queries_are_refused_in_gos_words() {
        for (q, refused) in [
            ("a=%ZZ", Some(r#"invalid URL escape "%ZZ""#)),
            ("a=1&b=%4", Some(r#"invalid URL escape "%4""#)),
            ("a=%", Some(r#"invalid URL escape "%""#)),
            ("%zz=1", Some(r#"invalid URL escape "%zz""#)),
            ("a=%GG&b=%HH", Some(r#"invalid URL escape "%GG""#)),
            ("a=1;b=2", Some("invalid semicolon separator in query")),
            ("a=%ZZ&b=1;c", Some("invalid semicolon separator in query")),
            ("a=%e9%ZZ", Some(r#"invalid URL escape "%ZZ""#)),
            ("a=%%41", Some(r#"invalid URL escape "%%4""#)),
            ("k=%\u{e9}x", Some("invalid URL escape \"%\u{e9}\"")),
            ("a=%41%42", None),
            ("x&y=%C3%A9", None),
            ("a%=1", Some(r#"invalid URL escape "%""#)),
        ] {
            assert_eq!(go_query_error(q).as_deref(), refused, "{q}");
        }
    }

    #[test]
    fn only_plain_rpc_ids_take_the_direct_path() {
        assert_eq!(plain_rpc_id("/v2/rpc/echo"), Some("echo"));
        assert_eq!(
            plain_rpc_id("/v2/rpc/Create_guild-2.v~1"),
            Some("Create_guild-2.v~1")
        );
        for other in [
            "/v2/rpc/",
            "/v2/rpc/a%20b",
            "/v2/rpc/a/b",
            "/v2/rpc/é",
            "/v2/rpcx",
            "/v2/account",
        ] {
            assert_eq!(plain_rpc_id(other), None, "{other}");
        }
    }

    #[test]
    fn headers_are_canonicalised_like_go() {
        assert_eq!(canonical_header("x-custom-header"), "X-Custom-Header");
        assert_eq!(canonical_header("content-type"), "Content-Type");
        assert_eq!(canonical_header("x--a"), "X--A");
        assert_eq!(canonical_header("-x"), "-X");
    }

    #[test]
    fn the_client_address_prefers_the_forwarded_one() {
        let address = |xff: Option<&str>| {
            let mut b = axum::http::Request::builder();
            if let Some(v) = xff {
                b = b.header("x-forwarded-for", v);
            }
            let mut p = b.body(()).unwrap().into_parts().0;
            p.extensions.insert(axum::extract::ConnectInfo(Conn {
                peer: "10.1.2.3:4567".parse().unwrap(),
                local: "127.0.0.1:7350".parse().unwrap(),
            }));
            client_address(&p.headers, &p.extensions)
        };
        assert_eq!(
            address(None),
            Some(("10.1.2.3".into(), Some("4567".into())))
        );
        assert_eq!(
            address(Some("203.0.113.9, 127.0.0.1")),
            Some(("203.0.113.9".into(), None))
        );
        assert_eq!(
            address(Some("198.51.100.1:80,")),
            Some(("198.51.100.1".into(), Some("80".into())))
        );
        assert_eq!(address(Some("garbage")), None);
    }

    #[test]
    fn headers_reach_the_module_as_json_lists() {
        let mut h = HeaderMap::new();
        h.append("x-client", HeaderValue::from_static("a\"b"));
        h.append("x-client", HeaderValue::from_static("c"));
        h.append("grpc-timeout", HeaderValue::from_static("1S"));
        let v: serde_json::Value = serde_json::from_str(&headers_json(&h)).unwrap();
        assert_eq!(v, serde_json::json!({"X-Client": ["a\"b", "c"]}));
        assert_eq!(headers_json(&HeaderMap::new()), "");
    }

    #[test]
    fn payload_strings_escape_html_like_go() {
        assert_eq!(
            crate::gojson::string("<a&b>"),
            "\"\\u003ca\\u0026b\\u003e\""
        );
        assert_eq!(crate::gojson::string("é"), "\"é\"");
    }

    #[test]
    fn query_strings_decode() {
        assert_eq!(
            form_pairs("a=1&b=x%20y&unwrap&c=+&&d=%zz&e=%C3%A9&f=%FF&g;h=1&%41=%4a&i=1=2"),
            [
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), "x y".to_string()),
                ("unwrap".to_string(), String::new()),
                ("c".to_string(), " ".to_string()),
                ("e".to_string(), "é".to_string()),
                ("f".to_string(), "\u{FFFD}".to_string()),
                ("A".to_string(), "J".to_string()),
                ("i".to_string(), "1=2".to_string()),
            ]
        );
    }
}
