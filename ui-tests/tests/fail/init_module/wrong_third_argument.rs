use nakama_runtime::prelude::*;

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, _init: &Initializer) -> Result<(), Error> {
    Ok(())
}

fn main() {}
