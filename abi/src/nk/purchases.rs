//! The arguments of the in-app purchase and subscription nk functions
//! (Nakama's `PurchaseValidateApple`, `PurchaseValidateGoogle`,
//! `PurchaseValidateHuawei`, `PurchaseValidateFacebookInstant`,
//! `PurchaseValidateSamsung`, `PurchasesList`,
//! `PurchaseGetByTransactionId`, `SubscriptionValidateApple`,
//! `SubscriptionValidateGoogle`, `SubscriptionsList` and
//! `SubscriptionGetByProductId`). Their answers are the client API's
//! messages (`api::ValidatePurchaseResponse`, `api::PurchaseList`, ...).

use serde::{Deserialize, Serialize};

/// Arguments of `purchase_validate_apple` and
/// `subscription_validate_apple`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppleValidateArgs {
    pub user_id: String,
    /// The base64 receipt the App Store gave the client.
    pub receipt: String,
    /// Store what the App Store confirms.
    pub persist: bool,
    /// The App Store shared secret to use instead of Nakama's
    /// `iap.apple.shared_password`.
    pub password_override: Option<String>,
}

/// Arguments of `purchase_validate_google` and
/// `subscription_validate_google`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoogleValidateArgs {
    pub user_id: String,
    /// The purchase JSON Google Play gave the client.
    pub receipt: String,
    pub persist: bool,
    /// A service account to use instead of Nakama's `iap.google`
    /// settings; empty fields keep the configured ones.
    pub client_email: String,
    pub private_key: String,
}

/// Arguments of `purchase_validate_huawei`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HuaweiValidateArgs {
    pub user_id: String,
    pub signature: String,
    /// The in-app purchase data.
    pub receipt: String,
    pub persist: bool,
}

/// Arguments of `purchase_validate_facebook_instant`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FacebookInstantValidateArgs {
    pub user_id: String,
    pub signed_request: String,
    pub persist: bool,
}

/// Arguments of `purchase_validate_samsung`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SamsungValidateArgs {
    pub user_id: String,
    pub purchase_id: String,
    pub persist: bool,
}

/// Arguments of `purchases_list` and `subscriptions_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoreListArgs {
    /// Empty: every user's.
    pub user_id: String,
    /// 1 to 100.
    pub limit: i32,
    pub cursor: String,
}

/// Arguments of `purchase_get_by_transaction_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransactionIdArgs {
    pub transaction_id: String,
}

/// Arguments of `subscription_get_by_product_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductIdArgs {
    pub user_id: String,
    pub product_id: String,
}
