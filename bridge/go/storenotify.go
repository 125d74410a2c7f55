package main

// The stores' notification callbacks (ABI 1.13): a Rust module's purchase
// and subscription notification callbacks are registered with Nakama's
// RegisterPurchaseNotificationApple, RegisterSubscriptionNotificationApple,
// RegisterPurchaseNotificationGoogle and
// RegisterSubscriptionNotificationGoogle. Nakama calls them from its
// notification endpoints once the store has told it of a change and the
// change is stored; they cross as the ABI's PurchaseNotification /
// SubscriptionNotification (abi/src/store_notification.rs): the purchase
// or subscription as proto JSON, the store's payload as encoding/json
// writes Nakama's type for it.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/proto"
)

// notificationCallback is what Nakama's Register*Notification* takes for
// Rust callback h: M the purchase or subscription (field "purchase" or
// "subscription"), P the store's payload.
func notificationCallback[M proto.Message, P any](h *handler, call matchCaller, field string) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, runtime.NotificationType, M, P) error {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, t runtime.NotificationType, msg M, payload P) error {
		return notificationCall(h, call, ctx, logger, nk, t, field, msg, payload)
	}
}

func purchaseNotificationApple(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, runtime.NotificationType, *api.ValidatedPurchase, *runtime.AppleNotificationData) error {
	return notificationCallback[*api.ValidatedPurchase, *runtime.AppleNotificationData](h, call, "purchase")
}

func subscriptionNotificationApple(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, runtime.NotificationType, *api.ValidatedSubscription, *runtime.AppleNotificationData) error {
	return notificationCallback[*api.ValidatedSubscription, *runtime.AppleNotificationData](h, call, "subscription")
}

func purchaseNotificationGoogle(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, runtime.NotificationType, *api.ValidatedPurchase, *runtime.PurchaseV2GoogleResponse) error {
	return notificationCallback[*api.ValidatedPurchase, *runtime.PurchaseV2GoogleResponse](h, call, "purchase")
}

func subscriptionNotificationGoogle(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, runtime.NotificationType, *api.ValidatedSubscription, *runtime.SubscriptionV2GoogleResponse) error {
	return notificationCallback[*api.ValidatedSubscription, *runtime.SubscriptionV2GoogleResponse](h, call, "subscription")
}

// notificationCall calls h with {"<field>":<msg as proto JSON>,
// "notification_type":t,"payload":<payload as JSON>}. Its error goes back
// to Nakama, which logs it and answers the store 200, except Google's
// purchase notification, which it answers 500 (Google then retries).
func notificationCall(h *handler, call matchCaller, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, t runtime.NotificationType, field string, msg proto.Message, payload any) error {
	encoded, err := json.Marshal(payload)
	if err != nil {
		return runtime.NewError(fmt.Sprintf("the store's notification payload could not be encoded: %v", err), 13)
	}
	rest := fmt.Sprintf(`,"notification_type":%d,"payload":%s}`, int(t), encoded)
	return scheduledCall(h, call, ctx, logger, nk, field, msg, rest)
}
