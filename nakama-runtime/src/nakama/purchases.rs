//! In-app purchases and subscriptions: validation with the stores
//! (`PurchaseValidate*`, `SubscriptionValidate*`) and what Nakama stored
//! of them (`PurchasesList`, `PurchaseGetByTransactionId`,
//! `SubscriptionsList`, `SubscriptionGetByProductId`).
//!
//! Validation contacts the store, with the credentials of Nakama's `iap`
//! settings (or the override given): it works on Nakama through the
//! bridge. The dev host does not contact stores; it checks the arguments
//! as Nakama does, answers Nakama's "... IAP is not configured" refusals
//! (`FAILED_PRECONDITION`) and `UNIMPLEMENTED` where Nakama would ask the
//! store, and stores no purchases.

use nakama_runtime_abi::nk;

use super::Nakama;
use crate::{api, Error};

impl Nakama {
    /// Validates an App Store receipt (`PurchaseValidateApple`) with
    /// `password_override` or Nakama's `iap.apple.shared_password`; with
    /// `persist`, Nakama stores the purchases for `user_id` (each answered
    /// with `seen_before` when it was stored already).
    ///
    /// Refusals: "apple IAP is not configured" (`FAILED_PRECONDITION`:
    /// no shared password and no override), "user ID must be a valid id
    /// string", "receipt cannot be empty string" (`INVALID_ARGUMENT`).
    pub async fn purchase_validate_apple(
        &self,
        user_id: &str,
        receipt: &str,
        persist: bool,
        password_override: Option<&str>,
    ) -> Result<api::ValidatePurchaseResponse, Error> {
        self.call::<nk::PurchaseValidateApple>(&apple(user_id, receipt, persist, password_override))
            .await
    }

    /// Validates a Google Play purchase (`PurchaseValidateGoogle`) with
    /// Nakama's `iap.google` service account, or `client_email` and
    /// `private_key` where they are not empty.
    ///
    /// Refusals: "google IAP is not configured" (`FAILED_PRECONDITION`),
    /// "user ID must be a valid id string", "receipt cannot be empty
    /// string" (`INVALID_ARGUMENT`).
    pub async fn purchase_validate_google(
        &self,
        user_id: &str,
        receipt: &str,
        persist: bool,
        client_email: &str,
        private_key: &str,
    ) -> Result<api::ValidatePurchaseResponse, Error> {
        self.call::<nk::PurchaseValidateGoogle>(&google(
            user_id,
            receipt,
            persist,
            client_email,
            private_key,
        ))
        .await
    }

    /// Validates a Huawei AppGallery purchase (`PurchaseValidateHuawei`)
    /// with Nakama's `iap.huawei` settings.
    ///
    /// Refusals: "Huawei IAP is not configured." (`FAILED_PRECONDITION`),
    /// "user ID must be a valid id string", "signature cannot be empty
    /// string", "receipt cannot be empty string" (`INVALID_ARGUMENT`).
    pub async fn purchase_validate_huawei(
        &self,
        user_id: &str,
        signature: &str,
        receipt: &str,
        persist: bool,
    ) -> Result<api::ValidatePurchaseResponse, Error> {
        self.call::<nk::PurchaseValidateHuawei>(&nk::HuaweiValidateArgs {
            user_id: user_id.to_string(),
            signature: signature.to_string(),
            receipt: receipt.to_string(),
            persist,
        })
        .await
    }

    /// Validates a Facebook Instant Games purchase
    /// (`PurchaseValidateFacebookInstant`) with Nakama's
    /// `iap.facebook_instant.app_secret`.
    ///
    /// Refusals: "facebook instant IAP is not configured"
    /// (`FAILED_PRECONDITION`), "user ID must be a valid id string",
    /// "signedRequest cannot be empty string" (`INVALID_ARGUMENT`).
    pub async fn purchase_validate_facebook_instant(
        &self,
        user_id: &str,
        signed_request: &str,
        persist: bool,
    ) -> Result<api::ValidatePurchaseResponse, Error> {
        self.call::<nk::PurchaseValidateFacebookInstant>(&nk::FacebookInstantValidateArgs {
            user_id: user_id.to_string(),
            signed_request: signed_request.to_string(),
            persist,
        })
        .await
    }

    /// Validates a Samsung Galaxy Store purchase
    /// (`PurchaseValidateSamsung`) with Nakama's `iap.samsung` settings.
    ///
    /// Refusals: "user ID must be a valid id string", "purchaseId cannot
    /// be empty string" (`INVALID_ARGUMENT`).
    pub async fn purchase_validate_samsung(
        &self,
        user_id: &str,
        purchase_id: &str,
        persist: bool,
    ) -> Result<api::ValidatePurchaseResponse, Error> {
        self.call::<nk::PurchaseValidateSamsung>(&nk::SamsungValidateArgs {
            user_id: user_id.to_string(),
            purchase_id: purchase_id.to_string(),
            persist,
        })
        .await
    }

