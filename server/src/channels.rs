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
//! - A channel's members are the presences on its stream
//!   ([`crate::streams`]), as in Nakama's tracker: a module's
//!   `stream_user_join` there makes a member too.
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
//! - Modules send, update and remove messages through the nk functions
//!   (`nk_*` here, as Nakama's `ChannelMessageSend` and the others): to
//!   everyone in the channel, whoever joined, with any sender id and
//!   username, stored when asked. What the history cannot store is refused
//!   where PostgreSQL's `message` table refuses it (ids that are not UUIDs,
//!   a sender that is not a user, ...).
//! - A group's channel is its members' (states superadmin to member,
//!   [`crate::db::group`]): others are refused as Nakama refuses them
//!   (the system user, which nk functions may act as, names any group's
//!   channel, as in Nakama). The group functions store and send their
//!   membership messages there ([`crate::groups`]). A direct chat needs
//!   the other user to exist and not to have blocked the caller
//!   (friendship is not asked for); a block takes both users out of their
//!   direct chat, without presence events ([`Channels::drop_direct`]).
//!   The first time a session joins a direct chat the other user is not
//!   in, that user gets Nakama's persistent "wants to chat" notification
//!   (code -1).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use nakama_runtime_host::abi::api;
use nakama_runtime_host::abi::matches::Presence;
use nakama_runtime_host::abi::{nk, Code};
use nakama_runtime_host::CallError;
use uuid::Uuid;

use crate::db::{self, Db};
use crate::gojson;
use crate::log::Logger;
use crate::online::{Online, Outbound, Outbox};
use crate::realtime::error_code;
use crate::streams::{Meta, Streams};

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
    /// The direct chat of two users: the pair in a consistent order, the
    /// smaller id first.
    pub fn direct(a: Uuid, b: Uuid) -> Stream {
        let (subject, subcontext) = if b.to_string() > a.to_string() {
            (a, b)
        } else {
            (b, a)
        };
        Stream {
            mode: MODE_DIRECT,
            subject,
            subcontext,
            label: String::new(),
        }
    }

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
    parse_go_uuid(s).ok()
}

/// [`go_uuid`], or gofrs' error message.
pub fn parse_go_uuid(s: &str) -> Result<Uuid, String> {
    let b = s.as_bytes();
    let format = |what: &[u8]| {
        format!(
            "uuid: incorrect UUID format in string {}",
            crate::gochars::go_quote(what)
        )
    };
    let inner = match b.len() {
        32 | 36 => b,
        34 | 38 if b[0] == b'{' && b[b.len() - 1] == b'}' => &b[1..b.len() - 1],
        34 | 38 => return Err(format(b)),
        41 | 45 if b.starts_with(b"urn:uuid:") => &b[9..],
        41 | 45 => return Err(format(&b[..9])),
        n => {
            return Err(format!(
                "uuid: incorrect UUID length {n} in string {}",
                crate::gochars::go_quote(b)
            ))
        }
    };
    if inner.len() == 36 && [8, 13, 18, 23].iter().any(|&at| inner[at] != b'-') {
        return Err(format(inner));
    }
    // 32 or 36 characters: the uuid crate's simple and hyphenated forms.
    Uuid::try_parse_ascii(inner).map_err(|_| "uuid: invalid UUID format".to_string())
}

/// A UUID as PostgreSQL's `uuid` type reads one: 32 hex digits, any case,
/// with a hyphen allowed after any group of four of them (but the last),
/// the whole optionally in braces. Nakama's queries hand ids to it as
/// they come.
pub fn pg_uuid(s: &str) -> Option<Uuid> {
    let inner = s
        .strip_prefix('{')
        .map_or(Some(s), |rest| rest.strip_suffix('}'))?;
    let mut digits = String::with_capacity(32);
    let mut chars = inner.chars().peekable();
    for group in 0..8 {
        for _ in 0..4 {
            digits.push(chars.next().filter(char::is_ascii_hexdigit)?);
        }
        if group < 7 && chars.peek() == Some(&'-') {
            chars.next();
        }
    }
    if chars.next().is_some() {
        return None;
    }
    Uuid::try_parse(&digits).ok()
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
    /// "Error listing messages from channel." to clients; a module gets
    /// the database's error.
    Internal(CallError),
}

