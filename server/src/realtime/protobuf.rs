//! The socket's `format=protobuf`: each binary frame is one
//! `nakama.realtime.Envelope` (server/proto, compiled by the build script).
//! Frames are transcoded at the socket's edge to and from the protobuf JSON
//! the rest of the socket speaks, so the pipeline and the realtime hooks see
//! the same envelopes on both formats.
//!
//! Client frames become JSON as Nakama's JSON socket writes it: proto field
//! names, int64 as strings, bytes as standard base64, default values left
//! out. The server's JSON becomes the binary envelope Nakama would marshal.

use std::sync::LazyLock;

use prost::Message as _;
use prost_reflect::{
    DescriptorPool, DeserializeOptions, DynamicMessage, MessageDescriptor, SerializeOptions,
};

/// The descriptor set of server/proto.
static DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/realtime.bin"));

/// `nakama.realtime.Envelope`.
static ENVELOPE: LazyLock<MessageDescriptor> = LazyLock::new(|| {
    DescriptorPool::decode(DESCRIPTOR_SET)
        .ok()
        .and_then(|pool| pool.get_message_by_name("nakama.realtime.Envelope"))
        // The build script compiled it; a failure here is a build bug.
        .expect("the realtime envelope's descriptor")
});

/// How the pipeline reads envelopes: protojson as Nakama's JSON socket
/// writes it.
const JSON_OUT: SerializeOptions = SerializeOptions::new()
    .use_proto_field_name(true)
    .stringify_64_bit_integers(true)
    .use_enum_numbers(true)
    .skip_default_fields(true);

