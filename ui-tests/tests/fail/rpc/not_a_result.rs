use nakama_runtime::prelude::*;

#[rpc]
async fn echo(_ctx: &Context, _nk: &Nakama, payload: String) -> String {
    payload
}

fn main() {}
