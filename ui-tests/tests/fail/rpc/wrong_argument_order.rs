use nakama_runtime::prelude::*;

#[rpc]
async fn echo(_nk: &Nakama, _ctx: &Context, payload: String) -> Result<String, Error> {
    Ok(payload)
}

fn main() {}
