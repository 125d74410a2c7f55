//! The stores' notification callbacks under TestHost: a refund takes the
//! gems back, a subscription's change is kept in storage, each callback
//! in its own execution mode, and a callback's error reaches the test.

use std::collections::HashMap;
use std::sync::Mutex;

use nakama_runtime::store_notification::{
    NotificationType, PurchaseNotification, Store, SubscriptionNotification,
};
use nakama_runtime::{init_module, nk, Code, Context, Error, Initializer, Nakama, WriteJson};
use nakama_test_host::TestHost;
use serde_json::json;

/// The execution modes the callbacks ran in.
static MODES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn ran(ctx: &Context) {
    MODES.lock().unwrap().push(ctx.execution_mode().to_string());
}

/// A refunded pack of 100 gems is taken back from the buyer's wallet.
async fn purchase(ctx: &Context, nk: &Nakama, n: PurchaseNotification) -> Result<(), Error> {
    ran(ctx);
    if ctx.user_id().is_some() {
        return Err(Error::internal("a notification has no caller"));
    }
    if n.notification_type != NotificationType::Refunded {
        return Ok(());
    }
    if n.purchase.user_id.is_empty() {
        return Err(Error::new(
            Code::InvalidArgument,
            "refund of nobody's purchase",
        ));
    }
    let changes = HashMap::from([("gems".to_string(), -100)]);
    let mut metadata = serde_json::Map::new();
    metadata.insert("refunded".into(), n.purchase.transaction_id.into());
    nk.wallet_update(&n.purchase.user_id, changes, metadata, true)
        .await?;
    Ok(())
}

/// A subscription's state is kept where the game reads it.
async fn subscription(
    ctx: &Context,
    nk: &Nakama,
    n: SubscriptionNotification,
) -> Result<(), Error> {
    ran(ctx);
    let state = json!({
        "type": i32::from(n.notification_type),
        "active": n.subscription.active,
        "bundle": n.payload["bundleId"],
    });
    let write = nk::StorageWriteOp::new("subscriptions", n.subscription.product_id.as_str())
        .owner(n.subscription.user_id.as_str())
        .json(&state)?;
    nk.storage_write(&[write]).await?;
    Ok(())
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_purchase_notification_apple(purchase);
    init.register_subscription_notification_apple(subscription);
    init.register_purchase_notification_google(purchase);
    Ok(())
}

#[tokio::test]
async fn a_refund_takes_the_gems_back_and_a_subscription_change_is_kept() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    let nk = host.nk();
    let gems = HashMap::from([("gems".to_string(), 250)]);
    nk.wallet_update(ann.id(), gems, Default::default(), false)
        .await
        .unwrap();

    let mut refund = PurchaseNotification {
        notification_type: NotificationType::Refunded,
        ..Default::default()
    };
    refund.purchase.user_id = ann.id().into();
    refund.purchase.transaction_id = "t-1".into();
    host.purchase_notification(Store::Apple, &refund)
        .await
        .unwrap();
    let account = nk.account_get_id(ann.id()).await.unwrap();
    let wallet: serde_json::Value = serde_json::from_str(&account.wallet).unwrap();
    assert_eq!(wallet["gems"], 150);

    let mut renewed = SubscriptionNotification {
        notification_type: NotificationType::Renewed,
        payload: json!({"bundleId": "com.example.game"}),
        ..Default::default()
    };
    renewed.subscription.user_id = ann.id().into();
    renewed.subscription.product_id = "vip".into();
    renewed.subscription.active = true;
    host.subscription_notification(Store::Apple, &renewed)
        .await
        .unwrap();
    let read = nk::StorageReadOp::new("subscriptions", "vip").owner(ann.id());
    let kept = nk.storage_read(&[read]).await.unwrap();
    let kept: serde_json::Value = serde_json::from_str(&kept[0].value).unwrap();
    assert_eq!(
        kept,
        json!({"type": 2, "active": true, "bundle": "com.example.game"})
    );

    // Google's purchases reach the same function in Google's mode; its
    // error is the test's to see (Nakama logs it).
    let err = host
        .purchase_notification(
            Store::Google,
            &PurchaseNotification {
                notification_type: NotificationType::Refunded,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::InvalidArgument, "refund of nobody's purchase")
    );

    // No callback for Google's subscriptions: nothing runs.
    host.subscription_notification(Store::Google, &renewed)
        .await
        .unwrap();
    assert_eq!(
        *MODES.lock().unwrap(),
        [
            "purchase_notification_apple",
            "subscription_notification_apple",
            "purchase_notification_google"
        ]
    );
}
