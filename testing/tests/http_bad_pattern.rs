//! A custom HTTP handler whose pattern does not start with `/` stops the
//! host, as Nakama stops at startup (a test binary of its own: the module
//! is this binary's handlers).

use nakama_runtime::{init_module, Context, Error, HttpRequest, HttpResponse, Initializer, Nakama};
use nakama_test_host::TestHost;

async fn handler(_ctx: &Context, _nk: &Nakama, _req: HttpRequest) -> Result<HttpResponse, Error> {
    Ok(HttpResponse::new(200))
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_http("guild/webhook", &["POST"], handler);
    Ok(())
}

#[tokio::test]
#[should_panic(
    expected = "Failed to register custom HTTP handler, path pattern must start with '/'"
)]
async fn a_pattern_without_a_leading_slash_stops_the_host() {
    TestHost::new().await;
}
