//! The client's in-app purchase routes (`/v2/iap/...`), with Nakama's
//! checks and messages (server/api_purchase.go, api_subscription.go) and
//! the modules' hooks around them. As for the nk functions
//! (`src/nk/purchases.rs`), the dev host has no `iap` settings and asks
//! no store: a store without settings is refused as Nakama refuses it,
//! where Nakama would ask the store the answer is `UNIMPLEMENTED`, and
//! nothing is stored, so the caller has no subscriptions.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use nakama_runtime_host::abi::hooks::{hook, Hook};
use nakama_runtime_host::abi::{api, Code};

use super::{gateway_err, gateway_ok, read_json, run, session, App, Shared, Vars};

/// Session, body, before hook, `decide`, after hook: the shape of every
/// route here.
async fn hooked<H: Hook>(
    app: &App,
    headers: &HeaderMap,
    req: Option<H::Request>,
    body: Body,
    decide: impl FnOnce(&H::Request) -> Result<H::Response, Response>,
) -> Response
where
    H::Request: Default,
{
    run(async move {
        let req = match req {
            Some(r) => r,
            None => read_json::<H::Request>(app, body).await?,
        };
        let claims = session(app, headers)?;
        let req = app.before::<H>(Some(&claims), req).await?;
        let out = decide(&req)?;
        app.after::<H>(Some(&claims), &out, &req).await;
        Ok(gateway_ok(&out))
    })
    .await
}

fn refuse<T>(message: &str) -> Result<T, Response> {
    Err(gateway_err(Code::InvalidArgument, message))
}

fn not_configured<T>(store: &str) -> Result<T, Response> {
    Err(gateway_err(
        Code::FailedPrecondition,
        &format!("{store} IAP is not configured."),
    ))
}

/// Where Nakama would ask the store.
fn no_store<T>(store: &str) -> Result<T, Response> {
    Err(gateway_err(
        Code::Unimplemented,
        &format!(
            "the dev host does not validate purchases with {store} (it contacts no store); run on a real Nakama through the bridge"
        ),
    ))
}

/// A route whose store needs settings the dev host does not have.
async fn unconfigured<H: Hook>(
    State(app): Shared,
    headers: HeaderMap,
    body: Body,
    store: &str,
) -> Response
where
    H::Request: Default,
{
    hooked::<H>(&app, &headers, None, body, |_| not_configured(store)).await
}

pub(super) async fn purchase_apple(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    // Nakama asks Apple even without a shared password.
    hooked::<hook::ValidatePurchaseApple>(&app, &headers, None, body, |req| {
        if req.receipt.is_empty() {
            return refuse("Receipt cannot be empty.");
        }
        no_store("Apple")
    })
    .await
}

pub(super) async fn subscription_apple(app: Shared, headers: HeaderMap, body: Body) -> Response {
    unconfigured::<hook::ValidateSubscriptionApple>(app, headers, body, "Apple").await
}

pub(super) async fn purchase_google(app: Shared, headers: HeaderMap, body: Body) -> Response {
    unconfigured::<hook::ValidatePurchaseGoogle>(app, headers, body, "Google").await
}

pub(super) async fn subscription_google(app: Shared, headers: HeaderMap, body: Body) -> Response {
    unconfigured::<hook::ValidateSubscriptionGoogle>(app, headers, body, "Google").await
}

pub(super) async fn purchase_huawei(app: Shared, headers: HeaderMap, body: Body) -> Response {
    unconfigured::<hook::ValidatePurchaseHuawei>(app, headers, body, "Huawei").await
}

pub(super) async fn purchase_facebook_instant(
    app: Shared,
    headers: HeaderMap,
    body: Body,
) -> Response {
    unconfigured::<hook::ValidatePurchaseFacebookInstant>(app, headers, body, "Facebook Instant")
        .await
}

pub(super) async fn purchase_samsung(
    State(app): Shared,
    headers: HeaderMap,
    body: Body,
) -> Response {
    hooked::<hook::ValidatePurchaseSamsung>(&app, &headers, None, body, |req| {
        if req.purchase_id.is_empty() {
            return refuse("Purchase ID cannot be empty.");
        }
        no_store("Samsung")
    })
    .await
}

/// `POST /v2/iap/subscription`: the caller's subscriptions (none here).
pub(super) async fn subscriptions(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    hooked::<hook::ListSubscriptions>(&app, &headers, None, body, |req| {
        if req.limit.is_some_and(|l| !(1..=100).contains(&l)) {
            return refuse("Invalid limit - limit must be between 1 and 1000.");
        }
        if !req.cursor.is_empty() {
            // Nakama's core answers a plain error, which gRPC makes UNKNOWN.
            return Err(gateway_err(
                Code::Unknown,
                "subscriptions list cursor invalid",
            ));
        }
        Ok(api::SubscriptionList::default())
    })
    .await
}

/// `GET /v2/iap/subscription/{product_id}`.
pub(super) async fn subscription(
    app: Shared,
    Vars([product_id]): Vars<1>,
    headers: HeaderMap,
) -> Response {
    subscription_of(app, product_id, headers).await
}

/// `GET /v2/iap/subscription/apple` and `.../google`: product ids to
/// Nakama's router, which has only POST routes of those paths; axum's own
/// would answer 405.
pub(super) async fn subscription_named(
    app: Shared,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let product_id = uri
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    subscription_of(app, product_id, headers).await
}

async fn subscription_of(State(app): Shared, product_id: String, headers: HeaderMap) -> Response {
    let req = api::GetSubscriptionRequest { product_id };
    hooked::<hook::GetSubscription>(&app, &headers, Some(req), Body::empty(), |req| {
        if req.product_id.contains('\0') {
            // Nakama's core passes PostgreSQL's error on as a plain one.
            return Err(gateway_err(Code::Unknown, crate::db::NUL_REFUSED));
        }
        Err(gateway_err(Code::NotFound, "subscription not found"))
    })
    .await
}
