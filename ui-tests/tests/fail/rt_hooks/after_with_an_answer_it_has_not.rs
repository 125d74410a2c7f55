use nakama_runtime::prelude::*;

// The server answers a channel leave with nothing: the after hook gets
// only the message.
#[after_rt(ChannelLeave)]
async fn left(
    _ctx: &Context,
    _nk: &Nakama,
    _out: rtapi::Channel,
    _msg: rtapi::ChannelLeave,
) -> Result<(), Error> {
    Ok(())
}

fn main() {}
