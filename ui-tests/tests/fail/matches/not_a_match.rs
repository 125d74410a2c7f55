// Registering a type that does not implement `Match`.
use nakama_runtime::prelude::*;

struct Lobby;

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_match::<Lobby>("lobby");
    Ok(())
}

fn main() {}
