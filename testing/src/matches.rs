//! Authoritative matches in a test: started, joined and ticked when the
//! test asks ([`TestHost::match_create`] and the methods after it).

use std::sync::Mutex;

use nakama_devhost::matches::{JoinError, JoinRequest, Matches};
use nakama_devhost::online::Outbound;
use nakama_runtime::{api, Code, Error, MatchMessage, Presence};
use nakama_runtime_host::abi::{mode, ContextData};
use serde::{de::DeserializeOwned, Serialize};

use crate::{new_session_id, to_error, Call, TestHost, User};

/// Authoritative matches: start them, join them as users, send them
/// messages and run their ticks one at a time.
///
/// ```ignore
/// let id = host.match_create("arena", json!({"max_players": 2})).await.unwrap();
/// let ann = host.match_join(&id, &alice, &[("name", "ann")]).await.unwrap();
/// ann.send(1, br#"{"x":1,"y":2}"#);
/// host.match_tick(&id).await;                 // the handler's tick runs now
/// assert_eq!(ann.received()[0].op_code, 2);
/// ```
impl TestHost {
    /// `match_create`: starts a match of the handler registered as
    /// `module`. Its ticks run only on [`TestHost::match_tick`].
    pub async fn match_create(
        &self,
        module: &str,
        params: serde_json::Value,
    ) -> Result<String, Error> {
        let params = match params {
            serde_json::Value::Object(map) => map,
            serde_json::Value::Null => serde_json::Map::new(),
            other => {
                return Err(Error::new(
                    Code::InvalidArgument,
                    format!("match params must be a JSON object, not {other}"),
                ))
            }
        };
        self.matches.create(module, params).await.map_err(to_error)
    }

    /// Joins `user` to a match, as a client's `match_join` with this
    /// metadata: the handler's join attempt, then (accepted) its join.
    /// A refusal is `Code::NotFound` ("Match not found") or
    /// `Code::PermissionDenied` with the handler's reason.
    pub async fn match_join(
        &self,
        match_id: &str,
        user: &User,
        metadata: &[(&str, &str)],
    ) -> Result<MatchClient, Error> {
        let presence = Presence {
            user_id: user.id.clone(),
            session_id: new_session_id(),
            username: user.username.clone(),
            node: "test".into(),
            ..Presence::default()
        };
        let (outbox, inbox) = nakama_devhost::online::Outbox::unlimited();
        let req = JoinRequest {
            ctx: ContextData {
                user_id: Some(user.id.clone()),
                username: Some(user.username.clone()),
                session_id: Some(presence.session_id.clone()),
                ..Default::default()
            },
            presence: presence.clone(),
            metadata: metadata
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            outbox,
        };
        match self.matches.join(match_id, req).await {
            Ok(joined) => Ok(MatchClient {
                match_id: joined.match_id,
                presence,
                others: joined.presences,
                label: joined.label,
                inbox: Mutex::new(inbox),
                matches: self.matches.clone(),
            }),
            Err(JoinError::NotFound) => Err(Error::new(Code::NotFound, "Match not found")),
            Err(JoinError::Rejected(reason)) => Err(Error::new(Code::PermissionDenied, reason)),
        }
    }

    /// Runs one tick of the match (its handler's `tick`, with the messages
    /// sent since the last), and returns once it has run. `false`: the
    /// match is not running (it never was, or it stopped).
    pub async fn match_tick(&self, match_id: &str) -> bool {
        self.matches.tick(match_id).await
    }

    /// The host is stopping: the match's `terminate` runs with
    /// `grace_seconds`; answers once it has. `false`: no such match.
    pub async fn match_terminate(&self, match_id: &str, grace_seconds: i64) -> bool {
        self.matches.terminate(match_id, grace_seconds).await
    }

    /// `match_signal`.
    pub async fn match_signal(&self, match_id: &str, data: &str) -> Result<String, Error> {
        self.matches.signal(match_id, data).await.map_err(to_error)
    }

    /// `nk.match_signal_typed` as a handler of `call` sends it: the
    /// match's [`Signal::answer`](nakama_runtime::matches::Signal::answer)
    /// sees `call`'s user as its caller (none for [`Call::default`]).
    pub async fn match_signal_typed<S: nakama_runtime::matches::MatchSignal>(
        &self,
        call: &Call,
        match_id: &str,
        signal: &S,
    ) -> Result<S::Reply, Error> {
        let ctx =
            nakama_runtime::Context::from_data(self.context(call, mode::RPC), self.background());
        self.nk().match_signal_typed(&ctx, match_id, signal).await
    }

    /// What a dev host reload does to a running match, with the module
    /// reloaded as it is: a handler registered with `keep_state_on_reload`
    /// has its state saved as JSON and read back, and the match goes on
    /// with that (a field under `#[serde(skip)]` comes back as its
    /// default). `FAILED_PRECONDITION` with the reason when the match
    /// would stay on its build (a handler that does not keep its state, a
    /// state that does not read back); `NOT_FOUND` for no such match.
    pub async fn match_reload(&self, match_id: &str) -> Result<(), Error> {
        self.matches
            .reload_match(match_id, None)
            .await
            .map_err(to_error)
    }

