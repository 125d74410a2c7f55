use nakama_runtime::prelude::*;

#[init_module(name = "guilds")]
async fn init(_ctx: &Context, _nk: &Nakama, _init: &mut Initializer) -> Result<(), Error> {
    Ok(())
}

fn main() {}
