//! Authoritative matches on the dev host: the match registry.
//!
//! Each match is a tokio task that owns the match's presences and pending
//! client messages and calls its module's handler (see
//! `nakama_runtime_host::abi::matches`) one event at a time: a tick
//! `tick_rate` times a second, and in between the joins, leaves, client
//! messages and signals that reach it through its command channel, in
//! arrival order, as Nakama's match handler does (server/match_handler.go).
//!
//! The realtime socket (`crate::realtime`) joins sessions to matches and
//! forwards what a match sends them through each session's [`Outbox`];
//! `match_create`, `match_get`, `match_list` and `match_signal` reach it
//! from the nk functions.
//!
//! A test can drive ticks itself ([`Matches::manual`]): a match then ticks
//! only when [`Matches::tick`] asks, so tests see a fixed sequence.
//!
//! Relayed matches (`<uuid>.`) have no handler: as in Nakama, one is the
//! presences on its stream (mode 5, [`crate::streams`]), which the
//! registry joins, lists and relays data between.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nakama_runtime_host::abi::matches::{
    MatchAction, MatchAnswer, MatchCall, MatchData, MatchEvent, Presence, PresenceReason,
};
use nakama_runtime_host::abi::{api, mode, nk, Code, ContextData};
use nakama_runtime_host::{CallError, Modules};
use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};

use crate::log::Logger;
use crate::query::{Document, Query};
use crate::streams::{of_match, Meta, Streams, MODE_MATCH_AUTHORITATIVE, MODE_MATCH_RELAYED};

pub use crate::online::{Outbound, Outbox};

/// A session asking to join a match.
pub struct JoinRequest {
    /// The joining session's context (user, username, vars, session
    /// expiry, session id, client address); the registry sets the
    /// execution mode, node and version.
    pub ctx: ContextData,
    pub presence: Presence,
    pub metadata: HashMap<String, String>,
    pub outbox: Outbox,
}

/// A join the match accepted (or a relayed match created).
#[derive(Debug, Clone)]
pub struct Joined {
    pub match_id: String,
    pub label: String,
    /// The other presences in the match (every one, this one included,
    /// when the session was in already: Nakama answers so).
    pub presences: Vec<Presence>,
}

/// Why a join failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinError {
    /// "Match not found".
    NotFound,
    /// The handler's reason ("Match join rejected" when it gave none).
    Rejected(String),
}

/// Most client messages a match holds between two ticks, as Nakama's
/// `match.input_queue_size` default; later ones are dropped.
const INPUT_QUEUE_SIZE: usize = 128;

/// How long a join attempt or a signal waits for the match (Nakama: 10 s).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// The running matches.
#[derive(Clone)]
pub struct Matches {
    inner: Arc<Inner>,
}

struct Inner {
    node: String,
    version: String,
    log: Logger,
    /// Ticks only on [`Matches::tick`].
    manual: bool,
    /// The modules new matches start with (a match keeps its own).
    modules: Mutex<Option<Arc<Modules>>>,
    matches: Mutex<HashMap<String, Entry>>,
    /// Where relayed matches (`<uuid>.`) are: as in Nakama, one is the
    /// presences on its stream (mode 5), which the server relays between
    /// without a handler; it exists while someone is on it, a module's
    /// `stream_user_join` as good as a client's join.
    streams: Streams,
    /// `match.max_empty_sec` (0: no limit).
    max_empty_sec: std::sync::atomic::AtomicU64,
    /// Where tick times go (`match_tick_time`), once set.
    metrics: std::sync::OnceLock<Arc<crate::metrics::Metrics>>,
}

/// What the registry knows of a match without asking it.
struct Entry {
    commands: mpsc::UnboundedSender<Command>,
    info: Arc<Mutex<Info>>,
}

#[derive(Clone)]
struct Info {
    handler_name: String,
    label: String,
    tick_rate: u32,
    size: usize,
    /// Who is in it (the match's own list, copied at each change), for
    /// the streams' listings.
    presences: Vec<Presence>,
    /// When the match started, in nanoseconds since the epoch (queries
    /// list the newest first).
    create_time_ns: i64,
}

enum Command {
    Join(Box<JoinRequest>, oneshot::Sender<Result<Joined, JoinError>>),
    /// The session leaves, for this reason ([`PresenceReason::Leave`] or
    /// [`PresenceReason::Disconnect`], or `session_disconnect`'s).
    Leave(String, PresenceReason),
    Data(MatchData),
    Signal(String, oneshot::Sender<Result<String, CallError>>),
    /// The host is stopping: `terminate` with this grace, answered once it
    /// has run.
    Terminate(i64, oneshot::Sender<()>),
    /// A manual tick; answered once the tick has run.
    Tick(oneshot::Sender<()>),
    /// The modules were reloaded: move to these if the handler keeps its
    /// state across reloads.
    Reload(Arc<Modules>),
    /// A test's reload ([`Matches::reload_match`]): save and restore the
    /// state through the modules the match has (restoring this state
    /// instead of the saved one, if given); answered with why not.
    ReloadHere(Option<String>, oneshot::Sender<Result<(), String>>),
}

impl Matches {
    /// The node the matches run on (the host's name).
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    /// How many authoritative matches run (Nakama's
    /// `authoritative_matches` gauge).
    pub fn count(&self) -> usize {
        lock(&self.inner.matches).len()
    }

    /// How many presences the authoritative matches have (the relayed
    /// ones' are counted with the streams').
    pub fn presence_count(&self) -> usize {
        (lock(&self.inner.matches).values())
            .map(|e| lock(&e.info).presences.len())
            .sum()
    }

