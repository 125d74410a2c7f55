// Realtime message hooks of both shapes: a message with an answer, one
// answered with nothing.
use nakama_runtime::prelude::*;

#[before_rt(ChannelJoin)]
async fn before_join(
    _ctx: &Context,
    _nk: &Nakama,
    msg: rtapi::ChannelJoin,
) -> Result<Option<rtapi::ChannelJoin>, Error> {
    Ok(Some(msg))
}

#[after_rt(ChannelJoin)]
async fn after_join(
    _ctx: &Context,
    _nk: &Nakama,
    _out: rtapi::Channel,
    _msg: rtapi::ChannelJoin,
) -> Result<(), Error> {
    Ok(())
}

#[before_rt(MatchDataSend)]
async fn before_data(
    _ctx: &Context,
    _nk: &Nakama,
    _msg: rtapi::MatchDataSend,
) -> Result<Option<rtapi::MatchDataSend>, Error> {
    Ok(None)
}

#[after_rt(MatchDataSend)]
async fn after_data(_ctx: &Context, _nk: &Nakama, _msg: rtapi::MatchDataSend) -> Result<(), Error> {
    Ok(())
}

fn main() {}
