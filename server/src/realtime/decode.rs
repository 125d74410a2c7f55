//! Reading envelopes as Go's protojson does (`DiscardUnknown` off): field
//! names in proto or lowerCamelCase form, no unknown or repeated fields,
//! at most one message, `null` as absent, int64 from a number or a string,
//! bytes from standard or URL-safe base64 with or without padding.

use std::collections::HashMap;

use nakama_runtime_host::abi::rtapi::{self, UserPresence};

use base64::Engine as _;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value that keeps an object's keys in order, repeats included.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
                Ok(Json::Int(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Int(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
                Ok(Json::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json::String(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Json, E> {
                Ok(Json::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = a.next_element()? {
                    out.push(v);
                }
                Ok(Json::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Json>()? {
                    out.push((k, v));
                }
                Ok(Json::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A decoded client envelope.
#[derive(Debug, PartialEq)]
pub struct Envelope {
    pub cid: String,
    pub message: Option<Request>,
}

/// How a match join names its match.
#[derive(Debug, PartialEq)]
pub enum JoinId {
    MatchId(String),
    Token(String),
}

/// The envelope's message.
#[derive(Debug, PartialEq)]
pub enum Request {
    Ping,
    Pong,
    Rpc {
        id: String,
        payload: String,
    },
    MatchJoin {
        id: Option<JoinId>,
        metadata: HashMap<String, String>,
    },
    MatchCreate(rtapi::MatchCreate),
    MatchLeave(rtapi::MatchLeave),
    /// Whom for (relayed matches): see [`send_to`].
    MatchDataSend(rtapi::MatchDataSend),
    MatchmakerAdd(crate::matchmaker::TicketRequest),
    MatchmakerRemove(rtapi::MatchmakerRemove),
    ChannelJoin(crate::channels::JoinRequest),
    ChannelLeave(rtapi::ChannelLeave),
    ChannelMessageSend(rtapi::ChannelMessageSend),
    ChannelMessageUpdate(rtapi::ChannelMessageUpdate),
    ChannelMessageRemove(rtapi::ChannelMessageRemove),
    StatusFollow(rtapi::StatusFollow),
    StatusUnfollow(rtapi::StatusUnfollow),
    /// `status` absent: appear offline.
    StatusUpdate(rtapi::StatusUpdate),
    PartyCreate(rtapi::PartyCreate),
    PartyJoin(rtapi::PartyJoin),
    PartyLeave(rtapi::PartyLeave),
    PartyPromote(rtapi::PartyPromote),
    PartyAccept(rtapi::PartyAccept),
    PartyRemove(rtapi::PartyRemove),
    PartyClose(rtapi::PartyClose),
    PartyJoinRequestList(rtapi::PartyJoinRequestList),
    PartyMatchmakerAdd(rtapi::PartyMatchmakerAdd),
    PartyMatchmakerRemove(rtapi::PartyMatchmakerRemove),
    PartyDataSend(rtapi::PartyDataSend),
    PartyUpdate(rtapi::PartyUpdate),
    /// A message only servers send.
    ServerOnly(&'static str),
}

/// The party messages a client sends.
const PARTY: &[&str] = &[
    "party_create",
    "party_join",
    "party_leave",
    "party_promote",
    "party_accept",
    "party_remove",
    "party_close",
    "party_join_request_list",
    "party_matchmaker_add",
    "party_matchmaker_remove",
    "party_data_send",
    "party_update",
];

/// The envelope's messages that only a server sends.
const SERVER_ONLY: &[&str] = &[
    "channel",
    "channel_message",
    "channel_message_ack",
    "channel_presence_event",
    "error",
    "match",
    "match_data",
    "match_presence_event",
    "matchmaker_matched",
    "matchmaker_ticket",
    "notifications",
    "status",
    "status_presence_event",
    "stream_data",
    "stream_presence_event",
    "party",
    "party_leader",
    "party_join_request",
    "party_matchmaker_ticket",
    "party_data",
    "party_presence_event",
];

const HANDLED: &[&str] = &[
    "ping",
    "pong",
    "rpc",
    "match_create",
    "match_join",
    "match_leave",
    "match_data_send",
    "matchmaker_add",
    "matchmaker_remove",
    "channel_join",
    "channel_leave",
    "channel_message_send",
    "channel_message_update",
    "channel_message_remove",
    "status_follow",
    "status_unfollow",
    "status_update",
];

type Error = String;

/// protobuf's JSON name of a field: lowerCamelCase.
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The proto name of `name` among `fields` (either form).
fn field(fields: &[&'static str], name: &str) -> Option<&'static str> {
    fields
        .iter()
        .copied()
        .find(|f| *f == name || camel(f) == name)
}

/// An object's fields by proto name: unknown and repeated fields are
/// errors, `null` ones absent.
fn message(value: Json, fields: &[&'static str]) -> Result<HashMap<&'static str, Json>, Error> {
    let Json::Object(entries) = value else {
        return Err("expected an object".into());
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = HashMap::new();
    for (name, v) in entries {
        let f = field(fields, &name).ok_or_else(|| format!("unknown field {name:?}"))?;
        if !seen.insert(f) {
            return Err(format!("duplicate field {name:?}"));
        }
        if v != Json::Null {
            out.insert(f, v);
        }
    }
    Ok(out)
}

fn string(v: Option<Json>) -> Result<String, Error> {
    match v {
        None => Ok(String::new()),
        Some(Json::String(s)) => Ok(s),
        Some(other) => Err(format!("invalid value for string type: {other:?}")),
    }
}

fn boolean(v: Option<Json>) -> Result<bool, Error> {
    match v {
        None => Ok(false),
        Some(Json::Bool(b)) => Ok(b),
        Some(other) => Err(format!("invalid value for bool type: {other:?}")),
    }
}

/// A `google.protobuf.BoolValue`: a JSON bool; absent (or `null`) is
/// `None`.
fn bool_value(v: Option<Json>) -> Result<Option<bool>, Error> {
    v.map(|v| boolean(Some(v))).transpose()
}

/// A repeated string: a JSON array of strings.
fn strings(v: Option<Json>) -> Result<Vec<String>, Error> {
    match v {
        None => Ok(Vec::new()),
        Some(Json::Array(items)) => items.into_iter().map(|s| string(Some(s))).collect(),
        Some(other) => Err(format!("expected an array of strings: {other:?}")),
    }
}

/// A `google.protobuf.StringValue`: a JSON string; absent is `None`.
fn string_value(v: Option<Json>) -> Result<Option<String>, Error> {
    v.map(|v| string(Some(v))).transpose()
}

fn int64_of(n: &Json) -> Option<i64> {
    match n {
        Json::Int(i) => i64::try_from(*i).ok(),
        Json::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
        _ => None,
    }
}

/// int64: a JSON number, or a string holding one (no spaces).
fn int64(v: Option<Json>) -> Result<i64, Error> {
    let bad = |v: &Json| format!("invalid value for int64 type: {v:?}");
    match v {
        None => Ok(0),
        Some(Json::String(s)) => {
            if s.trim() != s {
                return Err(bad(&Json::String(s)));
            }
            match serde_json::from_str::<Json>(&s) {
                Ok(n @ (Json::Int(_) | Json::Float(_))) => int64_of(&n).ok_or_else(|| bad(&n)),
                _ => Err(bad(&Json::String(s))),
            }
        }
        Some(n) => int64_of(&n).ok_or_else(|| bad(&n)),
    }
}

/// bytes: base64, standard or URL-safe (when it has `-` or `_`),
/// padded when its length is a multiple of 4.
pub fn bytes(v: Option<Json>) -> Result<Vec<u8>, Error> {
    use base64::alphabet::{STANDARD, URL_SAFE};
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let s = string(v)?;
    let alphabet = if s.contains(['-', '_']) {
        &URL_SAFE
    } else {
        &STANDARD
    };
    let padding = if s.len() % 4 == 0 {
        DecodePaddingMode::RequireCanonical
    } else {
        DecodePaddingMode::RequireNone
    };
    let engine = GeneralPurpose::new(
        alphabet,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(padding)
            .with_decode_allow_trailing_bits(true),
    );
    // Go's decoder skips line breaks.
    let s: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    engine.decode(s).map_err(|e| e.to_string())
}

/// int32: as int64, within range.
fn int32(v: Option<Json>) -> Result<i32, Error> {
    let n = int64(v)?;
    i32::try_from(n).map_err(|_| format!("invalid value for int32 type: {n}"))
}

/// double: a JSON number, or a string holding one (in JSON's syntax: no
/// `+`, no `.5`, within a float's range) or `NaN`, `Infinity`,
/// `-Infinity`.
fn double(v: Json) -> Result<f64, Error> {
    match v {
        Json::Int(i) => Ok(i as f64),
        Json::Float(f) => Ok(f),
        Json::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ if s.trim() == s => match serde_json::from_str::<Json>(&s) {
                Ok(Json::Int(i)) => Ok(i as f64),
                Ok(Json::Float(f)) => Ok(f),
                _ => Err(format!("invalid value for double type: {s:?}")),
            },
            _ => Err(format!("invalid value for double type: {s:?}")),
        },
        other => Err(format!("invalid value for double type: {other:?}")),
    }
}

/// A map field: an object whose values `value` reads; a repeated key
/// is refused, as protojson does.
fn map<T>(
    v: Option<Json>,
    value: impl Fn(Json) -> Result<T, Error>,
) -> Result<HashMap<String, T>, Error> {
    let Some(v) = v else {
        return Ok(HashMap::new());
    };
    let Json::Object(entries) = v else {
        return Err("expected an object for a map".into());
    };
    let mut out = HashMap::new();
    for (k, v) in entries {
        if out.insert(k.clone(), value(v)?).is_some() {
            return Err(format!("duplicate map key {k:?}"));
        }
    }
    Ok(out)
}

fn string_map(v: Option<Json>) -> Result<HashMap<String, String>, Error> {
    map(v, |v| string(Some(v)))
}

/// An optional `UserPresence` field.
fn user_presence(v: Option<Json>) -> Result<Option<UserPresence>, Error> {
    v.map(|v| presences(Some(Json::Array(vec![v]))).map(|mut p| p.remove(0)))
        .transpose()
}

/// Decodes party message `name`.
fn party(name: &'static str, value: Json) -> Result<Request, Error> {
    let id = |m: &mut HashMap<&'static str, Json>| string(m.remove("party_id"));
    Ok(match name {
        "party_create" => {
            let mut m = message(value, &["open", "max_size", "label", "hidden"])?;
            Request::PartyCreate(rtapi::PartyCreate {
                open: boolean(m.remove("open"))?,
                max_size: int32(m.remove("max_size"))?,
                label: string(m.remove("label"))?,
                hidden: boolean(m.remove("hidden"))?,
            })
        }
        "party_join" | "party_leave" | "party_close" | "party_join_request_list" => {
            let mut m = message(value, &["party_id"])?;
            let party_id = id(&mut m)?;
            match name {
                "party_join" => Request::PartyJoin(rtapi::PartyJoin { party_id }),
                "party_leave" => Request::PartyLeave(rtapi::PartyLeave { party_id }),
                "party_close" => Request::PartyClose(rtapi::PartyClose { party_id }),
                _ => Request::PartyJoinRequestList(rtapi::PartyJoinRequestList { party_id }),
            }
        }
        "party_promote" | "party_accept" | "party_remove" => {
            let mut m = message(value, &["party_id", "presence"])?;
            let party_id = id(&mut m)?;
            let presence = user_presence(m.remove("presence"))?;
            match name {
                "party_promote" => {
                    Request::PartyPromote(rtapi::PartyPromote { party_id, presence })
                }
                "party_accept" => Request::PartyAccept(rtapi::PartyAccept { party_id, presence }),
                _ => Request::PartyRemove(rtapi::PartyRemove { party_id, presence }),
            }
        }
        "party_matchmaker_add" => {
            let mut fields = vec!["party_id"];
            fields.extend_from_slice(TICKET_FIELDS);
            let mut m = message(value, &fields)?;
            let party_id = id(&mut m)?;
            let t = ticket(&mut m)?;
            Request::PartyMatchmakerAdd(rtapi::PartyMatchmakerAdd {
                party_id,
                min_count: t.min_count,
                max_count: t.max_count,
                query: t.query,
                string_properties: t.string_properties,
                numeric_properties: t.numeric_properties,
                count_multiple: t.count_multiple,
            })
        }
        "party_matchmaker_remove" => {
            let mut m = message(value, &["party_id", "ticket"])?;
            Request::PartyMatchmakerRemove(rtapi::PartyMatchmakerRemove {
                party_id: id(&mut m)?,
                ticket: string(m.remove("ticket"))?,
            })
        }
        "party_data_send" => {
            let mut m = message(value, &["party_id", "op_code", "data"])?;
            Request::PartyDataSend(rtapi::PartyDataSend {
                party_id: id(&mut m)?,
                op_code: int64(m.remove("op_code"))?,
                data: bytes(m.remove("data"))?,
            })
        }
        _ => {
            let mut m = message(value, &["party_id", "label", "open", "hidden"])?;
            Request::PartyUpdate(rtapi::PartyUpdate {
                party_id: id(&mut m)?,
                label: string(m.remove("label"))?,
                open: boolean(m.remove("open"))?,
                hidden: boolean(m.remove("hidden"))?,
            })
        }
    })
}

/// Whom a `match_data_send` is for (relayed matches; authoritative
/// ones ignore it, as in Nakama).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendTo {
    /// No presences listed: every other presence.
    Everyone,
    /// The listed presences' session ids.
    Sessions(Vec<String>),
    /// A listed presence has a user or session id that is not a UUID:
    /// Nakama drops the send.
    Invalid,
}

/// A send's repeated `UserPresence`.
fn presences(v: Option<Json>) -> Result<Vec<UserPresence>, Error> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let Json::Array(items) = v else {
        return Err("expected an array".into());
    };
    let mut presences = Vec::with_capacity(items.len());
    for item in items {
        let mut p = message(
            item,
            &["user_id", "session_id", "username", "persistence", "status"],
        )?;
        presences.push(UserPresence {
            user_id: string(p.remove("user_id"))?,
            session_id: string(p.remove("session_id"))?,
            username: string(p.remove("username"))?,
            persistence: boolean(p.remove("persistence"))?,
            status: string_value(p.remove("status"))?,
        });
    }
    Ok(presences)
}

/// Whom a send with these presences is for.
pub fn send_to(presences: &[UserPresence]) -> SendTo {
    if presences.is_empty() {
        return SendTo::Everyone;
    }
    let mut sessions = Vec::with_capacity(presences.len());
    for p in presences {
        match (
            uuid::Uuid::parse_str(&p.user_id),
            uuid::Uuid::parse_str(&p.session_id),
        ) {
            (Ok(_), Ok(s)) => sessions.push(s.hyphenated().to_string()),
            _ => return SendTo::Invalid,
        }
    }
    SendTo::Sessions(sessions)
}

/// A matchmaker ticket's fields (`matchmaker_add`, and
/// `party_matchmaker_add`'s besides its `party_id`).
const TICKET_FIELDS: &[&str] = &[
    "min_count",
    "max_count",
    "query",
    "string_properties",
    "numeric_properties",
    "count_multiple",
];

fn ticket(m: &mut HashMap<&'static str, Json>) -> Result<crate::matchmaker::TicketRequest, Error> {
    Ok(crate::matchmaker::TicketRequest {
        min_count: int32(m.remove("min_count"))?,
        max_count: int32(m.remove("max_count"))?,
        query: string(m.remove("query"))?,
        string_properties: string_map(m.remove("string_properties"))?,
        numeric_properties: map(m.remove("numeric_properties"), double)?,
        // A wrapper: absent and 0 differ.
        count_multiple: match m.remove("count_multiple") {
            None => None,
            Some(v) => Some(int32(Some(v))?),
        },
    })
}

/// Decodes a client's envelope; `Err` is what Nakama calls a malformed
/// payload.
pub fn envelope(text: &str) -> Result<Envelope, Error> {
    let json: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let Json::Object(entries) = json else {
        return Err("expected an object".into());
    };
    let mut seen = std::collections::HashSet::new();
    let mut cid = String::new();
    let mut message: Option<(&'static str, Json)> = None;
    for (name, value) in entries {
        let f = if name == "cid" {
            "cid"
        } else {
            field(HANDLED, &name)
                .or_else(|| field(PARTY, &name))
                .or_else(|| field(SERVER_ONLY, &name))
                .ok_or_else(|| format!("unknown field {name:?}"))?
        };
        if !seen.insert(f) {
            return Err(format!("duplicate field {name:?}"));
        }
        if value == Json::Null {
            continue;
        }
        if f == "cid" {
            cid = string(Some(value))?;
            continue;
        }
        if message.is_some() {
            return Err(format!(
                "error parsing {name:?}, oneof message is already set"
            ));
        }
        message = Some((f, value));
    }
    let message = match message {
        None => None,
        Some((name, value)) => Some(request(name, value)?),
    };
    Ok(Envelope { cid, message })
}

/// Decodes message `name` (an envelope field, `channel_join`).
pub fn request(name: &'static str, value: Json) -> Result<Request, Error> {
    Ok(match name {
        "ping" => {
            message(value, &[])?;
            Request::Ping
        }
        "pong" => {
            message(value, &[])?;
            Request::Pong
        }
        "rpc" => {
            let mut m = message(value, &["id", "payload", "http_key"])?;
            string(m.remove("http_key"))?;
            Request::Rpc {
                id: string(m.remove("id"))?,
                payload: string(m.remove("payload"))?,
            }
        }
        "match_join" => {
            let mut m = message(value, &["match_id", "token", "metadata"])?;
            let id = match (m.remove("match_id"), m.remove("token")) {
                (Some(_), Some(_)) => {
                    return Err("error parsing token, oneof id is already set".into())
                }
                (Some(id), None) => Some(JoinId::MatchId(string(Some(id))?)),
                (None, Some(t)) => Some(JoinId::Token(string(Some(t))?)),
                (None, None) => None,
            };
            Request::MatchJoin {
                id,
                metadata: string_map(m.remove("metadata"))?,
            }
        }
        "match_create" => {
            let mut m = message(value, &["name"])?;
            Request::MatchCreate(rtapi::MatchCreate {
                name: string(m.remove("name"))?,
            })
        }
        "match_leave" => {
            let mut m = message(value, &["match_id"])?;
            Request::MatchLeave(rtapi::MatchLeave {
                match_id: string(m.remove("match_id"))?,
            })
        }
        "match_data_send" => {
            let mut m = message(
                value,
                &["match_id", "op_code", "data", "presences", "reliable"],
            )?;
            let presences = presences(m.remove("presences"))?;
            Request::MatchDataSend(rtapi::MatchDataSend {
                match_id: string(m.remove("match_id"))?,
                op_code: int64(m.remove("op_code"))?,
                data: bytes(m.remove("data"))?,
                presences,
                reliable: boolean(m.remove("reliable"))?,
            })
        }
        "matchmaker_add" => {
            let mut m = message(value, TICKET_FIELDS)?;
            Request::MatchmakerAdd(ticket(&mut m)?)
        }
        "matchmaker_remove" => {
            let mut m = message(value, &["ticket"])?;
            Request::MatchmakerRemove(rtapi::MatchmakerRemove {
                ticket: string(m.remove("ticket"))?,
            })
        }
        "channel_join" => {
            let mut m = message(value, &["target", "type", "persistence", "hidden"])?;
            Request::ChannelJoin(crate::channels::JoinRequest {
                target: string(m.remove("target"))?,
                kind: int32(m.remove("type"))?,
                persistence: bool_value(m.remove("persistence"))?,
                hidden: bool_value(m.remove("hidden"))?,
            })
        }
        "channel_leave" => {
            let mut m = message(value, &["channel_id"])?;
            Request::ChannelLeave(rtapi::ChannelLeave {
                channel_id: string(m.remove("channel_id"))?,
            })
        }
        "channel_message_send" => {
            let mut m = message(value, &["channel_id", "content"])?;
            Request::ChannelMessageSend(rtapi::ChannelMessageSend {
                channel_id: string(m.remove("channel_id"))?,
                content: string(m.remove("content"))?,
            })
        }
        "channel_message_update" => {
            let mut m = message(value, &["channel_id", "message_id", "content"])?;
            Request::ChannelMessageUpdate(rtapi::ChannelMessageUpdate {
                channel_id: string(m.remove("channel_id"))?,
                message_id: string(m.remove("message_id"))?,
                content: string(m.remove("content"))?,
            })
        }
        "channel_message_remove" => {
            let mut m = message(value, &["channel_id", "message_id"])?;
            Request::ChannelMessageRemove(rtapi::ChannelMessageRemove {
                channel_id: string(m.remove("channel_id"))?,
                message_id: string(m.remove("message_id"))?,
            })
        }
        "status_follow" => {
            let mut m = message(value, &["user_ids", "usernames"])?;
            Request::StatusFollow(rtapi::StatusFollow {
                user_ids: strings(m.remove("user_ids"))?,
                usernames: strings(m.remove("usernames"))?,
            })
        }
        "status_unfollow" => {
            let mut m = message(value, &["user_ids"])?;
            Request::StatusUnfollow(rtapi::StatusUnfollow {
                user_ids: strings(m.remove("user_ids"))?,
            })
        }
        "status_update" => {
            let mut m = message(value, &["status"])?;
            Request::StatusUpdate(rtapi::StatusUpdate {
                status: string_value(m.remove("status"))?,
            })
        }
        other if PARTY.contains(&other) => party(other, value)?,
        other => {
            // Not read further: the dev host only needs its kind.
            if !matches!(value, Json::Object(_)) {
                return Err(format!("expected an object for {other}"));
            }
            Request::ServerOnly(other)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// protojson's reading of a double given as a string: JSON's number
    /// syntax, whole, or one of three names.
    #[test]
    fn doubles_in_strings_read_as_protojson_reads_them() {
        let read = |s: &str| double(Json::String(s.into())).ok();
        assert_eq!(read("5"), Some(5.0));
        assert_eq!(read("-2.5e1"), Some(-25.0));
        assert_eq!(read("Infinity"), Some(f64::INFINITY));
        assert!(read("NaN").unwrap().is_nan());
        for refused in [
            "+5", ".5", "5.", "1e400", " 5", "inf", "0x10", "infinity", "",
        ] {
            assert_eq!(read(refused), None, "{refused:?}");
        }
    }
}
