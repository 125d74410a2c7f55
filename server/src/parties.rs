//! Parties: the realtime socket's `party_*` messages as Nakama 3.40.0
//! handles them (server/pipeline_party.go, party_handler.go,
//! party_registry.go, party_presence.go, and its tracker's party presence
//! events).
//!
//! - A party has a leader (its creator, then whoever is promoted, or the
//!   oldest member when the leader leaves), members in the order they
//!   joined, at most `max_size` (0-256) of them, and for a closed party
//!   the sessions asking to join (at most `max_size` requests). With
//!   `max_size` 0 the creator leads a party it is not a member of, as in
//!   Nakama (whose member list refuses it, full): it is told of changes,
//!   but no one can join, and it can send no data.
//! - An open party takes a joiner at once: the joiner gets a `party`, and
//!   every member (the joiner too) a `party_presence_event`. A closed one
//!   keeps the request and tells the leader (`party_join_request`); the
//!   leader accepts it (`party_accept`, then as an open join) or refuses
//!   it (`party_remove`).
//! - Leader only: promote, accept, remove, close, list the join requests,
//!   update (label, open, hidden). Any member may send data, which goes
//!   to the others.
//! - A member removed gets a `party_close`; the others a leave. When the
//!   last member leaves, or the leader closes it (every member gets a
//!   `party_close`), the party is gone.
//! - As in Nakama, a member's join request to a closed party is not
//!   refused as `party join request already member`: Nakama looks the
//!   user id up among members' session ids.
//!
//! Messages pushed to members go out as encoded envelopes through their
//! outboxes, in the order Nakama's handler and tracker send them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use nakama_runtime_host::abi::api;
use nakama_runtime_host::abi::matches::Presence;
use serde::Serialize;
use serde_json::Value;

use crate::channels::Stream;
use crate::matchmaker::{Matchmaker, TicketRequest};
use crate::online::{Outbound, Outbox};
use crate::query::{Document, Query};
use crate::streams::Streams;

/// The longest label a party may have, in bytes (Nakama's `PartyLabelMaxBytes`).
pub const LABEL_MAX_BYTES: usize = 2048;
/// The largest `max_size`.
pub const MAX_SIZE: i32 = 256;

/// Why a party operation was refused: the error text Nakama puts after its
/// "Error joining party: " (etc.).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartyError {
    #[error("party not found")]
    NotFound,
    #[error("party full")]
    Full,
    #[error("party join request duplicate")]
    JoinRequestDuplicate,
    #[error("party join requests full")]
    JoinRequestsFull,
    #[error("party leader only")]
    NotLeader,
    #[error("party member not found")]
    NotMember,
    #[error("party join request not found")]
    NotRequest,
    #[error("party could not accept request")]
    AcceptRequest,
    #[error("party cannot remove self")]
    RemoveSelf,
    #[error("party label too long")]
    LabelTooLong,
    #[error("party is hidden and label is not empty, invalid operation")]
    HiddenNonEmptyLabel,
    #[error("failed to unmarshal party label: {0}")]
    Label(String),
}

/// A session in a party, or asking to join one.
#[derive(Clone)]
pub struct Member {
    pub presence: Presence,
    pub outbox: Outbox,
}

impl Member {
    fn is(&self, p: &Presence) -> bool {
        self.presence.session_id == p.session_id
            && self.presence.user_id == p.user_id
            && self.presence.username == p.username
    }
}

struct Party {
    /// `<uuid>.<node>`.
    id: String,
    open: bool,
    hidden: bool,
    max_size: usize,
    label: String,
    /// The leader's session id.
    leader: String,
    /// Oldest first.
    members: Vec<Member>,
    /// The creator of a party of `max_size` 0, as Nakama has it: on the
    /// party's stream (it gets what goes there: presence events, leader
    /// changes, updates, the close) and its leader, but never a member,
    /// the party being full from the start. When it leaves, the party
    /// stays until the idle check closes it ([`Parties::close_idle`]).
    outsider: Option<Member>,
    requests: Vec<Member>,
    /// When it was created (Unix nanoseconds), for listings.
    created: i64,
    /// Counts what Nakama's handler counts as activity (its `tick`: the
    /// creation, joins and join requests, leaves, and a leader's promote,
    /// accept, remove and request list), and its value at the last idle
    /// check.
    activity: u64,
    checked_activity: u64,
}

impl Party {
    fn has_member(&self, session_id: &str) -> bool {
        self.members
            .iter()
            .any(|m| m.presence.session_id == session_id)
    }

    fn leader(&self) -> Option<&Member> {
        self.stream().find(|m| m.presence.session_id == self.leader)
    }

    /// The sessions on the party's stream: its members, and the outsider
    /// if any.
    fn stream(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().chain(&self.outsider)
    }

    fn check_leader(&self, session_id: &str) -> Result<(), PartyError> {
        if self.leader == session_id {
            Ok(())
        } else {
            Err(PartyError::NotLeader)
        }
    }

    /// `kind` with `message` to every member.
    fn to_all(&self, pushes: &mut Vec<Push>, kind: &str, message: &impl Serialize) {
        let text = envelope(kind, message);
        for m in self.stream() {
            pushes.push((m.outbox.clone(), text.clone()));
        }
    }

    /// The `party` a new member gets.
    fn welcome(&self, pushes: &mut Vec<Push>, member: &Member) {
        let party = PartyOut {
            party_id: self.id.clone(),
            open: self.open,
            max_size: self.max_size,
            self_: Some(wire(&member.presence)),
            leader: self.leader().map(|l| wire(&l.presence)),
            presences: self.members.iter().map(|m| wire(&m.presence)).collect(),
            ..PartyOut::default()
        };
        pushes.push((member.outbox.clone(), envelope("party", &party)));
    }

