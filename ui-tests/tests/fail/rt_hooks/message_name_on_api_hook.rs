use nakama_runtime::prelude::*;

// A realtime message's name given to the API call attribute.
#[after_hook(MatchmakerAdd)]
async fn added(_ctx: &Context, _nk: &Nakama, _msg: rtapi::MatchmakerAdd) -> Result<(), Error> {
    Ok(())
}

fn main() {}
