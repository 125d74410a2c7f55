use nakama_runtime::prelude::*;

#[after_hook]
async fn after(_ctx: &Context, _nk: &Nakama) -> Result<(), Error> {
    Ok(())
}

fn main() {}
