use nakama_runtime::prelude::*;

struct Guild {
    name: String,
}

#[rpc]
async fn create_guild(_ctx: &Context, _nk: &Nakama, name: String) -> Result<Guild, Error> {
    Ok(Guild { name })
}

fn main() {}
