//! In-app purchase and subscription validation.

use serde::{Deserialize, Serialize};

use super::serde_helpers::{enum_i32, is_false, is_zero};

/// Which store a purchase came from (proto enum `StoreProvider`).
pub mod store_provider {
    /// Apple App Store.
    pub const APPLE_APP_STORE: i32 = 0;
    /// Google Play.
    pub const GOOGLE_PLAY_STORE: i32 = 1;
    /// Huawei AppGallery.
    pub const HUAWEI_APP_GALLERY: i32 = 2;
    /// Facebook Instant Games payments.
    pub const FACEBOOK_INSTANT_STORE: i32 = 3;
    /// Samsung Galaxy Store.
    pub const SAMSUNG_GALAXY_STORE: i32 = 4;

    /// Every name with its number.
    pub const NAMES: &[(&str, i32)] = &[
        ("APPLE_APP_STORE", APPLE_APP_STORE),
        ("GOOGLE_PLAY_STORE", GOOGLE_PLAY_STORE),
        ("HUAWEI_APP_GALLERY", HUAWEI_APP_GALLERY),
        ("FACEBOOK_INSTANT_STORE", FACEBOOK_INSTANT_STORE),
        ("SAMSUNG_GALAXY_STORE", SAMSUNG_GALAXY_STORE),
    ];

    /// Reads the field from its number or its name.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
        super::enum_i32(d, NAMES)
    }
}

/// Sandbox or production store (proto enum `StoreEnvironment`).
pub mod store_environment {
    /// Not known.
    pub const UNKNOWN: i32 = 0;
    /// Test purchases.
    pub const SANDBOX: i32 = 1;
    /// Real purchases.
    pub const PRODUCTION: i32 = 2;

    /// Every name with its number.
    pub const NAMES: &[(&str, i32)] = &[
        ("UNKNOWN", UNKNOWN),
        ("SANDBOX", SANDBOX),
        ("PRODUCTION", PRODUCTION),
    ];

    /// Reads the field from its number or its name.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
        super::enum_i32(d, NAMES)
    }
}

/// Validate an Apple receipt.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidatePurchaseAppleRequest {
    /// Base64 receipt data.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub receipt: String,
    /// Store the result (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist: Option<bool>,
}

/// Validate an Apple subscription receipt.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidateSubscriptionAppleRequest {
    /// Base64 receipt data.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub receipt: String,
    /// Store the result (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist: Option<bool>,
}

/// Validate a Google Play purchase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidatePurchaseGoogleRequest {
    /// The purchase JSON.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub purchase: String,
    /// Store the result (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist: Option<bool>,
}

/// Validate a Google Play subscription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidateSubscriptionGoogleRequest {
    /// The subscription receipt JSON.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub receipt: String,
    /// Store the result (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist: Option<bool>,
}

/// Validate a Huawei purchase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidatePurchaseHuaweiRequest {
    /// The purchase data.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub purchase: String,
    /// Its signature.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub signature: String,
    /// Store the result (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist: Option<bool>,
}

/// Validate a Facebook Instant Games purchase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidatePurchaseFacebookInstantRequest {
    /// The signed purchase request.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub signed_request: String,
    /// Store the result (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist: Option<bool>,
}

/// Validate a Samsung Galaxy Store purchase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidatePurchaseSamsungRequest {
    /// The purchase id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub purchase_id: String,
    /// Store the result (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist: Option<bool>,
}

/// A purchase the store confirmed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidatedPurchase {
    /// Buyer's user id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// Product id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub product_id: String,
    /// Store transaction id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub transaction_id: String,
    /// Store (see [`store_provider`]).
    #[serde(
        deserialize_with = "store_provider::deserialize",
        skip_serializing_if = "is_zero"
    )]
    pub store: i32,
    /// When it was bought (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_time: Option<String>,
    /// When Nakama first stored it (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When Nakama last updated it (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    /// When it was refunded (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_time: Option<String>,
    /// The store's raw answer.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub provider_response: String,
    /// Sandbox or production (see [`store_environment`]).
    #[serde(
        deserialize_with = "store_environment::deserialize",
        skip_serializing_if = "is_zero"
    )]
    pub environment: i32,
    /// Whether it had been validated before.
    #[serde(skip_serializing_if = "is_false")]
    pub seen_before: bool,
}

/// What a purchase validation answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidatePurchaseResponse {
    /// The confirmed purchases.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub validated_purchases: Vec<ValidatedPurchase>,
}

/// A subscription the store confirmed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidatedSubscription {
    /// Subscriber's user id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// Product id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub product_id: String,
    /// The store's original transaction id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub original_transaction_id: String,
    /// Store (see [`store_provider`]).
    #[serde(
        deserialize_with = "store_provider::deserialize",
        skip_serializing_if = "is_zero"
    )]
    pub store: i32,
    /// When it was bought (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_time: Option<String>,
    /// When Nakama first stored it (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When Nakama last updated it (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    /// Sandbox or production (see [`store_environment`]).
    #[serde(
        deserialize_with = "store_environment::deserialize",
        skip_serializing_if = "is_zero"
    )]
    pub environment: i32,
    /// When it runs out (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_time: Option<String>,
    /// When it was refunded (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_time: Option<String>,
    /// The store's raw validation answer.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub provider_response: String,
    /// The store's latest raw notification.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub provider_notification: String,
    /// Whether it is active now.
    #[serde(skip_serializing_if = "is_false")]
    pub active: bool,
}

/// What a subscription validation answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidateSubscriptionResponse {
    /// The confirmed subscription.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validated_subscription: Option<ValidatedSubscription>,
}

/// One page of stored purchases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PurchaseList {
    /// The purchases on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub validated_purchases: Vec<ValidatedPurchase>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
    /// Cursor for the previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prev_cursor: String,
}

/// One page of stored subscriptions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubscriptionList {
    /// The subscriptions on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub validated_subscriptions: Vec<ValidatedSubscription>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
    /// Cursor for the previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prev_cursor: String,
}

/// List the caller's subscriptions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListSubscriptionsRequest {
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// Fetch the caller's subscription to one product.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetSubscriptionRequest {
    /// Product id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub product_id: String,
}
