//! Prometheus metrics, as Nakama exposes them on `metrics.prometheus_port`:
//! the modules' custom counters, gauges and timers
//! (`nakama_custom_<name>`), each RPC call, over HTTP (`api_rpc`) and the
//! realtime socket (`ws_rpc`), each client API call (`api`), the realtime
//! sockets and their messages, the gauges of sessions, presences,
//! authoritative matches and parties, and the matchmaker's passes, under
//! Nakama's names and labels.
//!
//! Nakama reports through tally, which names a metric `<prefix>_<name>`,
//! labels every series with `node_name` (and `namespace` when set), and
//! records timers as summaries in seconds. The dev host records the same
//! series with `metrics-exporter-prometheus`, at once (Nakama flushes
//! every `metrics.reporting_freq_sec`, 60 s by default). Nothing is
//! recorded while the exporter is off (port 0), since nobody could read it.
//! The gauges are read when scraped (Nakama sets them when they change,
//! presences every 15 s); the matchmaker's at each pass, as Nakama's.
//! Nakama's other series (the presence event queue's, the database's, Go's
//! runtime's) are not reproduced. One series is the dev host's own: each
//! match tick's time and overruns, by handler ([`Metrics::match_tick`]).

use std::collections::HashMap;
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, Label, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use nakama_runtime_host::abi::Code;

/// `metrics.*` settings, with Nakama's defaults.
#[derive(Debug, Clone)]
pub struct MetricsConfig {
    pub prometheus_port: u16,
    pub prefix: String,
    pub custom_prefix: String,
    pub namespace: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            prometheus_port: 0,
            prefix: "nakama".into(),
            custom_prefix: "custom".into(),
            namespace: String::new(),
        }
    }
}