/// The channels of one host: the database their history is kept in; their
/// members are on their streams ([`crate::streams`]), as in Nakama's
/// tracker, where a module's `stream_user_join` puts them too.
#[derive(Clone)]
pub struct Channels {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    online: Online,
    log: Logger,
}

impl Channels {
    pub fn new(db: Db, online: Online, log: Logger) -> Channels {
        Channels {
            inner: Arc::new(Inner { db, online, log }),
        }
    }

    fn streams(&self) -> &Streams {
        &self.inner.online.streams
    }

    /// Nakama's `BuildChannelId`: the stream a join names, or its refusal.
    /// A nil `sender` is the system user, for whom nothing is looked up:
    /// any group is its own, and a direct chat is left a room with no name
    /// (as Nakama leaves it).
    async fn target(&self, sender: Uuid, target: &str, kind: i32) -> Result<Stream, Refusal> {
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
                let me = sender;
                if me.is_nil() {
                    return Ok(Stream {
                        mode: MODE_ROOM,
                        subject: Uuid::nil(),
                        subcontext: Uuid::nil(),
                        label: String::new(),
                    });
                }
                let (id, caller) = (other.to_string(), me.to_string());
                // The other user must exist and not have blocked the caller.
                let allowed = self
                    .inner
                    .db
                    .run(move |c| {
                        Ok(db::user_exists(c, &id)? && !db::friend::blocks(c, &id, &caller)?)
                    })
                    .await
                    .map_err(|_| runtime("Failed to look up user ID"))?;
                if !allowed {
                    return Err(invalid("User ID not found"));
                }
                Ok(Stream::direct(me, other))
            }
            kind::GROUP => {
                let group = go_uuid(target)
                    .ok_or_else(|| invalid("Invalid group ID in group channel join"))?;
                if !sender.is_nil() {
                    // Members only (join requests and the banned are not).
                    let member = self
                        .is_member(group, &sender.to_string())
                        .await
                        .map_err(|_| runtime("Failed to look up group membership"))?;
                    if !member {
                        return Err(invalid("Group not found"));
                    }
                }
                Ok(Stream {
                    mode: MODE_GROUP,
                    subject: group,
                    subcontext: Uuid::nil(),
                    label: String::new(),
                })
            }
            _ => Err(bad_input("Invalid channel type")),
        }
    }

    /// Whether `user_id` is a member of the group (superadmin to member:
    /// not a join request, not banned), who may be in its channel.
    async fn is_member(&self, group: Uuid, user_id: &str) -> Result<bool, CallError> {
        let (g, u) = (group.to_string(), user_id.to_string());
        self.inner
            .db
            .run(move |c| {
                db::group::has_state(c, &g, &u, db::group::MEMBER)
                    .map_err(db::group::GroupError::nk)
            })
            .await
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
        let sender = go_uuid(&who.user_id).unwrap_or_default();
        let stream = self.target(sender, &req.target, req.kind).await?;
        let persistence = req.persistence.unwrap_or(true);
        let hidden = req.hidden.unwrap_or(false);
        let meta = Meta {
            hidden,
            persistence,
            ..Meta::default()
        };
        let is_new = self.streams().track(&stream, who, outbox, meta);
        let listed: Vec<ChannelPresence> = (self.streams().members(&stream).into_iter())
            .filter(|(_, meta)| !meta.hidden)
            .map(|(presence, meta)| ChannelPresence {
                presence,
                persistence: meta.persistence,
            })
            .collect();
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

    /// A block between users `a` and `b`: everyone leaves their direct
    /// chat at once, and nobody is told (Nakama's `UntrackByStream`).
    pub fn drop_direct(&self, a: &str, b: &str) {
        if let (Some(a), Some(b)) = (go_uuid(a), go_uuid(b)) {
            self.streams().close(&Stream::direct(a, b));
        }
    }

    /// `channel_leave`: takes the session out of the channel `channel_id`
    /// names (nothing if it is not in it); the others are told unless it
    /// was hidden.
    pub fn leave(&self, who: &Presence, channel_id: &str) -> Result<(), Refusal> {
        let stream =
            Stream::parse(channel_id).ok_or_else(|| bad_input("Invalid channel identifier"))?;
        (self.streams()).untrack(&stream, &who.session_id, &who.user_id);
        Ok(())
    }

    /// A closed socket leaves every channel it was in.
    pub fn leave_all(&self, session_id: &str) {
        let modes = [MODE_ROOM, MODE_GROUP, MODE_DIRECT];
        self.streams().untrack_modes(session_id, &modes, None);
    }

    /// Takes every session of `user_id` out of the channel (a member
    /// leaving, kicked or banned from a group); the others are told.
    pub fn leave_user(&self, stream: &Stream, user_id: &str) {
        for p in self.streams().presences(stream, true) {
            if p.user_id == user_id {
                self.streams().untrack(stream, &p.session_id, user_id);
            }
        }
    }

    /// Empties the channel (a deleted group's), without events.
    pub fn close(&self, stream: &Stream) {
        self.streams().close(stream);
    }

    /// The persistence a session joined `stream` with; `None` when it is
    /// not in it.
    fn persistence(&self, stream: &Stream, who: &Presence) -> Option<bool> {
        let meta = self.streams().get(stream, &who.session_id, &who.user_id)?;
        Some(meta.persistence)
    }

    /// Sends a message to everyone in the channel.
    pub fn deliver(&self, stream: &Stream, message: &api::ChannelMessage) {
        let message = Outbound::ChannelMessage(Box::new(message.clone()));
        self.streams().send(stream, &message);
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
        let post = Post::Send { content };
        let posted = self
            .post(&stream, channel_id, post, &Sender::of(who), persist)
            .await;
        posted.map_err(|e| e.refusal(""))
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
        go_uuid(message_id).ok_or_else(|| bad_input("Invalid message identifier"))?;
        let (stream, persist) = self.check(who, channel_id, Some(content), "updating")?;
        let post = Post::Update {
            message_id,
            content,
        };
        let posted = self
            .post(&stream, channel_id, post, &Sender::of(who), persist)
            .await;
        posted.map_err(|e| e.refusal("update"))
    }

    /// `channel_message_remove`: a message of the sender's, gone.
    pub async fn remove(
        &self,
        who: &Presence,
        channel_id: &str,
        message_id: &str,
    ) -> Result<api::ChannelMessage, Refusal> {
        go_uuid(message_id).ok_or_else(|| bad_input("Invalid message identifier"))?;
        let (stream, persist) = self.check(who, channel_id, None, "removing")?;
        let post = Post::Remove { message_id };
        let posted = self
            .post(&stream, channel_id, post, &Sender::of(who), persist)
            .await;
        posted.map_err(|e| e.refusal("remove"))
    }

    /// A message sent, updated or removed in the channel `stream` (named
    /// `channel_id`), as Nakama's `ChannelMessageSend`, `...Update` and
    /// `...Remove` make them: stored (or the stored one changed) when
    /// `persist`, then delivered to everyone in the channel.
    async fn post(
        &self,
        stream: &Stream,
        channel_id: &str,
        post: Post<'_>,
        sender: &Sender<'_>,
        persist: bool,
    ) -> Result<api::ChannelMessage, NotStored> {
        let now = now_nanos();
        let (code, message_id, content) = match post {
            Post::Send { content } => (code::CHAT, Uuid::new_v4().to_string(), content),
            Post::Update {
                message_id,
                content,
            } => (code::CHAT_UPDATE, message_id.to_string(), content),
            Post::Remove { message_id } => (code::CHAT_REMOVE, message_id.to_string(), "{}"),
        };
        let times = if persist {
            self.store(stream, code, &message_id, content, sender, now)
                .await?
        } else {
            (now, now)
        };
        let names = stream.message_names();
        let message = api::ChannelMessage {
            channel_id: channel_id.to_string(),
            message_id,
            code: Some(code),
            sender_id: sender.id.to_string(),
            username: sender.username.to_string(),
            content: content.to_string(),
            create_time: Some(db::rfc3339_nanos(times.0)),
            update_time: Some(db::rfc3339_nanos(times.1)),
            persistent: Some(persist),
            room_name: names.room_name,
            group_id: names.group_id,
            user_id_one: names.user_id_one,
            user_id_two: names.user_id_two,
        };
        self.deliver(stream, &message);
        Ok(message)
    }

    /// Writes a message (`code`) to the history: answers its create and
    /// update times (Unix nanoseconds; a change keeps the stored create
    /// time, a removal answers both stored times). Refused where
    /// PostgreSQL's `message` table refuses it: ids that are not UUIDs, a
    /// sender that is not a user (its foreign key; the system user is
    /// one), a username over 128 characters (but for trailing spaces,
    /// which are cut off), content JSONB cannot hold.
    async fn store(
        &self,
        stream: &Stream,
        code: i32,
        message_id: &str,
        content: &str,
        sender: &Sender<'_>,
        now: i64,
    ) -> Result<(i64, i64), NotStored> {
        let failed = |why: &str| {
            self.inner
                .log
                .error("Error persisting channel message", &[("error", why.into())]);
            NotStored::Failed
        };
        let (Some(id), Some(sender_id)) = (pg_uuid(message_id), pg_uuid(sender.id)) else {
            return Err(failed("invalid input syntax for type uuid"));
        };
        let (id, sender_id) = (id.to_string(), sender_id.to_string());
        // A username longer than its column is refused when stored.
        let username = sender.username.to_string();
        let content = if code == code::CHAT_REMOVE {
            String::new()
        } else {
            db::jsonb(content).ok_or_else(|| failed("invalid input syntax for type json"))?
        };
        let micros = now.div_euclid(1_000);
        let stream = stream.clone();
        let stored = self
            .inner
            .db
            .run(move |c| match code {
                code::CHAT => {
                    let m = db::channel::Stored {
                        id,
                        code,
                        sender_id,
                        username,
                        stream,
                        content,
                        time: micros,
                    };
                    Ok(db::channel::insert(c, &m)?.then_some((now, now)))
                }
                code::CHAT_UPDATE => {
                    let created =
                        db::channel::update(c, &id, &sender_id, &content, &username, micros)?;
                    Ok(created.map(|t| (t * 1_000, now)))
                }
                _ => {
                    let removed = db::channel::delete(c, &id, &sender_id)?;
                    Ok(removed.map(|(t, u)| (t * 1_000, u * 1_000)))
                }
            })
            .await
            .map_err(|e| failed(&e.message))?;
        match stored {
            Some(times) => Ok(times),
            None if code == code::CHAT => {
                Err(failed(&db::pg::no_such_user("message", "sender_id")))
            }
            None => Err(NotStored::Missing),
        }
    }

    /// nk `channel_id_build`.
    pub async fn nk_id_build(&self, a: &nk::ChannelIdBuildArgs) -> Result<String, CallError> {
        let sender = if a.sender_id.is_empty() {
            Uuid::nil()
        } else {
            parse_go_uuid(&a.sender_id).map_err(|e| CallError::new(Code::InvalidArgument, e))?
        };
        let kind = match a.channel_type {
            nk::ChannelType::Room => kind::ROOM,
            nk::ChannelType::Direct => kind::DIRECT_MESSAGE,
            nk::ChannelType::Group => kind::GROUP,
        };
        match self.target(sender, &a.target, kind).await {
            Ok(stream) => Ok(stream.channel_id()),
            Err(r) if r.code == error_code::BAD_INPUT => {
                Err(CallError::new(Code::InvalidArgument, r.message))
            }
            Err(r) => Err(CallError::new(Code::Internal, r.message)),
        }
    }

    /// nk `channel_message_send`: to everyone in the channel, joined or
    /// not; the content as Go's `json.Marshal` writes the module's map.
    pub async fn nk_send(
        &self,
        a: &nk::ChannelMessageSendArgs,
    ) -> Result<nk::ChannelMessageAck, CallError> {
        let content = gojson::marshal_object(&a.content);
        let post = Post::Send { content: &content };
        let sender = Sender::named(&a.sender_id, &a.sender_username);
        self.nk_post(&a.channel_id, post, &sender, a.persist).await
    }

    /// nk `channel_message_update`.
    pub async fn nk_update(
        &self,
        a: &nk::ChannelMessageUpdateArgs,
    ) -> Result<nk::ChannelMessageAck, CallError> {
        let content = gojson::marshal_object(&a.content);
        let post = Post::Update {
            message_id: &a.message_id,
            content: &content,
        };
        let sender = Sender::named(&a.sender_id, &a.sender_username);
        self.nk_post(&a.channel_id, post, &sender, a.persist).await
    }

    /// nk `channel_message_remove`.
    pub async fn nk_remove(
        &self,
        a: &nk::ChannelMessageRemoveArgs,
    ) -> Result<nk::ChannelMessageAck, CallError> {
        let post = Post::Remove {
            message_id: &a.message_id,
        };
        let sender = Sender::named(&a.sender_id, &a.sender_username);
        self.nk_post(&a.channel_id, post, &sender, a.persist).await
    }

    /// An nk function's message: Nakama's checks (the channel id, then the
    /// message id), then [`Channels::post`]; its acknowledgement, or
    /// Nakama's errors.
    async fn nk_post(
        &self,
        channel_id: &str,
        post: Post<'_>,
        sender: &Sender<'_>,
        persist: bool,
    ) -> Result<nk::ChannelMessageAck, CallError> {
        let stream = nk_stream(channel_id)?;
        if let Post::Update { message_id, .. } | Post::Remove { message_id } = post {
            if go_uuid(message_id).is_none() {
                let message = "Invalid message identifier";
                return Err(CallError::new(Code::InvalidArgument, message));
            }
        }
        match self.post(&stream, channel_id, post, sender, persist).await {
            Ok(message) => Ok(message.into()),
            Err(NotStored::Missing) => {
                Err(CallError::new(Code::NotFound, "channel message not found"))
            }
            Err(NotStored::Failed) => Err(CallError::new(
                Code::Internal,
                "error persisting channel message",
            )),
        }
    }

    /// nk `channel_messages_list`: any channel's history, as the server
    /// reads it (no membership asked).
    pub async fn nk_list(
        &self,
        a: &nk::ChannelMessagesListArgs,
    ) -> Result<nk::ChannelMessagesPage, CallError> {
        let stream = nk_stream(&a.channel_id)?;
        if !(1..=100).contains(&a.limit) {
            return Err(CallError::new(Code::InvalidArgument, "limit must be 1-100"));
        }
        let limit = a.limit.unsigned_abs() as usize;
        let listed = self
            .history(None, stream, &a.channel_id, limit, a.forward, &a.cursor)
            .await;
        match listed {
            Ok(list) => Ok(nk::ChannelMessagesPage {
                messages: list.messages,
                next_cursor: list.next_cursor,
                prev_cursor: list.prev_cursor,
            }),
            Err(HistoryError::BadCursor) => Err(CallError::new(
                Code::InvalidArgument,
                "invalid channel cursor",
            )),
            // Nakama's nk function passes the database's error on.
            Err(HistoryError::Internal(e)) => Err(e),
            Err(_) => Err(CallError::new(
                Code::Internal,
                "error listing channel messages",
            )),
        }
    }

    /// `GET /v2/channel/{channel_id}` once its arguments are checked, and
    /// nk `channel_messages_list`: a page of the history of the channel
    /// `stream` (named `channel_id`), for `caller` (a direct chat's
    /// history is its two users' only; `None`: the server, who reads any).
    pub async fn history(
        &self,
        caller: Option<&str>,
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
        match (caller, stream.mode) {
            (None, _) => {}
            (Some(caller), MODE_GROUP) => {
                let member = self
                    .is_member(stream.subject, caller)
                    .await
                    .map_err(HistoryError::Internal)?;
                if !member {
                    return Err(HistoryError::GroupNotFound);
                }
            }
            (Some(caller), MODE_DIRECT) => {
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
                    &[("error", e.message.clone().into())],
                );
                HistoryError::Internal(e)
            })
    }
}

