// Hooks of every shape: with and without input, (out, in), in only,
// out only, nothing.
use nakama_runtime::prelude::*;

#[before_hook(AuthenticateCustom)]
async fn before_custom(
    _ctx: &Context,
    _nk: &Nakama,
    req: api::AuthenticateCustomRequest,
) -> Result<Option<api::AuthenticateCustomRequest>, Error> {
    Ok(Some(req))
}

#[after_hook(AuthenticateCustom)]
async fn after_custom(
    _ctx: &Context,
    _nk: &Nakama,
    _out: api::Session,
    _req: api::AuthenticateCustomRequest,
) -> Result<(), Error> {
    Ok(())
}

#[before_hook(GetAccount)]
async fn before_get_account(_ctx: &Context, _nk: &Nakama) -> Result<(), Error> {
    Ok(())
}

#[after_hook(GetAccount)]
async fn after_get_account(_ctx: &Context, _nk: &Nakama, _out: api::Account) -> Result<(), Error> {
    Ok(())
}

#[after_hook(UpdateAccount)]
async fn after_update(_ctx: &Context, _nk: &Nakama, _req: api::UpdateAccountRequest) -> Result<(), Error> {
    Ok(())
}

#[after_hook(ListFriends)]
async fn after_list_friends(_ctx: &Context, _nk: &Nakama, _out: api::FriendList) -> Result<(), Error> {
    Ok(())
}

#[after_hook(DeleteAccount)]
async fn after_delete(_ctx: &Context, _nk: &Nakama) -> Result<(), Error> {
    Ok(())
}

fn main() {}
