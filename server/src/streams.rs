//! The presence streams modules put sockets on (Nakama's tracker as the
//! `Stream*` nk functions use it: server/tracker.go, stream_manager.go,
//! message_router.go).
//!
//! - A stream is (mode, subject, subcontext, label), as
//!   [`crate::channels::Stream`]. A presence is one session of one user
//!   on it, with `hidden`, `persistence`, `status` and the reason it was
//!   last changed (join or update). Joining twice changes nothing.
//! - Joins, updates and leaves of presences that are not hidden are told
//!   to everyone on the stream afterwards (the joiner included, the
//!   leaver not): a `stream_presence_event` on the modules' own modes; on
//!   Nakama's modes the event those streams have (a chat channel's,
//!   match's or party's presence event; none on modes 0 and 1).
//! - Closing a stream drops everyone without events; a socket that closes
//!   leaves every stream it was on ([`crate::online::Online::disconnect`]).
//! - Chat channels' members ([`crate::channels`]) and relayed matches'
//!   ([`crate::matches`]) are presences here, as in Nakama's tracker, so
//!   a module's `stream_user_join` there is as good as a client's join.
//!   The host keeps the presences of authoritative matches, parties,
//!   status and notifications itself (with their handlers' state); the
//!   stream functions see those too (`nk/streams.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use nakama_runtime_host::abi::matches::Presence;
use nakama_runtime_host::abi::nk::{self, reason};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::channels::{self, ChannelPresence, Stream};
use crate::online::{Outbound, Outbox};

/// Nakama's stream modes of matches and parties (those of chat channels
/// are in [`crate::channels`]).
const MODE_STATUS: u8 = 1;
pub(crate) const MODE_MATCH_RELAYED: u8 = 5;
pub(crate) const MODE_MATCH_AUTHORITATIVE: u8 = 6;
pub(crate) const MODE_PARTY: u8 = 7;

/// The stream of match `id` (`<uuid>.<node>`): a relayed match's (mode
/// 5, no node) or an authoritative one's (mode 6, its node as label).
pub fn of_match(id: &str) -> Option<Stream> {
    let (uuid, node) = id.split_once('.')?;
    Some(Stream {
        mode: if node.is_empty() {
            MODE_MATCH_RELAYED
        } else {
            MODE_MATCH_AUTHORITATIVE
        },
        subject: uuid.parse().ok()?,
        subcontext: Uuid::nil(),
        label: node.to_string(),
    })
}

/// How a presence is on its stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub hidden: bool,
    pub persistence: bool,
    pub status: String,
    /// [`reason`]: `JOIN` or `UPDATE`.
    pub reason: u8,
}

struct Member {
    presence: Presence,
    meta: Meta,
    outbox: Outbox,
}

impl Member {
    fn is(&self, session_id: &str, user_id: &str) -> bool {
        self.presence.session_id == session_id && self.presence.user_id == user_id
    }

    fn listed(&self) -> nk::StreamPresence {
        nk::StreamPresence {
            user_id: self.presence.user_id.clone(),
            session_id: self.presence.session_id.clone(),
            node: self.presence.node.clone(),
            username: self.presence.username.clone(),
            hidden: self.meta.hidden,
            persistence: self.meta.persistence,
            status: self.meta.status.clone(),
            reason: self.meta.reason,
        }
    }
}

/// The streams of one host and who is on them.
#[derive(Clone, Default)]
pub struct Streams {
    inner: Arc<Mutex<HashMap<Stream, Vec<Member>>>>,
}

/// Nakama's `NodeToHash`: what a node's session ids end with.
pub fn node_hash(node: &str) -> [u8; 6] {
    use sha1::Digest;
    let digest = sha1::Sha1::digest(node.as_bytes());
    let mut hash = [0; 6];
    hash.copy_from_slice(&digest[..6]);
    hash
}

/// A new socket session's id: random, ending with the node's hash as
/// Nakama's do (its stream functions tell another node's sessions by it).
pub fn new_session_id(node: &str) -> String {
    let mut bytes = *Uuid::new_v4().as_bytes();
    bytes[10..].copy_from_slice(&node_hash(node));
    Uuid::from_bytes(bytes).to_string()
}

/// Whether session `id` is one of `node`'s (Nakama's `HashFromId`).
pub fn of_node(id: &Uuid, node: &str) -> bool {
    id.as_bytes()[10..] == node_hash(node)
}