/// Who a message is from: a session's user, or the id and username an nk
/// function is given (any text: checked only when stored).
struct Sender<'a> {
    id: &'a str,
    username: &'a str,
}

impl<'a> Sender<'a> {
    fn of(who: &'a Presence) -> Sender<'a> {
        Sender::named(&who.user_id, &who.username)
    }

    fn named(id: &'a str, username: &'a str) -> Sender<'a> {
        Sender { id, username }
    }
}

/// A message sent, or a change to one.
enum Post<'a> {
    Send {
        content: &'a str,
    },
    Update {
        message_id: &'a str,
        content: &'a str,
    },
    Remove {
        message_id: &'a str,
    },
}

/// Why a message's change did not reach the history.
#[derive(Debug)]
enum NotStored {
    /// No stored message of the sender's has its id.
    Missing,
    /// The database refused it (logged).
    Failed,
}

impl NotStored {
    /// The realtime socket's refusal of a `verb` (`""` for a send).
    fn refusal(self, verb: &str) -> Refusal {
        match self {
            NotStored::Missing => bad_input(&format!(
                "Could not find message to {verb} in channel history"
            )),
            NotStored::Failed if verb.is_empty() => {
                runtime("Could not persist message to channel history")
            }
            NotStored::Failed => runtime(&format!(
                "Could not persist message {verb} to channel history"
            )),
        }
    }
}