    /// [`Self::match_reload`] as if an older build had saved `older` (its
    /// state as JSON: the older type, or `serde_json::json!({..})`): the
    /// handler reads it as its own type or through its `migrate_from`
    /// migrations, and the match goes on with what they made. Errors as
    /// `match_reload`'s, the reason saying what each attempt met.
    pub async fn match_reload_from<S: Serialize + ?Sized>(
        &self,
        match_id: &str,
        older: &S,
    ) -> Result<(), Error> {
        let older = serde_json::to_string(older)
            .map_err(|e| Error::invalid_argument(format!("the older state is not JSON: {e}")))?;
        self.matches
            .reload_match(match_id, Some(older))
            .await
            .map_err(to_error)
    }

    /// `match_get`: `None` once the match has stopped.
    pub async fn match_get(&self, match_id: &str) -> Option<api::Match> {
        self.matches.get(match_id).ok().flatten()
    }
}

/// One user's session in a match ([`TestHost::match_join`]).
pub struct MatchClient {
    match_id: String,
    presence: Presence,
    others: Vec<Presence>,
    label: String,
    inbox: Mutex<tokio::sync::mpsc::UnboundedReceiver<Outbound>>,
    matches: Matches,
}

/// A message a match sent a client.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub op_code: i64,
    pub data: Vec<u8>,
    /// `None`: from the server.
    pub sender: Option<Presence>,
}

impl Received {
    /// The data as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.data).unwrap_or_else(|e| {
            panic!(
                "op code {} data is not the JSON expected: {e}: {}",
                self.op_code,
                String::from_utf8_lossy(&self.data)
            )
        })
    }

    /// The typed message ([`MatchMessage`]); panics naming the problem
    /// when it is not one.
    pub fn msg<M: MatchMessage>(&self) -> M {
        M::decode(self.op_code, &self.data).unwrap_or_else(|e| panic!("{}", e.message()))
    }
}

/// A presence event a client saw.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PresenceEvent {
    pub joins: Vec<Presence>,
    pub leaves: Vec<Presence>,
}

impl std::fmt::Debug for MatchClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchClient")
            .field("match_id", &self.match_id)
            .field("presence", &self.presence)
            .finish_non_exhaustive()
    }
}

impl MatchClient {
    /// This session's presence, as the handler sees it.
    pub fn presence(&self) -> &Presence {
        &self.presence
    }

    /// The other presences in the match when this one joined.
    pub fn others(&self) -> &[Presence] {
        &self.others
    }

    /// The match label when this one joined.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// A message for the match's next tick (a client's `match_data_send`).
    pub fn send(&self, op_code: i64, data: impl Into<Vec<u8>>) {
        self.matches
            .send(&self.match_id, &self.presence, op_code, data.into(), true);
    }

    /// A typed message ([`MatchMessage`]) for the match's next tick.
    pub fn send_msg<M: MatchMessage>(&self, m: &M) {
        let data = m
            .encode()
            .unwrap_or_else(|e| panic!("encoding the message: {}", e.message()));
        self.send(m.op_code(), data);
    }

    /// Leaves the match (a client's `match_leave`). The handler's `leave`
    /// runs before the next tick.
    pub fn leave(&self) {
        self.matches
            .leave(&self.match_id, &self.presence.session_id);
    }

    /// This session's socket closes: the handler's `leave` runs before
    /// the next tick, the presence with [`PresenceReason::Disconnect`]
    /// (where [`leave`](MatchClient::leave) gives `Leave`).
    ///
    /// [`PresenceReason::Disconnect`]: nakama_runtime::PresenceReason::Disconnect
    pub fn disconnect(&self) {
        self.matches.leave_all(
            &self.presence.session_id,
            nakama_runtime::PresenceReason::Disconnect,
        );
    }

    /// The match messages received since the last call, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.drain()
            .into_iter()
            .filter_map(|o| match o {
                Outbound::Data {
                    sender,
                    op_code,
                    data,
                    ..
                } => Some(Received {
                    op_code,
                    data,
                    sender,
                }),
                _ => None,
            })
            .collect()
    }

    /// The presence events received since the last call (and drops the
    /// messages received meanwhile).
    pub fn presence_events(&self) -> Vec<PresenceEvent> {
        self.drain()
            .into_iter()
            .filter_map(|o| match o {
                Outbound::Presences { joins, leaves, .. } => Some(PresenceEvent { joins, leaves }),
                _ => None,
            })
            .collect()
    }

    fn drain(&self) -> Vec<Outbound> {
        let mut inbox = self.inbox.lock().unwrap();
        std::iter::from_fn(|| inbox.try_recv().ok()).collect()
    }
}