    fn presence_event(&self, pushes: &mut Vec<Push>, joined: bool, who: &Presence) {
        let mut event = EventOut {
            party_id: self.id.clone(),
            joins: Vec::new(),
            leaves: Vec::new(),
        };
        if joined {
            event.joins.push(wire(who));
        } else {
            event.leaves.push(wire(who));
        }
        self.to_all(pushes, "party_presence_event", &event);
    }
}

/// An encoded envelope for one session.
pub type Push = (Outbox, String);

/// Sends what an operation pushes.
pub fn deliver(pushes: Vec<Push>) {
    for (outbox, text) in pushes {
        let _ = outbox.send(Outbound::Reply(text));
    }
}

/// `{"<kind>": <message>}`.
pub fn envelope(kind: &str, message: &impl Serialize) -> String {
    format!(
        "{{{}:{}}}",
        crate::gojson::string(kind),
        serde_json::to_string(message).unwrap_or_default()
    )
}

/// A presence as party messages write it.
pub fn wire(p: &Presence) -> WirePresence {
    WirePresence {
        user_id: p.user_id.clone(),
        session_id: p.session_id.clone(),
        username: p.username.clone(),
    }
}

// ---- messages, as protojson writes them (proto order, defaults left out) ----

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// rtapi `UserPresence` of a party member.
#[derive(Serialize, Clone, Default, Debug, PartialEq)]
pub struct WirePresence {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub session_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
}

/// rtapi `Party`.
#[derive(Serialize, Default)]
pub struct PartyOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub party_id: String,
    #[serde(skip_serializing_if = "is_default")]
    pub open: bool,
    #[serde(skip_serializing_if = "is_default")]
    pub hidden: bool,
    #[serde(skip_serializing_if = "is_default")]
    pub max_size: usize,
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<WirePresence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader: Option<WirePresence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub presences: Vec<WirePresence>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
}

/// rtapi `PartyClose` (and any message that is a party id alone).
#[derive(Serialize)]
struct IdOut {
    party_id: String,
}

/// rtapi `PartyLeader`.
#[derive(Serialize)]
struct LeaderOut {
    party_id: String,
    presence: WirePresence,
}

/// rtapi `PartyJoinRequest` (and `PartyMatchmakerTicket`'s shape aside).
#[derive(Serialize)]
pub struct RequestsOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub party_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub presences: Vec<WirePresence>,
}

/// rtapi `PartyMatchmakerTicket`.
#[derive(Serialize)]
pub struct TicketOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub party_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ticket: String,
}

/// rtapi `PartyPresenceEvent`.
#[derive(Serialize)]
struct EventOut {
    party_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    joins: Vec<WirePresence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    leaves: Vec<WirePresence>,
}

/// rtapi `PartyData`.
#[derive(Serialize)]
struct DataOut {
    party_id: String,
    presence: WirePresence,
    /// int64: a string.
    #[serde(skip_serializing_if = "String::is_empty")]
    op_code: String,
    /// bytes: standard base64.
    #[serde(skip_serializing_if = "String::is_empty")]
    data: String,
}

/// Where the next page of a party listing starts, and what it lists.
#[derive(Serialize, serde::Deserialize)]
struct ListCursor {
    query: String,
    open: Option<bool>,
    offset: usize,
    limit: usize,
}

/// rtapi `PartyUpdate`.
#[derive(Serialize)]
struct UpdateOut {
    party_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    label: String,
    #[serde(skip_serializing_if = "is_default")]
    open: bool,
    #[serde(skip_serializing_if = "is_default")]
    hidden: bool,
}

/// The parties of one host.
#[derive(Clone)]
pub struct Parties {
    node: String,
    parties: Arc<Mutex<HashMap<String, Party>>>,
    /// Where party tickets go (none in unit tests).
    matchmaker: Option<Matchmaker>,
    /// The presences modules put on streams: those on a party's stream
    /// that are not its members (a `stream_user_join` on a full party)
    /// keep it from being idle, and go with it (none in unit tests).
    streams: Option<Streams>,
}

/// A party id's UUID in canonical form and its node; `None` when it is
/// not `<uuid>.<node>` (Nakama's `Invalid party ID`).
pub fn parse_id(id: &str) -> Option<(String, &str)> {
    let (uuid, node) = id.split_once('.')?;
    let uuid = uuid::Uuid::parse_str(uuid).ok()?;
    Some((uuid.hyphenated().to_string(), node))
}

/// A party's stream (Nakama's mode 7): the party's UUID as subject, its
/// node as label.
fn stream_at(uuid: &str, node: &str) -> Option<Stream> {
    Some(Stream {
        mode: crate::streams::MODE_PARTY,
        subject: uuid.parse().ok()?,
        subcontext: uuid::Uuid::nil(),
        label: node.to_string(),
    })
}

/// Checks a label as Nakama does before it indexes it: at most 2048
/// bytes, a JSON object (or `null`); empty means `{}`.
fn check_label(label: &str) -> Result<(), PartyError> {
    let label = if label.is_empty() { "{}" } else { label };
    if label.len() > LABEL_MAX_BYTES {
        return Err(PartyError::LabelTooLong);
    }
    // Go's json.Unmarshal checks the whole text first, in its words.
    if let Some(refused) = crate::gobody::unmarshal_error(label.as_bytes()) {
        return Err(PartyError::Label(refused));
    }
    let kind = match label.trim_start_matches([' ', '\t', '\n', '\r']).as_bytes() {
        [b'{', ..] => {
            // Its values go into `interface{}`: a number a float64 cannot
            // hold is refused (the first in the text), one too small is 0.
            return match overflowing_number(label) {
                Some(n) => Err(PartyError::Label(format!(
                    "json: cannot unmarshal number {n} into Go value of type float64"
                ))),
                None => Ok(()),
            };
        }
        [b'n', ..] => return Ok(()),
        [b'[', ..] => "array",
        [b'"', ..] => "string",
        [b't' | b'f', ..] => "bool",
        _ => "number",
    };
    Err(PartyError::Label(format!(
        "json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    )))
}

/// The first number of valid JSON text, outside strings, that is past
/// a double's range (what Go's `strconv.ParseFloat` answers `±Inf` for).
fn overflowing_number(json: &str) -> Option<&str> {
    let bytes = json.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let n = &json[start..i];
                if n.parse::<f64>().is_ok_and(f64::is_infinite) {
                    return Some(n);
                }
            }
            _ => i += 1,
        }
    }
    None
}