/// Nakama's client API methods (their gRPC names, the metrics' `rpc_id`)
/// by HTTP method and route, path parameters written `{}`. RPCs are not
/// here: they are counted by [`Metrics::rpc`].
const API: &[(&str, &str, &str)] = &[
    ("GET", "/healthcheck", "Healthcheck"),
    ("GET", "/v2/account", "GetAccount"),
    ("PUT", "/v2/account", "UpdateAccount"),
    ("DELETE", "/v2/account", "DeleteAccount"),
    (
        "POST",
        "/v2/account/authenticate/apple",
        "AuthenticateApple",
    ),
    (
        "POST",
        "/v2/account/authenticate/custom",
        "AuthenticateCustom",
    ),
    (
        "POST",
        "/v2/account/authenticate/device",
        "AuthenticateDevice",
    ),
    (
        "POST",
        "/v2/account/authenticate/email",
        "AuthenticateEmail",
    ),
    (
        "POST",
        "/v2/account/authenticate/facebook",
        "AuthenticateFacebook",
    ),
    (
        "POST",
        "/v2/account/authenticate/facebookinstantgame",
        "AuthenticateFacebookInstantGame",
    ),
    (
        "POST",
        "/v2/account/authenticate/gamecenter",
        "AuthenticateGameCenter",
    ),
    (
        "POST",
        "/v2/account/authenticate/google",
        "AuthenticateGoogle",
    ),
    (
        "POST",
        "/v2/account/authenticate/steam",
        "AuthenticateSteam",
    ),
    ("POST", "/v2/account/link/apple", "LinkApple"),
    ("POST", "/v2/account/link/custom", "LinkCustom"),
    ("POST", "/v2/account/link/device", "LinkDevice"),
    ("POST", "/v2/account/link/email", "LinkEmail"),
    ("POST", "/v2/account/link/facebook", "LinkFacebook"),
    (
        "POST",
        "/v2/account/link/facebookinstantgame",
        "LinkFacebookInstantGame",
    ),
    ("POST", "/v2/account/link/gamecenter", "LinkGameCenter"),
    ("POST", "/v2/account/link/google", "LinkGoogle"),
    ("POST", "/v2/account/link/steam", "LinkSteam"),
    ("POST", "/v2/account/session/refresh", "SessionRefresh"),
    ("POST", "/v2/account/unlink/apple", "UnlinkApple"),
    ("POST", "/v2/account/unlink/custom", "UnlinkCustom"),
    ("POST", "/v2/account/unlink/device", "UnlinkDevice"),
    ("POST", "/v2/account/unlink/email", "UnlinkEmail"),
    ("POST", "/v2/account/unlink/facebook", "UnlinkFacebook"),
    (
        "POST",
        "/v2/account/unlink/facebookinstantgame",
        "UnlinkFacebookInstantGame",
    ),
    ("POST", "/v2/account/unlink/gamecenter", "UnlinkGameCenter"),
    ("POST", "/v2/account/unlink/google", "UnlinkGoogle"),
    ("POST", "/v2/account/unlink/steam", "UnlinkSteam"),
    ("GET", "/v2/channel/{}", "ListChannelMessages"),
    ("POST", "/v2/event", "Event"),
    ("GET", "/v2/friend", "ListFriends"),
    ("POST", "/v2/friend", "AddFriends"),
    ("DELETE", "/v2/friend", "DeleteFriends"),
    ("POST", "/v2/friend/block", "BlockFriends"),
    ("POST", "/v2/friend/facebook", "ImportFacebookFriends"),
    ("GET", "/v2/friend/friends", "ListFriendsOfFriends"),
    ("POST", "/v2/friend/steam", "ImportSteamFriends"),
    ("GET", "/v2/group", "ListGroups"),
    ("POST", "/v2/group", "CreateGroup"),
    ("PUT", "/v2/group/{}", "UpdateGroup"),
    ("DELETE", "/v2/group/{}", "DeleteGroup"),
    ("POST", "/v2/group/{}/add", "AddGroupUsers"),
    ("POST", "/v2/group/{}/ban", "BanGroupUsers"),
    ("POST", "/v2/group/{}/demote", "DemoteGroupUsers"),
    ("POST", "/v2/group/{}/join", "JoinGroup"),
    ("POST", "/v2/group/{}/kick", "KickGroupUsers"),
    ("POST", "/v2/group/{}/leave", "LeaveGroup"),
    ("POST", "/v2/group/{}/promote", "PromoteGroupUsers"),
    ("GET", "/v2/group/{}/user", "ListGroupUsers"),
    ("POST", "/v2/iap/purchase/apple", "ValidatePurchaseApple"),
    (
        "POST",
        "/v2/iap/purchase/facebookinstant",
        "ValidatePurchaseFacebookInstant",
    ),
    ("POST", "/v2/iap/purchase/google", "ValidatePurchaseGoogle"),
    ("POST", "/v2/iap/purchase/huawei", "ValidatePurchaseHuawei"),
    (
        "POST",
        "/v2/iap/purchase/samsung",
        "ValidatePurchaseSamsung",
    ),
    ("POST", "/v2/iap/subscription", "ListSubscriptions"),
    (
        "POST",
        "/v2/iap/subscription/apple",
        "ValidateSubscriptionApple",
    ),
    (
        "POST",
        "/v2/iap/subscription/google",
        "ValidateSubscriptionGoogle",
    ),
    ("GET", "/v2/iap/subscription/apple", "GetSubscription"),
    ("GET", "/v2/iap/subscription/google", "GetSubscription"),
    ("GET", "/v2/iap/subscription/{}", "GetSubscription"),
    ("GET", "/v2/leaderboard/{}", "ListLeaderboardRecords"),
    ("POST", "/v2/leaderboard/{}", "WriteLeaderboardRecord"),
    ("DELETE", "/v2/leaderboard/{}", "DeleteLeaderboardRecord"),
    (
        "GET",
        "/v2/leaderboard/{}/owner/{}",
        "ListLeaderboardRecordsAroundOwner",
    ),
    ("GET", "/v2/match", "ListMatches"),
    ("GET", "/v2/matchmaker/stats", "GetMatchmakerStats"),
    ("GET", "/v2/notification", "ListNotifications"),
    ("DELETE", "/v2/notification", "DeleteNotifications"),
    ("GET", "/v2/party", "ListParties"),
    ("POST", "/v2/session/logout", "SessionLogout"),
    ("POST", "/v2/storage", "ReadStorageObjects"),
    ("PUT", "/v2/storage", "WriteStorageObjects"),
    ("PUT", "/v2/storage/delete", "DeleteStorageObjects"),
    ("GET", "/v2/storage/{}", "ListStorageObjects"),
    ("GET", "/v2/storage/{}/{}", "ListStorageObjects"),
    ("GET", "/v2/tournament", "ListTournaments"),
    ("GET", "/v2/tournament/{}", "ListTournamentRecords"),
    ("POST", "/v2/tournament/{}", "WriteTournamentRecord"),
    ("PUT", "/v2/tournament/{}", "WriteTournamentRecord"),
    ("DELETE", "/v2/tournament/{}", "DeleteTournamentRecord"),
    ("POST", "/v2/tournament/{}/join", "JoinTournament"),
    (
        "GET",
        "/v2/tournament/{}/owner/{}",
        "ListTournamentRecordsAroundOwner",
    ),
    ("GET", "/v2/user", "GetUsers"),
    ("GET", "/v2/user/{}/group", "ListUserGroups"),
];

