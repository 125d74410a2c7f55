//! The smallest module: says hello when it loads and answers `hello`.

use nakama_runtime::prelude::*;

#[init_module]
async fn init(ctx: &Context, _nk: &Nakama, _init: &mut Initializer) -> Result<(), Error> {
    ctx.logger().info("Hello World!");
    Ok(())
}

/// Greets the caller: `{"name": "you"}`-free, raw text in and out.
#[rpc]
async fn hello(ctx: &Context, _nk: &Nakama, payload: String) -> Result<String, Error> {
    let who = if payload.is_empty() {
        ctx.username().unwrap_or("stranger").to_string()
    } else {
        payload
    };
    // `tracing` (and `log`) macros reach the host's log too.
    nakama_runtime::tracing::info!(who = %who, "greeted");
    Ok(format!("Hello, {who}!"))
}
