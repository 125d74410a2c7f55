//! Authoritative match handlers on the wire (ABI 1.4).
//!
//! A module registers a match handler under a name ([`crate::ffi::kind::MATCH`]).
//! The host runs the match (its ticks, its presences, the clients' messages)
//! and calls the handler once per event with a [`MatchCall`]; the handler
//! answers a [`MatchAnswer`]. Both cross as JSON, like every other call,
//! except that from ABI 1.16 a host may send a `loop` call in the
//! [`compact`] form, which the module then answers in.
//!
//! The match's state never crosses: the module keeps it and answers a
//! number, [`MatchAnswer::state`], that the host passes back with each
//! later call. The state lives until the module answers `stop` (it has
//! dropped it), or the host sends [`MatchEvent::Drop`] because the match
//! ended for another reason (its grace period ran out, the host stopped,
//! a call failed).
//!
//! A host that reloads its modules (the dev host) may move a running
//! match to the new build of its module: [`MatchEvent::Save`] asks the old
//! build for the state as JSON (keeping it there), [`MatchEvent::Restore`]
//! hands that to the new build, which answers a state number of its own;
//! then the old build gets [`MatchEvent::Drop`]. A module whose handler
//! does not keep its state across reloads, or one built before these
//! events existed, answers an error to `save`, and the match stays on its
//! build. No ABI version marks this: only a reload sends them, and any
//! error leaves the match as it was.
//!
//! What the handler asks of the match during a call (messages to send,
//! presences to kick, a new label) comes back as [`MatchAction`]s in the
//! answer, applied by the host in order once the call returns, before the
//! match's next event.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub mod compact;

/// Longest match label Nakama accepts, in bytes.
pub const LABEL_MAX_BYTES: usize = 2048;
/// Tick rates Nakama accepts, per second.
pub const TICK_RATES: std::ops::RangeInclusive<u32> = 1..=60;

/// A user's presence in a match: one session of one user, on one node.
///
/// Two presences are equal (and hash alike) when their user, session,
/// username and node are: the [`reason`](Presence::reason) they come with
/// is left out, so that a presence from `leave` finds the same one kept
/// from `join`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Presence {
    pub user_id: String,
    pub session_id: String,
    pub username: String,
    /// The node the session is connected to.
    pub node: String,
    /// Why the host hands this presence over (Nakama's
    /// `runtime.Presence.GetReason()`): in a match handler's `leave`,
    /// [`PresenceReason::Leave`] for a presence that left or was kicked,
    /// [`PresenceReason::Disconnect`] for one whose socket closed. Hosts
    /// older than this field send none: [`PresenceReason::Unknown`].
    #[serde(skip_serializing_if = "PresenceReason::is_unknown")]
    pub reason: PresenceReason,
}

impl PartialEq for Presence {
    fn eq(&self, other: &Presence) -> bool {
        self.user_id == other.user_id
            && self.session_id == other.session_id
            && self.username == other.username
            && self.node == other.node
    }
}

impl Eq for Presence {}

impl std::hash::Hash for Presence {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.user_id.hash(state);
        self.session_id.hash(state);
        self.username.hash(state);
        self.node.hash(state);
    }
}

/// Why a presence is where it is: Nakama's `runtime.PresenceReason`, with
/// its numbers (the wire carries the number).
///
/// What a match handler sees, in Nakama 3.40 and on the dev host: `leave`
/// gets [`Leave`](PresenceReason::Leave) when the client sent a match
/// leave or the match kicked the presence (in Nakama also when a module
/// took it off the match's stream with `stream_user_leave`/`_kick`);
/// [`Disconnect`](PresenceReason::Disconnect) when its socket closed or
/// the server ended the session (`session_disconnect` without a reason;
/// with one, that reason). `join_attempt`, `join` and the senders of
/// `tick`'s messages are [`Unknown`](PresenceReason::Unknown): Nakama sets
/// no reason on them (nor on the leave Nakama sends, once its join marker
/// expires, for an accepted join whose session never arrived).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PresenceReason {
    /// No reason given (and any number this version does not know).
    #[default]
    Unknown = 0,
    /// The presence joined.
    Join = 1,
    /// The presence's metadata changed (a stream's `stream_user_update`).
    Update = 2,
    /// The presence left on purpose, or was kicked.
    Leave = 3,
    /// The presence's session ended: its socket closed, or the server
    /// disconnected it.
    Disconnect = 4,
}

