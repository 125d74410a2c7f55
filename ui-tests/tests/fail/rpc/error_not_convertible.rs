use nakama_runtime::prelude::*;

#[derive(Debug)]
enum GuildError {
    Taken,
}

#[rpc]
async fn create_guild(_ctx: &Context, _nk: &Nakama, name: String) -> Result<String, GuildError> {
    if name.is_empty() {
        return Err(GuildError::Taken);
    }
    Ok(name)
}

fn main() {}
