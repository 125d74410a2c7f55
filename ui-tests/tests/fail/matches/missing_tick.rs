// A match handler without its required `tick`.
use nakama_runtime::prelude::*;

struct Lobby;

impl Match for Lobby {
    async fn init(_ctx: &Context, _nk: &Nakama, _p: MatchParams) -> Result<MatchInit<Self>, Error> {
        Ok(MatchInit::new(Lobby, 1))
    }
}

fn main() {}