    /// A registry whose matches tick on their own.
    pub fn new(node: &str, version: &str, log: Logger, streams: Streams) -> Matches {
        Self::with_ticks(node, version, log, streams, false)
    }

    /// A registry whose matches tick only on [`Matches::tick`] (tests).
    pub fn manual(node: &str, version: &str, log: Logger, streams: Streams) -> Matches {
        Self::with_ticks(node, version, log, streams, true)
    }

    fn with_ticks(
        node: &str,
        version: &str,
        log: Logger,
        streams: Streams,
        manual: bool,
    ) -> Matches {
        Matches {
            inner: Arc::new(Inner {
                node: node.to_string(),
                version: version.to_string(),
                log,
                manual,
                modules: Mutex::new(None),
                matches: Mutex::new(HashMap::new()),
                streams,
                max_empty_sec: Default::default(),
                metrics: Default::default(),
            }),
        }
    }

    /// Records each tick's time (and overruns) in `metrics`.
    pub fn set_metrics(&self, metrics: Arc<crate::metrics::Metrics>) {
        let _ = self.inner.metrics.set(metrics);
    }

    /// `match.max_empty_sec`: matches started from now on stop after this
    /// many seconds in a row with nobody in them (0: never), as Nakama's.
    pub fn set_max_empty_sec(&self, secs: u64) {
        (self.inner.max_empty_sec).store(secs, std::sync::atomic::Ordering::Relaxed);
    }

    /// The modules matches created from now on run in (set at startup and
    /// after a reload). A running match moves to them if its handler keeps
    /// its state across reloads (`keep_state_on_reload`), between two of its
    /// events; otherwise it keeps its own.
    pub fn set_modules(&self, modules: Arc<Modules>) {
        *lock(&self.inner.modules) = Some(modules.clone());
        for entry in lock(&self.inner.matches).values() {
            let _ = entry.commands.send(Command::Reload(modules.clone()));
        }
    }

