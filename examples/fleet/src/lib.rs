//! Dedicated game servers through a fleet manager written in Rust
//! (Nakama's `RegisterFleetManager`), with the flow a real platform has:
//! a server is asked for, boots, and reports through a webhook.
//!
//! - The fleet manager ([`Servers`]) keeps the game servers in storage
//!   (collection [`SERVERS`], owned by the system, so that every node of a
//!   cluster sees them): `create` records a server as `starting` with the
//!   players it was asked for, where a real one would ask its platform
//!   (Edgegap, GameLift, Agones...) to boot one with the callback id in
//!   its environment; `join` reserves seats on a `ready` server with room
//!   (a join that loses a seat to another reads again: "full", never a
//!   seat given twice);
//!   `get`, `list` (by status), `update` and `delete` read and write the
//!   same objects.
//! - `server_ready` `{"instance_id", "ip", "port"}` or
//!   `{"instance_id", "error"}` is the webhook a booted (or failed)
//!   server calls, server to server (the http key; a user's call is
//!   `PERMISSION_DENIED`): it marks the server `ready` and calls back the
//!   `create` that asked for it, or fails it.
//! - `play` `{"max_players"}` (a user): a seat on a `ready` server with
//!   room (one full or gone meanwhile is skipped; another error is the
//!   caller's), else a new server, answered once it is up (`{"instance_id",
//!   "ip", "port", "session_id"}`); a server that failed to boot is
//!   `UNAVAILABLE` with its error.

use std::collections::HashMap;

use nakama_runtime::prelude::*;
use nakama_runtime::{FleetCreateOutcome, FleetCreateRequest, FleetManagerHandler};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The storage collection of the game servers, one object per server.
pub const SERVERS: &str = "game_servers";

/// One game server as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Server {
    pub id: String,
    /// `starting`, then `ready`.
    pub status: String,
    pub max_players: i32,
    /// The players with a seat.
    pub players: Vec<String>,
    /// The `create` waiting for this server to be up.
    pub callback_id: String,
    pub ip: String,
    pub port: i32,
    pub metadata: Map<String, Value>,
}

impl Server {
    fn instance(&self) -> nk::FleetInstance {
        nk::FleetInstance {
            id: self.id.clone(),
            connection_info: (self.status == "ready").then(|| nk::FleetConnectionInfo {
                ip_address: self.ip.clone(),
                dns_name: String::new(),
                port: self.port,
            }),
            create_time: String::new(),
            player_count: self.players.len() as i32,
            status: self.status.clone(),
            metadata: self.metadata.clone(),
        }
    }

    fn sessions(&self, users: &[String]) -> Vec<nk::FleetSession> {
        users
            .iter()
            .map(|u| nk::FleetSession {
                user_id: u.clone(),
                session_id: format!("{}/{u}", self.id),
            })
            .collect()
    }
}

/// A server that is not (or no longer) in storage.
fn not_found(id: &str) -> Error {
    Error::new(Code::NotFound, format!("no game server {id}"))
}

/// Reads server `id` and its storage version.
async fn read(nk: &Nakama, id: &str) -> Result<(Server, String), Error> {
    let found = nk
        .storage_read(&[nk::StorageReadOp::new(SERVERS, id)])
        .await?;
    let object = found.first().ok_or_else(|| not_found(id))?;
    Ok((object.value_as()?, object.version.clone()))
}

/// Writes `server` over storage version `version` only (`"*"`: only if
/// new): a write meanwhile makes this one fail rather than be lost.
async fn write(nk: &Nakama, server: &Server, version: &str) -> Result<(), Error> {
    nk.storage_write(&[write_op(server)?.if_version(version)])
        .await?;
    Ok(())
}

/// The write of `server`: the system's, private.
fn write_op(server: &Server) -> Result<nk::StorageWriteOp, Error> {
    Ok(nk::StorageWriteOp::new(SERVERS, server.id.as_str())
        .json(server)?
        .permissions(0, 0))
}

/// The fleet manager.
pub struct Servers;