/// The API method a request matched (`route`: axum's matched path, with
/// its parameters' names), if it is one of Nakama's.
pub fn api_method(method: &str, route: &str) -> Option<&'static str> {
    let mut pattern = String::with_capacity(route.len());
    let mut rest = route;
    while let Some(open) = rest.find('{') {
        pattern.push_str(&rest[..=open]);
        rest = &rest[open..];
        rest = rest.find('}').map_or("", |close| &rest[close..]);
    }
    pattern.push_str(rest);
    API.iter()
        .find(|(m, p, _)| *m == method && *p == pattern)
        .map(|(_, _, name)| *name)
}

/// Where an RPC call came from: its `transport` label.
#[derive(Debug, Clone, Copy)]
pub enum Transport {
    Http,
    Socket,
}

/// The metrics of one dev host; off (records nothing) without a port.
pub struct Metrics {
    on: Option<On>,
}

struct On {
    reg: Registry,
    handle: PrometheusHandle,
    prefix: String,
    custom: String,
    /// The kind each custom metric's name was first recorded as: one name
    /// of two kinds would make the whole exposition invalid, so a second
    /// kind is dropped (tally's reporter refuses it too).
    kinds: std::sync::Mutex<HashMap<String, &'static str>>,
    /// The `overall_*` series every call counts in.
    overall: Overall,
    /// Each call series, by id (RPC id or API method), then transport
    /// and code: registered once, so that a call only adds to atomics.
    series: std::sync::RwLock<SeriesById>,
    sockets: Sockets,
    /// `sessions`, `presences`, `authoritative_matches`, `parties`, set
    /// from `state` when scraped.
    gauges: [Gauge; 4],
    /// `matchmaker_tickets`, `matchmaker_active_tickets`, and
    /// `matchmaker_process_time`, at each pass.
    matchmaker: ([Gauge; 2], Histogram),
    state: std::sync::OnceLock<StateSource>,
}

/// Reads the server's state for the gauges.
type StateSource = Box<dyn Fn() -> ServerState + Send + Sync>;

/// What the server holds now, for Nakama's gauges of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerState {
    /// Open realtime sockets.
    pub sessions: usize,
    /// Presences on every stream, as Nakama's tracker counts them: each
    /// socket's on its notification stream and (opened with `status`)
    /// its status stream, chat channel members, match and party members,
    /// and those modules put on streams.
    pub presences: usize,
    pub authoritative_matches: usize,
    pub parties: usize,
}

/// The realtime sockets' series.
struct Sockets {
    /// `socket_ws_opened`, `socket_ws_closed`.
    opened: Counter,
    closed: Counter,
    /// `overall_message_count`, `_recv_bytes`, `_errors`, `_sent_bytes`.
    message: [Counter; 4],
}

