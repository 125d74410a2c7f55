// Registering RPCs by value at init, with ids chosen at run time.
use nakama_runtime::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Start {
    level: u32,
}

#[derive(Serialize)]
struct Game {
    level: u32,
}

async fn start_game(_ctx: &Context, _nk: &Nakama, req: Json<Start>) -> Result<Json<Game>, Error> {
    Ok(Json(Game { level: req.0.level }))
}

async fn ping(_ctx: &Context, _nk: &Nakama, payload: String) -> Result<String, Error> {
    Ok(payload)
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    for mode in ["easy", "hard"] {
        init.register_rpc(format!("start_{mode}"), start_game);
    }
    init.register_rpc("ping", ping);
    Ok(())
}

fn main() {}
