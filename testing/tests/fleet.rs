//! A fleet manager written in Rust, tested in the test host: the module's
//! own RPC reaches it through `nk.fleet_manager()`, and `create` answers
//! once the fleet manager has called back.

use std::collections::HashMap;

use nakama_runtime::prelude::*;
use nakama_runtime::{FleetCreateOutcome, FleetCreateRequest, FleetManagerHandler};
use nakama_test_host::TestHost;
use serde_json::Map;

/// A platform with one region and instant placement: `create` calls back
/// before it answers (a fleet manager may).
struct Instant;

impl FleetManagerHandler for Instant {
    async fn get(&self, _: &Context, _: &Nakama, id: &str) -> Result<nk::FleetInstance, Error> {
        Err(Error::new(Code::NotFound, format!("no instance {id}")))
    }

    async fn list(
        &self,
        _: &Context,
        _: &Nakama,
        _: &str,
        _: i32,
        _: &str,
    ) -> Result<nk::FleetInstanceList, Error> {
        Ok(nk::FleetInstanceList::default())
    }

    async fn create(
        &self,
        ctx: &Context,
        nk: &Nakama,
        req: FleetCreateRequest,
    ) -> Result<HashMap<String, String>, Error> {
        let outcome = if req.max_players > 8 {
            FleetCreateOutcome::TimedOut {
                error: "no server that large in time".into(),
            }
        } else {
            FleetCreateOutcome::Created {
                instance: nk::FleetInstance {
                    id: "eu-1".into(),
                    status: "ready".into(),
                    player_count: req.user_ids.len() as i32,
                    ..Default::default()
                },
                sessions: vec![],
                metadata: Map::new(),
            }
        };
        nk.fleet_manager()
            .invoke_callback(&req.callback_id, outcome)
            .await?;
        // The function gets the asker's context.
        let asker = ctx.user_id().unwrap_or("nobody").to_string();
        Ok(HashMap::from([("asked_by".to_string(), asker)]))
    }

    async fn join(
        &self,
        _: &Context,
        _: &Nakama,
        _: &str,
        _: &[String],
        _: &HashMap<String, String>,
    ) -> Result<nk::FleetJoinInfo, Error> {
        Err(Error::new(Code::Unimplemented, "no joins"))
    }
}

#[init_module]
async fn init(_: &Context, _: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_fleet_manager(Instant);
    Ok(())
}

/// Asks the fleet for an instance for `players` players.
#[rpc]
async fn play(ctx: &Context, nk: &Nakama, players: i32) -> Result<nk::FleetCreated, Error> {
    let me = ctx.user_id().unwrap_or_default();
    nk.fleet_manager()
        .create(players, &[me], vec![], Map::new())
        .await
}

#[rpc]
async fn find(_: &Context, nk: &Nakama, id: String) -> Result<nk::FleetInstance, Error> {
    nk.fleet_manager().get(&id).await
}

#[tokio::test]
async fn rpcs_reach_the_modules_fleet_manager_and_create_waits_for_its_callback() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    let created = host.rpc(&ann, play, &4).await.unwrap();
    assert_eq!(created.status, 0);
    assert_eq!(created.instance.unwrap().player_count, 1);
    assert_eq!(created.info["asked_by"], ann.id());
    let timed_out = host.rpc(&ann, play, &20).await.unwrap();
    assert_eq!(timed_out.status, 1);
    assert_eq!(timed_out.error, "no server that large in time");
    assert!(timed_out.instance.is_none());
    // The fleet manager's own error codes come through.
    let err = host.rpc(&ann, find, &"x".to_string()).await.unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::NotFound, "no instance x")
    );
}