/// Call series by id, each with its transport and code number.
type SeriesById = HashMap<String, Vec<(&'static str, u32, Series)>>;

struct Overall {
    /// `overall_count`, `_request_count`, `_recv_bytes`,
    /// `_request_recv_bytes`, `_sent_bytes`, `_request_sent_bytes`.
    counters: [Counter; 6],
    latency: Histogram,
    /// `overall_errors`, `overall_request_errors`.
    errors: [Counter; 2],
}

impl Overall {
    fn new(reg: &Registry, prefix: &str) -> Overall {
        let c = |name| reg.counter(prefix, name, NONE);
        Overall {
            counters: [
                "overall_count",
                "overall_request_count",
                "overall_recv_bytes",
                "overall_request_recv_bytes",
                "overall_sent_bytes",
                "overall_request_sent_bytes",
            ]
            .map(c),
            latency: reg.timer(prefix, "overall_latency_ms", NONE),
            errors: ["overall_errors", "overall_request_errors"].map(c),
        }
    }

    fn record(&self, (recv, sent): (u64, u64), took: f64, code: Code) {
        for (c, n) in self.counters.iter().zip([1, 1, recv, recv, sent, sent]) {
            c.increment(n);
        }
        self.latency.record(took);
        if code != Code::Ok {
            self.errors.iter().for_each(|c| c.increment(1));
        }
    }
}

/// One call series: an RPC's (`Rpc_*` by `rpc_id`) or an API method's
/// (`<Method>_*`), and Nakama's "new format" (`count`, `recv_bytes`,
/// `sent_bytes`, `latency` by `transport`, `rpc_id` and `rpc_code`).
struct Series {
    /// count, recv_bytes, sent_bytes; then the same labelled.
    counters: [Counter; 6],
    latency: Histogram,
    labelled_latency: Histogram,
    /// `..._errors`, for a series of an error code.
    errors: Option<Counter>,
}

impl Series {
    fn new(on: &On, transport: &str, id: &str, code: Code) -> Series {
        let p = &on.prefix;
        // An API method's series are named after it; an RPC's are
        // `Rpc_*`, labelled with its id.
        let (stem, by_id) = match transport {
            "api" => (id, vec![]),
            _ => ("Rpc", vec![("rpc_id", id)]),
        };
        let name = |what: &str| format!("{stem}_{what}");
        let labels = [
            ("transport", transport),
            ("rpc_id", id),
            ("rpc_code", go_code_name(code)),
        ];
        let own = |what| on.reg.counter(p, &name(what), by_id.clone());
        let labelled = |what| on.reg.counter(p, what, labels);
        Series {
            counters: [
                own("count"),
                own("recv_bytes"),
                own("sent_bytes"),
                labelled("count"),
                labelled("recv_bytes"),
                labelled("sent_bytes"),
            ],
            latency: on.reg.timer(p, &name("latency_ms"), by_id.clone()),
            labelled_latency: on.reg.timer(p, "latency", labels),
            errors: (code != Code::Ok).then(|| own("errors")),
        }
    }

    fn record(&self, (recv, sent): (u64, u64), took: f64) {
        for (c, n) in self.counters.iter().zip([1, recv, sent, 1, recv, sent]) {
            c.increment(n);
        }
        self.latency.record(took);
        self.labelled_latency.record(took);
        if let Some(errors) = &self.errors {
            errors.increment(1);
        }
    }
}

const NONE: [(&str, &str); 0] = [];

// Summaries' quantiles as tally's Prometheus reporter gives them.
const QUANTILES: &[f64] = &[0.5, 0.75, 0.95, 0.99, 0.999];

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));

impl Metrics {
    /// Records when `metrics.prometheus_port` is set.
    pub fn new(config: &MetricsConfig, node: &str) -> Metrics {
        if config.prometheus_port == 0 {
            return Metrics { on: None };
        }
        Metrics::recording(config, node)
    }

    /// Records whatever the port (TestHost reads them without a server).
    pub fn recording(config: &MetricsConfig, node: &str) -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_quantiles(QUANTILES)
            .expect("the quantiles are valid")
            .build_recorder();
        let mut base = vec![Label::new("node_name", node.to_string())];
        if !config.namespace.is_empty() {
            base.push(Label::new("namespace", config.namespace.clone()));
        }
        let prefix = config.prefix.clone();
        let custom = join(&prefix, &config.custom_prefix);
        let reg = Registry { recorder, base };
        let c = |name| reg.counter(&prefix, name, NONE);
        let sockets = Sockets {
            opened: c("socket_ws_opened"),
            closed: c("socket_ws_closed"),
            message: [
                "overall_message_count",
                "overall_message_recv_bytes",
                "overall_message_errors",
                "overall_message_sent_bytes",
            ]
            .map(c),
        };
        let gauges = ["sessions", "presences", "authoritative_matches", "parties"]
            .map(|name| reg.gauge(&prefix, name));
        let matchmaker = (
            ["matchmaker_tickets", "matchmaker_active_tickets"]
                .map(|name| reg.gauge(&prefix, name)),
            reg.timer(&prefix, "matchmaker_process_time", NONE),
        );
        Metrics {
            on: Some(On {
                handle: reg.recorder.handle(),
                overall: Overall::new(&reg, &prefix),
                sockets,
                gauges,
                matchmaker,
                state: Default::default(),
                reg,
                prefix,
                custom,
                kinds: Default::default(),
                series: Default::default(),
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        self.on.is_some()
    }

    /// A module's counter. A negative delta is refused as Nakama refuses
    /// it: counted in `metrics_collection_errors_count`.
    ///
    /// Each custom metric function answers `Err(kind)` when the name was
    /// first recorded as another kind, and records nothing.
    pub fn counter_add(
        &self,
        name: &str,
        tags: &HashMap<String, String>,
        delta: i64,
    ) -> Result<(), &'static str> {
        let Some(on) = &self.on else { return Ok(()) };
        if delta < 0 {
            let labels = [("name", name), ("err", "negative_increment")];
            let errors = "metrics_collection_errors_count";
            on.reg.counter(&on.prefix, errors, labels).increment(1);
            return Ok(());
        }
        on.claim(name, "counter")?;
        on.reg
            .counter(&on.custom, name, tags)
            .increment(delta as u64);
        Ok(())
    }

    /// A module's gauge.
    pub fn gauge_set(
        &self,
        name: &str,
        tags: &HashMap<String, String>,
        value: f64,
    ) -> Result<(), &'static str> {
        let Some(on) = &self.on else { return Ok(()) };
        on.claim(name, "gauge")?;
        let key = on.reg.key(&on.custom, name, tags);
        on.reg.recorder.register_gauge(&key, &METADATA).set(value);
        Ok(())
    }

