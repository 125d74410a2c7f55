//! The `--authoritative` load: match data through an authoritative
//! match's handler over WebSockets.
//!
//! Each connection of the run is, per target, a session (a device account)
//! in an authoritative match of its own, which the target's RPC creates:
//! the benchmark modules' `*tick_matches`, answering the ids of the
//! matches they made, whose match sends each message back to its sender
//! at its next tick. A request is a round trip: the session sends match
//! data and waits for it to come back. A round trip lasts until the
//! match's next tick, so the rate follows the tick rate and the number of
//! connections more than the server: what this load compares is the
//! server's CPU time per round trip (`--cpu-pid`), the handler's cost of
//! a message and its answer on top of the socket's.

use bytes::Bytes;
use serde_json::{json, Value};

use crate::relay::{self, Socket, ROUND_TRIP_LIMIT};
use crate::Target;

/// A session in an authoritative match of its own.
pub struct Player {
    socket: Socket,
    /// Its data envelope (op code 1), written once.
    data: String,
}

impl Player {
    /// A new account on `target`'s server, its socket, and a match that
    /// `target`'s RPC created when POSTed `body`, joined.
    pub async fn open(target: &Target, server_key: &str, body: &Bytes) -> Result<Player, String> {
        let answer = relay::post_json(target, &target.path, None, body.clone())
            .await
            .map_err(|e| format!("{}: {e}", target.path))?;
        let match_id = first_id(&answer)
            .ok_or_else(|| format!("{} answered {answer}, not a list of match ids", target.path))?;
        let mut socket = relay::socket(target, server_key).await?;
        let joined = relay::call(
            &mut socket,
            json!({"cid": "1", "match_join": {"match_id": match_id}}),
        )
        .await?;
        if !joined["match"].is_object() {
            return Err(format!("match_join answered {joined}"));
        }
        let data =
            json!({"match_data_send": {"match_id": match_id, "op_code": 1, "data": "cGluZw=="}})
                .to_string();
        Ok(Player { socket, data })
    }

    /// One round trip of match data through the match's handler.
    pub async fn round_trip(&mut self) -> Result<(), String> {
        let trip = async {
            relay::send(&mut self.socket, &self.data).await?;
            relay::data_with(&mut self.socket, 1).await
        };
        tokio::time::timeout(ROUND_TRIP_LIMIT, trip)
            .await
            .map_err(|_| format!("no match data back in {ROUND_TRIP_LIMIT:?}"))?
    }
}

/// The first match id of an RPC's answer: a JSON list of ids, as is
/// (`unwrap` in the URL) or in the `payload` string Nakama wraps it in.
fn first_id(answer: &Value) -> Option<String> {
    let list = match answer.get("payload").and_then(Value::as_str) {
        Some(payload) => serde_json::from_str(payload).ok()?,
        None => answer.clone(),
    };
    Some(list.get(0)?.as_str()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_match_id_is_read_unwrapped_or_from_the_payload() {
        let id = "9e0ba8f3-6d51-4a8d-9f47-4b1c2d3e4f50.nakama1";
        assert_eq!(first_id(&json!([id, "other"])).as_deref(), Some(id));
        let wrapped = json!({"payload": json!([id]).to_string()});
        assert_eq!(first_id(&wrapped).as_deref(), Some(id));
        assert_eq!(first_id(&json!(2)), None);
        assert_eq!(first_id(&json!([])), None);
        assert_eq!(first_id(&json!({"payload": "2"})), None);
    }
}
