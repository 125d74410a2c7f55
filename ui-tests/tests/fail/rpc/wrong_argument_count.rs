use nakama_runtime::prelude::*;

#[rpc]
async fn echo(_ctx: &Context, payload: String) -> Result<String, Error> {
    Ok(payload)
}

fn main() {}