    /// `match_create`: runs the handler's init and starts the match.
    pub async fn create(
        &self,
        module: &str,
        params: Map<String, Value>,
    ) -> Result<String, CallError> {
        if module.is_empty() {
            return Err(CallError::new(Code::InvalidArgument, "expects module name"));
        }
        let modules = lock(&self.inner.modules).clone();
        let Some(modules) = modules.filter(|m| m.has_match(module)) else {
            return Err(CallError::new(
                Code::NotFound,
                "error creating match: not found",
            ));
        };
        let id = format!("{}.{}", uuid::Uuid::new_v4(), self.inner.node);
        let mut call = MatchCall {
            state: 0,
            match_id: id.clone(),
            node: self.inner.node.clone(),
            label: String::new(),
            tick_rate: 0,
            tick: 0,
            event: MatchEvent::Init { params },
        };
        let ctx = self.match_ctx();
        let answer = modules
            .call_match(module, &ctx, &call)
            .await
            .unwrap_or_else(|| {
                Err(CallError::new(
                    Code::NotFound,
                    "error creating match: not found",
                ))
            })
            .map_err(|e| CallError::new(e.code, format!("error creating match: {}", e.message)))?;
        if answer.state == 0 || answer.stop {
            return Err(CallError::new(
                Code::Internal,
                "error creating match: Match initial state must not be nil",
            ));
        }
        call.state = answer.state;
        call.tick_rate = answer.tick_rate;
        call.label = answer.label.unwrap_or_default();
        let info = Arc::new(Mutex::new(Info {
            handler_name: module.to_string(),
            label: call.label.clone(),
            tick_rate: call.tick_rate,
            size: 0,
            presences: Vec::new(),
            create_time_ns: now_ns(),
        }));
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&self.inner.matches).insert(
            id.clone(),
            Entry {
                commands: tx,
                info: info.clone(),
            },
        );
        let max_empty_ticks = u64::from(call.tick_rate)
            * (self.inner.max_empty_sec).load(std::sync::atomic::Ordering::Relaxed);
        let running = Running {
            registry: self.clone(),
            modules,
            handler: module.to_string(),
            ctx,
            call,
            info,
            presences: Vec::new(),
            inbox: Vec::new(),
            deferred: Vec::new(),
            overruns: 0,
            overrun_warned: None,
            empty_ticks: 0,
            max_empty_ticks,
        };
        self.inner.log.info(
            "Match started",
            &[("mid", id.as_str().into()), ("module", module.into())],
        );
        tokio::spawn(running.run(rx, self.inner.manual));
        Ok(id)
    }

    /// The context of a match's own calls.
    fn match_ctx(&self) -> ContextData {
        ContextData {
            execution_mode: mode::MATCH.into(),
            node: self.inner.node.clone(),
            version: self.inner.version.clone(),
            ..Default::default()
        }
    }

    fn sender(&self, match_id: &str) -> Option<mpsc::UnboundedSender<Command>> {
        lock(&self.inner.matches)
            .get(match_id)
            .map(|e| e.commands.clone())
    }

    /// A client's join: the handler's join attempt, then (accepted) the
    /// join.
    pub async fn join(&self, match_id: &str, req: JoinRequest) -> Result<Joined, JoinError> {
        let commands = self.sender(match_id).ok_or(JoinError::NotFound)?;
        let (tx, rx) = oneshot::channel();
        commands
            .send(Command::Join(Box::new(req), tx))
            .map_err(|_| JoinError::NotFound)?;
        match tokio::time::timeout(ANSWER_TIMEOUT, rx).await {
            Ok(Ok(answer)) => answer,
            // The match ended before answering: Nakama answers "not allowed".
            Ok(Err(_)) => Err(JoinError::Rejected("Match join rejected".into())),
            Err(_) => Err(JoinError::Rejected("Match join rejected".into())),
        }
    }

    /// The session left the match (a client's `match_leave`: the handler
    /// sees [`PresenceReason::Leave`]); nothing if it is not in it.
    pub fn leave(&self, match_id: &str, session_id: &str) {
        if let Some(c) = self.sender(match_id) {
            let _ = c.send(Command::Leave(
                session_id.to_string(),
                PresenceReason::Leave,
            ));
        }
    }

    /// The session is gone: it leaves every match, its presence with
    /// `reason` (Nakama's session close: [`PresenceReason::Disconnect`]
    /// unless `session_disconnect` named another).
    pub fn leave_all(&self, session_id: &str, reason: PresenceReason) {
        self.leave_all_but(session_id, reason, None);
    }

    /// `session.single_match`: a session that joined match `kept` leaves
    /// every other one, as if it had left it itself (Nakama's
    /// `UntrackLocalByModes` on a match join).
    pub fn leave_others(&self, session_id: &str, kept: &str) {
        self.leave_all_but(session_id, PresenceReason::Leave, Some(kept));
    }

    fn leave_all_but(&self, session_id: &str, reason: PresenceReason, kept: Option<&str>) {
        let senders: Vec<_> = lock(&self.inner.matches)
            .iter()
            .filter(|(id, _)| Some(id.as_str()) != kept)
            .map(|(_, e)| e.commands.clone())
            .collect();
        for c in senders {
            let _ = c.send(Command::Leave(session_id.to_string(), reason));
        }
        // The relayed matches, and the other match streams a module put
        // the session on.
        let kept = kept.and_then(of_match);
        let modes = [MODE_MATCH_RELAYED, MODE_MATCH_AUTHORITATIVE];
        let modes = if kept.is_some() {
            &modes[..]
        } else {
            &modes[..1]
        };
        (self.inner.streams).untrack_modes(session_id, modes, kept.as_ref());
    }

    /// A client's `match_create`: a relayed match, `<uuid>.`, with the
    /// session in it. A `name` always gives the same id (Nakama derives
    /// it as a UUID v5 in the DNS namespace), so that clients meet there.
    pub fn relayed_create(&self, name: &str, who: Presence, outbox: Outbox) -> Joined {
        let id = if name.is_empty() {
            uuid::Uuid::new_v4()
        } else {
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, name.as_bytes())
        };
        let id = format!("{id}.");
        let mut joined = self.relayed_join(&id, who, outbox, true).unwrap_or(Joined {
            match_id: id.clone(),
            label: String::new(),
            presences: Vec::new(),
        });
        if name.is_empty() {
            // Nakama lists no one for a match only this session can be in.
            joined.presences.clear();
        }
        joined
    }

    /// A client's `match_join` of relayed match `match_id` (`<uuid>.`):
    /// `None` when nobody is on its stream, unless `create` (a matchmaker
    /// token's match starts empty). The answer lists the presences that
    /// are not hidden, but for a session new in it, itself.
    pub fn relayed_join(
        &self,
        match_id: &str,
        who: Presence,
        outbox: Outbox,
        create: bool,
    ) -> Option<Joined> {
        let stream = of_match(match_id)?;
        let streams = &self.inner.streams;
        if !create && streams.count(&stream) == 0 {
            return None;
        }
        let new = streams.track(&stream, &who, &outbox, Meta::default());
        let presences = (streams.presences(&stream, false).into_iter())
            .filter(|p| !(new && p.session_id == who.session_id && p.user_id == who.user_id))
            .collect();
        Some(Joined {
            match_id: match_id.to_string(),
            label: String::new(),
            presences,
        })
    }

    /// The session of `user_id` left relayed match `match_id`; the others
    /// are told.
    pub fn relayed_leave(&self, match_id: &str, session_id: &str, user_id: &str) {
        if let Some(stream) = of_match(match_id) {
            self.inner.streams.untrack(&stream, session_id, user_id);
        }
    }

    /// A client's `match_data_send` to relayed match `match_id`: to every
    /// other presence, or to those of `to` (session ids; the sender too if
    /// listed). Nothing unless the sender is in the match.
    pub fn relayed_send(
        &self,
        match_id: &str,
        from: &Presence,
        to: Option<&[String]>,
        op_code: i64,
        data: Vec<u8>,
        reliable: bool,
    ) {
        let Some(stream) = of_match(match_id) else {
            return;
        };
        let out = Outbound::Data {
            match_id: match_id.to_string(),
            sender: Some(from.clone()),
            op_code,
            data,
            reliable,
        };
        let to = |session: &str| match to {
            None => session != from.session_id,
            Some(to) => to.iter().any(|s| s == session),
        };
        (self.inner.streams).send_from(&stream, &from.session_id, &out, to);
    }

    /// A client's message for the next tick; ignored unless the sender is
    /// in the match.
    pub fn send(
        &self,
        match_id: &str,
        from: &Presence,
        op_code: i64,
        data: Vec<u8>,
        reliable: bool,
    ) {
        if let Some(c) = self.sender(match_id) {
            let _ = c.send(Command::Data(MatchData {
                presence: from.clone(),
                op_code,
                data,
                reliable,
                receive_time_ms: now_ms(),
            }));
        }
    }

    /// `match_signal`.
    pub async fn signal(&self, match_id: &str, data: &str) -> Result<String, CallError> {
        check_id(match_id)?;
        let not_found = || CallError::new(Code::NotFound, "match not found");
        let commands = self.sender(match_id).ok_or_else(not_found)?;
        let (tx, rx) = oneshot::channel();
        commands
            .send(Command::Signal(data.to_string(), tx))
            .map_err(|_| not_found())?;
        match tokio::time::timeout(ANSWER_TIMEOUT, rx).await {
            Ok(Ok(answer)) => answer,
            _ => Err(busy()),
        }
    }

    /// What a reload does to the match, through the modules it already
    /// runs on (for tests: the state saved and read back by the same
    /// build, or `saved` read back instead: what an older build would
    /// have saved). `FAILED_PRECONDITION`: why it stays as it was.
    pub async fn reload_match(
        &self,
        match_id: &str,
        saved: Option<String>,
    ) -> Result<(), CallError> {
        let gone = || CallError::new(Code::NotFound, "match not found");
        let tx = self.sender(match_id).ok_or_else(gone)?;
        let (reply, answer) = oneshot::channel();
        tx.send(Command::ReloadHere(saved, reply))
            .map_err(|_| gone())?;
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(CallError::new(Code::FailedPrecondition, why)),
            Err(_) => Err(gone()),
        }
    }

    /// Who is in authoritative match `match_id`, as Nakama's tracker
    /// lists its stream; none for an unknown match. (A relayed match's
    /// are on its stream, [`Streams`].)
    pub fn presences(&self, match_id: &str) -> Vec<Presence> {
        lock(&self.inner.matches)
            .get(match_id)
            .map(|e| lock(&e.info).presences.clone())
            .unwrap_or_default()
    }

    /// `match_get`: `None` when no match has that id.
    pub fn get(&self, match_id: &str) -> Result<Option<api::Match>, CallError> {
        check_id(match_id)?;
        if match_id.ends_with('.') {
            let size = of_match(match_id).map_or(0, |s| self.inner.streams.count(&s));
            return Ok((size > 0).then(|| relayed_api(match_id, size)));
        }
        Ok(lock(&self.inner.matches)
            .get(match_id)
            .map(|e| to_api(match_id, &lock(&e.info))))
    }

    /// `match_list`: Nakama's filters, empty label and query meaning none.
    pub fn list(&self, args: &nk::MatchListArgs) -> Result<Vec<api::Match>, CallError> {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        self.search(&api::ListMatchesRequest {
            limit: Some(args.limit),
            authoritative: Some(args.authoritative),
            label: some(&args.label),
            min_size: args.min_size,
            max_size: args.max_size,
            query: some(&args.query),
        })
    }

    /// The matches a listing asks for (the client's `ListMatches` after
    /// its checks, and `match_list`). A missing limit is 10. Without a
    /// query: the authoritative matches newest first, then the relayed
    /// ones (by id; Nakama's order for them is arbitrary), as Nakama's
    /// `ListMatches` (server/match_registry.go). With a query (Nakama's label query
    /// language, [`crate::query`]; empty is `*`): the authoritative
    /// matches it matches, best score first, then newest first, as
    /// Nakama's `ListMatches` (server/match_registry.go); the label filter
    /// is then ignored, as there. A query that does not parse is
    /// `INVALID_ARGUMENT` "error parsing query string: ...", one Nakama's
    /// index would refuse to run `INTERNAL` "error listing matches by
    /// query: ..." (Nakama's words; the client API answers both as its
    /// "Error listing matches.").
    pub fn search(&self, f: &api::ListMatchesRequest) -> Result<Vec<api::Match>, CallError> {
        let limit = f.limit.unwrap_or(10);
        if limit <= 0 {
            return Ok(Vec::new());
        }
        let sized = |size: usize| {
            f.min_size.is_none_or(|n| size as i32 >= n)
                && f.max_size.is_none_or(|n| size as i32 <= n)
        };
        if let Some(text) = &f.query {
            // Relayed matches have no label: none to query.
            if f.authoritative == Some(false) {
                return Ok(Vec::new());
            }
            // With sizes to filter by, Nakama asks its index for as many
            // matches as it has: with none, it answers before it reads
            // the query.
            let sizes = f.min_size.is_some() || f.max_size.is_some();
            if sizes && lock(&self.inner.matches).is_empty() {
                return Ok(Vec::new());
            }
            let query = match text.as_str() {
                "" => Query::match_all(),
                text => Query::parse(text).map_err(|e| match e.at_search() {
                    false => CallError::new(
                        Code::InvalidArgument,
                        format!("error parsing query string: {e}"),
                    ),
                    true => CallError::new(
                        Code::Internal,
                        format!("error listing matches by query: {e}"),
                    ),
                })?,
            };
            let matches = lock(&self.inner.matches);
            let mut hits: Vec<(f64, api::Match, i64)> = matches
                .iter()
                .map(|(id, e)| (id, lock(&e.info).clone()))
                .filter(|(_, info)| sized(info.size))
                .filter_map(|(id, info)| {
                    let doc = index_document(&self.inner.node, &info);
                    let score = query.score(&doc)?;
                    Some((score, to_api(id, &info), info.create_time_ns))
                })
                .collect();
            hits.sort_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then(b.2.cmp(&a.2))
                    .then_with(|| a.1.match_id.cmp(&b.1.match_id))
            });
            return Ok(hits
                .into_iter()
                .take(limit as usize)
                .map(|(_, m, _)| m)
                .collect());
        }
        let mut found: Vec<(i64, api::Match)> = Vec::new();
        if f.authoritative != Some(false) {
            let matches = lock(&self.inner.matches);
            found.extend(
                matches
                    .iter()
                    .map(|(id, e)| (id, lock(&e.info).clone()))
                    .filter(|(_, info)| f.label.as_ref().is_none_or(|l| info.label == *l))
                    .filter(|(_, info)| sized(info.size))
                    .map(|(id, info)| (info.create_time_ns, to_api(id, &info))),
            );
            found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.match_id.cmp(&b.1.match_id)));
        }
        let mut found: Vec<api::Match> = found.into_iter().map(|(_, m)| m).collect();
        // Relayed matches have no label: a label leaves them out.
        if f.authoritative != Some(true) && f.label.is_none() {
            // As Nakama names them: a stream a module labelled too.
            let relayed = self.inner.streams.sizes(MODE_MATCH_RELAYED);
            let mut more: Vec<api::Match> = (relayed.into_iter())
                .filter(|(_, size)| sized(*size))
                .map(|(s, size)| relayed_api(&format!("{}.{}", s.subject, s.label), size))
                .collect();
            more.sort_by(|a, b| a.match_id.cmp(&b.match_id));
            found.extend(more);
        }
        found.truncate(limit as usize);
        Ok(found)
    }

    /// Runs one tick of a match started by a [`Matches::manual`]
    /// registry, and answers once it has run. `false`: no such match.
    pub async fn tick(&self, match_id: &str) -> bool {
        let Some(c) = self.sender(match_id) else {
            return false;
        };
        let (tx, rx) = oneshot::channel();
        c.send(Command::Tick(tx)).is_ok() && rx.await.is_ok()
    }

    /// Calls one match's `terminate` with `grace_seconds`, and answers once
    /// it has run; `false`: no such match. (The match goes on, as in
    /// Nakama, until it stops or the host does.)
    pub async fn terminate(&self, match_id: &str, grace_seconds: i64) -> bool {
        let Some(c) = self.sender(match_id) else {
            return false;
        };
        let (tx, rx) = oneshot::channel();
        c.send(Command::Terminate(grace_seconds, tx)).is_ok() && rx.await.is_ok()
    }

    /// The host is stopping (Nakama's shutdown with `shutdown_grace_sec`):
    /// every match gets `terminate` and `grace` to stop on its own; the
    /// ones still running then are dropped. A grace of 0 drops them at
    /// once, without `terminate`.
    pub async fn shutdown(&self, grace: Duration) {
        let running: Vec<String> = lock(&self.inner.matches).keys().cloned().collect();
        if !grace.is_zero() {
            for id in &running {
                self.terminate(id, grace.as_secs() as i64).await;
            }
            let deadline = tokio::time::Instant::now() + grace;
            while !lock(&self.inner.matches).is_empty() && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        // Dropping a match's commands ends its task, which drops the
        // module's state.
        let left: Vec<Entry> = lock(&self.inner.matches).drain().map(|(_, e)| e).collect();
        drop(left);
    }

    fn remove(&self, match_id: &str) {
        lock(&self.inner.matches).remove(match_id);
    }
}

