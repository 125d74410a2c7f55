//! The in-app purchase and subscription nk functions on the dev host.
//! Nakama 3.40.0 (server/runtime_go_nakama.go) checks its `iap` settings
//! and the arguments, then asks the store and stores what it confirms.
//! The dev host has no `iap` settings and contacts no store: it answers
//! Nakama's refusals in Nakama's order (a missing configuration is
//! `FAILED_PRECONDITION`, a bad argument `INVALID_ARGUMENT`, as the bridge
//! codes them), `UNIMPLEMENTED` where Nakama would ask the store, and
//! stores no purchases, so lists are empty and lookups find nothing.

use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::{api, Code};
use nakama_runtime_host::{BoxFuture, CallError};

use super::{decode, encode};
use crate::channels::go_uuid;

type Answer = BoxFuture<'static, Result<Vec<u8>, CallError>>;

fn refuse(message: &str) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

fn not_configured(message: &str) -> CallError {
    CallError::new(Code::FailedPrecondition, message)
}

/// A lookup's text with a NUL: Nakama's query fails in PostgreSQL's words
/// (where the dev host, which stores no purchases, would find nothing).
fn nul_refused(text: &str) -> Result<(), CallError> {
    if text.contains('\0') {
        return Err(CallError::new(Code::Internal, crate::db::NUL_REFUSED));
    }
    Ok(())
}

/// Where Nakama would call the store.
fn no_store(store: &str) -> CallError {
    CallError::new(
        Code::Unimplemented,
        format!(
            "the dev host does not validate purchases with {store} (it contacts no store); run the module on a real Nakama through the bridge"
        ),
    )
}

fn run<F: NkFunction>(
    args: &[u8],
    f: impl FnOnce(F::Args) -> Result<F::Output, CallError>,
) -> Answer {
    let out = decode::<F::Args>(F::NAME, args)
        .and_then(f)
        .and_then(|out| encode(&out));
    Box::pin(async move { out })
}

fn user(user_id: &str) -> Result<(), CallError> {
    match go_uuid(user_id) {
        Some(_) => Ok(()),
        None => Err(refuse("user ID must be a valid id string")),
    }
}

fn apple<T>(a: nk::AppleValidateArgs) -> Result<T, CallError> {
    if a.password_override.is_none() {
        return Err(not_configured("apple IAP is not configured"));
    }
    user(&a.user_id)?;
    if a.receipt.is_empty() {
        return Err(refuse("receipt cannot be empty string"));
    }
    Err(no_store("Apple"))
}

fn google<T>(a: nk::GoogleValidateArgs) -> Result<T, CallError> {
    if a.client_email.is_empty() || a.private_key.is_empty() {
        return Err(not_configured("google IAP is not configured"));
    }
    user(&a.user_id)?;
    if a.receipt.is_empty() {
        return Err(refuse("receipt cannot be empty string"));
    }
    Err(no_store("Google"))
}

/// `purchases_list` / `subscriptions_list`: the checks, then an empty
/// page; the dev host never gives a cursor, so any cursor is not one of
/// its own.
fn list<T: Default>(a: nk::StoreListArgs, bad_cursor: &str) -> Result<T, CallError> {
    if !a.user_id.is_empty() && go_uuid(&a.user_id).is_none() {
        return Err(refuse("expects a valid user ID"));
    }
    if !(1..=100).contains(&a.limit) {
        return Err(refuse("limit must be a positive value <= 100"));
    }
    if !a.cursor.is_empty() {
        return Err(refuse(bad_cursor));
    }
    Ok(T::default())
}

