use nakama_runtime::prelude::*;

struct Guilds;

impl Guilds {
    #[rpc]
    async fn echo(&self, _ctx: &Context, _nk: &Nakama) -> Result<String, Error> {
        Ok(String::new())
    }
}

fn main() {}