    /// A module's timer, a summary in seconds (Go's durations are signed
    /// nanoseconds; a negative one is recorded as it is, as tally does).
    pub fn timer_record(
        &self,
        name: &str,
        tags: &HashMap<String, String>,
        nanos: i64,
    ) -> Result<(), &'static str> {
        let Some(on) = &self.on else { return Ok(()) };
        on.claim(name, "timer")?;
        on.reg
            .timer(&on.custom, name, tags)
            .record(nanos as f64 / 1e9);
        Ok(())
    }

    /// One RPC call that reached its function, as Nakama's `ApiRpc` and
    /// `WsRpc` record it: the overall series, `Rpc_*` by `rpc_id`, and the
    /// labelled `count`, `recv_bytes`, `sent_bytes`, `latency`.
    pub fn rpc(&self, transport: Transport, id: &str, took: Duration, io: (u64, u64), code: Code) {
        let transport = match transport {
            Transport::Http => "api_rpc",
            Transport::Socket => "ws_rpc",
        };
        self.call(transport, id, took, io, code);
    }

    /// One call of the client API, as Nakama's gRPC stats handler records
    /// it (`Api`): the overall series, `<method>_count` / `_recv_bytes` /
    /// `_sent_bytes` / `_latency_ms` / `_errors`, and the labelled ones
    /// with `transport="api"`. The bytes are the HTTP bodies' (Nakama
    /// counts its gRPC messages').
    pub fn api(&self, method: &str, took: Duration, io: (u64, u64), code: Code) {
        self.call("api", method, took, io, code);
    }

    fn call(&self, transport: &'static str, id: &str, took: Duration, io: (u64, u64), code: Code) {
        let Some(on) = &self.on else { return };
        let took = took.as_secs_f64();
        on.overall.record(io, took, code);
        let code = code.as_u32();
        let known = |series: &SeriesById| {
            let found = series
                .get(id)?
                .iter()
                .find(|s| s.0 == transport && s.1 == code);
            found.map(|(_, _, s)| s.record(io, took))
        };
        let series = on.series.read().unwrap_or_else(|e| e.into_inner());
        if known(&series).is_some() {
            return;
        }
        drop(series);
        let mut series = on.series.write().unwrap_or_else(|e| e.into_inner());
        if known(&series).is_none() {
            let new = Series::new(on, transport, id, Code::from_u32(code));
            new.record(io, took);
            let of_id = series.entry(id.to_string()).or_default();
            of_id.push((transport, code, new));
        }
    }

    /// Where the gauges of the server's state are read from, when
    /// scraped (the first source set stays).
    pub fn state_from(&self, source: impl Fn() -> ServerState + Send + Sync + 'static) {
        if let Some(on) = &self.on {
            let _ = on.state.set(Box::new(source));
        }
    }

    /// A realtime socket opened (`socket_ws_opened`) or closed
    /// (`socket_ws_closed`).
    pub fn socket(&self, opened: bool) {
        let Some(on) = &self.on else { return };
        match opened {
            true => on.sockets.opened.increment(1),
            false => on.sockets.closed.increment(1),
        }
    }

    /// A message a socket received, as Nakama's `Message` counts it: in
    /// `overall_*` and `overall_message_*`, its bytes when handled, and as
    /// an error (with no bytes) when it or the read closed the socket.
    pub fn message(&self, recv_bytes: usize, error: bool) {
        let Some(on) = &self.on else { return };
        let [count, recv, errors, _] = &on.sockets.message;
        let [overall, _, overall_recv, ..] = &on.overall.counters;
        for c in [count, overall] {
            c.increment(1);
        }
        for c in [recv, overall_recv] {
            c.increment(recv_bytes as u64);
        }
        if error {
            errors.increment(1);
            on.overall.errors[0].increment(1);
        }
    }

    /// A message a socket sent: `overall_sent_bytes` and
    /// `overall_message_sent_bytes`.
    pub fn message_sent(&self, bytes: usize) {
        let Some(on) = &self.on else { return };
        on.sockets.message[3].increment(bytes as u64);
        on.overall.counters[4].increment(bytes as u64);
    }

    /// One matchmaker pass: the pool's `(tickets, active tickets)` as it
    /// started, and how long it took.
    pub fn matchmaker(&self, (tickets, active): (usize, usize), took: Duration) {
        let Some(on) = &self.on else { return };
        let ([all, active_gauge], time) = &on.matchmaker;
        all.set(tickets as f64);
        active_gauge.set(active as f64);
        time.record(took.as_secs_f64());
    }

    /// One tick of an authoritative match, by its handler's name
    /// (`module`): `match_tick_time`, a summary in seconds, and
    /// `match_tick_overrun_count`, the ticks that took longer than their
    /// period. The dev host's own series: Nakama has none per match.
    pub fn match_tick(&self, module: &str, took: Duration, overran: bool) {
        let Some(on) = &self.on else { return };
        let labels = [("module", module)];
        on.reg
            .timer(&on.prefix, "match_tick_time", labels)
            .record(took.as_secs_f64());
        if overran {
            on.reg
                .counter(&on.prefix, "match_tick_overrun_count", labels)
                .increment(1);
        }
    }

    /// The Prometheus text exposition of everything recorded.
    pub fn render(&self) -> String {
        match &self.on {
            Some(on) => {
                if let Some(state) = on.state.get() {
                    let s = state();
                    let values = [s.sessions, s.presences, s.authoritative_matches, s.parties];
                    for (g, v) in on.gauges.iter().zip(values) {
                        g.set(v as f64);
                    }
                }
                on.handle.run_upkeep();
                on.handle.render()
            }
            None => String::new(),
        }
    }

    /// Serves [`Metrics::render`] on every path of `host:prometheus_port`,
    /// as Nakama's exporter does, until the process ends.
    pub async fn serve(
        metrics: std::sync::Arc<Metrics>,
        host: &str,
        port: u16,
    ) -> Result<std::net::SocketAddr, String> {
        let listener = tokio::net::TcpListener::bind((host, port))
            .await
            .map_err(|e| format!("cannot listen on {host}:{port} for metrics: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let render = move || {
            let metrics = metrics.clone();
            async move {
                (
                    [("content-type", "text/plain; version=0.0.4")],
                    metrics.render(),
                )
            }
        };
        let app = axum::Router::new().fallback(axum::routing::get(render));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(addr)
    }
}