impl Parties {
    pub fn new(node: &str, matchmaker: Option<Matchmaker>, streams: Option<Streams>) -> Parties {
        Parties {
            node: node.to_string(),
            parties: Arc::default(),
            matchmaker,
            streams,
        }
    }

    /// Sessions a module had put on these streams left them: to the
    /// parties hosted here whose streams they are, that is activity
    /// (Nakama's tracker hands a party stream's every leave to its
    /// handler, which counts it).
    pub fn stream_left(&self, streams: &[Stream]) {
        let mut parties = self.lock();
        for s in streams {
            let ours = s.mode == crate::streams::MODE_PARTY
                && s.subcontext.is_nil()
                && s.label == self.node;
            if !ours {
                continue;
            }
            if let Some(party) = parties.get_mut(&s.subject.to_string()) {
                party.activity += 1;
            }
        }
    }

    /// The stream of the party whose id's UUID is `uuid` (Nakama's mode 7).
    fn stream_of(&self, uuid: &str) -> Option<Stream> {
        stream_at(uuid, &self.node)
    }

    /// Sessions a module put on the party's stream without making them
    /// members.
    fn others_on_stream(&self, uuid: &str) -> usize {
        match (&self.streams, self.stream_of(uuid)) {
            (Some(streams), Some(stream)) => streams.count(&stream),
            _ => 0,
        }
    }

    /// The party `uuid` is gone: its tickets go, and everyone is taken off
    /// its stream (Nakama's `stop`).
    fn ended(&self, uuid: &str, party_id: &str) {
        self.unticket(party_id);
        if let (Some(streams), Some(stream)) = (&self.streams, self.stream_of(uuid)) {
            streams.close(&stream);
        }
    }

    /// The party's members changed or it is gone: its matchmaker tickets
    /// go, as in Nakama.
    fn unticket(&self, party_id: &str) {
        if let Some(m) = &self.matchmaker {
            m.remove_party_all(party_id);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Party>> {
        self.parties.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the party `id` names.
    fn with<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Party) -> Result<T, PartyError>,
    ) -> Result<T, PartyError> {
        let (uuid, node) = parse_id(id).ok_or(PartyError::NotFound)?;
        if node != self.node {
            return Err(PartyError::NotFound);
        }
        let mut parties = self.lock();
        let party = parties.get_mut(&uuid).ok_or(PartyError::NotFound)?;
        f(party)
    }

    /// `party_create`: a party led by `me`; answers its id and what goes
    /// to `me` after the answer.
    pub fn create(
        &self,
        me: Member,
        open: bool,
        hidden: bool,
        max_size: i32,
        label: &str,
    ) -> Result<(String, Vec<Push>), PartyError> {
        check_label(label)?;
        let uuid = uuid::Uuid::new_v4().to_string();
        let mut party = Party {
            id: format!("{uuid}.{}", self.node),
            open,
            hidden,
            max_size: max_size.max(0) as usize,
            label: label.to_string(),
            leader: me.presence.session_id.clone(),
            members: Vec::new(),
            outsider: None,
            requests: Vec::new(),
            created: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as i64),
            activity: 1,
            checked_activity: 0,
        };
        let mut pushes = Vec::new();
        if party.max_size == 0 {
            party.outsider = Some(me.clone());
        } else {
            party.members.push(me.clone());
            // Nakama's handler welcomes the creator as any joiner.
            party.welcome(&mut pushes, &me);
        }
        // Nakama's tracker announces the creator's join too.
        party.presence_event(&mut pushes, true, &me.presence);
        let id = party.id.clone();
        self.lock().insert(uuid, party);
        Ok((id, pushes))
    }

    /// `party_join`: joins an open party (what goes out after the answer)
    /// or asks to join a closed one.
    pub fn join(&self, me: Member, id: &str) -> Result<Vec<Push>, PartyError> {
        self.with(id, |party| {
            // Even a refused request keeps the party from being idle.
            party.activity += 1;
            if party.members.len() >= party.max_size {
                return Err(PartyError::Full);
            }
            let mut pushes = Vec::new();
            if party.open {
                if !party.has_member(&me.presence.session_id) {
                    party.members.push(me.clone());
                    party.welcome(&mut pushes, &me);
                    party.presence_event(&mut pushes, true, &me.presence);
                }
                self.unticket(&party.id);
                return Ok(pushes);
            }
            if party.requests.len() >= party.max_size {
                return Err(PartyError::JoinRequestsFull);
            }
            if party
                .requests
                .iter()
                .any(|r| r.presence.user_id == me.presence.user_id)
            {
                return Err(PartyError::JoinRequestDuplicate);
            }
            if let Some(leader) = party.leader() {
                let request = RequestsOut {
                    party_id: party.id.clone(),
                    presences: vec![wire(&me.presence)],
                };
                pushes.push((
                    leader.outbox.clone(),
                    envelope("party_join_request", &request),
                ));
            }
            party.requests.push(me);
            Ok(pushes)
        })
    }

