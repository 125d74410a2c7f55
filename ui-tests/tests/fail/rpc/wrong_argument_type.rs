use nakama_runtime::prelude::*;

#[rpc]
async fn echo(_ctx: &String, _nk: &Nakama, payload: String) -> Result<String, Error> {
    Ok(payload)
}

fn main() {}
