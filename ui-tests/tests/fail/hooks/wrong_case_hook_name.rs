use nakama_runtime::prelude::*;

#[before_hook(authenticate_custom)]
async fn check(
    _ctx: &Context,
    _nk: &Nakama,
    req: api::AuthenticateCustomRequest,
) -> Result<Option<api::AuthenticateCustomRequest>, Error> {
    Ok(Some(req))
}

fn main() {}