    /// A module's `stream_user_join` on the party's stream: Nakama's
    /// tracker hands the presence to the party (`PartyHandler.Join`), which
    /// makes it a member, open party or not, with no join request needed. What
    /// goes out (nothing when the session is already a member). A full
    /// party refuses (Nakama logs that, and keeps the presence on the
    /// stream without making it a member).
    pub fn stream_join(&self, me: Member, id: &str) -> Result<Vec<Push>, PartyError> {
        self.with(id, |party| {
            let mut pushes = Vec::new();
            party.activity += 1;
            if party.has_member(&me.presence.session_id) {
                return Ok(pushes);
            }
            if party.members.len() >= party.max_size {
                return Err(PartyError::Full);
            }
            // A join request it made stays, as in Nakama (accepting it
            // then changes nothing).
            party.members.push(me.clone());
            party.welcome(&mut pushes, &me);
            party.presence_event(&mut pushes, true, &me.presence);
            Ok(pushes)
        })
    }

    /// `party_leave`, and a closing socket's leave: what goes out after
    /// the answer (nothing when the session is not a member).
    pub fn leave(&self, session_id: &str, id: &str) -> Vec<Push> {
        let Some((uuid, node)) = parse_id(id) else {
            return Vec::new();
        };
        if node != self.node {
            return Vec::new();
        }
        self.leave_uuid(session_id, &uuid)
    }

    fn leave_uuid(&self, session_id: &str, uuid: &str) -> Vec<Push> {
        let mut parties = self.lock();
        let Some(party) = parties.get_mut(uuid) else {
            return Vec::new();
        };
        if party.stream().any(|m| m.presence.session_id == session_id) {
            party.activity += 1;
        }
        if let Some(outsider) = party
            .outsider
            .take_if(|m| m.presence.session_id == session_id)
        {
            // Off the stream, where there is no one else to tell.
            let mut pushes = Vec::new();
            party.presence_event(&mut pushes, false, &outsider.presence);
            return pushes;
        }
        let Some(at) = party
            .members
            .iter()
            .position(|m| m.presence.session_id == session_id)
        else {
            return Vec::new();
        };
        let gone = party.members.remove(at);
        self.unticket(&party.id);
        let mut pushes = Vec::new();
        if party.leader == session_id {
            let Some(oldest) = party.members.first() else {
                self.ended(uuid, &party.id);
                parties.remove(uuid);
                return pushes;
            };
            party.leader = oldest.presence.session_id.clone();
            let message = LeaderOut {
                party_id: party.id.clone(),
                presence: wire(&oldest.presence),
            };
            party.to_all(&mut pushes, "party_leader", &message);
        }
        party.presence_event(&mut pushes, false, &gone.presence);
        pushes
    }

    /// A socket closed: its session leaves every party it is in.
    pub fn leave_all(&self, session_id: &str) -> Vec<Push> {
        self.leave_all_but(session_id, None)
    }

    /// `session.single_party`: the session, now a member of party `kept`,
    /// leaves the others it is a member of, as if it had left them, and
    /// the other party streams a module put it on (Nakama's
    /// `UntrackLocalByModes` on a party join): what goes out.
    pub fn leave_others(&self, session_id: &str, kept: &str) -> Vec<Push> {
        let Some((uuid, node)) = parse_id(kept) else {
            return Vec::new();
        };
        let pushes = self.leave_all_but(session_id, Some(&uuid));
        if let (Some(streams), Some(kept)) = (&self.streams, stream_at(&uuid, node)) {
            let modes = [crate::streams::MODE_PARTY];
            self.stream_left(&streams.untrack_modes(session_id, &modes, Some(&kept)));
        }
        pushes
    }

    /// Whether the session is a member of party `id`.
    pub fn is_member(&self, session_id: &str, id: &str) -> bool {
        (self.members(id).iter()).any(|p| p.session_id == session_id)
    }

    fn leave_all_but(&self, session_id: &str, kept: Option<&str>) -> Vec<Push> {
        let ids: Vec<String> = self
            .lock()
            .iter()
            .filter(|(id, p)| {
                Some(id.as_str()) != kept && p.stream().any(|m| m.presence.session_id == session_id)
            })
            .map(|(id, _)| id.clone())
            .collect();
        ids.iter()
            .flat_map(|id| self.leave_uuid(session_id, id))
            .collect()
    }

    /// `party_promote`: what goes out before the answer.
    pub fn promote(&self, me: &str, id: &str, to: &Presence) -> Result<Vec<Push>, PartyError> {
        self.with(id, |party| {
            party.check_leader(me)?;
            party.activity += 1;
            let new = party
                .members
                .iter()
                .find(|m| m.is(to))
                .ok_or(PartyError::NotMember)?;
            party.leader = new.presence.session_id.clone();
            let message = LeaderOut {
                party_id: party.id.clone(),
                presence: wire(&new.presence),
            };
            let mut pushes = Vec::new();
            party.to_all(&mut pushes, "party_leader", &message);
            Ok(pushes)
        })
    }

    /// `party_accept`: what goes out after the answer.
    pub fn accept(&self, me: &str, id: &str, who: &Presence) -> Result<Vec<Push>, PartyError> {
        self.with(id, |party| {
            party.check_leader(me)?;
            party.activity += 1;
            if party.members.len() >= party.max_size {
                return Err(PartyError::Full);
            }
            let at = party
                .requests
                .iter()
                .position(|r| r.is(who))
                .ok_or(PartyError::NotRequest)?;
            let joiner = party.requests.remove(at);
            // Its session is gone: Nakama's stream join fails.
            if joiner.outbox.is_closed() {
                return Err(PartyError::AcceptRequest);
            }
            self.unticket(&party.id);
            // A member's own request (Nakama's duplicate check looks for a
            // user id among session ids, so a member may ask): accepted
            // as Nakama does, with nothing to join and no one told.
            if party.has_member(&joiner.presence.session_id) {
                return Ok(Vec::new());
            }
            party.members.push(joiner.clone());
            let mut pushes = Vec::new();
            party.welcome(&mut pushes, &joiner);
            party.presence_event(&mut pushes, true, &joiner.presence);
            Ok(pushes)
        })
    }

