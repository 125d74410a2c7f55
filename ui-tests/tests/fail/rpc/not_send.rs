use std::rc::Rc;

use nakama_runtime::prelude::*;

// A call may be resumed on another thread after an await: what a handler
// holds across one must be Send.
#[rpc]
async fn count(_ctx: &Context, nk: &Nakama, payload: String) -> Result<String, Error> {
    let shared = Rc::new(payload);
    let _ = nk.account_get_id("00000000-0000-0000-0000-000000000000").await;
    Ok(shared.to_string())
}

fn main() {}