/// The nk function `function`, when it is one of these.
pub(super) fn call(function: &str, args: &[u8]) -> Option<Answer> {
    Some(match function {
        nk::PurchaseValidateApple::NAME => run::<nk::PurchaseValidateApple>(args, apple),
        nk::SubscriptionValidateApple::NAME => run::<nk::SubscriptionValidateApple>(args, apple),
        nk::PurchaseValidateGoogle::NAME => run::<nk::PurchaseValidateGoogle>(args, google),
        nk::SubscriptionValidateGoogle::NAME => run::<nk::SubscriptionValidateGoogle>(args, google),
        nk::PurchaseValidateHuawei::NAME => run::<nk::PurchaseValidateHuawei>(args, |_| {
            Err(not_configured("Huawei IAP is not configured."))
        }),
        nk::PurchaseValidateFacebookInstant::NAME => {
            run::<nk::PurchaseValidateFacebookInstant>(args, |_| {
                Err(not_configured("facebook instant IAP is not configured"))
            })
        }
        nk::PurchaseValidateSamsung::NAME => run::<nk::PurchaseValidateSamsung>(args, |a| {
            user(&a.user_id)?;
            if a.purchase_id.is_empty() {
                return Err(refuse("purchaseId cannot be empty string"));
            }
            Err(no_store("Samsung"))
        }),
        nk::PurchasesList::NAME => run::<nk::PurchasesList>(args, |a| {
            list::<api::PurchaseList>(a, "purchases list cursor invalid")
        }),
        nk::SubscriptionsList::NAME => run::<nk::SubscriptionsList>(args, |a| {
            list::<api::SubscriptionList>(a, "subscriptions list cursor invalid")
        }),
        nk::PurchaseGetByTransactionId::NAME => run::<nk::PurchaseGetByTransactionId>(args, |a| {
            if a.transaction_id.is_empty() {
                return Err(refuse("expects a transaction id string."));
            }
            nul_refused(&a.transaction_id)?;
            Ok(None)
        }),
        nk::SubscriptionGetByProductId::NAME => run::<nk::SubscriptionGetByProductId>(args, |a| {
            if go_uuid(&a.user_id).is_none() {
                return Err(refuse("expects a valid user ID"));
            }
            if a.product_id.is_empty() {
                return Err(refuse("expects a product id string."));
            }
            nul_refused(&a.product_id)?;
            Err(CallError::new(Code::NotFound, "subscription not found"))
        }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(function: &str, args: serde_json::Value) -> Result<Vec<u8>, CallError> {
        let args = serde_json::to_vec(&args).unwrap();
        call(function, &args).expect("one of these functions").await
    }

    /// Where Nakama would ask the store, the dev host says it does not,
    /// and where to run instead.
    #[tokio::test]
    async fn validations_that_would_reach_a_store_are_unimplemented() {
        let user = "00000000-0000-4000-8000-000000000001";
        for (function, args, store) in [
            (
                nk::PurchaseValidateApple::NAME,
                serde_json::json!({"user_id": user, "receipt": "r", "password_override": "pw"}),
                "Apple",
            ),
            (
                nk::SubscriptionValidateGoogle::NAME,
                serde_json::json!({"user_id": user, "receipt": "r", "client_email": "a@b.c", "private_key": "k"}),
                "Google",
            ),
            (
                nk::PurchaseValidateSamsung::NAME,
                serde_json::json!({"user_id": user, "purchase_id": "p"}),
                "Samsung",
            ),
        ] {
            let e = answer(function, args).await.unwrap_err();
            assert_eq!(e.code, Code::Unimplemented, "{function}");
            assert!(e.message.contains(store), "{}", e.message);
            assert!(e.message.contains("bridge"), "{}", e.message);
        }
        assert!(call("storage_read", b"{}").is_none());
    }

    /// A lookup by text with a NUL fails as Nakama's query does, where
    /// the same lookup without one finds nothing.
    #[tokio::test]
    async fn lookups_refuse_a_nul_as_postgresql_does() {
        let user = "00000000-0000-4000-8000-000000000001";
        let found = answer(
            nk::PurchaseGetByTransactionId::NAME,
            serde_json::json!({"transaction_id": "tx"}),
        )
        .await
        .unwrap();
        assert_eq!(found, b"null");
        for (function, args) in [
            (
                nk::PurchaseGetByTransactionId::NAME,
                serde_json::json!({"transaction_id": "tx\0"}),
            ),
            (
                nk::SubscriptionGetByProductId::NAME,
                serde_json::json!({"user_id": user, "product_id": "gold\0"}),
            ),
        ] {
            let e = answer(function, args).await.unwrap_err();
            assert_eq!(
                (e.code, e.message.as_str()),
                (Code::Internal, crate::db::NUL_REFUSED),
                "{function}"
            );
        }
    }
}
