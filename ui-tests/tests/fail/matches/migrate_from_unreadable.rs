// Migrating from an older state type that serde cannot read.
use nakama_runtime::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Lobby {
    seats: u32,
}

// The previous build's state, kept to read it, but without its derive.
struct LobbyV1 {
    chairs: u32,
}

impl Match for Lobby {
    async fn init(_ctx: &Context, _nk: &Nakama, _p: MatchParams) -> Result<MatchInit<Self>, Error> {
        Ok(MatchInit::new(Lobby { seats: 4 }, 1))
    }

    async fn tick(&mut self, _ctx: &Context, _nk: &Nakama, _d: &mut Dispatcher, _m: Vec<MatchData>) {
        self.seats += 0;
    }
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_match::<Lobby>("lobby")
        .keep_state_on_reload()
        .migrate_from(|old: LobbyV1| Ok(Lobby { seats: old.chairs }));
    Ok(())
}

fn main() {}
