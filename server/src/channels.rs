//! Chat channels as Nakama 3.40.0 runs them (server/core_channel.go,
//! pipeline_channel.go, api_channel.go, and the tracker's presence events):
//! who is in which channel, the messages sent, updated and removed in
//! them, and their stored history.
//!
//! - A channel is one of Nakama's presence streams: a room (mode 2, its
//!   name the stream's label), a group (mode 3, the group id the subject)
//!   or a direct chat (mode 4, the two user ids as subject and
//!   subcontext, the smaller one first). Its id is the stream written as
//!   `<mode>.<subject>.<subcontext>.<label>`: `2...lobby`,
//!   `3.<group id>..`, `4.<user id>.<user id>.`.
//! - A session joins with a persistence (whether what it sends is stored;
//!   default true) and may join hidden (not listed, no presence events;
//!   it still receives the messages and the others' events). Joining a
//!   channel the session is in already changes nothing and lists it among
//!   the presences.
//! - Messages go to every session in the channel, the sender's included,
//!   as Nakama's `SendToStream`; the sender's answer (`channel_message_ack`)
//!   comes after its own copy.
//! - A message is stored when its sender joined with persistence; an
//!   update or removal of a stored message changes the sender's own
//!   message, found by id alone (as Nakama's queries do), and one sent
//!   without persistence touches nothing stored.
//! - The dev host has no groups: a group channel is refused as Nakama
//!   refuses an unknown group. It has no friends or blocks either: a
//!   direct chat needs only the other user to exist (in Nakama, also not
//!   to have blocked the caller). The first time a session joins a direct
//!   chat the other user is not in, that user gets Nakama's persistent
//!   "wants to chat" notification (code -1).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use nakama_runtime_host::abi::api;
use nakama_runtime_host::abi::matches::Presence;
use nakama_runtime_host::abi::nk;
use uuid::Uuid;

use crate::db::{self, Db};
use crate::log::Logger;
use crate::online::{Online, Outbound, Outbox};
use crate::realtime::error_code;

/// Nakama's stream modes of the three kinds of channel.
pub const MODE_ROOM: u8 = 2;
pub const MODE_GROUP: u8 = 3;
pub const MODE_DIRECT: u8 = 4;

/// `ChannelJoin.Type`.
pub mod kind {
    pub const UNSPECIFIED: i32 = 0;
    pub const ROOM: i32 = 1;
    pub const DIRECT_MESSAGE: i32 = 2;
    pub const GROUP: i32 = 3;
}

/// Nakama's message codes of chat messages.
pub mod code {
    pub const CHAT: i32 = 0;
    pub const CHAT_UPDATE: i32 = 1;
    pub const CHAT_REMOVE: i32 = 2;
}

/// Nakama's notification code of a direct chat request.
pub const NOTIFICATION_DM_REQUEST: i32 = -1;

/// A channel's stream: Nakama's `PresenceStream` of mode 2, 3 or 4 (nil
/// UUIDs stand for no subject or subcontext).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Stream {
    pub mode: u8,
    pub subject: Uuid,
    pub subcontext: Uuid,
    pub label: String,
}

/// What a message or event names its channel by, beside its id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub room_name: String,
    pub group_id: String,
    pub user_id_one: String,
    pub user_id_two: String,
}