impl PresenceReason {
    /// The reason with Nakama's number; `Unknown` for a number it does not have.
    pub fn from_u8(n: u8) -> PresenceReason {
        match n {
            1 => PresenceReason::Join,
            2 => PresenceReason::Update,
            3 => PresenceReason::Leave,
            4 => PresenceReason::Disconnect,
            _ => PresenceReason::Unknown,
        }
    }

    /// Nakama's number for the reason.
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    fn is_unknown(&self) -> bool {
        *self == PresenceReason::Unknown
    }
}

impl Serialize for PresenceReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.as_u8())
    }
}

impl<'de> Deserialize<'de> for PresenceReason {
    /// A number; one out of range (a newer host's) reads as `Unknown`.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PresenceReason, D::Error> {
        let n = u64::deserialize(d)?;
        Ok(u8::try_from(n).map_or(PresenceReason::Unknown, PresenceReason::from_u8))
    }
}

/// A message a client sent to the match, delivered with the next tick.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchData {
    /// Who sent it.
    pub presence: Presence,
    /// The client's op code.
    pub op_code: i64,
    /// Its payload, as sent (base64 in JSON, as in Nakama's API).
    #[serde(with = "base64_bytes")]
    pub data: Vec<u8>,
    pub reliable: bool,
    /// When the host received it, in milliseconds since the Unix epoch.
    pub receive_time_ms: i64,
}

/// One call of a match handler.
///
/// Read through `FlatCall` (private): serde's `flatten` of a tagged enum buffers
/// the whole input first, which doubled the cost of decoding a tick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FlatCall")]
pub struct MatchCall {
    /// The module's state number ([`MatchAnswer::state`]); 0 for `init`.
    #[serde(default)]
    pub state: u64,
    /// `<uuid>.<node>`.
    pub match_id: String,
    pub node: String,
    /// The label as it stands (empty before init has answered).
    #[serde(default)]
    pub label: String,
    /// Ticks per second (0 before init has answered).
    #[serde(default)]
    pub tick_rate: u32,
    /// The match's current tick, from 0.
    #[serde(default)]
    pub tick: i64,
    #[serde(flatten)]
    pub event: MatchEvent,
}

/// [`MatchCall`]'s JSON as one flat object: the header, `call`, and the
/// fields of every event, each read only for its own.
#[derive(Deserialize)]
struct FlatCall {
    #[serde(default)]
    state: u64,
    match_id: String,
    node: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    tick_rate: u32,
    #[serde(default)]
    tick: i64,
    call: String,
    #[serde(default)]
    params: serde_json::Map<String, serde_json::Value>,
    presence: Option<Presence>,
    #[serde(default)]
    metadata: HashMap<String, String>,
    presences: Option<Vec<Presence>>,
    #[serde(default)]
    messages: Vec<MatchData>,
    grace_seconds: Option<i64>,
    #[serde(default)]
    data: String,
    saved: Option<String>,
}

impl TryFrom<FlatCall> for MatchCall {
    type Error = String;

    fn try_from(f: FlatCall) -> Result<MatchCall, String> {
        let missing = |field: &str| format!("missing field `{field}` for call `{}`", f.call);
        let event = match f.call.as_str() {
            "init" => MatchEvent::Init { params: f.params },
            "join_attempt" => MatchEvent::JoinAttempt {
                presence: f.presence.ok_or_else(|| missing("presence"))?,
                metadata: f.metadata,
            },
            "join" => MatchEvent::Join {
                presences: f.presences.ok_or_else(|| missing("presences"))?,
            },
            "leave" => MatchEvent::Leave {
                presences: f.presences.ok_or_else(|| missing("presences"))?,
            },
            "loop" => MatchEvent::Loop {
                messages: f.messages,
            },
            "terminate" => MatchEvent::Terminate {
                grace_seconds: f.grace_seconds.ok_or_else(|| missing("grace_seconds"))?,
            },
            "signal" => MatchEvent::Signal { data: f.data },
            "drop" => MatchEvent::Drop,
            "save" => MatchEvent::Save,
            "restore" => MatchEvent::Restore {
                saved: f.saved.ok_or_else(|| missing("saved"))?,
            },
            other => return Err(format!("unknown match call `{other}`")),
        };
        Ok(MatchCall {
            state: f.state,
            match_id: f.match_id,
            node: f.node,
            label: f.label,
            tick_rate: f.tick_rate,
            tick: f.tick,
            event,
        })
    }
}

