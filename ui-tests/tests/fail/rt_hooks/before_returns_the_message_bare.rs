use nakama_runtime::prelude::*;

#[before_rt(MatchmakerAdd)]
async fn add(
    _ctx: &Context,
    _nk: &Nakama,
    msg: rtapi::MatchmakerAdd,
) -> Result<rtapi::MatchmakerAdd, Error> {
    Ok(msg)
}

fn main() {}
