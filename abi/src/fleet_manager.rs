//! A fleet manager written in Rust on the wire (ABI 1.12).
//!
//! Nakama's `RegisterFleetManager` takes a Go value with six methods; a
//! module registers one handler of kind [`crate::ffi::kind::FLEET_MANAGER`]
//! per method, its id the method's name ([`op`]). A host takes one fleet
//! manager per process, and then answers the `fleet_*` nk functions of
//! every module (and, in Nakama, of Go, Lua and JavaScript modules) from
//! it. Each handler gets the context of the call that asked (an RPC's,
//! say) and, as JSON:
//!
//! | op | input | output |
//! |---|---|---|
//! | `get` | [`nk::FleetGetArgs`] | [`nk::FleetInstance`] |
//! | `list` | [`nk::FleetListArgs`] | [`nk::FleetInstanceList`] |
//! | `create` | [`CreateRequest`] | its own answer: an object of strings |
//! | `join` | [`nk::FleetJoinArgs`] | [`nk::FleetJoinInfo`] |
//! | `update` | [`UpdateRequest`] | empty |
//! | `delete` | [`nk::FleetGetArgs`] | empty |
//!
//! `create` answers as soon as it has asked the platform; when the
//! instance is up (or the platform gave up), the module calls the
//! `fleet_callback` nk function ([`nk::FleetCallbackArgs`]) with the
//! request's `callback_id`, from whatever call or thread learns it
//! (Nakama's `FmCallbackHandler.InvokeCallback`). Only then does the
//! `fleet_create` that asked answer.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::nk;

/// The ids of a fleet manager's handlers: `FleetManagerInitializer`'s
/// methods (but `Init`, which is the module's own init).
pub mod op {
    pub const GET: &str = "get";
    pub const LIST: &str = "list";
    pub const CREATE: &str = "create";
    pub const JOIN: &str = "join";
    pub const UPDATE: &str = "update";
    pub const DELETE: &str = "delete";
    /// All six, the order an SDK registers them in.
    pub const ALL: [&str; 6] = [GET, LIST, CREATE, JOIN, UPDATE, DELETE];
}

/// The input of `create`: `fleet_create`'s arguments and the id to call
/// back with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateRequest {
    pub max_players: i32,
    pub user_ids: Vec<String>,
    pub latencies: Vec<nk::FleetUserLatency>,
    pub metadata: Map<String, Value>,
    /// What to give `fleet_callback` once the platform has answered
    /// (`FmCallbackHandler.GenerateCallbackId`, with the asker's callback
    /// already set under it).
    pub callback_id: String,
}

/// The input of `update` (`FleetManagerInitializer.Update`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateRequest {
    pub id: String,
    pub player_count: i32,
    pub metadata: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_what_go_writes() {
        // Go's encoding/json: nil slices and maps as null are not used by
        // the bridge (it writes them empty), but absent keys default.
        let r: CreateRequest =
            serde_json::from_str(r#"{"max_players":4,"callback_id":"cb"}"#).unwrap();
        assert_eq!(r.max_players, 4);
        assert_eq!(r.callback_id, "cb");
        assert!(r.user_ids.is_empty() && r.metadata.is_empty());
        let u: UpdateRequest =
            serde_json::from_str(r#"{"id":"i","player_count":3,"metadata":{"a":1}}"#).unwrap();
        assert_eq!(u.player_count, 3);
        assert_eq!(u.metadata["a"], 1);
        assert_eq!(op::ALL.len(), 6);
    }
}