/// Nakama's answer to a signal that got no reply (the match was too busy,
/// failed, or stopped in it).
fn busy() -> CallError {
    CallError::new(Code::Unavailable, "match busy")
}

fn relayed_api(match_id: &str, size: usize) -> api::Match {
    api::Match {
        match_id: match_id.to_string(),
        size: size as i32,
        ..Default::default()
    }
}

fn to_api(match_id: &str, info: &Info) -> api::Match {
    api::Match {
        match_id: match_id.to_string(),
        authoritative: true,
        label: Some(info.label.clone()),
        size: info.size as i32,
        tick_rate: info.tick_rate as i32,
        handler_name: info.handler_name.clone(),
    }
}

/// What Nakama's label index holds of a match (server/match_registry.go,
/// `MapMatchIndexEntry`): its node, label, tick rate, handler and start
/// time (milliseconds), and the label's JSON under `label.` when it is an
/// object.
fn index_document(node: &str, info: &Info) -> Document {
    let mut doc = Document::default();
    doc.add_keyword("node", node);
    doc.add_keyword("label_string", &info.label);
    doc.add_number("tick_rate", f64::from(info.tick_rate));
    doc.add_keyword("handler_name", &info.handler_name);
    doc.add_number("create_time", (info.create_time_ns / 1_000_000) as f64);
    if let Ok(label @ Value::Object(_)) = serde_json::from_str::<Value>(&info.label) {
        doc.add_json("label", &label);
    }
    doc
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// `<uuid>.<node>` (or `<uuid>.` for a relayed match), as Nakama checks it.
fn check_id(match_id: &str) -> Result<(), CallError> {
    let valid = match_id
        .split_once('.')
        .is_some_and(|(id, _)| uuid::Uuid::parse_str(id).is_ok());
    if valid {
        Ok(())
    } else {
        Err(CallError::new(Code::InvalidArgument, "match id invalid"))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// One running match: the task's state.
struct Running {
    registry: Matches,
    modules: Arc<Modules>,
    handler: String,
    ctx: ContextData,
    /// The next call's header: state number, ids, label, tick rate, tick.
    call: MatchCall,
    info: Arc<Mutex<Info>>,
    presences: Vec<(Presence, Outbox)>,
    inbox: Vec<MatchData>,
    /// Deferred broadcasts, sent at the end of the current event.
    deferred: Vec<MatchAction>,
    /// Ticks that took longer than their period since the last warning,
    /// and when that warning was.
    overruns: u32,
    overrun_warned: Option<std::time::Instant>,
    /// Ticks in a row with nobody in the match, and how many stop it
    /// (`match.max_empty_sec` times the tick rate; 0: no limit).
    empty_ticks: u64,
    max_empty_ticks: u64,
}

/// At most one tick-overrun warning per match this often.
const OVERRUN_WARNING_EVERY: Duration = Duration::from_secs(10);

/// Whether a match goes on after an event.
enum Next {
    Continue,
    /// The module stopped it (its state is gone).
    Stopped,
    /// A call failed: the module may still hold the state.
    Failed,
    /// Empty for `match.max_empty_sec`: the module still holds the state.
    Idle,
}

impl Running {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>, manual: bool) {
        let period = Duration::from_secs(1) / self.call.tick_rate.max(1);
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let next = loop {
            let next = tokio::select! {
                _ = ticks.tick(), if !manual => self.tick().await,
                command = commands.recv() => match command {
                    // Every sender is gone: the registry dropped the match.
                    None => break Next::Failed,
                    Some(c) => self.command(c).await,
                },
            };
            if !matches!(next, Next::Continue) {
                break next;
            }
        };
        self.registry.remove(&self.call.match_id);
        if matches!(next, Next::Failed | Next::Idle) {
            let call = self.header(MatchEvent::Drop);
            let _ = self
                .modules
                .call_match(&self.handler, &self.ctx, &call)
                .await;
        }
        self.registry.inner.log.info(
            "Match stopped",
            &[("mid", self.call.match_id.as_str().into())],
        );
        // Answer whoever still waits: the match is gone.
        commands.close();
        while let Ok(c) = commands.try_recv() {
            match c {
                Command::Join(_, reply) => {
                    let _ = reply.send(Err(JoinError::NotFound));
                }
                Command::Signal(_, reply) => {
                    let _ = reply.send(Err(CallError::new(Code::NotFound, "match not found")));
                }
                Command::Tick(reply) | Command::Terminate(_, reply) => {
                    let _ = reply.send(());
                }
                // Dropped unanswered: the caller hears "match not found".
                Command::ReloadHere(..) => {}
                Command::Leave(..) | Command::Data(_) | Command::Reload(_) => {}
            }
        }
    }

    async fn command(&mut self, c: Command) -> Next {
        match c {
            Command::Join(req, reply) => self.join_attempt(*req, reply).await,
            Command::Leave(session_id, reason) => {
                let left: Vec<Presence> = self
                    .presences
                    .iter()
                    .filter(|(p, _)| p.session_id == session_id)
                    .map(|(p, _)| p.clone())
                    .collect();
                self.leave(left, reason).await
            }
            Command::Data(m) => {
                let member = self
                    .presences
                    .iter()
                    .any(|(p, _)| p.session_id == m.presence.session_id);
                if member {
                    if self.inbox.len() < INPUT_QUEUE_SIZE {
                        self.inbox.push(m);
                    } else {
                        self.registry.inner.log.warn(
                            "Match handler data processing too slow, dropping data message",
                            &[("mid", self.call.match_id.as_str().into())],
                        );
                    }
                }
                Next::Continue
            }
            Command::Signal(data, reply) => {
                let call = self.header(MatchEvent::Signal { data });
                // A signal that ends the match loses its reply: Nakama
                // answers its caller "match busy", as for a failed call.
                let (answer, next) = match self.event("match_signal", call).await {
                    Ok((answer, Next::Continue)) => (Ok(answer.reply), Next::Continue),
                    Ok((_, next)) => (Err(busy()), next),
                    Err(_) => (Err(busy()), Next::Failed),
                };
                self.unlist_if_ending(&next);
                let _ = reply.send(answer);
                next
            }
            Command::Tick(reply) => {
                let next = self.tick().await;
                self.unlist_if_ending(&next);
                let _ = reply.send(());
                next
            }
            Command::Reload(modules) => {
                if !Arc::ptr_eq(&self.modules, &modules) {
                    let _ = self.reload(modules, None).await;
                }
                Next::Continue
            }
            Command::ReloadHere(saved, reply) => {
                let _ = reply.send(self.reload(self.modules.clone(), saved).await);
                Next::Continue
            }
            Command::Terminate(grace_seconds, reply) => {
                let call = self.header(MatchEvent::Terminate { grace_seconds });
                let next = match self.event("match_terminate", call).await {
                    Ok((_, next)) => next,
                    Err(_) => Next::Failed,
                };
                self.unlist_if_ending(&next);
                let _ = reply.send(());
                next
            }
        }
    }

    /// Moves the match to reloaded `modules`: the old build saves the
    /// state, the new one restores it, the old one drops it. Any refusal
    /// on the way leaves the match where it was, its state untouched.
    async fn reload(&mut self, modules: Arc<Modules>, saved: Option<String>) -> Result<(), String> {
        let moved = self.move_to(modules, saved).await;
        let log = &self.registry.inner.log;
        let fields = [
            ("mid", self.call.match_id.as_str().into()),
            ("module", self.handler.as_str().into()),
        ];
        match &moved {
            Ok(()) => log.info("Match moved to the reloaded modules", &fields),
            Err(why) => log.info(
                "Match stays on the module build it started on",
                &[
                    fields[0].clone(),
                    fields[1].clone(),
                    ("reason", why.as_str().into()),
                ],
            ),
        }
        moved
    }

    async fn move_to(
        &mut self,
        modules: Arc<Modules>,
        stand_in: Option<String>,
    ) -> Result<(), String> {
        let no_handler = || "the reloaded modules have no match handler of this name".to_string();
        if !modules.has_match(&self.handler) {
            return Err(no_handler());
        }
        let save = self.header(MatchEvent::Save);
        let saved = match self
            .modules
            .call_match(&self.handler, &self.ctx, &save)
            .await
        {
            // A test's stand-in for an older build's state replaces it.
            Some(Ok(MatchAnswer {
                saved: Some(saved), ..
            })) => stand_in.unwrap_or(saved),
            Some(Ok(_)) => return Err("its build answered no saved state".into()),
            Some(Err(e)) => return Err(e.message),
            None => return Err("its build has no match handler of this name".into()),
        };
        let restore = MatchCall {
            state: 0,
            ..self.header(MatchEvent::Restore { saved })
        };
        let state = match modules.call_match(&self.handler, &self.ctx, &restore).await {
            Some(Ok(answer)) if answer.state != 0 => answer.state,
            Some(Ok(_)) => return Err("the new build answered no state".into()),
            Some(Err(e)) => return Err(e.message),
            None => return Err(no_handler()),
        };
        let drop = self.header(MatchEvent::Drop);
        let _ = self
            .modules
            .call_match(&self.handler, &self.ctx, &drop)
            .await;
        self.modules = modules;
        self.call.state = state;
        Ok(())
    }

    /// Takes an ending match out of the registry before its caller hears
    /// back, so that the caller finds it gone.
    fn unlist_if_ending(&self, next: &Next) {
        if !matches!(next, Next::Continue) {
            self.registry.remove(&self.call.match_id);
        }
    }

    async fn tick(&mut self) -> Next {
        let messages = std::mem::take(&mut self.inbox);
        let call = self.header(MatchEvent::Loop { messages });
        let started = std::time::Instant::now();
        let next = match self.event("match_loop", call).await {
            Ok((_, next)) => next,
            Err(_) => Next::Failed,
        };
        self.check_overrun(started.elapsed());
        if matches!(next, Next::Continue) && self.idle() {
            return Next::Idle;
        }
        self.call.tick += 1;
        next
    }

    /// Nakama's check after each tick: a match empty for
    /// `match.max_empty_sec` in a row stops (without `terminate`).
    fn idle(&mut self) -> bool {
        if self.max_empty_ticks == 0 {
            return false;
        }
        if !self.presences.is_empty() {
            self.empty_ticks = 0;
            return false;
        }
        self.empty_ticks += 1;
        if self.empty_ticks < self.max_empty_ticks {
            return false;
        }
        self.registry.inner.log.warn(
            "Stopping idle empty match",
            &[
                ("mid", self.call.match_id.as_str().into()),
                ("tick", self.call.tick.into()),
                ("empty_ticks", self.empty_ticks.into()),
            ],
        );
        true
    }

    /// Warns (the dev host's own help; Nakama says nothing) when a tick
    /// took longer than its period, so the match fell behind its tick
    /// rate: at once, then at most every [`OVERRUN_WARNING_EVERY`] with
    /// the count since.
    fn check_overrun(&mut self, took: Duration) {
        let budget = Duration::from_secs(1) / self.call.tick_rate.max(1);
        if let Some(metrics) = self.registry.inner.metrics.get() {
            metrics.match_tick(&self.handler, took, took > budget);
        }
        if took <= budget {
            return;
        }
        self.overruns += 1;
        let now = std::time::Instant::now();
        if self
            .overrun_warned
            .is_some_and(|at| now.duration_since(at) < OVERRUN_WARNING_EVERY)
        {
            return;
        }
        self.registry.inner.log.warn(
            "Match tick took longer than its period: the match runs behind its tick rate",
            &[
                ("mid", self.call.match_id.as_str().into()),
                ("tick", self.call.tick.into()),
                ("took_ms", (took.as_secs_f64() * 1000.0).into()),
                ("period_ms", (budget.as_secs_f64() * 1000.0).into()),
                ("overruns", self.overruns.into()),
            ],
        );
        self.overruns = 0;
        self.overrun_warned = Some(now);
    }

    async fn join_attempt(
        &mut self,
        req: JoinRequest,
        reply: oneshot::Sender<Result<Joined, JoinError>>,
    ) -> Next {
        let JoinRequest {
            mut ctx,
            presence,
            metadata,
            outbox,
        } = req;
        if self
            .presences
            .iter()
            .any(|(p, _)| p.session_id == presence.session_id)
        {
            // Already in: Nakama answers the match again, without a call,
            // listing every presence, this one included.
            let _ = reply.send(Ok(self.joined(None)));
            return Next::Continue;
        }
        ctx.execution_mode = mode::MATCH.into();
        ctx.node = self.ctx.node.clone();
        ctx.version = self.ctx.version.clone();
        let call = self.header(MatchEvent::JoinAttempt {
            presence: presence.clone(),
            metadata,
        });
        let answer = match self.call_with(&ctx, "match_join_attempt", call).await {
            Ok(answer) => answer,
            Err(_) => {
                let _ = reply.send(Err(JoinError::Rejected("Match join rejected".into())));
                return Next::Failed;
            }
        };
        let (accept, reason) = (answer.accept, answer.reason.clone());
        let next = self.apply(answer).await;
        self.unlist_if_ending(&next);
        if !matches!(next, Next::Continue) || !accept {
            let reason = if reason.is_empty() {
                "Match join rejected".to_string()
            } else {
                reason
            };
            let _ = reply.send(Err(JoinError::Rejected(reason)));
            return next;
        }
        self.presences.push((presence.clone(), outbox));
        self.set_size();
        let _ = reply.send(Ok(self.joined(Some(&presence))));
        self.presence_event(vec![presence.clone()], Vec::new());
        let call = self.header(MatchEvent::Join {
            presences: vec![presence],
        });
        match self.event("match_join", call).await {
            Ok((_, next)) => next,
            Err(_) => Next::Failed,
        }
    }

    /// The answer to a join: the presences in the match but `new`.
    fn joined(&self, new: Option<&Presence>) -> Joined {
        Joined {
            match_id: self.call.match_id.clone(),
            label: self.call.label.clone(),
            presences: self
                .presences
                .iter()
                .filter(|(p, _)| new.is_none_or(|n| p.session_id != n.session_id))
                .map(|(p, _)| p.clone())
                .collect(),
        }
    }

    /// Removes presences (left, disconnected or kicked), tells the others
    /// and the handler, each presence with `reason`. Kicks the handler
    /// asks for while told are handled in turn (reason
    /// [`PresenceReason::Leave`], as Nakama's kick untracks them).
    async fn leave(&mut self, first: Vec<Presence>, reason: PresenceReason) -> Next {
        let mut batches = VecDeque::from([(first, reason)]);
        while let Some((batch, reason)) = batches.pop_front() {
            let left: Vec<Presence> = batch
                .into_iter()
                .filter_map(|p| {
                    let at = self
                        .presences
                        .iter()
                        .position(|(q, _)| q.session_id == p.session_id)?;
                    // The match's own record of it, as Nakama's tracker
                    // has it, whatever the caller's copy says.
                    let (mut left, _) = self.presences.remove(at);
                    left.reason = reason;
                    Some(left)
                })
                .collect();
            if left.is_empty() {
                continue;
            }
            self.set_size();
            self.presence_event(Vec::new(), left.clone());
            let call = self.header(MatchEvent::Leave { presences: left });
            let answer = match self.call_with(&self.ctx.clone(), "match_leave", call).await {
                Ok(answer) => answer,
                Err(_) => return Next::Failed,
            };
            for a in &answer.actions {
                if let MatchAction::Kick { presences } = a {
                    batches.push_back((presences.clone(), PresenceReason::Leave));
                }
            }
            let next = self.apply_except_kicks(answer);
            if !matches!(next, Next::Continue) {
                return next;
            }
        }
        Next::Continue
    }

    /// One call with the match's own context, its answer applied.
    async fn event(
        &mut self,
        what: &str,
        call: MatchCall,
    ) -> Result<(MatchAnswer, Next), CallError> {
        let ctx = self.ctx.clone();
        let mut answer = self.call_with(&ctx, what, call).await?;
        let reply = std::mem::take(&mut answer.reply);
        let next = self.apply(answer).await;
        Ok((
            MatchAnswer {
                reply,
                ..MatchAnswer::default()
            },
            next,
        ))
    }

    async fn call_with(
        &self,
        ctx: &ContextData,
        what: &str,
        call: MatchCall,
    ) -> Result<MatchAnswer, CallError> {
        let result = self
            .modules
            .call_match(&self.handler, ctx, &call)
            .await
            .unwrap_or_else(|| Err(CallError::new(Code::NotFound, "match handler is gone")));
        if let Err(e) = &result {
            self.registry.inner.log.warn(
                &format!("Stopping match after error from {what} execution"),
                &[
                    ("mid", self.call.match_id.as_str().into()),
                    ("tick", self.call.tick.into()),
                    ("error", e.to_string().into()),
                ],
            );
        }
        result
    }

    /// Applies an answer's actions; kicks run the leave flow.
    async fn apply(&mut self, mut answer: MatchAnswer) -> Next {
        let mut kicks = Vec::new();
        answer.actions.retain(|a| match a {
            MatchAction::Kick { presences } => {
                kicks.push(presences.clone());
                false
            }
            _ => true,
        });
        let next = self.apply_except_kicks(answer);
        if !matches!(next, Next::Continue) {
            return next;
        }
        for batch in kicks {
            let next = self.leave(batch, PresenceReason::Leave).await;
            if !matches!(next, Next::Continue) {
                return next;
            }
        }
        Next::Continue
    }

    fn apply_except_kicks(&mut self, answer: MatchAnswer) -> Next {
        for a in answer.actions {
            match a {
                MatchAction::Broadcast { deferred: true, .. } => self.deferred.push(a),
                MatchAction::Broadcast { .. } => self.broadcast(a),
                MatchAction::Label { label } => {
                    lock(&self.info).label.clone_from(&label);
                    self.call.label = label;
                }
                MatchAction::Kick { .. } => {}
            }
        }
        for a in std::mem::take(&mut self.deferred) {
            self.broadcast(a);
        }
        if answer.stop {
            Next::Stopped
        } else {
            Next::Continue
        }
    }

    fn broadcast(&self, a: MatchAction) {
        let MatchAction::Broadcast {
            op_code,
            data,
            presences,
            sender,
            reliable,
            ..
        } = a
        else {
            return;
        };
        let out = Outbound::Data {
            match_id: self.call.match_id.clone(),
            sender,
            op_code,
            data,
            reliable,
        };
        for (p, outbox) in &self.presences {
            let wanted = presences
                .as_ref()
                .is_none_or(|to| to.iter().any(|t| t.session_id == p.session_id));
            if wanted {
                let _ = outbox.send(out.clone());
            }
        }
    }

    fn presence_event(&self, joins: Vec<Presence>, leaves: Vec<Presence>) {
        let out = Outbound::Presences {
            match_id: self.call.match_id.clone(),
            joins,
            leaves,
        };
        for (_, outbox) in &self.presences {
            let _ = outbox.send(out.clone());
        }
    }

    fn set_size(&self) {
        let mut info = lock(&self.info);
        info.size = self.presences.len();
        info.presences = self.presences.iter().map(|(p, _)| p.clone()).collect();
    }

    fn header(&self, event: MatchEvent) -> MatchCall {
        MatchCall {
            state: self.call.state,
            match_id: self.call.match_id.clone(),
            node: self.call.node.clone(),
            label: self.call.label.clone(),
            tick_rate: self.call.tick_rate,
            tick: self.call.tick,
            event,
        }
    }
}
