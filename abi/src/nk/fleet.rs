//! The arguments and answers of the fleet manager nk functions: Nakama's
//! `nk.GetFleetManager()`, the dedicated game server orchestrator a Go
//! module registered (`RegisterFleetManager`: Amazon GameLift, Edgegap,
//! ...): `Get`, `List`, `Create` and `Join`. Field names are those of
//! nakama-common's `runtime` types.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::null_as_empty;

/// Where clients reach an instance (`runtime.ConnectionInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetConnectionInfo {
    pub ip_address: String,
    pub dns_name: String,
    pub port: i32,
}

/// One game server instance (`runtime.InstanceInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetInstance {
    /// The platform's id of the instance.
    pub id: String,
    pub connection_info: Option<FleetConnectionInfo>,
    /// When it was created, RFC 3339 (`2026-12-03T15:00:00Z`); empty:
    /// unknown. Anything else is refused by both hosts (in Nakama it
    /// passes through Go's `time.Time`, which also writes fractions
    /// without trailing zeros).
    pub create_time: String,
    pub player_count: i32,
    /// The platform's word for its state.
    pub status: String,
    /// The application's data, for listings.
    #[serde(deserialize_with = "null_as_empty")]
    pub metadata: Map<String, Value>,
}

/// A player slot reserved on an instance (`runtime.SessionInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetSession {
    pub user_id: String,
    /// What the client gives the game server to claim the slot.
    pub session_id: String,
}

/// What `fleet_join` answers (`runtime.JoinInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetJoinInfo {
    pub instance_info: Option<FleetInstance>,
    #[serde(deserialize_with = "null_as_empty")]
    pub session_info: Vec<FleetSession>,
}

/// A player's latency to a region (`runtime.FleetUserLatencies`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetUserLatency {
    pub user_id: String,
    pub latency_in_milliseconds: f32,
    pub region_identifier: String,
}

/// Arguments of `fleet_get`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetGetArgs {
    pub id: String,
}

/// Arguments of `fleet_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetListArgs {
    /// A query in the platform's own syntax (empty: all).
    pub query: String,
    pub limit: i32,
    pub cursor: String,
}

/// What `fleet_list` answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetInstanceList {
    #[serde(deserialize_with = "null_as_empty")]
    pub instances: Vec<FleetInstance>,
    /// The next page's cursor (empty: none).
    pub cursor: String,
}

/// Arguments of `fleet_create`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetCreateArgs {
    pub max_players: i32,
    /// Players to reserve slots for on the new instance.
    pub user_ids: Vec<String>,
    /// If the platform uses them: where the players are close to.
    pub latencies: Vec<FleetUserLatency>,
    pub metadata: Map<String, Value>,
}

/// What `fleet_create` answers once the fleet manager has called back
/// (`runtime.FmCreateCallbackFn`'s arguments), with what its `Create`
/// answered at once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetCreated {
    /// `Create`'s own answer (platform specific, often empty).
    #[serde(deserialize_with = "null_as_empty")]
    pub info: HashMap<String, String>,
    /// 0 created, 1 timed out, 2 failed.
    pub status: i32,
    pub instance: Option<FleetInstance>,
    #[serde(deserialize_with = "null_as_empty")]
    pub sessions: Vec<FleetSession>,
    #[serde(deserialize_with = "null_as_empty")]
    pub metadata: Map<String, Value>,
    /// The callback's error (empty: none).
    pub error: String,
}

/// Arguments of `fleet_callback` (`FmCallbackHandler.InvokeCallback`):
/// what a fleet manager module answers a `create` once the platform has
/// placed the instance, or has given up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetCallbackArgs {
    /// The id the `create` was given
    /// ([`crate::fleet_manager::CreateRequest::callback_id`]).
    pub callback_id: String,
    /// 0 created, 1 timed out, 2 failed (`runtime.FmCreateStatus`).
    pub status: i32,
    pub instance: Option<FleetInstance>,
    #[serde(deserialize_with = "null_as_empty")]
    pub sessions: Vec<FleetSession>,
    #[serde(deserialize_with = "null_as_empty")]
    pub metadata: Map<String, Value>,
    /// Why it failed (empty: no error).
    pub error: String,
}

/// Arguments of `fleet_join`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetJoinArgs {
    pub id: String,
    pub user_ids: Vec<String>,
    pub metadata: HashMap<String, String>,
}