impl FleetManagerHandler for Servers {
    async fn get(&self, _: &Context, nk: &Nakama, id: &str) -> Result<nk::FleetInstance, Error> {
        Ok(read(nk, id).await?.0.instance())
    }

    async fn list(
        &self,
        _: &Context,
        nk: &Nakama,
        query: &str,
        limit: i32,
        cursor: &str,
    ) -> Result<nk::FleetInstanceList, Error> {
        // `query` is a status; the page is storage's, filtered.
        let cursor = (!cursor.is_empty()).then_some(cursor);
        let page = nk
            .storage_list(None, None, SERVERS, limit.clamp(1, 100), cursor)
            .await?;
        let mut instances = Vec::new();
        for object in &page.objects {
            let server: Server = object.value_as()?;
            if query.is_empty() || server.status == query {
                instances.push(server.instance());
            }
        }
        Ok(nk::FleetInstanceList {
            instances,
            cursor: page.cursor,
        })
    }

    async fn create(
        &self,
        _: &Context,
        nk: &Nakama,
        req: FleetCreateRequest,
    ) -> Result<HashMap<String, String>, Error> {
        let id = format!(
            "gs-{}",
            req.callback_id.split('-').next().unwrap_or_default()
        );
        let server = Server {
            id: id.clone(),
            status: "starting".into(),
            max_players: req.max_players,
            players: req.user_ids,
            callback_id: req.callback_id,
            metadata: req.metadata,
            ..Default::default()
        };
        // A real fleet manager asks its platform here, handing it the
        // callback id for the server's webhook.
        write(nk, &server, "*").await?;
        Ok(HashMap::from([("instance_id".to_string(), id)]))
    }

    async fn join(
        &self,
        _: &Context,
        nk: &Nakama,
        id: &str,
        user_ids: &[String],
        _: &HashMap<String, String>,
    ) -> Result<nk::FleetJoinInfo, Error> {
        // Read, checked and written again if another join wrote first:
        // two joins at once never hand out the same last seat, and the
        // later one answers "full" rather than a storage conflict.
        let joined = std::sync::Mutex::new(None);
        let reads = [nk::StorageReadOp::new(SERVERS, id)];
        nk.storage_write_retry(&reads, 5, |found| {
            let joined = &joined;
            async move {
                let object = found.first().ok_or_else(|| not_found(id))?;
                let mut server: Server = object.value_as()?;
                if server.status != "ready" {
                    return Err(Error::new(
                        Code::FailedPrecondition,
                        format!("game server {id} is not ready"),
                    ));
                }
                if server.players.len() + user_ids.len() > server.max_players.max(0) as usize {
                    return Err(Error::new(
                        Code::ResourceExhausted,
                        format!("game server {id} is full"),
                    ));
                }
                server.players.extend(user_ids.iter().cloned());
                let op = write_op(&server)?.if_version(object.version.clone());
                *joined
                    .lock()
                    .map_err(|_| Error::internal("a join panicked"))? = Some(server);
                Ok(vec![op])
            }
        })
        .await?;
        let server = joined
            .into_inner()
            .ok()
            .flatten()
            .ok_or_else(|| Error::internal("join wrote no server"))?;
        Ok(nk::FleetJoinInfo {
            instance_info: Some(server.instance()),
            session_info: server.sessions(user_ids),
        })
    }

    async fn update(
        &self,
        _: &Context,
        nk: &Nakama,
        id: &str,
        _player_count: i32,
        metadata: &Map<String, Value>,
    ) -> Result<(), Error> {
        let (mut server, version) = read(nk, id).await?;
        server.metadata = metadata.clone();
        write(nk, &server, &version).await
    }

    async fn delete(&self, _: &Context, nk: &Nakama, id: &str) -> Result<(), Error> {
        nk.storage_delete(&[nk::StorageDeleteOp::new(SERVERS, id)])
            .await
    }
}

#[init_module]
async fn init(_: &Context, _: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_fleet_manager(Servers);
    Ok(())
}

