use nakama_runtime::prelude::*;

#[before_hook(AuthenticateCustomer)]
async fn check(
    _ctx: &Context,
    _nk: &Nakama,
    req: api::AuthenticateCustomRequest,
) -> Result<Option<api::AuthenticateCustomRequest>, Error> {
    Ok(Some(req))
}

fn main() {}
