// A match handler with only what is required, registered at init; one
// whose serde state moves to a reloaded build, reading older states
// through migrations (a typed one, then any JSON).
use nakama_runtime::prelude::*;

#[derive(serde::Serialize, serde::Deserialize)]
struct Lobby {
    ticks: u64,
}

#[derive(serde::Deserialize)]
struct LobbyV1 {
    turns: u64,
}

impl Match for Lobby {
    async fn init(_ctx: &Context, _nk: &Nakama, _p: MatchParams) -> Result<MatchInit<Self>, Error> {
        Ok(MatchInit::new(Lobby { ticks: 0 }, 1).label("lobby"))
    }

    async fn tick(&mut self, _ctx: &Context, _nk: &Nakama, d: &mut Dispatcher, _m: Vec<MatchData>) {
        self.ticks += 1;
        if self.ticks > 10 {
            d.stop();
        }
    }
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_match::<Lobby>("lobby");
    init.register_match::<Lobby>("kept_lobby").keep_state_on_reload();
    init.register_match::<Lobby>("migrated_lobby")
        .keep_state_on_reload()
        .migrate_from(|old: LobbyV1| Ok(Lobby { ticks: old.turns }))
        .migrate_from(|_: serde_json::Value| Ok(Lobby { ticks: 0 }));
    Ok(())
}

fn main() {}