    /// `party_remove`: a member (told `party_close`, the others a leave)
    /// or a join request.
    pub fn remove(&self, me: &str, id: &str, who: &Presence) -> Result<Vec<Push>, PartyError> {
        self.with(id, |party| {
            party.check_leader(me)?;
            party.activity += 1;
            if party.leader().is_some_and(|l| l.is(who)) {
                return Err(PartyError::RemoveSelf);
            }
            let mut pushes = Vec::new();
            if let Some(at) = party.members.iter().position(|m| m.is(who)) {
                let gone = party.members.remove(at);
                self.unticket(&party.id);
                let close = IdOut {
                    party_id: party.id.clone(),
                };
                pushes.push((gone.outbox.clone(), envelope("party_close", &close)));
                party.presence_event(&mut pushes, false, &gone.presence);
                return Ok(pushes);
            }
            let at = party
                .requests
                .iter()
                .position(|r| r.is(who))
                .ok_or(PartyError::NotMember)?;
            party.requests.remove(at);
            Ok(pushes)
        })
    }

    /// `party_close`: every member is told, before the answer.
    pub fn close(&self, me: &str, id: &str) -> Result<Vec<Push>, PartyError> {
        let mut pushes = Vec::new();
        self.with(id, |party| {
            party.check_leader(me)?;
            let close = IdOut {
                party_id: party.id.clone(),
            };
            party.to_all(&mut pushes, "party_close", &close);
            Ok(())
        })?;
        if let Some((uuid, _)) = parse_id(id) {
            self.ended(&uuid, id);
            self.lock().remove(&uuid);
        }
        Ok(pushes)
    }

    /// `party_join_request_list`: the sessions asking to join, oldest first.
    pub fn join_requests(&self, me: &str, id: &str) -> Result<Vec<Presence>, PartyError> {
        self.with(id, |party| {
            party.check_leader(me)?;
            party.activity += 1;
            Ok(party.requests.iter().map(|r| r.presence.clone()).collect())
        })
    }

    /// `party_data_send`: to the other members, before the answer.
    pub fn send(
        &self,
        me: &str,
        id: &str,
        op_code: i64,
        data: &[u8],
    ) -> Result<Vec<Push>, PartyError> {
        self.with(id, |party| {
            let sender = party
                .members
                .iter()
                .find(|m| m.presence.session_id == me)
                .ok_or(PartyError::NotMember)?;
            let message = DataOut {
                party_id: party.id.clone(),
                presence: wire(&sender.presence),
                op_code: if op_code == 0 {
                    String::new()
                } else {
                    op_code.to_string()
                },
                data: base64::engine::general_purpose::STANDARD.encode(data),
            };
            let text = envelope("party_data", &message);
            Ok(party
                .members
                .iter()
                .filter(|m| m.presence.session_id != me)
                .map(|m| (m.outbox.clone(), text.clone()))
                .collect())
        })
    }

    /// `party_update`: the party's label and whether it is open or hidden;
    /// every member is told, before the answer.
    pub fn update(
        &self,
        me: &str,
        id: &str,
        label: &str,
        open: bool,
        hidden: bool,
    ) -> Result<Vec<Push>, PartyError> {
        if !(label.is_empty() || label == "{}") && hidden {
            return Err(PartyError::HiddenNonEmptyLabel);
        }
        self.with(id, |party| {
            party.check_leader(me)?;
            check_label(label)?;
            party.open = open;
            party.hidden = hidden;
            party.label = label.to_string();
            let message = UpdateOut {
                party_id: party.id.clone(),
                label: label.to_string(),
                open,
                hidden,
            };
            let mut pushes = Vec::new();
            party.to_all(&mut pushes, "party_update", &message);
            Ok(pushes)
        })
    }

    /// `party_list` and `GET /v2/party`: a page of the parties a label
    /// query matches (see [`crate::query`]; empty: all), open or closed
    /// ones only when `open` says, hidden ones only when asked, best
    /// score first, then oldest first. The cursor holds the next page's
    /// offset and the arguments, which must not change (Nakama's
    /// messages: "invalid cursor", "invalid cursor: param query
    /// mismatch", ...); a query that does not parse is "error parsing
    /// query string: ...".
    pub fn list(
        &self,
        limit: usize,
        open: Option<bool>,
        show_hidden: bool,
        query: &str,
        cursor: &str,
    ) -> Result<(Vec<api::Party>, String), String> {
        if limit == 0 {
            return Ok((Vec::new(), String::new()));
        }
        let query = if query.is_empty() { "*" } else { query };
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut offset = 0;
        if !cursor.is_empty() {
            let c: ListCursor = b64
                .decode(cursor)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or("invalid cursor")?;
            for (same, param) in [
                (c.query == query, "query"),
                (c.limit == limit, "limit"),
                (c.open == open, "open"),
            ] {
                if !same {
                    return Err(format!("invalid cursor: param {param} mismatch"));
                }
            }
            offset = c.offset;
        }
        let parsed = Query::parse(query).map_err(|e| format!("error parsing query string: {e}"))?;
        let mut hits: Vec<(f64, i64, api::Party)> = self
            .lock()
            .values()
            .filter(|p| open.is_none_or(|o| p.open == o) && (show_hidden || !p.hidden))
            .filter_map(|p| {
                let label = if p.label.is_empty() { "{}" } else { &p.label };
                let mut doc = Document::default();
                doc.add_keyword("node", &self.node);
                doc.add_keyword("open", if p.open { "T" } else { "F" });
                doc.add_keyword("hidden", if p.hidden { "T" } else { "F" });
                doc.add_number("max_size", p.max_size as f64);
                doc.add_date_nanos("create_time", p.created);
                if let Ok(json @ Value::Object(_)) = serde_json::from_str::<Value>(label) {
                    doc.add_json("label", &json);
                }
                let score = parsed.score(&doc)?;
                let party = api::Party {
                    party_id: p.id.clone(),
                    open: p.open,
                    hidden: p.hidden,
                    max_size: p.max_size as i32,
                    label: label.to_string(),
                };
                Some((score, p.created, party))
            })
            .collect();
        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut page: Vec<api::Party> = hits
            .into_iter()
            .skip(offset)
            .take(limit + 1)
            .map(|(_, _, p)| p)
            .collect();
        let mut next = String::new();
        if page.len() > limit {
            page.truncate(limit);
            let c = ListCursor {
                query: query.to_string(),
                open,
                offset: offset + limit,
                limit,
            };
            next = b64.encode(serde_json::to_vec(&c).unwrap_or_default());
        }
        Ok((page, next))
    }

