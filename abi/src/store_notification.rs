//! The stores' notification callbacks on the wire (ABI 1.13).
//!
//! Nakama calls them when the App Store or Google Play tells it that a
//! purchase or a subscription changed (its notification endpoints, on the
//! console's port, once `iap.apple.notifications_endpoint_id` or
//! `iap.google.notifications_endpoint_id` is set), after it stored what
//! changed: Nakama's `RegisterPurchaseNotificationApple`,
//! `RegisterSubscriptionNotificationApple`,
//! `RegisterPurchaseNotificationGoogle` and
//! `RegisterSubscriptionNotificationGoogle`. A module registers at most one
//! of each kind ([`crate::ffi::kind::PURCHASE_NOTIFICATION_APPLE`] and the
//! three after it), its id the execution mode ([`Store::purchase_mode`],
//! [`Store::subscription_mode`]). The input is the JSON of a
//! [`PurchaseNotification`] (Nakama 3.40.0 sends refunds only) or a
//! [`SubscriptionNotification`]; the answer is empty. An error is logged;
//! Nakama still answers the store 200, but for Google's purchase
//! notification, which it answers 500 (Google then sends it again).

use serde::{Deserialize, Serialize};

use crate::api;
use crate::mode;

/// What happened, as Nakama names it (`runtime.NotificationType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "i32", into = "i32")]
pub enum NotificationType {
    /// A subscription started (or changed plan, or redeemed an offer).
    #[default]
    Subscribed,
    /// A subscription renewed.
    Renewed,
    /// A subscription expired.
    Expired,
    /// A subscription was cancelled (auto-renewal turned off).
    Cancelled,
    /// A purchase or subscription was refunded or revoked.
    Refunded,
    /// A value of a later Nakama.
    Other(i32),
}

impl From<i32> for NotificationType {
    fn from(n: i32) -> Self {
        match n {
            1 => NotificationType::Subscribed,
            2 => NotificationType::Renewed,
            3 => NotificationType::Expired,
            4 => NotificationType::Cancelled,
            5 => NotificationType::Refunded,
            n => NotificationType::Other(n),
        }
    }
}

impl From<NotificationType> for i32 {
    fn from(t: NotificationType) -> i32 {
        match t {
            NotificationType::Subscribed => 1,
            NotificationType::Renewed => 2,
            NotificationType::Expired => 3,
            NotificationType::Cancelled => 4,
            NotificationType::Refunded => 5,
            NotificationType::Other(n) => n,
        }
    }
}

/// A purchase the store told Nakama about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PurchaseNotification {
    pub notification_type: NotificationType,
    /// The purchase as Nakama stored it.
    pub purchase: api::ValidatedPurchase,
    /// The store's own data, as Go's `encoding/json` writes Nakama's type
    /// for it: Apple's `runtime.AppleNotificationData` (`bundleId`,
    /// `transactionInfo`, `renewalInfo`, ...), Google's
    /// `runtime.PurchaseV2GoogleResponse`; `null` if Nakama had none.
    pub payload: serde_json::Value,
}

/// A subscription the store told Nakama about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubscriptionNotification {
    pub notification_type: NotificationType,
    /// The subscription as Nakama stored it.
    pub subscription: api::ValidatedSubscription,
    /// As [`PurchaseNotification::payload`]: Apple's
    /// `runtime.AppleNotificationData`, Google's
    /// `runtime.SubscriptionV2GoogleResponse`.
    pub payload: serde_json::Value,
}

/// The store a notification comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Apple,
    Google,
}

impl Store {
    /// The execution mode (and registration id) of its purchase
    /// notifications.
    pub fn purchase_mode(self) -> &'static str {
        match self {
            Store::Apple => mode::PURCHASE_NOTIFICATION_APPLE,
            Store::Google => mode::PURCHASE_NOTIFICATION_GOOGLE,
        }
    }

    /// The execution mode (and registration id) of its subscription
    /// notifications.
    pub fn subscription_mode(self) -> &'static str {
        match self {
            Store::Apple => mode::SUBSCRIPTION_NOTIFICATION_APPLE,
            Store::Google => mode::SUBSCRIPTION_NOTIFICATION_GOOGLE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_types_are_nakamas_numbers_and_later_ones_survive() {
        let n: PurchaseNotification = serde_json::from_str(
            r#"{"notification_type":5,"purchase":{"product_id":"gems"},"payload":{"bundleId":"b"}}"#,
        )
        .unwrap();
        assert_eq!(n.notification_type, NotificationType::Refunded);
        assert_eq!(n.purchase.product_id, "gems");
        assert_eq!(n.payload["bundleId"], "b");
        let later: SubscriptionNotification =
            serde_json::from_str(r#"{"notification_type":9}"#).unwrap();
        assert_eq!(later.notification_type, NotificationType::Other(9));
        assert_eq!(
            serde_json::to_value(&later).unwrap()["notification_type"],
            9
        );
        for n in 1..=5 {
            assert_eq!(i32::from(NotificationType::from(n)), n);
        }
    }

    #[test]
    fn each_store_and_kind_has_nakamas_mode() {
        assert_eq!(Store::Apple.purchase_mode(), "purchase_notification_apple");
        assert_eq!(
            Store::Apple.subscription_mode(),
            "subscription_notification_apple"
        );
        assert_eq!(
            Store::Google.purchase_mode(),
            "purchase_notification_google"
        );
        assert_eq!(
            Store::Google.subscription_mode(),
            "subscription_notification_google"
        );
    }
}