impl Stream {
    /// Nakama's `StreamToChannelId`.
    pub fn channel_id(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.mode,
            id_or_empty(&self.subject),
            id_or_empty(&self.subcontext),
            self.label
        )
    }

    /// Nakama's `ChannelIdToStream`: `None` for an id it refuses.
    pub fn parse(channel_id: &str) -> Option<Stream> {
        let parts: Vec<&str> = channel_id.splitn(4, '.').collect();
        let [mode, subject, subcontext, label] = parts[..] else {
            return None;
        };
        let uuid_or_nil = |s: &str| {
            if s.is_empty() {
                Some(Uuid::nil())
            } else {
                go_uuid(s)
            }
        };
        let stream = |mode, subject, subcontext, label: &str| Stream {
            mode,
            subject,
            subcontext,
            label: label.to_string(),
        };
        match mode {
            "2" => {
                let named = !label.is_empty() && label.len() <= 64;
                (subject.is_empty() && subcontext.is_empty() && named)
                    .then(|| stream(MODE_ROOM, Uuid::nil(), Uuid::nil(), label))
            }
            "3" => {
                if !subcontext.is_empty() || !label.is_empty() {
                    return None;
                }
                Some(stream(MODE_GROUP, uuid_or_nil(subject)?, Uuid::nil(), ""))
            }
            "4" => {
                if !label.is_empty() {
                    return None;
                }
                Some(stream(
                    MODE_DIRECT,
                    uuid_or_nil(subject)?,
                    uuid_or_nil(subcontext)?,
                    "",
                ))
            }
            _ => None,
        }
    }

    /// The names a message on this channel carries (Nakama writes the
    /// subject and subcontext in full, nil or not).
    pub fn message_names(&self) -> Names {
        match self.mode {
            MODE_ROOM => Names {
                room_name: self.label.clone(),
                ..Default::default()
            },
            MODE_GROUP => Names {
                group_id: self.subject.to_string(),
                ..Default::default()
            },
            _ => Names {
                user_id_one: self.subject.to_string(),
                user_id_two: self.subcontext.to_string(),
                ..Default::default()
            },
        }
    }
}

/// A stream's subject or subcontext as an id writes it: empty when nil.
fn id_or_empty(u: &Uuid) -> String {
    if u.is_nil() {
        String::new()
    } else {
        u.to_string()
    }
}

/// A UUID as Nakama's (gofrs) `uuid.FromString` reads it: canonical or 32
/// hex digits, either braced or after `urn:uuid:`, any case.
pub fn go_uuid(s: &str) -> Option<Uuid> {
    let inner = match s.len() {
        32 | 36 => s,
        34 | 38 => s.strip_prefix('{')?.strip_suffix('}')?,
        41 | 45 => s.strip_prefix("urn:uuid:")?,
        _ => return None,
    };
    if inner.len() == 36 {
        let b = inner.as_bytes();
        if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
            return None;
        }
    }
    // 32 or 36 characters: the uuid crate's simple and hyphenated forms.
    Uuid::try_parse(inner).ok()
}

/// Unix nanoseconds now.
pub fn now_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// A session in a channel, as presences and events list it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelPresence {
    pub presence: Presence,
    /// Whether what it sends is stored.
    pub persistence: bool,
}

/// A `channel_presence_event`: who joined or left `stream`.
#[derive(Debug, Clone, PartialEq)]
pub struct PresenceEvent {
    pub stream: Stream,
    pub joins: Vec<ChannelPresence>,
    pub leaves: Vec<ChannelPresence>,
}

impl PresenceEvent {
    /// The names an event carries: the tracker's, whose subject and
    /// subcontext are empty when nil.
    pub fn names(&self) -> Names {
        let s = &self.stream;
        match s.mode {
            MODE_ROOM => Names {
                room_name: s.label.clone(),
                ..Default::default()
            },
            MODE_GROUP => Names {
                group_id: id_or_empty(&s.subject),
                ..Default::default()
            },
            _ => Names {
                user_id_one: id_or_empty(&s.subject),
                user_id_two: id_or_empty(&s.subcontext),
                ..Default::default()
            },
        }
    }
}

/// Why a realtime channel request was refused: an rtapi error code and
/// Nakama's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: i32,
    pub message: String,
}

fn bad_input(message: &str) -> Refusal {
    Refusal {
        code: error_code::BAD_INPUT,
        message: message.to_string(),
    }
}

fn runtime(message: &str) -> Refusal {
    Refusal {
        code: error_code::RUNTIME_EXCEPTION,
        message: message.to_string(),
    }
}

/// What a `channel_join` asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JoinRequest {
    pub target: String,
    /// `ChannelJoin.Type`.
    pub kind: i32,
    /// Absent: true.
    pub persistence: Option<bool>,
    /// Absent: false.
    pub hidden: Option<bool>,
}

