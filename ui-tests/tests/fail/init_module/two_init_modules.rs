use nakama_runtime::prelude::*;

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, _init: &mut Initializer) -> Result<(), Error> {
    Ok(())
}

#[init_module]
async fn init_again(_ctx: &Context, _nk: &Nakama, _init: &mut Initializer) -> Result<(), Error> {
    Ok(())
}

fn main() {}
