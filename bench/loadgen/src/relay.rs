//! The `--relay` load: a relayed match's data over WebSockets.
//!
//! Each connection of the run is, per target, a pair of sessions (two
//! device accounts) in a relayed match of their own: the first creates it,
//! the second joins. A "request" is a round trip: the first sends match
//! data, the second gets it and sends it back, the first gets that. It
//! loads what relaying costs a server per message (the socket reads and
//! writes, decoding and encoding the envelope, finding the match's other
//! presences), not a module: relayed data reaches no module.
//!
//! Its accounts, sockets and envelope helpers serve the `authoritative`
//! load too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::{header, Request};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::Target;

pub(crate) type Socket = WebSocketStream<TcpStream>;

/// A round trip not done by then counts as an error (and the pair is
/// opened again), so that a server that stops answering ends the run.
pub(crate) const ROUND_TRIP_LIMIT: Duration = Duration::from_secs(5);

/// Two sessions in one relayed match.
pub struct Pair {
    first: Socket,
    second: Socket,
    /// The first's data envelope (op code 1) and the second's (op code 2),
    /// written once.
    ping: String,
    pong: String,
}

impl Pair {
    /// Two new accounts on `target`, their sockets, and the match.
    pub async fn open(target: &Target, server_key: &str) -> Result<Pair, String> {
        let mut first = socket(target, server_key).await?;
        let created = call(&mut first, json!({"cid": "1", "match_create": {}})).await?;
        let match_id = created["match"]["match_id"]
            .as_str()
            .ok_or_else(|| format!("match_create answered {created}"))?
            .to_owned();
        let mut second = socket(target, server_key).await?;
        let joined = call(
            &mut second,
            json!({"cid": "1", "match_join": {"match_id": match_id}}),
        )
        .await?;
        if !joined["match"].is_object() {
            return Err(format!("match_join answered {joined}"));
        }
        let data = |op: u8| {
            json!({"match_data_send": {"match_id": match_id, "op_code": op, "data": "cGluZw=="}})
                .to_string()
        };
        Ok(Pair {
            first,
            second,
            ping: data(1),
            pong: data(2),
        })
    }

    /// One round trip of match data.
    pub async fn round_trip(&mut self) -> Result<(), String> {
        let trip = async {
            send(&mut self.first, &self.ping).await?;
            data_with(&mut self.second, 1).await?;
            send(&mut self.second, &self.pong).await?;
            data_with(&mut self.first, 2).await
        };
        tokio::time::timeout(ROUND_TRIP_LIMIT, trip)
            .await
            .map_err(|_| format!("no match data back in {ROUND_TRIP_LIMIT:?}"))?
    }
}

/// A socket of a new device account on `target`.
pub(crate) async fn socket(target: &Target, server_key: &str) -> Result<Socket, String> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let device = format!(
        "loadgen-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let session = authenticate(target, server_key, &device).await?;
    let token = session["token"]
        .as_str()
        .ok_or_else(|| format!("authenticate answered {session}"))?;
    let stream = TcpStream::connect(target.addr)
        .await
        .map_err(|e| format!("connect {}: {e}", target.addr))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let url = format!("ws://{}/ws?format=json&token={token}", target.host);
    let (socket, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .map_err(|e| format!("websocket {}: {e}", target.host))?;
    Ok(socket)
}

/// `POST /v2/account/authenticate/device?create=true` as the server key.
async fn authenticate(target: &Target, server_key: &str, device: &str) -> Result<Value, String> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{server_key}:"));
    let body = Bytes::from(json!({"id": device}).to_string());
    post_json(
        target,
        "/v2/account/authenticate/device?create=true",
        Some(format!("Basic {basic}")),
        body,
    )
    .await
    .map_err(|e| format!("authenticate: {e}"))
}

/// POSTs `body` (JSON) to `path` on `target` and reads the JSON answer.
pub(crate) async fn post_json(
    target: &Target,
    path: &str,
    authorization: Option<String>,
    body: Bytes,
) -> Result<Value, String> {
    let mut conn = crate::connect(target).await?;
    let mut request = Request::post(path)
        .header(header::HOST, target.host.as_str())
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(authorization) = authorization {
        request = request.header(header::AUTHORIZATION, authorization);
    }
    let request = request.body(Full::new(body)).expect("a valid request");
    let response = conn
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if !status.is_success() {
        return Err(format!(
            "status {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    serde_json::from_slice(&body).map_err(|e| e.to_string())
}

pub(crate) async fn send(socket: &mut Socket, text: &str) -> Result<(), String> {
    socket
        .send(Message::text(text))
        .await
        .map_err(|e| format!("send: {e}"))
}

/// The next envelope that is not a presence event (what a match sends
/// its members as they come and go), as JSON.
async fn next_envelope(socket: &mut Socket) -> Result<Value, String> {
    loop {
        let text = match socket.next().await {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => return Err(format!("socket closed: {frame:?}")),
            Some(Ok(_)) => continue, // pings (answered by tungstenite), pongs
            Some(Err(e)) => return Err(format!("receive: {e}")),
            None => return Err("socket closed".into()),
        };
        let envelope: Value =
            serde_json::from_str(text.as_str()).map_err(|e| format!("{e}: {text}"))?;
        if envelope.get("match_presence_event").is_none() {
            return Ok(envelope);
        }
    }
}

/// Sends `request` and waits for its answer (the envelope with its cid).
pub(crate) async fn call(socket: &mut Socket, request: Value) -> Result<Value, String> {
    send(socket, &request.to_string()).await?;
    let answer = next_envelope(socket).await?;
    if answer["cid"] != request["cid"] {
        return Err(format!("{request} answered {answer}"));
    }
    Ok(answer)
}

/// Waits for match data with op code `op`.
pub(crate) async fn data_with(socket: &mut Socket, op: u8) -> Result<(), String> {
    let envelope = next_envelope(socket).await?;
    if is_data_with(&envelope, op) {
        Ok(())
    } else {
        Err(format!(
            "expected match data with op code {op}, got {envelope}"
        ))
    }
}

/// Whether `envelope` is match data with op code `op` (which Nakama's
/// JSON writes as a string, an int64).
fn is_data_with(envelope: &Value, op: u8) -> bool {
    let got = &envelope["match_data"]["op_code"];
    got.as_str() == Some(&op.to_string()) || got.as_u64() == Some(op.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_data_is_told_by_its_op_code_as_string_or_number() {
        let data = |op: Value| json!({"match_data": {"match_id": "m.", "op_code": op}});
        assert!(is_data_with(&data(json!("2")), 2));
        assert!(is_data_with(&data(json!(2)), 2));
        assert!(!is_data_with(&data(json!("1")), 2));
        assert!(!is_data_with(&json!({"match_presence_event": {}}), 2));
        assert!(!is_data_with(&json!({"error": {"code": 3}}), 2));
    }
}