/// A joined channel, as the `channel` answer shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    pub stream: Stream,
    /// The others in it that are not hidden (and this session too, when
    /// it was in already).
    pub presences: Vec<ChannelPresence>,
    /// This session, with the persistence it asked for.
    pub me: ChannelPresence,
}

/// Why a history listing was refused (api_channel.go's answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryError {
    /// "Cursor is invalid or expired."
    BadCursor,
    /// "Group not found."
    GroupNotFound,
    /// "Channel not found.": a direct chat of others.
    NotFound,
    /// "Error listing messages from channel."
    Internal,
}

struct Member {
    presence: Presence,
    persistence: bool,
    hidden: bool,
    outbox: Outbox,
}

impl Member {
    fn listed(&self) -> ChannelPresence {
        ChannelPresence {
            presence: self.presence.clone(),
            persistence: self.persistence,
        }
    }
}

/// The channels of one host: their members (by stream) and the database
/// their history is kept in.
#[derive(Clone)]
pub struct Channels {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    online: Online,
    log: Logger,
    streams: Mutex<HashMap<Stream, Vec<Member>>>,
}

impl Channels {
    pub fn new(db: Db, online: Online, log: Logger) -> Channels {
        Channels {
            inner: Arc::new(Inner {
                db,
                online,
                log,
                streams: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn streams(&self) -> std::sync::MutexGuard<'_, HashMap<Stream, Vec<Member>>> {
        self.inner.streams.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Nakama's `BuildChannelId`: the stream a join names, or its refusal.
    async fn target(&self, user_id: &str, target: &str, kind: i32) -> Result<Stream, Refusal> {
        const INVALID_TARGET: &str = "Invalid channel target";
        let invalid = |why: &str| bad_input(&format!("{why}: {INVALID_TARGET}"));
        if target.is_empty() {
            return Err(bad_input(INVALID_TARGET));
        }
        match kind {
            kind::UNSPECIFIED | kind::ROOM => {
                if target.len() > 64 {
                    return Err(invalid("Channel name is required and must be 1-64 chars"));
                }
                // POSIX [[:cntrl:]]: ASCII control characters.
                if target.bytes().any(|b| b < 0x20 || b == 0x7f) {
                    return Err(invalid("Channel name must not contain control chars"));
                }
                Ok(Stream {
                    mode: MODE_ROOM,
                    subject: Uuid::nil(),
                    subcontext: Uuid::nil(),
                    label: target.to_string(),
                })
            }
            kind::DIRECT_MESSAGE => {
                let other = go_uuid(target)
                    .filter(|u| !u.is_nil())
                    .ok_or_else(|| invalid("Invalid user ID in direct message join"))?;
                let me = go_uuid(user_id).unwrap_or_default();
                let id = other.to_string();
                let exists = self
                    .inner
                    .db
                    .run(move |c| db::user_exists(c, &id))
                    .await
                    .map_err(|_| runtime("Failed to look up user ID"))?;
                if !exists {
                    return Err(invalid("User ID not found"));
                }
                // The pair in a consistent order, the smaller id first.
                let (subject, subcontext) = if other.to_string() > me.to_string() {
                    (me, other)
                } else {
                    (other, me)
                };
                Ok(Stream {
                    mode: MODE_DIRECT,
                    subject,
                    subcontext,
                    label: String::new(),
                })
            }
            kind::GROUP => {
                if go_uuid(target).is_none() {
                    return Err(invalid("Invalid group ID in group channel join"));
                }
                // No groups on the dev host: every group is one the caller
                // is not a member of.
                Err(invalid("Group not found"))
            }
            _ => Err(bad_input("Invalid channel type")),
        }
    }

    /// `channel_join`: puts the session in the channel `req` names.
    /// Presence events go out to the channel (the joiner's own included)
    /// before this returns: a caller that wants its answer first holds its
    /// pushes meanwhile.
    pub async fn join(
        &self,
        who: &Presence,
        outbox: &Outbox,
        req: &JoinRequest,
    ) -> Result<Joined, Refusal> {
        let stream = self.target(&who.user_id, &req.target, req.kind).await?;
        let persistence = req.persistence.unwrap_or(true);
        let hidden = req.hidden.unwrap_or(false);
        let (is_new, listed) = {
            let mut streams = self.streams();
            let members = streams.entry(stream.clone()).or_default();
            let is_new = !members
                .iter()
                .any(|m| m.presence.session_id == who.session_id);
            if is_new {
                members.push(Member {
                    presence: who.clone(),
                    persistence,
                    hidden,
                    outbox: outbox.clone(),
                });
                if !hidden {
                    let event = Outbound::ChannelPresences(PresenceEvent {
                        stream: stream.clone(),
                        joins: vec![ChannelPresence {
                            presence: who.clone(),
                            persistence,
                        }],
                        leaves: Vec::new(),
                    });
                    for m in members.iter() {
                        let _ = m.outbox.send(event.clone());
                    }
                }
            }
            let listed: Vec<ChannelPresence> = members
                .iter()
                .filter(|m| !m.hidden)
                .map(Member::listed)
                .collect();
            (is_new, listed)
        };
        if is_new && stream.mode == MODE_DIRECT {
            let other = if who.user_id == stream.subject.to_string() {
                stream.subcontext
            } else {
                stream.subject
            };
            let other = other.to_string();
            if !listed.iter().any(|p| p.presence.user_id == other) {
                self.chat_request(who, other).await;
            }
        }
        let presences = listed
            .into_iter()
            .filter(|p| !(is_new && p.presence.session_id == who.session_id))
            .collect();
        Ok(Joined {
            stream,
            presences,
            me: ChannelPresence {
                presence: who.clone(),
                persistence,
            },
        })
    }

    /// Nakama's "wants to chat" notification to `other`: stored and sent
    /// to their open sockets; a failure is logged.
    async fn chat_request(&self, who: &Presence, other: String) {
        let mut content = serde_json::Map::new();
        content.insert("username".into(), who.username.clone().into());
        let send = nk::NotificationSendArgs {
            user_id: other.clone(),
            subject: format!("{} wants to chat", who.username),
            content,
            code: NOTIFICATION_DM_REQUEST,
            sender_id: who.user_id.clone(),
            persistent: true,
        };
        match self
            .inner
            .db
            .run(move |c| db::notification_send(c, &send))
            .await
        {
            Ok(n) => self.inner.online.notify(&other, vec![n]),
            Err(e) => self.inner.log.warn(
                "Failed to send channel direct message notification",
                &[("error", e.message.into())],
            ),
        }
    }

    /// `channel_leave`: takes the session out of the channel `channel_id`
    /// names (nothing if it is not in it); the others are told unless it
    /// was hidden.
    pub fn leave(&self, session_id: &str, channel_id: &str) -> Result<(), Refusal> {
        let stream =
            Stream::parse(channel_id).ok_or_else(|| bad_input("Invalid channel identifier"))?;
        let mut streams = self.streams();
        if let Some(members) = streams.get_mut(&stream) {
            if let Some(at) = members
                .iter()
                .position(|m| m.presence.session_id == session_id)
            {
                let left = members.remove(at);
                Self::tell_leave(&stream, members, &left);
                if members.is_empty() {
                    streams.remove(&stream);
                }
            }
        }
        Ok(())
    }

    /// A closed socket leaves every channel it was in.
    pub fn leave_all(&self, session_id: &str) {
        let mut streams = self.streams();
        streams.retain(|stream, members| {
            if let Some(at) = members
                .iter()
                .position(|m| m.presence.session_id == session_id)
            {
                let left = members.remove(at);
                Self::tell_leave(stream, members, &left);
            }
            !members.is_empty()
        });
    }

    fn tell_leave(stream: &Stream, members: &[Member], left: &Member) {
        if left.hidden {
            return;
        }
        let event = Outbound::ChannelPresences(PresenceEvent {
            stream: stream.clone(),
            joins: Vec::new(),
            leaves: vec![left.listed()],
        });
        for m in members {
            let _ = m.outbox.send(event.clone());
        }
    }

    /// The persistence a session joined `stream` with; `None` when it is
    /// not in it.
    fn persistence(&self, stream: &Stream, who: &Presence) -> Option<bool> {
        self.streams().get(stream).and_then(|members| {
            members
                .iter()
                .find(|m| {
                    m.presence.session_id == who.session_id && m.presence.user_id == who.user_id
                })
                .map(|m| m.persistence)
        })
    }

    /// Sends a message to everyone in the channel.
    fn deliver(&self, stream: &Stream, message: &api::ChannelMessage) {
        if let Some(members) = self.streams().get(stream) {
            for m in members {
                let _ = m
                    .outbox
                    .send(Outbound::ChannelMessage(Box::new(message.clone())));
            }
        }
    }

    /// The checks every message request starts with: the channel id, the
    /// content (when there is one), then the session being in the
    /// channel. Answers the stream and the session's persistence.
    fn check(
        &self,
        who: &Presence,
        channel_id: &str,
        content: Option<&str>,
        verb: &str,
    ) -> Result<(Stream, bool), Refusal> {
        let stream =
            Stream::parse(channel_id).ok_or_else(|| bad_input("Invalid channel identifier"))?;
        if content.is_some_and(|c| !is_json_object(c)) {
            return Err(bad_input("Message content must be a valid JSON object"));
        }
        let persistence = self
            .persistence(&stream, who)
            .ok_or_else(|| bad_input(&format!("Must join channel before {verb} messages")))?;
        Ok((stream, persistence))
    }

    /// `channel_message_send`: the message as sent to the channel (its
    /// acknowledgement is this without the sender and the content).
    pub async fn send(
        &self,
        who: &Presence,
        channel_id: &str,
        content: &str,
    ) -> Result<api::ChannelMessage, Refusal> {
        let (stream, persist) = self.check(who, channel_id, Some(content), "sending")?;
        let now = now_nanos();
        let message = message(
            &stream,
            channel_id,
            &Uuid::new_v4().to_string(),
            code::CHAT,
            who,
            content,
            (now, now),
            persist,
        );
        if persist {
            const FAILED: &str = "Could not persist message to channel history";
            let content = jsonb(content).ok_or_else(|| runtime(FAILED))?;
            let stored = db::channel::Stored {
                id: message.message_id.clone(),
                code: code::CHAT,
                sender_id: who.user_id.clone(),
                username: who.username.clone(),
                stream: stream.clone(),
                content,
                time: now.div_euclid(1_000),
            };
            self.inner
                .db
                .run(move |c| db::channel::insert(c, &stored))
                .await
                .map_err(|e| self.persist_failed(FAILED, e))?;
        }
        self.deliver(&stream, &message);
        Ok(message)
    }

    /// `channel_message_update`: a message of the sender's, with new
    /// content.
    pub async fn update(
        &self,
        who: &Presence,
        channel_id: &str,
        message_id: &str,
        content: &str,
    ) -> Result<api::ChannelMessage, Refusal> {
        let id = go_uuid(message_id).ok_or_else(|| bad_input("Invalid message identifier"))?;
        let (stream, persist) = self.check(who, channel_id, Some(content), "updating")?;
        let now = now_nanos();
        let mut times = (now, now);
        if persist {
            const FAILED: &str = "Could not persist message update to channel history";
            let content = jsonb(content).ok_or_else(|| runtime(FAILED))?;
            let (sender, username) = (who.user_id.clone(), who.username.clone());
            let updated = self
                .inner
                .db
                .run(move |c| {
                    db::channel::update(
                        c,
                        &id.to_string(),
                        &sender,
                        &content,
                        &username,
                        now.div_euclid(1_000),
                    )
                })
                .await
                .map_err(|e| self.persist_failed(FAILED, e))?;
            let created = updated
                .ok_or_else(|| bad_input("Could not find message to update in channel history"))?;
            times.0 = created * 1_000;
        }
        let message = message(
            &stream,
            channel_id,
            message_id,
            code::CHAT_UPDATE,
            who,
            content,
            times,
            persist,
        );
        self.deliver(&stream, &message);
        Ok(message)
    }

    /// `channel_message_remove`: a message of the sender's, gone.
    pub async fn remove(
        &self,
        who: &Presence,
        channel_id: &str,
        message_id: &str,
    ) -> Result<api::ChannelMessage, Refusal> {
        let id = go_uuid(message_id).ok_or_else(|| bad_input("Invalid message identifier"))?;
        let (stream, persist) = self.check(who, channel_id, None, "removing")?;
        let now = now_nanos();
        let mut times = (now, now);
        if persist {
            const FAILED: &str = "Could not persist message remove to channel history";
            let sender = who.user_id.clone();
            let removed = self
                .inner
                .db
                .run(move |c| db::channel::delete(c, &id.to_string(), &sender))
                .await
                .map_err(|e| self.persist_failed(FAILED, e))?;
            let (created, updated) = removed
                .ok_or_else(|| bad_input("Could not find message to remove in channel history"))?;
            times = (created * 1_000, updated * 1_000);
        }
        let message = message(
            &stream,
            channel_id,
            message_id,
            code::CHAT_REMOVE,
            who,
            "{}",
            times,
            persist,
        );
        self.deliver(&stream, &message);
        Ok(message)
    }

    fn persist_failed(&self, message: &str, e: nakama_runtime_host::CallError) -> Refusal {
        self.inner.log.error(
            "Error persisting channel message",
            &[("error", e.message.into())],
        );
        runtime(message)
    }

    /// `GET /v2/channel/{channel_id}` once its arguments are checked: a
    /// page of the history of the channel `stream` (named `channel_id`),
    /// for `caller`.
    pub async fn history(
        &self,
        caller: &str,
        stream: Stream,
        channel_id: &str,
        limit: usize,
        forward: bool,
        cursor: &str,
    ) -> Result<api::ChannelMessageList, HistoryError> {
        let cursor = if cursor.is_empty() {
            None
        } else {
            let c = db::channel::Cursor::decode(cursor).ok_or(HistoryError::BadCursor)?;
            if !c.fits(&stream, forward) {
                return Err(HistoryError::BadCursor);
            }
            Some(c)
        };
        match stream.mode {
            MODE_GROUP => return Err(HistoryError::GroupNotFound),
            MODE_DIRECT => {
                let me = go_uuid(caller).unwrap_or_default();
                if stream.subject != me && stream.subcontext != me {
                    return Err(HistoryError::NotFound);
                }
            }
            _ => {}
        }
        let channel_id = channel_id.to_string();
        self.inner
            .db
            .run(move |c| db::channel::list(c, &stream, &channel_id, limit, forward, cursor))
            .await
            .map_err(|e| {
                self.inner.log.error(
                    "Error listing channel messages",
                    &[("error", e.message.into())],
                );
                HistoryError::Internal
            })
    }
}

/// A message as Nakama builds it: `times` are its create and update times
/// (Unix nanoseconds).
#[allow(clippy::too_many_arguments)]
fn message(
    stream: &Stream,
    channel_id: &str,
    message_id: &str,
    code: i32,
    who: &Presence,
    content: &str,
    times: (i64, i64),
    persistent: bool,
) -> api::ChannelMessage {
    let names = stream.message_names();
    api::ChannelMessage {
        channel_id: channel_id.to_string(),
        message_id: message_id.to_string(),
        code: Some(code),
        sender_id: who.user_id.clone(),
        username: who.username.clone(),
        content: content.to_string(),
        create_time: Some(db::rfc3339_nanos(times.0)),
        update_time: Some(db::rfc3339_nanos(times.1)),
        persistent: Some(persistent),
        room_name: names.room_name,
        group_id: names.group_id,
        user_id_one: names.user_id_one,
        user_id_two: names.user_id_two,
    }
}

/// Nakama's content check: valid JSON whose first character (after
/// white space) is `{`.
pub fn is_json_object(content: &str) -> bool {
    content
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(content).is_ok()
}

/// The content as PostgreSQL's JSONB column stores it; `None` for one it
/// refuses (a `\u0000` or a lone surrogate in a string).
fn jsonb(content: &str) -> Option<String> {
    fn has_nul(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(a) => a.iter().any(has_nul),
            serde_json::Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
            _ => false,
        }
    }
    let v: serde_json::Value = serde_json::from_str(content).ok()?;
    (!has_nul(&v)).then(|| db::jsonb_text(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_ids_read_and_write_as_nakamas() {
        let a = "6b3f0c3e-0000-4000-8000-000000000001";
        let b = "6b3f0c3e-0000-4000-8000-000000000002";
        let room = Stream::parse("2...lobby").unwrap();
        assert_eq!((room.mode, room.label.as_str()), (MODE_ROOM, "lobby"));
        assert_eq!(room.channel_id(), "2...lobby");
        // The label keeps its dots.
        assert_eq!(Stream::parse("2...a.b").unwrap().label, "a.b");
        let dm = Stream::parse(&format!("4.{a}.{}.", b.to_uppercase())).unwrap();
        assert_eq!(dm.channel_id(), format!("4.{a}.{b}."));
        assert_eq!(dm.message_names().user_id_two, b);
        let group = Stream::parse(&format!("3.{}..", a.replace('-', ""))).unwrap();
        assert_eq!(group.channel_id(), format!("3.{a}.."));
        // Nil subjects: accepted, written back empty.
        assert_eq!(Stream::parse("3...").unwrap().channel_id(), "3...");
        assert_eq!(
            Stream::parse("4...").unwrap().message_names().user_id_one,
            Uuid::nil().to_string()
        );
        for bad in [
            "",
            "2..",
            "2...",
            "2.x..room",
            &format!("2...{}", "r".repeat(65)),
            "3.nope..",
            &format!("3.{a}.{b}."),
            &format!("3.{a}..x"),
            &format!("4.{a}.{b}.x"),
            "5...room",
            "1...room",
        ] {
            assert_eq!(Stream::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn uuids_read_as_gofrs_reads_them() {
        let canonical = "6b3f0c3e-0000-4000-8000-00000000000a";
        let u = Uuid::parse_str(canonical).unwrap();
        for ok in [
            canonical.to_string(),
            canonical.to_uppercase(),
            canonical.replace('-', ""),
            format!("{{{canonical}}}"),
            format!("{{{}}}", canonical.replace('-', "")),
            format!("urn:uuid:{canonical}"),
            format!("urn:uuid:{}", canonical.replace('-', "")),
        ] {
            assert_eq!(go_uuid(&ok), Some(u), "{ok}");
        }
        for bad in [
            "",
            "x",
            "6b3f0c3e0000-4000-8000-00000000000a-",
            "{6b3f0c3e-0000-4000-8000-00000000000a",
            "urn:uuix:6b3f0c3e-0000-4000-8000-00000000000a",
            "6b3f0c3e-0000-4000-8000-00000000000g",
        ] {
            assert_eq!(go_uuid(bad), None, "{bad}");
        }
    }

    #[test]
    fn content_must_be_a_json_object() {
        for ok in [r#"{"a":1}"#, " \n{}", r#"{"a":1,"a":2}"#] {
            assert!(is_json_object(ok), "{ok}");
        }
        for bad in ["", "[]", "1", "\"x\"", "{", r#"{"a":1} x"#, "\u{a0}{}"] {
            assert!(!is_json_object(bad), "{bad}");
        }
        assert_eq!(
            jsonb(r#"{"bb":1,"a":[true]}"#).as_deref(),
            Some(r#"{"a": [true], "bb": 1}"#)
        );
        assert_eq!(jsonb(r#"{"a":"\u0000"}"#), None);
        assert_eq!(jsonb(r#"{"a":"\ud800"}"#), None);
    }
}