/// What happened to the match. Nakama's `Match` methods, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum MatchEvent {
    /// `MatchInit`: create the state from `match_create`'s params. The
    /// answer carries the state number, tick rate and label.
    Init {
        #[serde(default)]
        params: serde_json::Map<String, serde_json::Value>,
    },
    /// `MatchJoinAttempt`: may this presence join? The call's context is
    /// the joining user's (user id, username, vars, session expiry, client
    /// address). The answer carries `accept` and a `reason` to refuse with.
    JoinAttempt {
        presence: Presence,
        #[serde(default)]
        metadata: HashMap<String, String>,
    },
    /// `MatchJoin`: these presences joined (after an accepted attempt).
    Join { presences: Vec<Presence> },
    /// `MatchLeave`: these presences left, were kicked or disconnected.
    Leave { presences: Vec<Presence> },
    /// `MatchLoop`: one tick, with the messages received since the last.
    Loop {
        #[serde(default)]
        messages: Vec<MatchData>,
    },
    /// `MatchTerminate`: the host is stopping; the match has
    /// `grace_seconds` before it ends.
    Terminate { grace_seconds: i64 },
    /// `MatchSignal`: `match_signal`'s data. The answer carries a `reply`.
    Signal {
        #[serde(default)]
        data: String,
    },
    /// The match is over without the module having stopped it: drop the
    /// state. The answer is ignored.
    Drop,
    /// The host reloaded its modules: the state as JSON, in the answer's
    /// `saved`, for the new build to [`MatchEvent::Restore`]. The state
    /// stays here until a `drop`. An error: the match stays on this build.
    Save,
    /// The state another build of this module saved ([`MatchEvent::Save`]),
    /// to go on with here: answered like `init`, with the new state's number
    /// (the match keeps its label, tick rate and tick).
    Restore { saved: String },
}

/// A match handler's answer to one call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchAnswer {
    /// `init`: the number of the new state, passed back with every call.
    #[serde(skip_serializing_if = "is_zero")]
    pub state: u64,
    /// The module has dropped the state: the match ends after this call
    /// (Nakama's "returned a nil state").
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stop: bool,
    /// `init`: ticks per second, within [`TICK_RATES`].
    #[serde(skip_serializing_if = "is_zero")]
    pub tick_rate: u32,
    /// `init`: the label, at most [`LABEL_MAX_BYTES`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `join_attempt`: whether the presence may join.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub accept: bool,
    /// `join_attempt`: why it may not (sent to the client).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// `signal`: the reply `match_signal` answers.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reply: String,
    /// `save`: the state, as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved: Option<String>,
    /// What the handler asked of the match, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<MatchAction>,
}

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Something a handler asks of its match during a call (Nakama's
/// `MatchDispatcher`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MatchAction {
    /// `BroadcastMessage` (or `BroadcastMessageDeferred`: sent at the end
    /// of the tick, after the immediate ones).
    Broadcast {
        op_code: i64,
        #[serde(default, with = "base64_bytes")]
        data: Vec<u8>,
        /// `None`: every presence in the match. Presences not in the match
        /// are left out; an empty list sends nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        presences: Option<Vec<Presence>>,
        /// Shown to receivers as the sender; `None` for the server.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sender: Option<Presence>,
        #[serde(default)]
        reliable: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        deferred: bool,
    },
    /// `MatchKick`: remove these presences (they get `leave` next).
    Kick { presences: Vec<Presence> },
    /// `MatchLabelUpdate`.
    Label { label: String },
}

