//! An authoritative match, the server-side game loop of Nakama's guide, in
//! Rust.
//!
//! - RPC `arena_create` `{"max_players": 2..=16}` (default 4) starts an
//!   `arena` match and answers `{"match_id"}`. Clients join it over the
//!   realtime socket.
//! - The match ticks 10 times a second. Its label is
//!   `{"open":true|false,"players":N}`, for `match_list`.
//! - A join is refused with "arena is full" once `max_players` seats are
//!   taken, and with "name required" unless the join's metadata has a
//!   `name`. An accepted attempt takes its seat at once; a client that
//!   then never joins loses it after 10 seconds.
//! - Op code 1 from a client, `{"x":..,"y":..}`, moves its player. Each tick
//!   in which someone moved, op code 2 tells everyone every position. A
//!   message that does not decode gets op code 9 back, to its sender only,
//!   with `{"error": ..}` saying why. Op code 4 is the same move as
//!   protobuf bytes ([`pb::Move`], 2 to 6 bytes where the JSON takes ~15).
//!   The messages are typed: [`FromClient`] and [`FromArena`]
//!   (`#[derive(MatchMessage)]`).
//! - `match_signal` with `"players"` answers the player count; with
//!   `"close"` it tells everyone (op code 3) and ends the match (the
//!   signal's caller then gets Nakama's "match busy": a signal that ends
//!   its match has no reply).
//! - Matchmaking: a group the matchmaker forms gets an arena with a seat
//!   for each of them (the matched hook answers its id), unless a ticket
//!   asked for the string property `mode` = `relayed`: then the hook makes
//!   no match, and the players get a token for a relayed match instead.
//! - On the dev host with `runtime.reload`, a new build of this module
//!   takes over the running arenas: their state is saved and read back.

use std::collections::{BTreeMap, HashMap};

use nakama_runtime::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Client → server: move.
pub const OP_MOVE: i64 = 1;
/// Client → server: move, as a protobuf [`pb::Move`].
pub const OP_MOVE_COMPACT: i64 = 4;
/// Server → clients: every position.
pub const OP_POSITIONS: i64 = 2;
/// Server → clients: the arena is closing.
pub const OP_CLOSING: i64 = 3;
/// Server → one client: its message was not understood.
pub const OP_REFUSED: i64 = 9;
/// How long an accepted join attempt holds its seat (10 s at 10 ticks/s).
pub const RESERVATION_TICKS: i64 = 100;

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct CreateArena {
    pub max_players: usize,
}

