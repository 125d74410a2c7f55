use nakama_runtime::prelude::*;

// GetAccount has no request: its before hook takes only ctx and nk.
#[before_hook(GetAccount)]
async fn before(_ctx: &Context, _nk: &Nakama, _req: api::Account) -> Result<(), Error> {
    Ok(())
}

fn main() {}
