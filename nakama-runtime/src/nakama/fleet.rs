//! The fleet manager a Go module registered in Nakama
//! (`nk.GetFleetManager()`): [`Nakama::fleet_manager`].

use std::collections::HashMap;

use nakama_runtime_abi::nk;
use serde_json::{Map, Value};

use super::Nakama;
use crate::Error;

impl Nakama {
    /// The fleet manager of dedicated game server instances
    /// (`nk.GetFleetManager()`): the one a Go module on the same Nakama
    /// registered with `initializer.RegisterFleetManager` (Heroic Labs'
    /// Amazon GameLift or Edgegap integrations, or your own).
    ///
    /// Or the one a module registered with
    /// [`Initializer::register_fleet_manager`](crate::Initializer::register_fleet_manager)
    /// (on both hosts): then its answers and errors come back as it gave
    /// them.
    ///
    /// Without one every function answers `FAILED_PRECONDITION` "no fleet
    /// manager is registered". A Go fleet manager's errors come back as
    /// `INTERNAL` with its words.
    pub fn fleet_manager(&self) -> FleetManager<'_> {
        FleetManager { nk: self }
    }
}

/// The registered fleet manager; see [`Nakama::fleet_manager`].
pub struct FleetManager<'a> {
    nk: &'a Nakama,
}

impl FleetManager<'_> {
    /// Instance `id` as the platform has it now (`Get`).
    pub async fn get(&self, id: &str) -> Result<nk::FleetInstance, Error> {
        self.nk
            .call::<nk::FleetGet>(&nk::FleetGetArgs { id: id.to_string() })
            .await
    }

    /// A page of `limit` instances from `cursor` (`List`), those `query`
    /// (the platform's syntax; empty: all) selects.
    pub async fn list(
        &self,
        query: &str,
        limit: i32,
        cursor: &str,
    ) -> Result<nk::FleetInstanceList, Error> {
        self.nk
            .call::<nk::FleetList>(&nk::FleetListArgs {
                query: query.to_string(),
                limit,
                cursor: cursor.to_string(),
            })
            .await
    }

    /// A new instance for `max_players`, with slots reserved for
    /// `user_ids` (`Create`). Answers when the fleet manager calls back:
    /// created (status 0, the instance and the players' sessions), timed
    /// out (1) or failed (2, with its error). That may take the platform
    /// a while: from a handler whose client waits, prefer a task of
    /// [`Nakama::background`] and tell the players when it is done.
    pub async fn create(
        &self,
        max_players: i32,
        user_ids: &[&str],
        latencies: Vec<nk::FleetUserLatency>,
        metadata: Map<String, Value>,
    ) -> Result<nk::FleetCreated, Error> {
        self.nk
            .call::<nk::FleetCreate>(&nk::FleetCreateArgs {
                max_players,
                user_ids: user_ids.iter().map(|s| s.to_string()).collect(),
                latencies,
                metadata,
            })
            .await
    }

    /// Reserves slots on instance `id` for `user_ids` (`Join`): the
    /// instance and a session per player, valid for about a minute.
    pub async fn join(
        &self,
        id: &str,
        user_ids: &[&str],
        metadata: HashMap<String, String>,
    ) -> Result<nk::FleetJoinInfo, Error> {
        self.nk
            .call::<nk::FleetJoin>(&nk::FleetJoinArgs {
                id: id.to_string(),
                user_ids: user_ids.iter().map(|s| s.to_string()).collect(),
                metadata,
            })
            .await
    }

    /// For a fleet manager written in Rust: the `create` it got with
    /// `callback_id` has ended (Nakama's `FmCallbackHandler.InvokeCallback`),
    /// and the `fleet_create` waiting on it answers with `outcome`. Call
    /// it from whatever learns it: the platform's webhook (an RPC or a
    /// custom HTTP handler), or a thread of the module's own
    /// ([`Nakama::background`]). An id nothing waits on any more (called
    /// back already, or its `fleet_create` gave up) is ignored, as in
    /// Nakama.
    pub async fn invoke_callback(
        &self,
        callback_id: &str,
        outcome: crate::FleetCreateOutcome,
    ) -> Result<(), Error> {
        self.nk
            .call::<nk::FleetCallback>(&outcome.into_args(callback_id))
            .await
    }
}
