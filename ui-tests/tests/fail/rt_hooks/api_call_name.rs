use nakama_runtime::prelude::*;

// An API call's name given to the realtime attribute.
#[before_rt(AuthenticateCustom)]
async fn check(
    _ctx: &Context,
    _nk: &Nakama,
    req: api::AuthenticateCustomRequest,
) -> Result<Option<api::AuthenticateCustomRequest>, Error> {
    Ok(Some(req))
}

fn main() {}
