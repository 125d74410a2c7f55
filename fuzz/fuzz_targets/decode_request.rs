//! Arbitrary bytes as what a client sends: query strings, JSON bodies of
//! the API's requests, RPC payloads. Nothing may panic; whatever decodes
//! must survive an encode/decode round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nakama_runtime::{Json, RpcInput};
use nakama_runtime_abi::api;
use serde::{de::DeserializeOwned, Serialize};

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<T>(data) {
        let text = serde_json::to_vec(&v).expect("encodes");
        let back: T = serde_json::from_slice(&text).expect("decodes what it encoded");
        assert_eq!(v, back);
    }
}

/// A gateway body decoded with protojson's rules: what decodes must decode
/// again, the same, from its own JSON.
fn proto_round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(value: &[u8]) {
    if let Ok(v) = nakama_devhost::protojson::from_slice::<T>(value) {
        let text = serde_json::to_vec(&v).expect("encodes");
        let back: T =
            nakama_devhost::protojson::from_slice(&text).expect("decodes what it encoded");
        assert_eq!(v, back);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(q) = std::str::from_utf8(data) {
        let _ = nakama_devhost::http::form_pairs(q);
    }
    // A body read as Nakama's gateway reads it: the value it answers is
    // the start of the body.
    if let Ok(Some(value)) = nakama_devhost::gobody::read(data) {
        assert!(data.starts_with(value));
        proto_round_trip::<api::AccountCustom>(value);
        proto_round_trip::<api::WriteStorageObjectsRequest>(value);
        proto_round_trip::<api::UpdateAccountRequest>(value);
        proto_round_trip::<api::LeaderboardRecordWrite>(value);
        proto_round_trip::<api::Event>(value);
    }
    round_trip::<api::AuthenticateCustomRequest>(data);
    round_trip::<api::AccountCustom>(data);
    round_trip::<api::WriteStorageObjectsRequest>(data);
    round_trip::<api::ReadStorageObjectsRequest>(data);
    round_trip::<api::UpdateAccountRequest>(data);
    round_trip::<api::SessionRefreshRequest>(data);
    let _ = String::from_payload(data.to_vec());
    let _ = Json::<serde_json::Value>::from_payload(data.to_vec());
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        // Storage values come back in PostgreSQL's JSONB text form; it
        // must still be the same JSON.
        let text = nakama_devhost::db::jsonb_text(&v);
        let back: serde_json::Value = serde_json::from_str(&text).expect("jsonb text is JSON");
        if !text.contains("e") && !text.contains('.') {
            assert_eq!(back, v);
        }
    }
});
