use nakama_runtime::prelude::*;

#[after_hook(AuthenticateCustom)]
async fn after(
    _ctx: &Context,
    _nk: &Nakama,
    _out: api::Account,
    _req: api::AuthenticateCustomRequest,
) -> Result<(), Error> {
    Ok(())
}

fn main() {}
