use nakama_runtime::prelude::*;

#[rpc]
async fn echo<T: Default>(_ctx: &Context, _nk: &Nakama, payload: String) -> Result<String, Error> {
    let _ = T::default();
    Ok(payload)
}

fn main() {}
