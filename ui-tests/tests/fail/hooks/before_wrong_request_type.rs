use nakama_runtime::prelude::*;

#[before_hook(AuthenticateCustom)]
async fn check(
    _ctx: &Context,
    _nk: &Nakama,
    req: api::AuthenticateDeviceRequest,
) -> Result<Option<api::AuthenticateDeviceRequest>, Error> {
    Ok(Some(req))
}

fn main() {}
