// Registering a platform client that does not implement the fleet manager.
use nakama_runtime::prelude::*;

struct Edgegap {
    token: String,
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_fleet_manager(Edgegap { token: "t".into() });
    Ok(())
}

fn main() {}