    /// A page of `limit` (1 to 100) stored purchases, newest first, of
    /// `user_id` or everyone's (`""`), from `cursor` (`PurchasesList`).
    ///
    /// Refusals (`INVALID_ARGUMENT`): "expects a valid user ID", "limit
    /// must be a positive value <= 100", "purchases list cursor invalid".
    pub async fn purchases_list(
        &self,
        user_id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<api::PurchaseList, Error> {
        self.call::<nk::PurchasesList>(&list(user_id, limit, cursor))
            .await
    }

    /// The stored purchase of a store transaction id, if there is one
    /// (`PurchaseGetByTransactionId`). Refusal (`INVALID_ARGUMENT`):
    /// "expects a transaction id string.".
    pub async fn purchase_get_by_transaction_id(
        &self,
        transaction_id: &str,
    ) -> Result<Option<api::ValidatedPurchase>, Error> {
        self.call::<nk::PurchaseGetByTransactionId>(&nk::TransactionIdArgs {
            transaction_id: transaction_id.to_string(),
        })
        .await
    }

    /// Validates an App Store subscription receipt
    /// (`SubscriptionValidateApple`); as
    /// [`Nakama::purchase_validate_apple`].
    pub async fn subscription_validate_apple(
        &self,
        user_id: &str,
        receipt: &str,
        persist: bool,
        password_override: Option<&str>,
    ) -> Result<api::ValidateSubscriptionResponse, Error> {
        self.call::<nk::SubscriptionValidateApple>(&apple(
            user_id,
            receipt,
            persist,
            password_override,
        ))
        .await
    }

    /// Validates a Google Play subscription
    /// (`SubscriptionValidateGoogle`); as
    /// [`Nakama::purchase_validate_google`].
    pub async fn subscription_validate_google(
        &self,
        user_id: &str,
        receipt: &str,
        persist: bool,
        client_email: &str,
        private_key: &str,
    ) -> Result<api::ValidateSubscriptionResponse, Error> {
        self.call::<nk::SubscriptionValidateGoogle>(&google(
            user_id,
            receipt,
            persist,
            client_email,
            private_key,
        ))
        .await
    }

    /// A page of `limit` (1 to 100) stored subscriptions of `user_id` or
    /// everyone's (`""`), from `cursor` (`SubscriptionsList`).
    ///
    /// Refusals (`INVALID_ARGUMENT`): "expects a valid user ID", "limit
    /// must be a positive value <= 100", "subscriptions list cursor
    /// invalid".
    pub async fn subscriptions_list(
        &self,
        user_id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<api::SubscriptionList, Error> {
        self.call::<nk::SubscriptionsList>(&list(user_id, limit, cursor))
            .await
    }

    /// `user_id`'s stored subscription to `product_id`
    /// (`SubscriptionGetByProductId`).
    ///
    /// Refusals: "expects a valid user ID", "expects a product id
    /// string." (`INVALID_ARGUMENT`), "subscription not found"
    /// (`NOT_FOUND`).
    pub async fn subscription_get_by_product_id(
        &self,
        user_id: &str,
        product_id: &str,
    ) -> Result<api::ValidatedSubscription, Error> {
        self.call::<nk::SubscriptionGetByProductId>(&nk::ProductIdArgs {
            user_id: user_id.to_string(),
            product_id: product_id.to_string(),
        })
        .await
    }
}

fn apple(
    user_id: &str,
    receipt: &str,
    persist: bool,
    password_override: Option<&str>,
) -> nk::AppleValidateArgs {
    nk::AppleValidateArgs {
        user_id: user_id.to_string(),
        receipt: receipt.to_string(),
        persist,
        password_override: password_override.map(str::to_string),
    }
}

fn google(
    user_id: &str,
    receipt: &str,
    persist: bool,
    client_email: &str,
    private_key: &str,
) -> nk::GoogleValidateArgs {
    nk::GoogleValidateArgs {
        user_id: user_id.to_string(),
        receipt: receipt.to_string(),
        persist,
        client_email: client_email.to_string(),
        private_key: private_key.to_string(),
    }
}

fn list(user_id: &str, limit: i32, cursor: Option<&str>) -> nk::StoreListArgs {
    nk::StoreListArgs {
        user_id: user_id.to_string(),
        limit,
        cursor: cursor.unwrap_or_default().to_string(),
    }
}