/// What a booted (or failed) game server reports.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Ready {
    pub instance_id: String,
    pub ip: String,
    pub port: i32,
    /// Set when it could not boot.
    pub error: Option<String>,
}

/// The game servers' webhook: server to server only.
#[rpc]
pub async fn server_ready(ctx: &Context, nk: &Nakama, req: Ready) -> Result<(), Error> {
    if ctx.user_id().is_some() {
        return Err(Error::new(
            Code::PermissionDenied,
            "only game servers report, with the http key",
        ));
    }
    let (mut server, version) = read(nk, &req.instance_id).await?;
    let outcome = match req.error {
        Some(error) => {
            nk.storage_delete(&[nk::StorageDeleteOp::new(SERVERS, server.id.as_str())])
                .await?;
            FleetCreateOutcome::Failed { error }
        }
        None => {
            server.status = "ready".into();
            server.ip = req.ip;
            server.port = req.port;
            write(nk, &server, &version).await?;
            FleetCreateOutcome::Created {
                instance: server.instance(),
                sessions: server.sessions(&server.players),
                metadata: server.metadata.clone(),
            }
        }
    };
    nk.fleet_manager()
        .invoke_callback(&server.callback_id, outcome)
        .await
}

/// What a player asks for.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Play {
    pub max_players: i32,
}

/// Where a player plays.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Seat {
    pub instance_id: String,
    pub ip: String,
    pub port: i32,
    /// What the player gives the game server to claim the seat.
    pub session_id: String,
}

fn seat(
    instance: Option<nk::FleetInstance>,
    sessions: &[nk::FleetSession],
    me: &str,
) -> Result<Seat, Error> {
    let instance = instance.ok_or_else(|| Error::internal("the fleet answered no instance"))?;
    let conn = instance.connection_info.unwrap_or_default();
    let session = sessions
        .iter()
        .find(|s| s.user_id == me)
        .ok_or_else(|| Error::internal("the fleet answered no seat for the caller"))?;
    Ok(Seat {
        instance_id: instance.id,
        ip: conn.ip_address,
        port: conn.port,
        session_id: session.session_id.clone(),
    })
}

/// A seat for the caller: on a ready server with room, else on a new one
/// once it is up.
#[rpc]
pub async fn play(ctx: &Context, nk: &Nakama, req: Play) -> Result<Seat, Error> {
    let me = ctx
        .user_id()
        .ok_or_else(|| Error::new(Code::Unauthenticated, "play needs a session"))?;
    let fleet = nk.fleet_manager();
    for server in fleet.list("ready", 100, "").await?.instances {
        match fleet.join(&server.id, &[me], HashMap::new()).await {
            Ok(joined) => return seat(joined.instance_info, &joined.session_info, me),
            // Filled, gone or no longer ready since the list, or too
            // busy to take a seat: try the next. Anything else is the
            // caller's to see.
            Err(e) if skip_server(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    let created = fleet
        .create(req.max_players.max(1), &[me], vec![], Map::new())
        .await?;
    if created.status != 0 {
        return Err(Error::new(
            Code::Unavailable,
            format!("no game server: {}", created.error),
        ));
    }
    seat(created.instance, &created.sessions, me)
}

/// Whether a `join` refusal only means "not this server": it filled up,
/// stopped being ready or went away since the list, or kept losing
/// races for its seats (`ABORTED`, out of write retries).
fn skip_server(e: &Error) -> bool {
    matches!(
        e.code(),
        Code::ResourceExhausted | Code::FailedPrecondition | Code::NotFound | Code::Aborted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn play_skips_only_servers_that_cannot_seat_the_caller() {
        for code in [
            Code::ResourceExhausted,
            Code::FailedPrecondition,
            Code::NotFound,
            Code::Aborted,
        ] {
            assert!(skip_server(&Error::new(code, "x")), "{code:?}");
        }
        for code in [Code::Internal, Code::Unavailable, Code::InvalidArgument] {
            assert!(!skip_server(&Error::new(code, "x")), "{code:?}");
        }
    }
}