impl On {
    /// Whether custom metric `name` may be recorded as `kind`; if not,
    /// the kind it has.
    fn claim(&self, name: &str, kind: &'static str) -> Result<(), &'static str> {
        let mut kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        let first = *kinds.entry(name.to_string()).or_insert(kind);
        if first == kind {
            Ok(())
        } else {
            Err(first)
        }
    }
}

/// The recorder and the labels every series has.
struct Registry {
    recorder: PrometheusRecorder,
    /// `node_name` and `namespace`.
    base: Vec<Label>,
}

impl Registry {
    /// The series' key: the base labels, then the tags (a tag named like a
    /// base label replaces it, as tally's `Tagged` does).
    fn key(
        &self,
        prefix: &str,
        name: &str,
        tags: impl IntoIterator<Item = (impl AsRef<str>, impl AsRef<str>)>,
    ) -> Key {
        let tags: Vec<Label> = tags
            .into_iter()
            .map(|(k, v)| Label::new(k.as_ref().to_string(), v.as_ref().to_string()))
            .collect();
        let mut labels: Vec<Label> = (self.base.iter())
            .filter(|b| tags.iter().all(|t| t.key() != b.key()))
            .cloned()
            .collect();
        labels.extend(tags);
        Key::from_parts(join(prefix, name), labels)
    }

