use nakama_runtime::prelude::*;

#[rpc]
fn echo(_ctx: &Context, _nk: &Nakama, payload: String) -> Result<String, Error> {
    Ok(payload)
}

fn main() {}