/// Bytes as standard base64, as Nakama's JSON carries them.
pub mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = Option::<String>::deserialize(d)?.unwrap_or_default();
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_flat_json_named_by_call() {
        let call = MatchCall {
            state: 7,
            match_id: "m.node".into(),
            node: "node".into(),
            label: "l".into(),
            tick_rate: 10,
            tick: 3,
            event: MatchEvent::Loop {
                messages: vec![MatchData {
                    op_code: 2,
                    data: b"hi".to_vec(),
                    ..Default::default()
                }],
            },
        };
        let json = serde_json::to_value(&call).unwrap();
        assert_eq!(json["call"], "loop");
        assert_eq!(json["state"], 7);
        assert_eq!(json["messages"][0]["data"], "aGk=");
        let back: MatchCall = serde_json::from_value(json).unwrap();
        assert_eq!(back, call);

        let drop: MatchCall =
            serde_json::from_str(r#"{"call":"drop","state":3,"match_id":"x","node":"n"}"#).unwrap();
        assert_eq!(drop.event, MatchEvent::Drop);
    }

    #[test]
    fn every_event_reads_back_as_written_and_bad_calls_are_refused() {
        let header = |event| MatchCall {
            state: 1,
            match_id: "m".into(),
            node: "n".into(),
            label: String::new(),
            tick_rate: 1,
            tick: 0,
            event,
        };
        let p = Presence {
            user_id: "u".into(),
            ..Presence::default()
        };
        for event in [
            MatchEvent::Init {
                params: serde_json::Map::from_iter([("a".to_string(), 1.into())]),
            },
            MatchEvent::JoinAttempt {
                presence: p.clone(),
                metadata: HashMap::from([("k".to_string(), "v".to_string())]),
            },
            MatchEvent::Join {
                presences: vec![p.clone()],
            },
            MatchEvent::Leave { presences: vec![p] },
            MatchEvent::Terminate { grace_seconds: 5 },
            MatchEvent::Signal { data: "s".into() },
            MatchEvent::Drop,
            MatchEvent::Save,
            MatchEvent::Restore {
                saved: r#"{"n":1}"#.into(),
            },
        ] {
            let call = header(event);
            let json = serde_json::to_string(&call).unwrap();
            assert_eq!(
                serde_json::from_str::<MatchCall>(&json).unwrap(),
                call,
                "{json}"
            );
        }
        for bad in [
            r#"{"call":"dance","match_id":"m","node":"n"}"#,
            r#"{"call":"join","match_id":"m","node":"n"}"#,
            r#"{"call":"restore","match_id":"m","node":"n"}"#,
        ] {
            let e = serde_json::from_str::<MatchCall>(bad)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("dance") || e.contains("presences") || e.contains("saved"),
                "{e}"
            );
        }
    }

    #[test]
    fn an_answer_leaves_out_what_it_does_not_say() {
        let a = MatchAnswer {
            actions: vec![MatchAction::Label { label: "x".into() }],
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"actions":[{"action":"label","label":"x"}]}"#
        );
        let b: MatchAnswer = serde_json::from_str(r#"{"stop":true}"#).unwrap();
        assert!(b.stop && b.actions.is_empty());
    }

    #[test]
    fn a_presence_reason_crosses_as_nakamas_number_and_is_no_part_of_equality() {
        let left = Presence {
            session_id: "s".into(),
            reason: PresenceReason::Disconnect,
            ..Presence::default()
        };
        let json = serde_json::to_value(&left).unwrap();
        assert_eq!(json["reason"], 4);
        let back: Presence = serde_json::from_value(json).unwrap();
        assert_eq!(back.reason, PresenceReason::Disconnect);
        // Unknown is left out; absent (an older host) or out of range (a
        // newer one) reads as Unknown.
        let joined = Presence {
            reason: PresenceReason::Unknown,
            ..left.clone()
        };
        assert!(serde_json::to_value(&joined)
            .unwrap()
            .get("reason")
            .is_none());
        for text in [
            r#"{"session_id":"s"}"#,
            r#"{"session_id":"s","reason":300}"#,
        ] {
            let p: Presence = serde_json::from_str(text).unwrap();
            assert_eq!(p.reason, PresenceReason::Unknown, "{text}");
        }
        for n in 0..=4u8 {
            assert_eq!(PresenceReason::from_u8(n).as_u8(), n);
        }
        // The same presence, whatever the reason: a leave finds the join.
        assert_eq!(joined, left);
        assert!(std::collections::HashSet::from([joined]).contains(&left));
        assert_ne!(
            left,
            Presence {
                node: "other".into(),
                ..left.clone()
            }
        );
    }

    #[test]
    fn bad_base64_is_refused() {
        let r: Result<MatchData, _> = serde_json::from_str(r#"{"data":"%%%"}"#);
        assert!(r.is_err());
    }
}
