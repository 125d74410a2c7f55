// Raw payloads and results, a chosen id, plain `Error`, and a one-argument
// `Result` alias (the return type must be spelled `Result<..>`).
use nakama_runtime::prelude::*;

type Result<T, E = Error> = std::result::Result<T, E>;

#[rpc]
async fn echo_string(_ctx: &Context, _nk: &Nakama, payload: String) -> Result<String, Error> {
    Ok(payload)
}

#[rpc(id = "Echo_Bytes")]
async fn echo_bytes(_ctx: &Context, _nk: &Nakama, payload: Vec<u8>) -> Result<Vec<u8>, Error> {
    Ok(payload)
}

#[rpc]
async fn nothing_back(_ctx: &Context, _nk: &Nakama, _payload: String) -> Result<()> {
    Ok(())
}

fn main() {}
