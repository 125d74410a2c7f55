// A subscription notification callback registered for purchases.
use nakama_runtime::prelude::*;
use nakama_runtime::store_notification::SubscriptionNotification;

async fn renewed(_ctx: &Context, _nk: &Nakama, _n: SubscriptionNotification) -> Result<(), Error> {
    Ok(())
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_purchase_notification_apple(renewed);
    Ok(())
}

fn main() {}