/// A client's binary frame as the JSON envelope the pipeline reads. `Err`
/// for a frame that is not an envelope (Nakama's `proto.Unmarshal` fails:
/// bad wire format, a string that is not UTF-8); unknown fields are
/// dropped, and of two oneof members the last wins, as there.
pub fn frame_to_json(frame: &[u8]) -> Result<String, String> {
    let message = DynamicMessage::decode(ENVELOPE.clone(), frame).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    message
        .serialize_with_options(&mut serde_json::Serializer::new(&mut out), &JSON_OUT)
        .map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// An envelope the server wrote as protobuf JSON, as a binary frame. `Err`
/// (protojson's complaint) when the JSON is not an envelope.
pub fn json_to_frame(json: &str) -> Result<Vec<u8>, String> {
    Ok(envelope(json)?.encode_to_vec())
}

/// Reads protobuf JSON as `nakama.realtime.Envelope` (unknown fields refused,
/// as Go's protojson does by default).
pub fn envelope(json: &str) -> Result<DynamicMessage, String> {
    let mut de = serde_json::Deserializer::from_str(json);
    let message =
        DynamicMessage::deserialize(ENVELOPE.clone(), &mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(message)
}

/// A module's envelope (`stream_send_raw`) as Nakama sends it: read as an
/// envelope, unknown fields dropped (the bridge's protojson reading), and
/// written back as protobuf JSON. `None` when it does not read.
pub fn module_envelope(envelope: &serde_json::Value) -> Option<String> {
    let read = DeserializeOptions::new().deny_unknown_fields(false);
    let message =
        DynamicMessage::deserialize_with_options(ENVELOPE.clone(), envelope, &read).ok()?;
    let mut out = Vec::new();
    message
        .serialize_with_options(&mut serde_json::Serializer::new(&mut out), &JSON_OUT)
        .ok()?;
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// JSON → binary → JSON gives the same envelope back.
    fn round_trip(envelope: Value) -> Vec<u8> {
        let text = envelope.to_string();
        let frame = json_to_frame(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let back: Value = serde_json::from_str(&frame_to_json(&frame).unwrap()).unwrap();
        assert_eq!(back, envelope, "round trip of {text}");
        frame
    }

    fn presence(n: u8) -> Value {
        json!({"user_id": format!("u{n}"), "session_id": format!("s{n}"), "username": format!("n{n}")})
    }

    /// One envelope of each kind a client sends.
    fn client_envelopes() -> Vec<Value> {
        vec![
            json!({"cid": "1", "ping": {}}),
            json!({"pong": {}}),
            json!({"cid": "2", "rpc": {"id": "echo", "payload": "{\"a\":1}"}}),
            json!({"match_create": {"name": "arena"}}),
            json!({"match_join": {"match_id": "m.node", "metadata": {"k": "v"}}}),
            json!({"match_join": {"token": "tok"}}),
            json!({"match_leave": {"match_id": "m."}}),
            json!({"match_data_send": {"match_id": "m.", "op_code": "9007199254740993",
                "data": "AAEC/w==", "presences": [presence(1)], "reliable": true}}),
            json!({"matchmaker_add": {"min_count": 2, "max_count": 4, "query": "*",
                "string_properties": {"mode": "ffa"}, "numeric_properties": {"skill": 1.5},
                "count_multiple": 2}}),
            json!({"matchmaker_remove": {"ticket": "t"}}),
            json!({"channel_join": {"target": "lobby", "type": 1, "persistence": false, "hidden": true}}),
            json!({"channel_leave": {"channel_id": "2...lobby"}}),
            json!({"channel_message_send": {"channel_id": "c", "content": "{}"}}),
            json!({"channel_message_update": {"channel_id": "c", "message_id": "m", "content": "{}"}}),
            json!({"channel_message_remove": {"channel_id": "c", "message_id": "m"}}),
            json!({"status_follow": {"user_ids": ["a", "b"], "usernames": ["c"]}}),
            json!({"status_unfollow": {"user_ids": ["a"]}}),
            json!({"status_update": {"status": ""}}),
            json!({"status_update": {}}),
            json!({"party_create": {"open": true, "max_size": 3, "label": "l", "hidden": true}}),
            json!({"party_update": {"party_id": "p", "label": "l", "open": true}}),
            json!({"party_join": {"party_id": "p"}}),
            json!({"party_leave": {"party_id": "p"}}),
            json!({"party_promote": {"party_id": "p", "presence": presence(1)}}),
            json!({"party_accept": {"party_id": "p", "presence": presence(1)}}),
            json!({"party_remove": {"party_id": "p", "presence": presence(1)}}),
            json!({"party_close": {"party_id": "p"}}),
            json!({"party_join_request_list": {"party_id": "p"}}),
            json!({"party_matchmaker_add": {"party_id": "p", "min_count": 2, "max_count": 2,
                "query": "*", "count_multiple": 1}}),
            json!({"party_matchmaker_remove": {"party_id": "p", "ticket": "t"}}),
            json!({"party_data_send": {"party_id": "p", "op_code": "-1", "data": "aGk="}}),
        ]
    }

    #[test]
    fn client_envelopes_round_trip() {
        for e in client_envelopes() {
            round_trip(e);
        }
    }

    /// What `fuzz/`'s `realtime_frame` target does, on a client's frames
    /// and texts broken at random (a seeded run, so that CI, which runs no
    /// fuzzer, still tries thousands): nothing panics, and a frame that
    /// decodes is a JSON envelope the pipeline reads again.
    #[test]
    fn broken_frames_and_texts_are_refused_or_read_without_a_panic() {
        let mut rng = fastrand::Rng::with_seed(20261206);
        let seeds: Vec<(Vec<u8>, String)> = client_envelopes()
            .into_iter()
            .map(|e| (json_to_frame(&e.to_string()).unwrap(), e.to_string()))
            .collect();
        let (mut read, mut refused) = (0, 0);
        for _ in 0..20_000 {
            let (frame, text) = &seeds[rng.usize(..seeds.len())];
            let mut bytes = if rng.bool() {
                frame.clone()
            } else {
                text.clone().into_bytes()
            };
            for _ in 0..rng.usize(1..4) {
                let at = rng.usize(..=bytes.len());
                match rng.u8(..4) {
                    0 if at < bytes.len() => bytes[at] ^= 1 << rng.u8(..8),
                    1 => bytes.insert(at, rng.u8(..)),
                    2 => bytes.truncate(at),
                    _ if at < bytes.len() => {
                        let _ = bytes.remove(at);
                    }
                    _ => {}
                }
            }
            match frame_to_json(&bytes) {
                Ok(json) => {
                    read += 1;
                    let parsed: Value = serde_json::from_str(&json).expect("JSON");
                    assert!(parsed.is_object(), "{json}");
                    let _ = crate::realtime::decode::envelope(&json);
                    let _ = json_to_frame(&json);
                }
                Err(e) => {
                    refused += 1;
                    assert!(!e.is_empty());
                }
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = crate::realtime::decode::envelope(text);
                let _ = envelope(text);
            }
        }
        assert!(
            read > 1000 && refused > 1000,
            "read {read}, refused {refused}"
        );
    }

    #[test]
    fn server_envelopes_round_trip() {
        let ts = "2026-12-01T18:25:02Z";
        for e in [
            json!({"cid": "1", "error": {"code": 3, "message": "Invalid", "context": {"k": "v"}}}),
            json!({"cid": "2", "rpc": {"id": "echo", "payload": "x"}}),
            json!({"cid": "3", "match": {"match_id": "m.node", "authoritative": true,
                "label": "", "size": 2, "presences": [presence(1)], "self": presence(2)}}),
            json!({"match_data": {"match_id": "m.", "presence": presence(1), "op_code": "7",
                "data": "AP8=", "reliable": true}}),
            json!({"match_presence_event": {"match_id": "m.", "joins": [presence(1)], "leaves": [presence(2)]}}),
            json!({"matchmaker_ticket": {"ticket": "t"}}),
            json!({"matchmaker_matched": {"ticket": "t", "token": "tok",
                "users": [{"presence": presence(1), "party_id": "p", "string_properties": {"a": "b"},
                    "numeric_properties": {"n": 2.0}}],
                "self": {"presence": presence(1)}}}),
            json!({"matchmaker_matched": {"ticket": "t", "match_id": "m."}}),
            json!({"notifications": {"notifications": [{"id": "n", "subject": "s", "content": "{}",
                "code": -2, "sender_id": "u", "create_time": ts, "persistent": true}]}}),
            json!({"channel": {"id": "c", "presences": [presence(1)], "self": presence(1),
                "room_name": "lobby"}}),
            json!({"channel_message": {"channel_id": "c", "message_id": "m", "code": 0,
                "sender_id": "u", "username": "n", "content": "{}", "create_time": ts,
                "update_time": "2026-12-01T18:25:02.500Z", "persistent": false, "group_id": "g"}}),
            json!({"channel_message_ack": {"channel_id": "c", "message_id": "m", "code": 0,
                "username": "n", "create_time": ts, "update_time": ts, "persistent": true,
                "user_id_one": "a", "user_id_two": "b"}}),
            json!({"channel_presence_event": {"channel_id": "c", "joins": [presence(1)], "room_name": "r"}}),
            json!({"status": {"presences": [{"user_id": "u", "session_id": "s", "username": "n",
                "status": "busy"}]}}),
            json!({"status_presence_event": {"joins": [presence(1)], "leaves": [presence(2)]}}),
            json!({"stream_data": {"stream": {"mode": 2, "subject": "s", "label": "l"},
                "sender": presence(1), "data": "text", "reliable": true}}),
            json!({"stream_presence_event": {"stream": {"mode": 2}, "joins": [presence(1)]}}),
            json!({"party": {"party_id": "p", "open": true, "max_size": 4, "self": presence(1),
                "leader": presence(1), "presences": [presence(1)], "label": "l"}}),
            json!({"party_leader": {"party_id": "p", "presence": presence(1)}}),
            json!({"party_join_request": {"party_id": "p", "presences": [presence(2)]}}),
            json!({"party_matchmaker_ticket": {"party_id": "p", "ticket": "t"}}),
            json!({"party_data": {"party_id": "p", "presence": presence(1), "op_code": "1", "data": "AA=="}}),
            json!({"party_presence_event": {"party_id": "p", "joins": [presence(1)], "leaves": [presence(2)]}}),
        ] {
            round_trip(e);
        }
    }

    /// The wire form is protobuf's: field numbers, varint int64, raw bytes,
    /// wrappers and timestamps as messages.
    #[test]
    fn frames_are_nakamas_wire_format() {
        // cid (1) "c"; match_data (14) { op_code (3) 1; data (4) 00 ff }
        let frame = round_trip(json!({"cid": "c", "match_data": {"op_code": "1", "data": "AP8="}}));
        assert_eq!(
            frame,
            [0x0a, 1, b'c', 0x72, 6, 0x18, 1, 0x22, 2, 0x00, 0xff]
        );
        // channel_message (5) { persistent (9) BoolValue { value (1) true };
        // create_time (7) Timestamp { seconds (1) 1 } }, in field order.
        let frame = json_to_frame(
            &json!({"channel_message": {"persistent": true, "create_time": "1970-01-01T00:00:01Z"}})
                .to_string(),
        )
        .unwrap();
        assert_eq!(frame, [0x2a, 8, 0x3a, 2, 0x08, 1, 0x4a, 2, 0x08, 1]);
        // A wrapper that holds its default is still sent, and read back.
        let frame = round_trip(json!({"channel_message_ack": {"code": 0}}));
        assert_eq!(frame, [0x32, 2, 0x1a, 0]);
        // A negative int64 is a ten-byte varint; its JSON a string.
        let frame = round_trip(json!({"party_data_send": {"op_code": "-1"}}));
        assert_eq!(frame.len(), 2 + 1 + 1 + 10);
    }

    #[test]
    fn what_binary_allows_reads_as_nakama_reads_it() {
        // Unknown fields (here 99, a varint) are skipped.
        let json = frame_to_json(&[0x0a, 1, b'x', 0x98, 0x06, 5]).unwrap();
        assert_eq!(json, r#"{"cid":"x"}"#);
        // Of two members of the oneof, the last one wins.
        let json = frame_to_json(&[0x82, 0x02, 0, 0x8a, 0x02, 0]).unwrap();
        assert_eq!(json, r#"{"pong":{}}"#);
        // An empty frame is an empty envelope (the pipeline answers
        // "Missing message.").
        assert_eq!(frame_to_json(&[]).unwrap(), "{}");
    }

    #[test]
    fn malformed_frames_are_refused() {
        for frame in [
            &b"{\"ping\":{}}"[..],   // JSON text, not protobuf
            &[0x0a, 5, b'a'][..],    // a length past the end
            &[0x0a, 1, 0xff][..],    // a string that is not UTF-8
            &[0x0b][..],             // a group start: wire type 3 is not in proto3
            &[0x82, 0x02, 1, 0][..], // field number 0 inside ping
        ] {
            assert!(frame_to_json(frame).is_err(), "{frame:?}");
        }
    }

    #[test]
    fn module_envelopes_are_read_and_written_as_nakama_does() {
        // Unknown fields dropped, lowerCamelCase names and int64 numbers
        // read, then written in proto names, int64 as strings.
        let e = json!({"matchData": {"opCode": 5, "extra": 1, "reliable": false}, "x": {}});
        assert_eq!(
            module_envelope(&e).as_deref(),
            Some(r#"{"match_data":{"op_code":"5"}}"#)
        );
        for bad in [
            json!({"stream_data": {"data": 5}}),
            json!({"ping": {}, "pong": {}}),
            json!({"match_data": {"data": "*"}}),
            json!("text"),
        ] {
            assert_eq!(module_envelope(&bad), None, "{bad}");
        }
    }

    #[test]
    fn json_that_is_not_an_envelope_is_refused() {
        for json in [
            r#"{"nope":{}}"#,
            r#"{"match_data":{"op_code":"x"}}"#,
            r#"{"match_data":{"data":"*"}}"#,
            r#"{"ping":{}} {}"#,
            "",
        ] {
            assert!(json_to_frame(json).is_err(), "{json}");
        }
    }
}