/// A stream as the nk functions name it, or Nakama's refusal.
pub fn parse(s: &nk::Stream) -> Result<Stream, &'static str> {
    let id = |v: &str, refusal| {
        if v.is_empty() {
            Ok(Uuid::nil())
        } else {
            channels::go_uuid(v).ok_or(refusal)
        }
    };
    Ok(Stream {
        mode: s.mode,
        subject: id(&s.subject, "stream subject must be a valid identifier")?,
        subcontext: id(
            &s.subcontext,
            "stream subcontext must be a valid identifier",
        )?,
        label: s.label.clone(),
    })
}

impl Streams {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Stream, Vec<Member>>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many presences the streams have, all together (chat channels'
    /// and relayed matches' members, and those modules put there).
    pub fn presence_count(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    /// Puts `who` on `stream` (Nakama's `Track`): `false` when it was on
    /// it already, and then nothing changes.
    pub fn track(&self, stream: &Stream, who: &Presence, outbox: &Outbox, meta: Meta) -> bool {
        let mut streams = self.lock();
        let members = streams.entry(stream.clone()).or_default();
        if members.iter().any(|m| m.is(&who.session_id, &who.user_id)) {
            return false;
        }
        let meta = Meta {
            reason: reason::JOIN,
            ..meta
        };
        let joined = Member {
            presence: who.clone(),
            meta,
            outbox: outbox.clone(),
        };
        let joins = visible(&joined);
        members.push(joined);
        tell(stream, members, joins, Vec::new());
        true
    }

    /// Sets how `who` is on `stream`, putting it on if it is not
    /// (Nakama's `Update`): the old presence leaves and the new one joins,
    /// in one event, each unless hidden.
    pub fn update(&self, stream: &Stream, who: &Presence, outbox: &Outbox, meta: Meta) {
        let mut streams = self.lock();
        let members = streams.entry(stream.clone()).or_default();
        let updated = Member {
            presence: who.clone(),
            meta: Meta {
                reason: reason::UPDATE,
                ..meta
            },
            outbox: outbox.clone(),
        };
        let joins = visible(&updated);
        let leaves = match members
            .iter_mut()
            .find(|m| m.is(&who.session_id, &who.user_id))
        {
            Some(m) => visible(&std::mem::replace(m, updated)),
            None => {
                members.push(updated);
                Vec::new()
            }
        };
        tell(stream, members, joins, leaves);
    }

    /// Takes one session of one user off `stream` (Nakama's `Untrack`):
    /// whether it was on it.
    pub fn untrack(&self, stream: &Stream, session_id: &str, user_id: &str) -> bool {
        let mut streams = self.lock();
        let Some(members) = streams.get_mut(stream) else {
            return false;
        };
        let at = members.iter().position(|m| m.is(session_id, user_id));
        if let Some(at) = at {
            let left = members.remove(at);
            tell(stream, members, Vec::new(), visible(&left));
        }
        if members.is_empty() {
            streams.remove(stream);
        }
        at.is_some()
    }

    /// A closed socket: its session leaves every stream it was on
    /// (Nakama's `UntrackAll`): the streams it left.
    pub fn untrack_all(&self, session_id: &str) -> Vec<Stream> {
        self.untrack_where(session_id, |_| true)
    }

    /// `session.single_match` and `session.single_party`: the session
    /// leaves every stream of these `modes` but `kept` (Nakama's
    /// `UntrackLocalByModes`; and a closing session its relayed matches,
    /// before its other leaves): the streams it left.
    pub fn untrack_modes(
        &self,
        session_id: &str,
        modes: &[u8],
        kept: Option<&Stream>,
    ) -> Vec<Stream> {
        self.untrack_where(session_id, |s| modes.contains(&s.mode) && Some(s) != kept)
    }

    /// The session leaves the streams `from` picks, in one event per
    /// stream (a module can put one session on a stream as several
    /// users; Nakama's tracker groups their leaves).
    fn untrack_where(&self, session_id: &str, from: impl Fn(&Stream) -> bool) -> Vec<Stream> {
        let mut gone = Vec::new();
        self.lock().retain(|stream, members| {
            if !from(stream) {
                return true;
            }
            let (left, stay): (Vec<Member>, Vec<Member>) = std::mem::take(members)
                .into_iter()
                .partition(|m| m.presence.session_id == session_id);
            *members = stay;
            if !left.is_empty() {
                gone.push(stream.clone());
                tell(
                    stream,
                    members,
                    Vec::new(),
                    left.iter().flat_map(visible).collect(),
                );
            }
            !members.is_empty()
        });
        gone
    }

    /// The sessions and users on `stream` (hidden ones too when
    /// `hidden`), in the order they joined.
    pub fn presences(&self, stream: &Stream, hidden: bool) -> Vec<Presence> {
        self.lock().get(stream).map_or_else(Vec::new, |members| {
            (members.iter())
                .filter(|m| hidden || !m.meta.hidden)
                .map(|m| m.presence.clone())
                .collect()
        })
    }

    /// The presences on `stream` and how they are on it, in the order
    /// they joined.
    pub fn members(&self, stream: &Stream) -> Vec<(Presence, Meta)> {
        self.lock().get(stream).map_or_else(Vec::new, |members| {
            (members.iter())
                .map(|m| (m.presence.clone(), m.meta.clone()))
                .collect()
        })
    }

    /// The streams of `mode` and how many presences each has.
    pub fn sizes(&self, mode: u8) -> Vec<(Stream, usize)> {
        (self.lock().iter())
            .filter(|(s, _)| s.mode == mode)
            .map(|(s, members)| (s.clone(), members.len()))
            .collect()
    }

    /// Sends `out` to the presences on `stream` whose sessions `to`
    /// picks, if session `from` is on it (a relayed match's data, which
    /// only its members send): whether it is.
    pub fn send_from(
        &self,
        stream: &Stream,
        from: &str,
        out: &Outbound,
        to: impl Fn(&str) -> bool,
    ) -> bool {
        let streams = self.lock();
        let Some(members) = streams.get(stream) else {
            return false;
        };
        if !members.iter().any(|m| m.presence.session_id == from) {
            return false;
        }
        for m in members.iter().filter(|m| to(&m.presence.session_id)) {
            let _ = m.outbox.send(out.clone());
        }
        true
    }

    /// Everyone off `stream`, without events (Nakama's `UntrackByStream`).
    pub fn close(&self, stream: &Stream) {
        self.lock().remove(stream);
    }

    /// The presences on `stream`, hidden ones or others or both.
    pub fn list(&self, stream: &Stream, hidden: bool, not_hidden: bool) -> Vec<nk::StreamPresence> {
        self.lock().get(stream).map_or_else(Vec::new, |members| {
            members
                .iter()
                .filter(|m| if m.meta.hidden { hidden } else { not_hidden })
                .map(Member::listed)
                .collect()
        })
    }

    /// How many presences `stream` has.
    pub fn count(&self, stream: &Stream) -> usize {
        self.lock().get(stream).map_or(0, Vec::len)
    }

    /// One presence on `stream`.
    pub fn get(
        &self,
        stream: &Stream,
        session_id: &str,
        user_id: &str,
    ) -> Option<nk::PresenceMeta> {
        let streams = self.lock();
        let m = streams
            .get(stream)?
            .iter()
            .find(|m| m.is(session_id, user_id))?;
        Some(nk::PresenceMeta {
            username: m.presence.username.clone(),
            hidden: m.meta.hidden,
            persistence: m.meta.persistence,
            status: m.meta.status.clone(),
            reason: m.meta.reason,
        })
    }

    /// Sends `out` to every session on `stream` (Nakama's `SendToStream`).
    pub fn send(&self, stream: &Stream, out: &Outbound) {
        if let Some(members) = self.lock().get(stream) {
            for m in members {
                let _ = m.outbox.send(out.clone());
            }
        }
    }
}

/// The presence as an event lists it: nothing when hidden.
fn visible(m: &Member) -> Vec<ChannelPresence> {
    if m.meta.hidden {
        return Vec::new();
    }
    vec![ChannelPresence {
        presence: m.presence.clone(),
        persistence: m.meta.persistence,
    }]
}

/// The presence event of `joins` and `leaves` to everyone on `stream`.
fn tell(
    stream: &Stream,
    members: &[Member],
    joins: Vec<ChannelPresence>,
    leaves: Vec<ChannelPresence>,
) {
    if joins.is_empty() && leaves.is_empty() {
        return;
    }
    let Some(event) = presence_event(stream, joins, leaves) else {
        return;
    };
    for m in members {
        let _ = m.outbox.send(event.clone());
    }
}

/// The event a stream's presences changing makes, by its mode: `None`
/// for the notification and status streams (Nakama's status registry
/// tells a user's followers instead; the dev host does not).
fn presence_event(
    stream: &Stream,
    joins: Vec<ChannelPresence>,
    leaves: Vec<ChannelPresence>,
) -> Option<Outbound> {
    let id = format!("{}.{}", stream.subject, stream.label);
    Some(match stream.mode {
        0 | MODE_STATUS => return None,
        channels::MODE_ROOM | channels::MODE_GROUP | channels::MODE_DIRECT => {
            Outbound::ChannelPresences(channels::PresenceEvent {
                stream: stream.clone(),
                joins,
                leaves,
            })
        }
        // Written here: a module's presence may have a persistence.
        MODE_MATCH_RELAYED | MODE_MATCH_AUTHORITATIVE => envelope(
            "match_presence_event",
            json!({"match_id": id}),
            &joins,
            &leaves,
        ),
        MODE_PARTY => envelope(
            "party_presence_event",
            json!({"party_id": id}),
            &joins,
            &leaves,
        ),
        _ => envelope(
            "stream_presence_event",
            json!({"stream": wire(stream)}),
            &joins,
            &leaves,
        ),
    })
}

/// An event envelope: `fields` and the joins and leaves, as protojson
/// writes them (empty lists left out).
fn envelope(
    name: &str,
    mut fields: Value,
    joins: &[ChannelPresence],
    leaves: &[ChannelPresence],
) -> Outbound {
    for (key, ps) in [("joins", joins), ("leaves", leaves)] {
        if !ps.is_empty() {
            fields[key] = ps.iter().map(user_presence).collect();
        }
    }
    Outbound::Stream(json!({ name: fields }).to_string())
}

/// rtapi's `UserPresence` (zero values left out).
fn user_presence(p: &ChannelPresence) -> Value {
    let mut m = Map::new();
    for (k, v) in [
        ("user_id", &p.presence.user_id),
        ("session_id", &p.presence.session_id),
        ("username", &p.presence.username),
    ] {
        if !v.is_empty() {
            m.insert(k.into(), v.as_str().into());
        }
    }
    if p.persistence {
        m.insert("persistence".into(), true.into());
    }
    Value::Object(m)
}

/// rtapi's `Stream` (zero values left out; nil ids are empty).
pub fn wire(s: &Stream) -> Value {
    let mut m = Map::new();
    if s.mode != 0 {
        m.insert("mode".into(), s.mode.into());
    }
    for (k, id) in [("subject", s.subject), ("subcontext", s.subcontext)] {
        if !id.is_nil() {
            m.insert(k.into(), id.to_string().into());
        }
    }
    if !s.label.is_empty() {
        m.insert("label".into(), s.label.as_str().into());
    }
    Value::Object(m)
}

/// The `stream_data` envelope `StreamSend` sends (no sender).
pub fn stream_data(stream: &Stream, data: &str, reliable: bool) -> Outbound {
    let mut m = Map::new();
    m.insert("stream".into(), wire(stream));
    if !data.is_empty() {
        m.insert("data".into(), data.into());
    }
    if reliable {
        m.insert("reliable".into(), true.into());
    }
    Outbound::Stream(json!({ "stream_data": m }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc;

    fn who(n: u8) -> Presence {
        Presence {
            user_id: format!("u{n}"),
            session_id: format!("s{n}"),
            username: format!("name{n}"),
            node: "n".into(),
            ..Presence::default()
        }
    }

    /// A stream of a module's own mode.
    fn lobby() -> Stream {
        Stream {
            mode: 100,
            subject: Uuid::nil(),
            subcontext: Uuid::nil(),
            label: "lobby".into(),
        }
    }

    fn texts(rx: &mut mpsc::UnboundedReceiver<Outbound>) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(Outbound::Stream(t)) = rx.try_recv() {
            out.push(serde_json::from_str(&t).unwrap());
        }
        out
    }

    #[test]
    fn joins_updates_and_leaves_are_told_to_the_stream() {
        let streams = Streams::default();
        let s = lobby();
        let (a, mut a_rx) = Outbox::unlimited();
        let (b, mut b_rx) = Outbox::unlimited();
        assert!(streams.track(&s, &who(1), &a, Meta::default()));
        assert!(!streams.track(&s, &who(1), &a, Meta::default()));
        let hidden = Meta {
            hidden: true,
            ..Meta::default()
        };
        assert!(streams.track(&s, &who(2), &b, hidden.clone()));
        let ev = texts(&mut a_rx);
        assert_eq!(
            ev,
            vec![json!({"stream_presence_event": {
                "stream": {"mode": 100, "label": "lobby"},
                "joins": [{"user_id": "u1", "session_id": "s1", "username": "name1"}],
            }})],
            "the joiner's own join only: a hidden join is not told"
        );
        assert_eq!(streams.count(&s), 2);
        assert_eq!(streams.list(&s, false, true).len(), 1);
        assert_eq!(streams.list(&s, true, false)[0].user_id, "u2");
        // Becoming visible: a join, no leave.
        streams.update(&s, &who(2), &b, Meta::default());
        assert_eq!(texts(&mut a_rx).len(), 1);
        assert_eq!(streams.get(&s, "s2", "u2").unwrap().reason, reason::UPDATE);
        assert_eq!(texts(&mut b_rx).len(), 1);
        streams.untrack(&s, "s1", "u1");
        assert!(texts(&mut a_rx).is_empty(), "the leaver is not told");
        let ev = texts(&mut b_rx);
        assert_eq!(ev[0]["stream_presence_event"]["leaves"][0]["user_id"], "u1");
        streams.untrack_all("s2");
        assert_eq!(streams.count(&s), 0);
        assert!(streams.lock().is_empty(), "empty streams are dropped");
    }

    #[test]
    fn a_closed_session_leaves_each_stream_in_one_event() {
        let streams = Streams::default();
        let s = lobby();
        let (a, _a_rx) = Outbox::unlimited();
        let (b, mut b_rx) = Outbox::unlimited();
        // Session s1 on the stream as two users (a module may do that).
        let as_u3 = Presence {
            user_id: "u3".into(),
            ..who(1)
        };
        streams.track(&s, &who(1), &a, Meta::default());
        streams.track(&s, &as_u3, &a, Meta::default());
        streams.track(&s, &who(2), &b, Meta::default());
        texts(&mut b_rx);
        streams.untrack_all("s1");
        let ev = texts(&mut b_rx);
        assert_eq!(ev.len(), 1, "{ev:?}");
        let leaves = &ev[0]["stream_presence_event"]["leaves"];
        assert_eq!(
            (leaves[0]["user_id"].clone(), leaves[1]["user_id"].clone()),
            (json!("u1"), json!("u3"))
        );
        assert_eq!(streams.count(&s), 1);
    }

    #[test]
    fn a_session_leaves_the_streams_of_some_modes_but_one() {
        let streams = Streams::default();
        let (a, _a_rx) = Outbox::unlimited();
        let on = |mode, label: &str| Stream {
            label: label.into(),
            mode,
            ..lobby()
        };
        let (kept, other, elsewhere) = (on(5, "k"), on(5, "o"), on(100, "l"));
        for s in [&kept, &other, &elsewhere] {
            streams.track(s, &who(1), &a, Meta::default());
        }
        let left = streams.untrack_modes("s1", &[5, 6], Some(&kept));
        assert_eq!(left, std::slice::from_ref(&other));
        let counts = [&kept, &other, &elsewhere].map(|s| streams.count(s));
        assert_eq!(counts, [1, 0, 1]);
        assert!(streams.untrack_modes("s2", &[5], None).is_empty());
    }

    #[test]
    fn only_a_session_on_the_stream_sends_to_it_and_hidden_ones_get_it() {
        let streams = Streams::default();
        let s = lobby();
        let (a, mut a_rx) = Outbox::unlimited();
        let (b, mut b_rx) = Outbox::unlimited();
        let hidden = Meta {
            hidden: true,
            ..Meta::default()
        };
        streams.track(&s, &who(1), &a, Meta::default());
        streams.track(&s, &who(2), &b, hidden);
        texts(&mut a_rx);
        let out = Outbound::Stream("{}".into());
        assert!(!streams.send_from(&s, "s3", &out, |_| true));
        assert!(streams.send_from(&s, "s1", &out, |to| to != "s1"));
        assert_eq!((texts(&mut a_rx).len(), texts(&mut b_rx).len()), (0, 1));
        assert_eq!(streams.presences(&s, false), [who(1)]);
        assert_eq!(streams.presences(&s, true).len(), 2);
    }

    #[test]
    fn session_ids_carry_their_nodes_hash() {
        // sha1("nakama") begins 006100a0eb06.
        assert_eq!(node_hash("nakama"), [0x00, 0x61, 0x00, 0xa0, 0xeb, 0x06]);
        let id = Uuid::parse_str(&new_session_id("nakama")).unwrap();
        assert!(of_node(&id, "nakama"));
        assert!(!of_node(&id, "nakama2"));
        assert_ne!(new_session_id("nakama"), new_session_id("nakama"));
    }

    #[test]
    fn streams_parse_as_nakama_reads_them() {
        let bad = nk::Stream {
            mode: 1,
            subject: "x".into(),
            ..Default::default()
        };
        assert_eq!(
            parse(&bad).unwrap_err(),
            "stream subject must be a valid identifier"
        );
        let s = parse(&nk::Stream {
            mode: 0,
            subcontext: "00000000-0000-0000-0000-000000000000".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(wire(&s), json!({}));
    }
}
