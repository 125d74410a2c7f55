//! A fleet manager written in Rust: the module that talks to a platform of
//! dedicated game servers (Amazon GameLift, Edgegap, Agones, your own), as
//! a Go module does with `initializer.RegisterFleetManager`.
//!
//! Implement [`FleetManagerHandler`] and register it in `#[init_module]`
//! with [`Initializer::register_fleet_manager`](crate::Initializer::register_fleet_manager).
//! From then on every module's [`Nakama::fleet_manager`] calls (and, in
//! Nakama, Go, Lua and JavaScript modules' `GetFleetManager()`) reach it:
//!
//! ```ignore
//! struct Servers { api: PlatformClient }
//!
//! impl FleetManagerHandler for Servers {
//!     async fn get(&self, _: &Context, _: &Nakama, id: &str) -> Result<nk::FleetInstance, Error> {
//!         self.api.instance(id).await
//!     }
//!     async fn list(&self, _: &Context, _: &Nakama, query: &str, limit: i32, cursor: &str)
//!         -> Result<nk::FleetInstanceList, Error> { self.api.list(query, limit, cursor).await }
//!     async fn create(&self, _: &Context, _: &Nakama, req: FleetCreateRequest)
//!         -> Result<HashMap<String, String>, Error> {
//!         // Ask the platform; it calls our webhook (an RPC or HTTP handler)
//!         // when the server is up, which then calls
//!         // `nk.fleet_manager().invoke_callback(&req.callback_id, ..)`.
//!         let placement = self.api.place(req.max_players, &req.user_ids, &req.callback_id).await?;
//!         Ok(HashMap::from([("placement".into(), placement)]))
//!     }
//!     async fn join(&self, _: &Context, _: &Nakama, id: &str, user_ids: &[String],
//!         _: &HashMap<String, String>) -> Result<nk::FleetJoinInfo, Error> {
//!         self.api.reserve(id, user_ids).await
//!     }
//! }
//!
//! #[init_module]
//! async fn init(_: &Context, _: &Nakama, init: &mut Initializer) -> Result<(), Error> {
//!     init.register_fleet_manager(Servers { api: PlatformClient::from_env()? });
//!     Ok(())
//! }
//! ```
//!
//! `create` answers as soon as the platform has the request; the
//! `fleet_create` that asked answers only when the module calls
//! [`FleetManager::invoke_callback`](crate::FleetManager::invoke_callback)
//! with the request's `callback_id` (from any call, or a thread of its own
//! through [`Nakama::background`]), at most 10 minutes later.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use nakama_runtime_abi::fleet_manager::{op, UpdateRequest};
use nakama_runtime_abi::nk;
use serde_json::{Map, Value};

use crate::registry::Handler;
use crate::{Code, Context, Error, Nakama};

pub use nakama_runtime_abi::fleet_manager::CreateRequest as FleetCreateRequest;

/// A fleet manager (Nakama's `runtime.FleetManagerInitializer`). Its
/// functions get the context of the call that asked (an RPC's, a hook's)
/// and its `Nakama`. `update` and `delete`, which Nakama itself never
/// calls (only the code that holds the fleet manager does), default to
/// doing nothing, as empty Go methods would.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a fleet manager",
    label = "does not implement `nakama_runtime::FleetManagerHandler`",
    note = "implement it: `impl FleetManagerHandler for {Self} {{ async fn get(..) .. async fn list(..) .. async fn create(..) .. async fn join(..) .. }}` (see `nakama_runtime::fleet_manager`)"
)]
pub trait FleetManagerHandler: Send + Sync + 'static {
    /// `Get`: instance `id` as the platform has it now; an error if it
    /// does not exist (any more).
    fn get(
        &self,
        ctx: &Context,
        nk: &Nakama,
        id: &str,
    ) -> impl Future<Output = Result<nk::FleetInstance, Error>> + Send;

    /// `List`: a page of at most `limit` instances from `cursor` (empty:
    /// the first), those `query` selects (the platform's syntax; empty:
    /// all), with the next page's cursor (empty: none).
    fn list(
        &self,
        ctx: &Context,
        nk: &Nakama,
        query: &str,
        limit: i32,
        cursor: &str,
    ) -> impl Future<Output = Result<nk::FleetInstanceList, Error>> + Send;

    /// `Create`: ask the platform for an instance; answer what the
    /// platform answered at once (often nothing), and later call
    /// [`FleetManager::invoke_callback`](crate::FleetManager::invoke_callback)
    /// with `req.callback_id`. An error here is what the `fleet_create`
    /// that asked answers, and no callback is then expected.
    fn create(
        &self,
        ctx: &Context,
        nk: &Nakama,
        req: FleetCreateRequest,
    ) -> impl Future<Output = Result<HashMap<String, String>, Error>> + Send;

    /// `Join`: reserve slots on instance `id` for `user_ids`: the
    /// instance and a session per player.
    fn join(
        &self,
        ctx: &Context,
        nk: &Nakama,
        id: &str,
        user_ids: &[String],
        metadata: &HashMap<String, String>,
    ) -> impl Future<Output = Result<nk::FleetJoinInfo, Error>> + Send;

    /// `Update`: an instance reports its player count and metadata.
    fn update(
        &self,
        ctx: &Context,
        nk: &Nakama,
        id: &str,
        player_count: i32,
        metadata: &Map<String, Value>,
    ) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = (ctx, nk, id, player_count, metadata);
        async { Ok(()) }
    }

    /// `Delete`: the instance is gone.
    fn delete(
        &self,
        ctx: &Context,
        nk: &Nakama,
        id: &str,
    ) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = (ctx, nk, id);
        async { Ok(()) }
    }
}