    /// `party_matchmaker_add` (counts checked, `multiple` the count
    /// multiple): a ticket for every member; answers it and what the
    /// other members get (`party_matchmaker_ticket`), or the error's text.
    pub fn matchmaker_add(
        &self,
        me: &str,
        id: &str,
        req: &TicketRequest,
        multiple: i32,
    ) -> Result<(String, Vec<Push>), String> {
        let mut ticket = String::new();
        let pushes = self
            .with(id, |party| {
                party.check_leader(me)?;
                Ok((party.id.clone(), party.members.clone()))
            })
            .map_err(|e| e.to_string())
            .and_then(|(party_id, members)| {
                // A party of max_size 0 (Nakama 3.40.0's handler panics
                // here, and the leader's connection drops).
                if members.is_empty() {
                    return Err("party has no members".to_string());
                }
                let Some(m) = &self.matchmaker else {
                    return Err("matchmaker not available".to_string());
                };
                let presences: Vec<Presence> = members.iter().map(|m| m.presence.clone()).collect();
                ticket = m.add_party(&party_id, &presences, req, multiple)?;
                let out = TicketOut {
                    party_id: id.to_string(),
                    ticket: ticket.clone(),
                };
                let text = envelope("party_matchmaker_ticket", &out);
                Ok(members
                    .iter()
                    .filter(|m| m.presence.session_id != me)
                    .map(|m| (m.outbox.clone(), text.clone()))
                    .collect())
            })?;
        Ok((ticket, pushes))
    }

    /// `party_matchmaker_remove`: one of the party's tickets; the error's
    /// text if not.
    pub fn matchmaker_remove(&self, me: &str, id: &str, ticket: &str) -> Result<(), String> {
        let party_id = self
            .with(id, |party| {
                party.check_leader(me)?;
                Ok(party.id.clone())
            })
            .map_err(|e| e.to_string())?;
        match &self.matchmaker {
            // runtime.ErrMatchmakerTicketNotFound's words (the socket's
            // own `matchmaker_remove` says it capitalised).
            Some(m) => m
                .remove_party(&party_id, ticket)
                .map_err(|_| "matchmaker ticket not found".into()),
            None => Err("matchmaker ticket not found".into()),
        }
    }

    /// How many parties there are.
    /// The members of party `id` (`<uuid>.<node>`), oldest first, as
    /// Nakama's tracker lists the party's stream; none for an unknown one.
    pub fn members(&self, id: &str) -> Vec<Presence> {
        let Some((uuid, node)) = parse_id(id) else {
            return Vec::new();
        };
        if node != self.node {
            return Vec::new();
        }
        self.lock()
            .get(&uuid)
            .map(|p| p.stream().map(|m| m.presence.clone()).collect())
            .unwrap_or_default()
    }

    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// Nakama's idle check (every `party.idle_check_interval_ms`): a party
    /// with no one on its stream (a `max_size` 0 party its creator left)
    /// and no activity since the last check is closed, with its matchmaker
    /// tickets. Others are marked as checked.
    pub fn close_idle(&self) {
        let mut parties = self.lock();
        parties.retain(|uuid, party| {
            let idle = party.activity == party.checked_activity;
            party.checked_activity = party.activity;
            if idle && party.stream().next().is_none() && self.others_on_stream(uuid) == 0 {
                self.ended(uuid, &party.id);
                return false;
            }
            true
        });
    }

