//! How RPC payloads and results become Rust values.

use serde::{de::DeserializeOwned, Serialize};

use crate::Error;

/// A JSON payload or result: `Json<T>` decodes/encodes `T` with serde_json.
///
/// `#[rpc]` wraps payload and result types in `Json` for you; use it
/// yourself with [`Initializer::register_rpc`](crate::Initializer::register_rpc).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Json<T>(pub T);

/// A type an RPC can take as its payload.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an RPC payload",
    note = "an RPC payload is `String` or `Vec<u8>` (the raw payload) or `Json<T>` with `T: serde::Deserialize`"
)]
pub trait RpcInput: Sized {
    fn from_payload(payload: Vec<u8>) -> Result<Self, Error>;
}

/// A type an RPC can answer with.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an RPC result",
    note = "an RPC result is `String`, `Vec<u8>`, `()` (empty) or `Json<T>` with `T: serde::Serialize`"
)]
pub trait RpcOutput {
    fn into_payload(self) -> Result<Vec<u8>, Error>;
}

impl RpcInput for Vec<u8> {
    fn from_payload(payload: Vec<u8>) -> Result<Self, Error> {
        Ok(payload)
    }
}

impl RpcInput for String {
    fn from_payload(payload: Vec<u8>) -> Result<Self, Error> {
        String::from_utf8(payload).map_err(|e| {
            Error::invalid_argument(format!(
                "payload is not valid UTF-8 (invalid byte at offset {}); take `Vec<u8>` to accept any bytes",
                e.utf8_error().valid_up_to()
            ))
        })
    }
}

impl<T: DeserializeOwned> RpcInput for Json<T> {
    fn from_payload(payload: Vec<u8>) -> Result<Self, Error> {
        decode_json(&payload).map(Json)
    }
}

/// Decodes a JSON payload; the error names what was wrong.
pub(crate) fn decode_json<T: DeserializeOwned>(payload: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(payload).map_err(|e| {
        let what = if payload.is_empty() {
            // The usual cause: Nakama reads no payload from a GET.
            "payload is empty; expected JSON (a payload is a POST body: a GET, \
             as nakama-js's rpcHttpKey sends, has none)"
                .to_string()
        } else {
            format!("payload is not valid JSON for this RPC: {e}")
        };
        Error::invalid_argument(what)
    })
}

impl RpcOutput for Vec<u8> {
    fn into_payload(self) -> Result<Vec<u8>, Error> {
        Ok(self)
    }
}

impl RpcOutput for String {
    fn into_payload(self) -> Result<Vec<u8>, Error> {
        Ok(self.into_bytes())
    }
}

impl RpcOutput for () {
    fn into_payload(self) -> Result<Vec<u8>, Error> {
        Ok(Vec::new())
    }
}

impl<T: Serialize> RpcOutput for Json<T> {
    fn into_payload(self) -> Result<Vec<u8>, Error> {
        serde_json::to_vec(&self.0)
            .map_err(|e| Error::internal(format!("could not encode the RPC result as JSON: {e}")))
    }
}

/// A protobuf message (prost) as an RPC payload or result, or as a match
/// message's data (feature `prost`): its bytes, encoded and decoded with
/// `prost::Message`. `#[rpc]` takes `Proto<T>` as it is, like `Vec<u8>`.
///
/// ```
/// # #[cfg(feature = "prost")] {
/// use nakama_runtime::{Proto, RpcInput, RpcOutput};
///
/// #[derive(Clone, PartialEq, prost::Message)]
/// struct Move {
///     #[prost(sint32, tag = "1")]
///     x: i32,
///     #[prost(sint32, tag = "2")]
///     y: i32,
/// }
///
/// let bytes = Proto(Move { x: 3, y: -1 }).into_payload().unwrap();
/// assert_eq!(Proto::<Move>::from_payload(bytes).unwrap().0, Move { x: 3, y: -1 });
/// # }
/// ```
///
/// nakama-js sends an RPC's payload as JSON text, so a protobuf payload
/// reaches an RPC over HTTP (`POST /v2/rpc/{id}?unwrap` with the bytes as
/// the body); match data are bytes from every client.
#[cfg(feature = "prost")]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Proto<T>(pub T);

#[cfg(feature = "prost")]
impl<T: prost::Message + Default> Proto<T> {
    /// Decodes a message; the error names the message type and what is
    /// wrong with the bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        T::decode(bytes).map(Proto).map_err(|e| {
            // prost's text starts by saying it failed; ours already does.
            let why = e.to_string();
            let why = why.trim_start_matches("failed to decode Protobuf message: ");
            Error::invalid_argument(format!(
                "not a valid {} protobuf message: {why}",
                short_type_name::<T>()
            ))
        })
    }

    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.0.encode_to_vec()
    }
}

/// `a::b::Move` as `Move`: what a user recognises in a message.
#[cfg(feature = "prost")]
fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let path = full.split('<').next().unwrap_or(full);
    path.rsplit("::").next().unwrap_or(path)
}

#[cfg(feature = "prost")]
impl<T: prost::Message + Default> RpcInput for Proto<T> {
    fn from_payload(payload: Vec<u8>) -> Result<Self, Error> {
        Proto::decode(&payload)
            .map_err(|e| Error::invalid_argument(format!("payload is {}", e.message())))
    }
}

#[cfg(feature = "prost")]
impl<T: prost::Message> RpcOutput for Proto<T> {
    fn into_payload(self) -> Result<Vec<u8>, Error> {
        Ok(self.0.encode_to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
    struct Guild {
        name: String,
    }

    #[test]
    fn json_payload_errors_name_the_problem() {
        let e = Json::<Guild>::from_payload(b"{}".to_vec()).unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument);
        assert!(
            e.message().contains("missing field `name`"),
            "{}",
            e.message()
        );
        let e = Json::<Guild>::from_payload(Vec::new()).unwrap_err();
        assert!(e.message().contains("empty"), "{}", e.message());
        let g = Json::<Guild>::from_payload(br#"{"name":"a"}"#.to_vec()).unwrap();
        assert_eq!(g.0.name, "a");
    }

    #[test]
    fn strings_must_be_utf8_bytes_need_not() {
        assert_eq!(
            String::from_payload(vec![b'a', 0xff]).unwrap_err().code(),
            Code::InvalidArgument
        );
        assert_eq!(Vec::from_payload(vec![0xff]).unwrap(), vec![0xff]);
    }

    #[test]
    fn outputs_encode() {
        let out = Json(Guild { name: "g".into() }).into_payload().unwrap();
        assert_eq!(out, br#"{"name":"g"}"#);
        assert!(().into_payload().unwrap().is_empty());
    }
}
