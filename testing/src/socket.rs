//! A user's open socket in a test ([`TestHost::connect`]): what it
//! receives, and the realtime messages it sends.

use std::sync::Mutex;

use nakama_devhost::channels::Channels;
use nakama_devhost::db::Clock;
use nakama_devhost::events::{session_event, Events};
use nakama_devhost::matchmaker::Matchmaker;
use nakama_devhost::online::{Matched, Online, Outbound};
use nakama_runtime::{api, Code, Error};
use nakama_runtime_host::abi::ContextData;
use nakama_runtime_host::EventKind;

use crate::{new_session_id, MatchmakerAdd, TestHost, User};

impl TestHost {
    /// An open socket of `user`, as a connected client has: the
    /// notifications modules send the user reach it, persistent or not,
    /// until it is dropped.
    pub fn connect(&self, user: &User) -> Connection {
        let (outbox, inbox) = nakama_devhost::online::Outbox::unlimited();
        let session_id = new_session_id();
        self.online.connect(&user.id, &session_id, outbox.clone());
        let event_ctx = ContextData {
            user_id: Some(user.id.clone()),
            username: Some(user.username().to_string()),
            session_id: Some(session_id.clone()),
            lang: Some("en".into()),
            ..Default::default()
        };
        self.events.publish(
            EventKind::SessionStart,
            event_ctx.clone(),
            session_event("session_start", self.db.clock().now(), None),
        );
        Connection {
            events: self.events.clone(),
            event_ctx,
            clock: self.db.clock().clone(),
            online: self.online.clone(),
            matchmaker: self.matchmaker.clone(),
            channels: self.recorder.inner.channels.clone(),
            outbox,
            user_id: user.id.clone(),
            username: user.username().to_string(),
            session_id,
            inbox: Mutex::new(inbox),
            pending: Mutex::new(Vec::new()),
        }
    }
}

/// A user's open socket ([`TestHost::connect`]); closed when dropped
/// (which also takes its matchmaker tickets away, as in Nakama).
pub struct Connection {
    online: Online,
    matchmaker: Matchmaker,
    channels: Channels,
    /// Where the host's pushes to this socket go (`inbox` reads them).
    outbox: nakama_devhost::online::Outbox,
    user_id: String,
    username: String,
    session_id: String,
    inbox: Mutex<tokio::sync::mpsc::UnboundedReceiver<Outbound>>,
    /// Pushes received but not asked for yet.
    pending: Mutex<Vec<Outbound>>,
    /// Where its end is an event, with its context and time.
    events: Events,
    event_ctx: ContextData,
    clock: Clock,
}

impl Connection {
    /// The session id of this socket.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The notifications pushed to this socket since the last call, oldest
    /// first.
    pub fn notifications(&self) -> Vec<api::Notification> {
        self.take(|o| matches!(o, Outbound::Notifications(_)))
            .into_iter()
            .flat_map(|o| match o {
                Outbound::Notifications(ns) => ns,
                _ => Vec::new(),
            })
            .collect()
    }

    /// This socket's presence, as servers name it.
    fn presence(&self) -> nakama_runtime::Presence {
        nakama_runtime::Presence {
            user_id: self.user_id.clone(),
            session_id: self.session_id.clone(),
            username: self.username.clone(),
            node: "test".into(),
            ..nakama_runtime::Presence::default()
        }
    }

    /// `channel_join` of chat room `room` from this socket (its messages
    /// stored, not hidden), as a client joins: answers the channel's id
    /// (`2...room`), or Nakama's refusal (`InvalidArgument`). From then on
    /// [`Connection::channel_messages`] has what is sent to the room, by
    /// clients or by modules (`nk.channel_message_send`).
    pub async fn join_room(&self, room: &str) -> Result<String, Error> {
        let req = nakama_devhost::channels::JoinRequest {
            target: room.to_string(),
            kind: nakama_devhost::channels::kind::ROOM,
            ..Default::default()
        };
        let joined = self
            .channels
            .join(&self.presence(), &self.outbox, &req)
            .await;
        joined
            .map(|j| j.stream.channel_id())
            .map_err(|r| Error::new(Code::InvalidArgument, r.message))
    }

    /// The chat messages pushed to this socket since the last call, oldest
    /// first (sends, updates and removals: see their `code`).
    pub fn channel_messages(&self) -> Vec<api::ChannelMessage> {
        self.take(|o| matches!(o, Outbound::ChannelMessage(_)))
            .into_iter()
            .filter_map(|o| match o {
                Outbound::ChannelMessage(m) => Some(*m),
                _ => None,
            })
            .collect()
    }

    /// `matchmaker_add` from this socket: answers the ticket, or the
    /// refusal (`InvalidArgument` for Nakama's bad-input answers,
    /// `Internal` for its "Error adding to matchmaker").
    pub fn matchmaker_add(&self, ticket: &MatchmakerAdd) -> Result<String, Error> {
        self.matchmaker.add(&self.presence(), ticket).map_err(|e| {
            let code = if e.is_bad_input() {
                Code::InvalidArgument
            } else {
                Code::Internal
            };
            Error::new(code, e.to_string())
        })
    }

    /// `matchmaker_remove` of one of this socket's tickets.
    pub fn matchmaker_remove(&self, ticket: &str) -> Result<(), Error> {
        self.matchmaker
            .remove(&self.session_id, ticket)
            .map_err(|e| Error::new(Code::NotFound, e.to_string()))
    }

    /// The `matchmaker_matched` pushes this socket received since the last
    /// call (see [`TestHost::matchmaker_process`]).
    pub fn matched(&self) -> Vec<Matched> {
        self.take(|o| matches!(o, Outbound::Matched(_)))
            .into_iter()
            .filter_map(|o| match o {
                Outbound::Matched(m) => Some(m),
                _ => None,
            })
            .collect()
    }

    /// Takes the pushes `wanted` picks, keeping the others for later calls.
    fn take(&self, wanted: impl Fn(&Outbound) -> bool) -> Vec<Outbound> {
        let mut pending = self.pending.lock().unwrap();
        let mut inbox = self.inbox.lock().unwrap();
        pending.extend(std::iter::from_fn(|| inbox.try_recv().ok()));
        let (taken, kept) = pending.drain(..).partition(|o| wanted(o));
        *pending = kept;
        taken
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.events.publish(
            EventKind::SessionEnd,
            self.event_ctx.clone(),
            session_event("session_end", self.clock.now(), Some("")),
        );
        self.online.disconnect(&self.user_id, &self.session_id);
        self.matchmaker.remove_session(&self.session_id);
        self.channels.leave_all(&self.session_id);
    }
}