    fn counter(
        &self,
        prefix: &str,
        name: &str,
        tags: impl IntoIterator<Item = (impl AsRef<str>, impl AsRef<str>)>,
    ) -> Counter {
        let key = self.key(prefix, name, tags);
        self.recorder.register_counter(&key, &METADATA)
    }

    fn gauge(&self, prefix: &str, name: &str) -> Gauge {
        let key = self.key(prefix, name, NONE);
        self.recorder.register_gauge(&key, &METADATA)
    }

    fn timer(
        &self,
        prefix: &str,
        name: &str,
        tags: impl IntoIterator<Item = (impl AsRef<str>, impl AsRef<str>)>,
    ) -> Histogram {
        let key = self.key(prefix, name, tags);
        self.recorder.register_histogram(&key, &METADATA)
    }
}

/// tally's scope naming: parts joined by `_`, an empty one left out.
fn join(prefix: &str, name: &str) -> String {
    match (prefix.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (_, true) => prefix.to_string(),
        _ => format!("{prefix}_{name}"),
    }
}

/// The name Go's `codes.Code.String()` gives, Nakama's `rpc_code` label.
fn go_code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "Canceled",
        Code::Unknown => "Unknown",
        Code::InvalidArgument => "InvalidArgument",
        Code::DeadlineExceeded => "DeadlineExceeded",
        Code::NotFound => "NotFound",
        Code::AlreadyExists => "AlreadyExists",
        Code::PermissionDenied => "PermissionDenied",
        Code::ResourceExhausted => "ResourceExhausted",
        Code::FailedPrecondition => "FailedPrecondition",
        Code::Aborted => "Aborted",
        Code::OutOfRange => "OutOfRange",
        Code::Unimplemented => "Unimplemented",
        Code::Internal => "Internal",
        Code::Unavailable => "Unavailable",
        Code::DataLoss => "DataLoss",
        Code::Unauthenticated => "Unauthenticated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> Metrics {
        let config = MetricsConfig {
            prometheus_port: 9100,
            ..Default::default()
        };
        Metrics::new(&config, "node1")
    }

    #[test]
    fn custom_metrics_are_named_and_labelled_as_in_nakama() {
        let m = on();
        let tags = HashMap::from([("mode".to_string(), "duel".to_string())]);
        for delta in [2, 3, -1] {
            m.counter_add("calls", &tags, delta).unwrap();
        }
        m.gauge_set("level", &tags, 1.5).unwrap();
        m.timer_record("time", &tags, 12_000_000).unwrap();
        let text = m.render();
        for line in [
            r#"nakama_custom_calls{node_name="node1",mode="duel"} 5"#,
            r#"nakama_custom_level{node_name="node1",mode="duel"} 1.5"#,
            r#"nakama_custom_time_sum{node_name="node1",mode="duel"} 0.012"#,
            r#"nakama_custom_time_count{node_name="node1",mode="duel"} 1"#,
            r#"nakama_metrics_collection_errors_count{node_name="node1",name="calls",err="negative_increment"} 1"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }

    #[test]
    fn a_name_keeps_its_first_kind_and_tags_replace_base_labels() {
        let m = on();
        let tags = HashMap::from([("node_name".to_string(), "mine".to_string())]);
        assert_eq!(m.counter_add("twice", &tags, 1), Ok(()));
        assert_eq!(m.gauge_set("twice", &tags, 7.0), Err("counter"));
        assert_eq!(m.timer_record("twice", &tags, 1), Err("counter"));
        let text = m.render();
        let lines: Vec<&str> = text.lines().filter(|l| l.contains("twice")).collect();
        assert_eq!(
            lines,
            [
                "# TYPE nakama_custom_twice counter",
                r#"nakama_custom_twice{node_name="mine"} 1"#,
            ],
            "{text}"
        );
    }

    #[test]
    fn socket_messages_count_and_gauges_read_the_state_when_scraped() {
        let m = on();
        m.socket(true);
        m.message(20, false);
        m.message(0, true);
        m.message_sent(30);
        m.socket(false);
        let state = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(1));
        let sessions = state.clone();
        m.state_from(move || ServerState {
            sessions: sessions.load(std::sync::atomic::Ordering::SeqCst),
            presences: 4,
            authoritative_matches: 2,
            parties: 3,
        });
        let has = |text: &str, lines: &[&str]| {
            for line in lines {
                assert!(text.lines().any(|l| l == *line), "{line} in\n{text}");
            }
        };
        has(
            &m.render(),
            &[
                r#"nakama_socket_ws_opened{node_name="node1"} 1"#,
                r#"nakama_socket_ws_closed{node_name="node1"} 1"#,
                r#"nakama_overall_count{node_name="node1"} 2"#,
                r#"nakama_overall_message_count{node_name="node1"} 2"#,
                r#"nakama_overall_message_recv_bytes{node_name="node1"} 20"#,
                r#"nakama_overall_recv_bytes{node_name="node1"} 20"#,
                r#"nakama_overall_message_errors{node_name="node1"} 1"#,
                r#"nakama_overall_errors{node_name="node1"} 1"#,
                r#"nakama_overall_message_sent_bytes{node_name="node1"} 30"#,
                r#"nakama_overall_sent_bytes{node_name="node1"} 30"#,
                r#"nakama_sessions{node_name="node1"} 1"#,
                r#"nakama_presences{node_name="node1"} 4"#,
                r#"nakama_authoritative_matches{node_name="node1"} 2"#,
                r#"nakama_parties{node_name="node1"} 3"#,
            ],
        );
        state.store(5, std::sync::atomic::Ordering::SeqCst);
        has(&m.render(), &[r#"nakama_sessions{node_name="node1"} 5"#]);
    }

    #[test]
    fn rpc_calls_count_by_id_and_code() {
        let m = on();
        let took = Duration::from_millis(3);
        m.rpc(Transport::Http, "echo", took, (5, 7), Code::Ok);
        m.rpc(Transport::Socket, "echo", took, (1, 0), Code::NotFound);
        let text = m.render();
        for line in [
            r#"nakama_overall_count{node_name="node1"} 2"#,
            r#"nakama_overall_errors{node_name="node1"} 1"#,
            r#"nakama_Rpc_count{node_name="node1",rpc_id="echo"} 2"#,
            r#"nakama_Rpc_recv_bytes{node_name="node1",rpc_id="echo"} 6"#,
            r#"nakama_count{node_name="node1",transport="api_rpc",rpc_id="echo",rpc_code="OK"} 1"#,
            r#"nakama_count{node_name="node1",transport="ws_rpc",rpc_id="echo",rpc_code="NotFound"} 1"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }

    #[test]
    fn api_calls_are_named_by_route_and_counted() {
        assert_eq!(api_method("GET", "/healthcheck"), Some("Healthcheck"));
        let around = "/v2/tournament/{tournament_id}/owner/{owner_id}";
        let name = Some("ListTournamentRecordsAroundOwner");
        assert_eq!(api_method("GET", around), name);
        assert_eq!(api_method("POST", around), None);
        assert_eq!(api_method("GET", "/v2/rpc/{id}"), None);
        let m = on();
        let took = Duration::from_millis(1);
        m.api("GetAccount", took, (0, 90), Code::Ok);
        m.api("GetAccount", took, (0, 40), Code::Unauthenticated);
        let text = m.render();
        for line in [
            r#"nakama_GetAccount_count{node_name="node1"} 2"#,
            r#"nakama_GetAccount_sent_bytes{node_name="node1"} 130"#,
            r#"nakama_GetAccount_errors{node_name="node1"} 1"#,
            r#"nakama_overall_request_errors{node_name="node1"} 1"#,
            r#"nakama_count{node_name="node1",transport="api",rpc_id="GetAccount",rpc_code="Unauthenticated"} 1"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }

    #[test]
    fn prefixes_join_like_tally_and_off_records_nothing() {
        assert_eq!(join("nakama", "custom"), "nakama_custom");
        assert_eq!(join("", "custom"), "custom");
        assert_eq!(join("nakama", ""), "nakama");
        let off = Metrics::new(&MetricsConfig::default(), "node1");
        off.counter_add("calls", &HashMap::new(), 1).unwrap();
        assert!(!off.enabled());
        assert_eq!(off.render(), "");
    }
}
