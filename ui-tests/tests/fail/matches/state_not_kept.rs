// Asking a match whose state is not serde to keep its state across reloads.
use nakama_runtime::prelude::*;

struct Lobby {
    seats: u32,
}

impl Match for Lobby {
    async fn init(_ctx: &Context, _nk: &Nakama, _p: MatchParams) -> Result<MatchInit<Self>, Error> {
        Ok(MatchInit::new(Lobby { seats: 4 }, 1))
    }

    async fn tick(&mut self, _ctx: &Context, _nk: &Nakama, _d: &mut Dispatcher, _m: Vec<MatchData>) {
        self.seats += 0;
    }
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_match::<Lobby>("lobby").keep_state_on_reload();
    Ok(())
}

fn main() {}
