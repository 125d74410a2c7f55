package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
)

// A store's notification reaches the module as {"notification_type",
// "purchase"|"subscription", "payload"}: the purchase or subscription as
// proto JSON, the store's payload with the names encoding/json gives
// Nakama's types. The module's error comes back with its code.
func TestStoreNotificationsCrossWithTheirTypePurchaseAndPayload(t *testing.T) {
	var got string
	answer, code := "", 0
	call := func(h *handler, ctx context.Context, l runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
		got = input
		return answer, code
	}
	type crossed struct {
		NotificationType int                        `json:"notification_type"`
		Purchase         map[string]any             `json:"purchase"`
		Subscription     map[string]any             `json:"subscription"`
		Payload          map[string]json.RawMessage `json:"payload"`
	}
	read := func() crossed {
		var c crossed
		if err := json.Unmarshal([]byte(got), &c); err != nil {
			t.Fatalf("input %s: %v", got, err)
		}
		return c
	}

	refund := purchaseNotificationApple(&handler{kind: kindPurchaseNotificationApple}, call)
	purchase := &api.ValidatedPurchase{UserId: "u1", ProductId: "gems", TransactionId: "t1", Store: api.StoreProvider_APPLE_APP_STORE}
	apple := &runtime.AppleNotificationData{BundleId: "com.example", TransactionInfo: &runtime.AppleNotificationTransactionInfo{TransactionId: "t1", RevocationDate: 1700000000000}}
	if err := refund(context.Background(), newTestLogger(), nil, nil, runtime.IAPNotificationRefunded, purchase, apple); err != nil {
		t.Fatal(err)
	}
	c := read()
	if c.NotificationType != 5 || c.Purchase["user_id"] != "u1" || c.Purchase["product_id"] != "gems" || c.Subscription != nil {
		t.Errorf("input %s", got)
	}
	var info struct {
		TransactionID  string `json:"transactionId"`
		RevocationDate int64  `json:"revocationDate"`
	}
	if string(c.Payload["bundleId"]) != `"com.example"` || json.Unmarshal(c.Payload["transactionInfo"], &info) != nil ||
		info.TransactionID != "t1" || info.RevocationDate != 1700000000000 {
		t.Errorf("payload %s", got)
	}

	renewed := subscriptionNotificationGoogle(&handler{kind: kindSubscriptionNotificationGoogle}, call)
	answer, code = "no such player", 5
	sub := &api.ValidatedSubscription{UserId: "u2", ProductId: "vip", Active: true}
	err := renewed(context.Background(), newTestLogger(), nil, nil, runtime.IAPNotificationRenewed, sub, nil)
	if c, msg := codeOf(err); c != 5 || msg != "no such player" {
		t.Errorf("error %v", err)
	}
	c = read()
	if c.NotificationType != 2 || c.Subscription["product_id"] != "vip" || c.Subscription["active"] != true || c.Payload != nil {
		t.Errorf("input %s", got)
	}

	answer, code = "", 0
	google := purchaseNotificationGoogle(&handler{}, call)
	if err := google(context.Background(), newTestLogger(), nil, nil, runtime.IAPNotificationSubscribed, &api.ValidatedPurchase{}, &runtime.PurchaseV2GoogleResponse{OrderId: "GPA.1"}); err != nil {
		t.Fatal(err)
	}
	if c = read(); string(c.Payload["orderId"]) != `"GPA.1"` || c.NotificationType != 1 {
		t.Errorf("input %s", got)
	}
	appleSub := subscriptionNotificationApple(&handler{}, call)
	if err := appleSub(context.Background(), newTestLogger(), nil, nil, runtime.IAPNotificationExpired, &api.ValidatedSubscription{ProductId: "vip"}, nil); err != nil {
		t.Fatal(err)
	}
	if c = read(); c.NotificationType != 3 || c.Subscription["product_id"] != "vip" {
		t.Errorf("input %s", got)
	}
}
