use nakama_runtime::prelude::*;

struct CreateGuild {
    name: String,
}

#[rpc]
async fn create_guild(_ctx: &Context, _nk: &Nakama, req: CreateGuild) -> Result<String, Error> {
    Ok(req.name)
}

fn main() {}
