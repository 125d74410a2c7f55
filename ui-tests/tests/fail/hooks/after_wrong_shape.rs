use nakama_runtime::prelude::*;

// UpdateAccount answers nothing: its after hook gets only the request.
#[after_hook(UpdateAccount)]
async fn after(
    _ctx: &Context,
    _nk: &Nakama,
    _out: api::Account,
    _req: api::UpdateAccountRequest,
) -> Result<(), Error> {
    Ok(())
}

fn main() {}