impl Default for CreateArena {
    fn default() -> Self {
        CreateArena { max_players: 4 }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Created {
    pub match_id: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Position {
    pub x: i32,
    pub y: i32,
}

/// What op code 2 carries.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Positions {
    pub tick: i64,
    /// By player name.
    pub players: BTreeMap<String, Position>,
}

/// The arena's protobuf messages. prost's derive stands in for the
/// `.proto` file and `prost-build` a larger game would use:
/// `message Move { sint32 x = 1; sint32 y = 2; }`.
pub mod pb {
    /// A move: the same as [`super::Position`], in protobuf.
    #[derive(Clone, Copy, PartialEq, prost::Message)]
    pub struct Move {
        #[prost(sint32, tag = "1")]
        pub x: i32,
        #[prost(sint32, tag = "2")]
        pub y: i32,
    }
}

/// What clients send the arena.
#[derive(Debug, MatchMessage)]
pub enum FromClient {
    /// Moves the sender's player.
    #[op(OP_MOVE)]
    Move(Position),
    /// Moves the sender's player: the protobuf bytes of a move.
    #[op(OP_MOVE_COMPACT)]
    MoveCompact(Proto<pb::Move>),
}

impl FromClient {
    /// Where the sender moves to.
    fn destination(&self) -> Position {
        match self {
            FromClient::Move(to) => *to,
            FromClient::MoveCompact(Proto(pb::Move { x, y })) => Position { x: *x, y: *y },
        }
    }
}

/// What the arena sends.
#[derive(Debug, MatchMessage)]
pub enum FromArena {
    /// Every position, after a tick in which someone moved.
    #[op(OP_POSITIONS)]
    Positions(Positions),
    /// The arena is closing (no data).
    #[op(OP_CLOSING)]
    Closing,
    /// To one client: its message was not understood, and why.
    #[op(OP_REFUSED)]
    Refused { error: String },
}

#[rpc]
pub async fn arena_create(_ctx: &Context, nk: &Nakama, req: CreateArena) -> Result<Created, Error> {
    if !(2..=16).contains(&req.max_players) {
        return Err(Error::invalid_argument("max_players must be 2 to 16"));
    }
    let mut params = MatchParams::new();
    params.insert("max_players".into(), req.max_players.into());
    let match_id = nk.match_create("arena", params).await?;
    Ok(Created { match_id })
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    // A dev host reload (`runtime.reload`) moves running arenas to the
    // new build, their state carried over as JSON.
    init.register_match::<Arena>("arena").keep_state_on_reload();
    init.register_matchmaker_matched(matched);
    Ok(())
}

/// The matchmaker matched hook: an arena for the group, or no match (a
/// relayed match token) when a ticket asked for `mode` = `relayed`.
pub async fn matched(
    ctx: &Context,
    nk: &Nakama,
    entries: Vec<MatchmakerEntry>,
) -> Result<Option<String>, Error> {
    let relayed = entries
        .iter()
        .any(|e| e.string_properties.get("mode").map(String::as_str) == Some("relayed"));
    if relayed {
        return Ok(None);
    }
    let players = entries.len().clamp(2, 16);
    let mut params = MatchParams::new();
    params.insert("max_players".into(), players.into());
    let match_id = nk.match_create("arena", params).await?;
    ctx.logger().info(format!(
        "matchmaker: arena {match_id} for {players} players"
    ));
    Ok(Some(match_id))
}

/// One arena's state (serde: it moves to a reloaded build of the module).
#[derive(Serialize, Deserialize)]
pub struct Arena {
    max_players: usize,
    /// Player names by session id, from their join metadata: a seat is
    /// taken from the accepted join attempt on.
    names: HashMap<String, String>,
    /// Seats whose join has not come yet, with the tick they were taken
    /// at: a client that never joins loses its seat after
    /// [`RESERVATION_TICKS`].
    reserved: HashMap<String, i64>,
    positions: BTreeMap<String, Position>,
    moved: bool,
}

impl Arena {
    fn label(&self) -> String {
        serde_json::json!({"open": self.names.len() < self.max_players, "players": self.names.len()})
            .to_string()
    }
}

impl Match for Arena {
    async fn init(
        _ctx: &Context,
        _nk: &Nakama,
        params: MatchParams,
    ) -> Result<MatchInit<Self>, Error> {
        let max_players = params
            .get("max_players")
            .and_then(|v| v.as_u64())
            .unwrap_or(4) as usize;
        let arena = Arena {
            max_players,
            names: HashMap::new(),
            reserved: HashMap::new(),
            positions: BTreeMap::new(),
            moved: false,
        };
        let label = arena.label();
        Ok(MatchInit::new(arena, 10).label(label))
    }

    async fn join_attempt(
        &mut self,
        _ctx: &Context,
        _nk: &Nakama,
        d: &mut Dispatcher,
        presence: &Presence,
        metadata: &HashMap<String, String>,
    ) -> JoinDecision {
        if self.names.len() >= self.max_players {
            return JoinDecision::Reject("arena is full".into());
        }
        match metadata.get("name") {
            Some(name) if !name.is_empty() => {
                // Reserve the seat now: the join itself comes a little
                // later, and other attempts may come first.
                self.names.insert(presence.session_id.clone(), name.clone());
                self.reserved.insert(presence.session_id.clone(), d.tick());
                JoinDecision::Accept
            }
            _ => JoinDecision::Reject("name required".into()),
        }
    }

    async fn join(
        &mut self,
        ctx: &Context,
        _nk: &Nakama,
        d: &mut Dispatcher,
        presences: &[Presence],
    ) {
        for p in presences {
            self.reserved.remove(&p.session_id);
            if let Some(name) = self.names.get(&p.session_id) {
                self.positions.insert(name.clone(), Position::default());
                ctx.logger().info(format!("{name} joined {}", d.match_id()));
            }
        }
        self.moved = true;
        let _ = d.set_label(self.label());
    }

    async fn leave(
        &mut self,
        ctx: &Context,
        _nk: &Nakama,
        d: &mut Dispatcher,
        presences: &[Presence],
    ) {
        for p in presences {
            if let Some(name) = self.names.remove(&p.session_id) {
                // Disconnect (the socket closed) or Leave (left, kicked):
                // a game could hold the seat for a reconnect.
                ctx.logger().info(format!("{name} left: {:?}", p.reason));
                self.positions.remove(&name);
            }
        }
        self.moved = true;
        let _ = d.set_label(self.label());
    }

    async fn tick(
        &mut self,
        _ctx: &Context,
        _nk: &Nakama,
        d: &mut Dispatcher,
        messages: Vec<MatchData>,
    ) {
        for m in messages {
            let name = self.names.get(&m.presence.session_id).cloned();
            let error = match (FromClient::from_data(&m), name) {
                (Ok(to), Some(name)) => {
                    self.positions.insert(name, to.destination());
                    self.moved = true;
                    continue;
                }
                (Ok(_), None) => "not seated in this arena".to_string(),
                (Err(e), _) => e.message().to_string(),
            };
            let refused = FromArena::Refused { error };
            let _ = d.send_msg_to(std::slice::from_ref(&m.presence), &refused);
        }
        let expired: Vec<String> = self
            .reserved
            .iter()
            .filter(|(_, &at)| d.tick() - at > RESERVATION_TICKS)
            .map(|(session, _)| session.clone())
            .collect();
        for session in &expired {
            self.reserved.remove(session);
            self.names.remove(session);
        }
        if !expired.is_empty() {
            let _ = d.set_label(self.label());
        }
        if std::mem::take(&mut self.moved) {
            let positions = Positions {
                tick: d.tick(),
                players: self.positions.clone(),
            };
            let _ = d.broadcast_msg(&FromArena::Positions(positions));
        }
    }

    async fn signal(
        &mut self,
        _ctx: &Context,
        _nk: &Nakama,
        d: &mut Dispatcher,
        data: String,
    ) -> String {
        match data.as_str() {
            "players" => self.names.len().to_string(),
            "close" => {
                let _ = d.broadcast_msg(&FromArena::Closing);
                d.stop();
                "closed".into()
            }
            _ => "unknown signal".into(),
        }
    }
}

#[cfg(test)]
mod client_files {
    /// `client/` holds the TypeScript and C# clients and JSON Schema of the
    /// RPC and the match messages above; regenerate with
    /// `UPDATE_EXPECT=1 cargo test -p arena --lib`.
    #[test]
    fn the_client_files_match_the_rpcs_and_messages() {
        let api = nakama_runtime::client::ClientApi::of_this_module();
        expect_test::expect_file!["../client/arena.ts"].assert_eq(&api.typescript());
        expect_test::expect_file!["../client/Arena.cs"].assert_eq(&api.csharp("ArenaClient"));
        expect_test::expect_file!["../client/arena.schema.json"].assert_eq(&api.json_schema());
        expect_test::expect_file!["../client/arena.gd"].assert_eq(&api.gdscript());
    }
}
