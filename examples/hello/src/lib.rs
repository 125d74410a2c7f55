//! The smallest module: says hello when it loads and answers `hello`.

use nakama_runtime::prelude::*;

#[init_module]
async fn init(ctx: &Context, _nk: &Nakama, _init: &mut Initializer) -> Result<(), Error> {
    ctx.logger().info("Hello World!");
    Ok(())
}

/// Greets the caller: `{"name": "you"}`-free, raw text in and out.
#[rpc]
pub async fn hello(ctx: &Context, _nk: &Nakama, payload: String) -> Result<String, Error> {
    let who = if payload.is_empty() {
        ctx.username().unwrap_or("stranger").to_string()
    } else {
        payload
    };
    // `tracing` (and `log`) macros reach the host's log too.
    nakama_runtime::tracing::info!(who = %who, "greeted");
    Ok(format!("Hello, {who}!"))
}

/// What the runtime context says about the caller and the request.
#[rpc]
pub async fn whoami(ctx: &Context, _nk: &Nakama, _payload: String) -> Result<String, Error> {
    Ok(format!(
        "user={} client={} region={} tier={} mode={}",
        ctx.username().unwrap_or("-"),
        ctx.header("x-client").unwrap_or("-"),
        ctx.query_param("region").unwrap_or("-"),
        ctx.vars().get("tier").map(String::as_str).unwrap_or("-"),
        ctx.execution_mode(),
    ))
}