/// How a `create` ended, for
/// [`FleetManager::invoke_callback`](crate::FleetManager::invoke_callback)
/// (`runtime.FmCreateStatus` and the callback's arguments).
#[derive(Debug, Clone, PartialEq)]
pub enum FleetCreateOutcome {
    /// The instance is up (`CreateSuccess`): where it is, a session per
    /// player the request named, and metadata for the asker.
    Created {
        instance: nk::FleetInstance,
        sessions: Vec<nk::FleetSession>,
        metadata: Map<String, Value>,
    },
    /// No instance in the platform's time (`CreateTimeout`).
    TimedOut { error: String },
    /// The platform could not make one (`CreateError`).
    Failed { error: String },
}

impl FleetCreateOutcome {
    pub(crate) fn into_args(self, callback_id: &str) -> nk::FleetCallbackArgs {
        let callback_id = callback_id.to_string();
        match self {
            FleetCreateOutcome::Created {
                instance,
                sessions,
                metadata,
            } => nk::FleetCallbackArgs {
                callback_id,
                status: 0,
                instance: Some(instance),
                sessions,
                metadata,
                error: String::new(),
            },
            FleetCreateOutcome::TimedOut { error } => nk::FleetCallbackArgs {
                callback_id,
                status: 1,
                error,
                ..Default::default()
            },
            FleetCreateOutcome::Failed { error } => nk::FleetCallbackArgs {
                callback_id,
                status: 2,
                error,
                ..Default::default()
            },
        }
    }
}

/// One of the six functions of a registered fleet manager, as the
/// handler table holds it.
pub(crate) struct FleetOp<T> {
    pub(crate) fm: Arc<T>,
    pub(crate) op: &'static str,
}

fn decode<I: serde::de::DeserializeOwned>(input: &[u8], op: &str) -> Result<I, Error> {
    serde_json::from_slice(input).map_err(|e| {
        Error::new(
            Code::Internal,
            format!("the host sent the fleet manager's {op} arguments that cannot be decoded: {e}"),
        )
    })
}

fn encode<O: serde::Serialize>(out: &O) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(out).map_err(|e| Error::internal(format!("encoding failed: {e}")))
}

impl<T: FleetManagerHandler> Handler for FleetOp<T> {
    async fn call(&self, ctx: &Context, nk: &Nakama, input: &[u8]) -> Result<Vec<u8>, Error> {
        let fm = &*self.fm;
        match self.op {
            op::GET => {
                let a: nk::FleetGetArgs = decode(input, op::GET)?;
                encode(&fm.get(ctx, nk, &a.id).await?)
            }
            op::LIST => {
                let a: nk::FleetListArgs = decode(input, op::LIST)?;
                encode(&fm.list(ctx, nk, &a.query, a.limit, &a.cursor).await?)
            }
            op::CREATE => encode(&fm.create(ctx, nk, decode(input, op::CREATE)?).await?),
            op::JOIN => {
                let a: nk::FleetJoinArgs = decode(input, op::JOIN)?;
                encode(&fm.join(ctx, nk, &a.id, &a.user_ids, &a.metadata).await?)
            }
            op::UPDATE => {
                let a: UpdateRequest = decode(input, op::UPDATE)?;
                fm.update(ctx, nk, &a.id, a.player_count, &a.metadata)
                    .await?;
                Ok(Vec::new())
            }
            op::DELETE => {
                let a: nk::FleetGetArgs = decode(input, op::DELETE)?;
                fm.delete(ctx, nk, &a.id).await?;
                Ok(Vec::new())
            }
            other => Err(Error::new(
                Code::Unimplemented,
                format!("the fleet manager has no function {other}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_carry_nakamas_statuses() {
        let created = FleetCreateOutcome::Created {
            instance: nk::FleetInstance {
                id: "i1".into(),
                ..Default::default()
            },
            sessions: vec![],
            metadata: Map::new(),
        }
        .into_args("cb");
        assert_eq!((created.status, created.callback_id.as_str()), (0, "cb"));
        assert_eq!(created.instance.unwrap().id, "i1");
        let timed_out = FleetCreateOutcome::TimedOut {
            error: "slow".into(),
        }
        .into_args("cb");
        assert_eq!((timed_out.status, timed_out.error.as_str()), (1, "slow"));
        assert!(timed_out.instance.is_none());
        let failed = FleetCreateOutcome::Failed { error: "no".into() }.into_args("cb");
        assert_eq!(failed.status, 2);
    }
}
