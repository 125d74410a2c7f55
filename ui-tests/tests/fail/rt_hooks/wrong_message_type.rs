use nakama_runtime::prelude::*;

#[before_rt(ChannelMessageSend)]
async fn filter(
    _ctx: &Context,
    _nk: &Nakama,
    msg: rtapi::ChannelMessageUpdate,
) -> Result<Option<rtapi::ChannelMessageUpdate>, Error> {
    Ok(Some(msg))
}

fn main() {}
