//! `Proto<T>` through the macros: an `#[rpc]` takes and answers protobuf
//! bytes as they are (not through `Json`), and the client description
//! says so.
#![cfg(feature = "prost")]

use nakama_runtime::prelude::*;
use nakama_runtime::{client::ClientApi, RpcInput, RpcOutput};
use serde_json::{json, Value};

#[derive(Clone, PartialEq, prost::Message)]
pub struct Ask {
    #[prost(string, tag = "1")]
    pub who: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Snapshot {
    #[prost(uint32, tag = "1")]
    pub players: u32,
}

/// Answers a snapshot for whoever asks.
#[rpc]
pub async fn snapshot(
    _ctx: &Context,
    _nk: &Nakama,
    req: Proto<Ask>,
) -> Result<Proto<Snapshot>, Error> {
    Ok(Proto(Snapshot {
        players: req.0.who.len() as u32,
    }))
}

#[test]
fn an_rpc_of_protobuf_messages_is_described_as_their_bytes() {
    let doc: Value = serde_json::from_str(&ClientApi::of_this_module().json_schema()).unwrap();
    let rpc = &doc["rpcs"]["snapshot"];
    assert_eq!(
        rpc["request"],
        json!({"contentMediaType": "application/x-protobuf", "description": "The bytes of the protobuf message Ask."})
    );
    assert_eq!(
        rpc["response"]["description"],
        "The bytes of the protobuf message Snapshot."
    );
}

#[test]
fn protobuf_payloads_decode_from_and_encode_to_their_bytes() {
    let bytes = Proto(Ask { who: "ann".into() }).into_payload().unwrap();
    assert_eq!(bytes, b"\x0a\x03ann");
    assert_eq!(Proto::<Ask>::from_payload(bytes).unwrap().0.who, "ann");
    let e = Proto::<Ask>::from_payload(b"\x0a\x09ann".to_vec()).unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(
        e.message(),
        "payload is not a valid Ask protobuf message: Ask.who: buffer underflow"
    );
}