    /// How many sessions are on the parties' streams, all together (their
    /// members, and the creators of `max_size` 0 parties, as Nakama's
    /// tracker counts them).
    pub fn presence_count(&self) -> usize {
        self.lock().values().map(|p| p.stream().count()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokio::sync::mpsc;

    fn member(n: u8) -> (Member, mpsc::UnboundedReceiver<Outbound>) {
        let (outbox, rx) = Outbox::unlimited();
        let presence = Presence {
            user_id: format!("00000000-0000-4000-8000-00000000000{n}"),
            session_id: format!("10000000-0000-4000-8000-00000000000{n}"),
            username: format!("user{n}"),
            node: String::new(),
            ..Presence::default()
        };
        (Member { presence, outbox }, rx)
    }

    fn kinds(pushes: &[Push]) -> Vec<String> {
        pushes
            .iter()
            .map(|(_, t)| {
                let v: Value = serde_json::from_str(t).unwrap();
                v.as_object().unwrap().keys().next().unwrap().clone()
            })
            .collect()
    }

    #[test]
    fn labels_are_checked_as_nakama_reads_them() {
        assert_eq!(check_label(""), Ok(()));
        assert_eq!(check_label("null"), Ok(()));
        assert_eq!(check_label(r#"{"a":1}"#), Ok(()));
        // Go 1.26: the first number past a float64, in the text's order;
        // one too small for it reads as 0; strings are not numbers.
        for (label, go) in [
            (r#"{"a":1e400}"#, Some("1e400")),
            (
                r#"{"s":"1e400","a":[1,{"b":-1e400}],"c":1e999}"#,
                Some("-1e400"),
            ),
            (r#"{"a\"1e999":{"b":1.5e308}}"#, None),
            (r#"{"a":1e-400,"b":123456789012345678901234567890}"#, None),
        ] {
            assert_eq!(
                check_label(label),
                match go {
                    Some(n) => Err(PartyError::Label(format!(
                        "json: cannot unmarshal number {n} into Go value of type float64"
                    ))),
                    None => Ok(()),
                },
                "{label}"
            );
        }
        // Only an object's values are read: a number for the map itself is
        // refused as a number.
        assert!(
            matches!(check_label("1e400"), Err(PartyError::Label(m)) if m.contains("number into Go value of type map"))
        );
        assert_eq!(
            check_label("[1]"),
            Err(PartyError::Label(
                "json: cannot unmarshal array into Go value of type map[string]interface {}".into()
            ))
        );
        assert_eq!(
            check_label("{"),
            Err(PartyError::Label("unexpected end of JSON input".into()))
        );
        assert_eq!(
            check_label("x"),
            Err(PartyError::Label(
                "invalid character 'x' looking for beginning of value".into()
            ))
        );
        // Go 1.26's json.Unmarshal into a map, word for word.
        for (label, go) in [
            ("0x10", "invalid character 'x' after top-level value"),
            ("  ", "unexpected end of JSON input"),
            ("{\"a\":1}x", "invalid character 'x' after top-level value"),
            (
                "true",
                "json: cannot unmarshal bool into Go value of type map[string]interface {}",
            ),
            (
                "5",
                "json: cannot unmarshal number into Go value of type map[string]interface {}",
            ),
            (
                "nul",
                "invalid character ' ' in literal null (expecting 'l')",
            ),
            (
                "{\"a\":}",
                "invalid character '}' looking for beginning of value",
            ),
            ("1 2", "invalid character '2' after top-level value"),
        ] {
            assert_eq!(
                check_label(label),
                Err(PartyError::Label(go.into())),
                "{label}"
            );
        }
        assert_eq!(check_label("{}\n"), Ok(()));
        let long = format!(r#"{{"a":"{}"}}"#, "x".repeat(LABEL_MAX_BYTES));
        assert_eq!(check_label(&long), Err(PartyError::LabelTooLong));
    }

    #[test]
    fn party_ids_are_a_uuid_and_a_node() {
        assert_eq!(parse_id("x"), None);
        assert_eq!(parse_id("x.n"), None);
        let (uuid, node) = parse_id("AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE.n.m").unwrap();
        assert_eq!(
            (uuid.as_str(), node),
            ("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "n.m")
        );
    }

    /// Nakama's duplicate check looks for the user id among session ids,
    /// so a member's own request stands; accepting it changes nothing.
    #[test]
    fn a_members_own_join_request_is_accepted_with_nothing_to_join() {
        let parties = Parties::new("n", None, None);
        let (a, _ra) = member(1);
        let (id, _) = parties.create(a.clone(), false, false, 3, "").unwrap();
        let pushes = parties.join(a.clone(), &id).unwrap();
        assert_eq!(kinds(&pushes), ["party_join_request"]);
        let a_sid = &a.presence.session_id;
        assert_eq!(parties.join_requests(a_sid, &id).unwrap().len(), 1);
        let pushes = parties.accept(a_sid, &id, &a.presence).unwrap();
        assert_eq!(kinds(&pushes), [] as [&str; 0]);
        assert_eq!(parties.members(&id).len(), 1);
        assert!(parties.join_requests(a_sid, &id).unwrap().is_empty());
    }

    #[test]
    fn leaders_and_members_as_nakama() {
        let parties = Parties::new("n", None, None);
        let (a, _ra) = member(1);
        let (b, _rb) = member(2);
        let (c, _rc) = member(3);
        let (id, pushes) = parties.create(a.clone(), false, false, 2, "").unwrap();
        assert_eq!(kinds(&pushes), ["party", "party_presence_event"]);
        assert_eq!(
            parties.join(b.clone(), "x.y").err(),
            Some(PartyError::NotFound)
        );
        // Closed: a request, to the leader.
        let pushes = parties.join(b.clone(), &id).unwrap();
        assert_eq!(kinds(&pushes), ["party_join_request"]);
        assert_eq!(
            parties.join(b.clone(), &id).err(),
            Some(PartyError::JoinRequestDuplicate)
        );
        parties.join(c.clone(), &id).unwrap();
        let (d, _rd) = member(4);
        assert_eq!(
            parties.join(d.clone(), &id).err(),
            Some(PartyError::JoinRequestsFull)
        );
        let b_sid = &b.presence.session_id;
        assert_eq!(
            parties.accept(b_sid, &id, &c.presence).err(),
            Some(PartyError::NotLeader)
        );
        let a_sid = &a.presence.session_id;
        let pushes = parties.accept(a_sid, &id, &b.presence).unwrap();
        assert_eq!(
            kinds(&pushes),
            ["party", "party_presence_event", "party_presence_event"]
        );
        assert_eq!(
            parties.accept(a_sid, &id, &c.presence).err(),
            Some(PartyError::Full)
        );
        assert_eq!(
            parties.remove(a_sid, &id, &a.presence).err(),
            Some(PartyError::RemoveSelf)
        );
        // The leader leaves: b leads, and is told before the leave.
        let pushes = parties.leave(a_sid, &id);
        assert_eq!(kinds(&pushes), ["party_leader", "party_presence_event"]);
        assert_eq!(parties.join_requests(b_sid, &id).unwrap().len(), 1);
        // The last member leaves: the party is gone.
        assert!(parties.leave_all(b_sid).is_empty());
        assert_eq!(parties.count(), 0);
        assert_eq!(parties.close(b_sid, &id).err(), Some(PartyError::NotFound));
    }

    #[test]
    fn a_party_of_max_size_0_has_a_leader_and_no_members() {
        let parties = Parties::new("n", None, None);
        let (a, _ra) = member(1);
        let (b, _rb) = member(2);
        let a_sid = &a.presence.session_id;
        // No `party` after the answer: Nakama's handler finds it full.
        let (id, pushes) = parties.create(a.clone(), true, false, 0, "").unwrap();
        assert_eq!(kinds(&pushes), ["party_presence_event"]);
        assert_eq!(parties.join(b.clone(), &id).err(), Some(PartyError::Full));
        assert_eq!(
            parties.send(a_sid, &id, 1, b"x").err(),
            Some(PartyError::NotMember)
        );
        assert_eq!(
            parties.remove(a_sid, &id, &a.presence).err(),
            Some(PartyError::RemoveSelf)
        );
        let pushes = parties.update(a_sid, &id, "", false, false).unwrap();
        assert_eq!(kinds(&pushes), ["party_update"]);
        // Leaving it leaves the party there, still led by a.
        assert!(parties.leave(a_sid, &id).is_empty());
        assert_eq!(parties.count(), 1);
        let req = TicketRequest::default();
        assert_eq!(
            parties.matchmaker_add(a_sid, &id, &req, 1).err().as_deref(),
            Some("party has no members")
        );
        assert!(parties.close(a_sid, &id).unwrap().is_empty());
        assert_eq!(parties.count(), 0);
    }

    #[test]
    fn the_idle_check_closes_a_party_no_one_is_on_after_a_quiet_interval() {
        let streams = Streams::default();
        let parties = Parties::new("n", None, Some(streams.clone()));
        let (a, _ra) = member(1);
        let (b, _rb) = member(2);
        let (c, _rc) = member(3);
        let a_sid = &a.presence.session_id;
        let (empty, _) = parties.create(a.clone(), true, false, 0, "").unwrap();
        let (full, _) = parties.create(b.clone(), true, false, 2, "").unwrap();
        // Its outsider still there: a party stays however quiet it is.
        for _ in 0..3 {
            parties.close_idle();
        }
        assert_eq!(parties.count(), 2);
        assert!(parties.leave(a_sid, &empty).is_empty());
        // The leave was activity: the first check after it only notes it.
        parties.close_idle();
        assert_eq!(parties.count(), 2);
        // A join refused as full is activity too, as in Nakama.
        assert_eq!(
            parties.join(c.clone(), &empty).err(),
            Some(PartyError::Full)
        );
        parties.close_idle();
        assert_eq!(parties.count(), 2);
        // A session a module put on its stream (Nakama's tracker keeps one
        // that a full party refused) keeps it too, until it is off.
        let (uuid, _) = parse_id(&empty).unwrap();
        let stream = parties.stream_of(&uuid).unwrap();
        let meta = crate::streams::Meta::default();
        assert!(streams.track(&stream, &c.presence, &c.outbox, meta));
        for _ in 0..3 {
            parties.close_idle();
        }
        assert_eq!(parties.count(), 2);
        // Its socket closing takes it off, which is activity (Nakama's
        // handler counts every leave from its stream).
        let left = streams.untrack_all(&c.presence.session_id);
        assert_eq!(left, std::slice::from_ref(&stream));
        parties.stream_left(&left);
        parties.close_idle();
        assert_eq!(parties.count(), 2);
        parties.close_idle();
        assert_eq!(parties.count(), 1);
        assert_eq!(parties.members(&full).len(), 1);
        assert_eq!(
            parties.join(c.clone(), &empty).err(),
            Some(PartyError::NotFound)
        );
        // A party that ends takes everyone off its stream (Nakama's
        // `UntrackByStream`).
        let (uuid, _) = parse_id(&full).unwrap();
        let stream = parties.stream_of(&uuid).unwrap();
        let meta = crate::streams::Meta::default();
        assert!(streams.track(&stream, &c.presence, &c.outbox, meta));
        parties.leave_all(&b.presence.session_id);
        assert_eq!(parties.count(), 0);
        assert_eq!(streams.count(&stream), 0);
    }

    #[test]
    fn data_goes_to_the_other_members() {
        let parties = Parties::new("n", None, None);
        let (a, _ra) = member(1);
        let (b, _rb) = member(2);
        let (id, _) = parties.create(a.clone(), true, false, 4, "").unwrap();
        parties.join(b.clone(), &id).unwrap();
        let pushes = parties.send(&a.presence.session_id, &id, 3, b"hi").unwrap();
        assert_eq!(pushes.len(), 1);
        assert!(pushes[0].0.same_channel(&b.outbox));
        let v: Value = serde_json::from_str(&pushes[0].1).unwrap();
        assert_eq!(
            v["party_data"],
            json!({"party_id": id, "presence": serde_json::to_value(wire(&a.presence)).unwrap(), "op_code": "3", "data": "aGk="})
        );
        assert_eq!(
            parties.send("nobody", &id, 3, b"").err(),
            Some(PartyError::NotMember)
        );
        assert_eq!(
            parties
                .update(&a.presence.session_id, &id, "{\"a\":1}", true, true)
                .err(),
            Some(PartyError::HiddenNonEmptyLabel)
        );
    }
}