/// The stream of an nk function's channel id.
fn nk_stream(channel_id: &str) -> Result<Stream, CallError> {
    Stream::parse(channel_id)
        .ok_or_else(|| CallError::new(Code::InvalidArgument, "invalid channel id"))
}

/// Nakama's content check: valid JSON whose first character (after
/// white space) is `{`.
pub fn is_json_object(content: &str) -> bool {
    content
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(content).is_ok()
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
    fn uuid_refusals_are_worded_as_gofrs_words_them() {
        let c = "6b3f0c3e-0000-4000-8000-00000000000a";
        for (bad, message) in [
            ("nope", r#"uuid: incorrect UUID length 4 in string "nope""#),
            ("", r#"uuid: incorrect UUID length 0 in string """#),
            (
                "a\"\u{1}\n",
                r#"uuid: incorrect UUID length 4 in string "a\"\x01\n""#,
            ),
            (
                &format!("[{c}]"),
                &format!("uuid: incorrect UUID format in string \"[{c}]\""),
            ),
            (
                &format!("urn:uuix:{c}"),
                "uuid: incorrect UUID format in string \"urn:uuix:\"",
            ),
            (
                &c.replace('-', "+"),
                &format!(
                    "uuid: incorrect UUID format in string \"{}\"",
                    c.replace('-', "+")
                ),
            ),
            (&c.replace('a', "g"), "uuid: invalid UUID format"),
        ] {
            assert_eq!(parse_go_uuid(bad), Err(message.to_string()), "{bad}");
        }
    }

    #[test]
    fn uuids_read_as_postgresql_reads_them() {
        let u = Uuid::parse_str("6b3f0c3e-0000-4000-8000-00000000000a").unwrap();
        for ok in [
            "6b3f0c3e-0000-4000-8000-00000000000a",
            "6B3F0C3E00004000800000000000000A",
            "{6b3f0c3e-0000-4000-8000-00000000000a}",
            "6b3f-0c3e-0000-4000-8000-0000-0000-000a",
        ] {
            assert_eq!(pg_uuid(ok), Some(u), "{ok}");
        }
        for bad in [
            "",
            "urn:uuid:6b3f0c3e-0000-4000-8000-00000000000a",
            "6b3f0c3e-0000-4000-8000-00000000000a-",
            "-6b3f0c3e-0000-4000-8000-00000000000a",
            "6b3f0c3e--0000-4000-8000-00000000000a",
            "{6b3f0c3e-0000-4000-8000-00000000000a",
            "6b3f0c3e-0000-4000-8000-00000000000",
            "6b3f0c3e-0000-4000-8000-00000000000ab",
        ] {
            assert_eq!(pg_uuid(bad), None, "{bad}");
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
            db::jsonb(r#"{"bb":1,"a":[true]}"#).as_deref(),
            Some(r#"{"a": [true], "bb": 1}"#)
        );
        assert_eq!(db::jsonb(r#"{"a":"\u0000"}"#), None);
        assert_eq!(db::jsonb(r#"{"a":"\ud800"}"#), None);
    }
}
