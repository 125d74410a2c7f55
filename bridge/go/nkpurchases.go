package main

import (
	"encoding/json"
	"strings"

	"github.com/heroiclabs/nakama-common/api"
)

// The in-app purchase and subscription nk functions
// (abi/src/nk/purchases.rs), forwarded to Nakama's PurchaseValidate*,
// PurchasesList, PurchaseGetByTransactionId, SubscriptionValidate*,
// SubscriptionsList and SubscriptionGetByProductId; registered into
// nkFunctions at start.

type appleValidateArgs struct {
	UserID           string  `json:"user_id"`
	Receipt          string  `json:"receipt"`
	Persist          bool    `json:"persist"`
	PasswordOverride *string `json:"password_override"`
}

// overrides is Nakama's variadic password override: none unless given.
func (a appleValidateArgs) overrides() []string {
	if a.PasswordOverride == nil {
		return nil
	}
	return []string{*a.PasswordOverride}
}

type googleValidateArgs struct {
	UserID      string `json:"user_id"`
	Receipt     string `json:"receipt"`
	Persist     bool   `json:"persist"`
	ClientEmail string `json:"client_email"`
	PrivateKey  string `json:"private_key"`
}

type googleOverride = struct {
	ClientEmail string
	PrivateKey  string
}

// overrides is Nakama's variadic service account override: none unless a
// field is set (empty fields keep the configured ones either way).
func (a googleValidateArgs) overrides() []googleOverride {
	if a.ClientEmail == "" && a.PrivateKey == "" {
		return nil
	}
	return []googleOverride{{a.ClientEmail, a.PrivateKey}}
}

type storeListArgs struct {
	UserID string `json:"user_id"`
	Limit  int    `json:"limit"`
	Cursor string `json:"cursor"`
}

var purchaseFunctions = map[string]nkFunc{
	"purchase_validate_apple": forward(func(st *callState, a appleValidateArgs) (any, error) {
		return protoJSON(st.nk.PurchaseValidateApple(st.ctx, a.UserID, a.Receipt, a.Persist, a.overrides()...))
	}),
	"subscription_validate_apple": forward(func(st *callState, a appleValidateArgs) (any, error) {
		return protoJSON(st.nk.SubscriptionValidateApple(st.ctx, a.UserID, a.Receipt, a.Persist, a.overrides()...))
	}),
	"purchase_validate_google": forward(func(st *callState, a googleValidateArgs) (any, error) {
		return protoJSON(st.nk.PurchaseValidateGoogle(st.ctx, a.UserID, a.Receipt, a.Persist, a.overrides()...))
	}),
	"subscription_validate_google": forward(func(st *callState, a googleValidateArgs) (any, error) {
		return protoJSON(st.nk.SubscriptionValidateGoogle(st.ctx, a.UserID, a.Receipt, a.Persist, a.overrides()...))
	}),
	"purchase_validate_huawei": forward(func(st *callState, a struct {
		UserID    string `json:"user_id"`
		Signature string `json:"signature"`
		Receipt   string `json:"receipt"`
		Persist   bool   `json:"persist"`
	}) (any, error) {
		return protoJSON(st.nk.PurchaseValidateHuawei(st.ctx, a.UserID, a.Signature, a.Receipt, a.Persist))
	}),
	"purchase_validate_facebook_instant": forward(func(st *callState, a struct {
		UserID        string `json:"user_id"`
		SignedRequest string `json:"signed_request"`
		Persist       bool   `json:"persist"`
	}) (any, error) {
		return protoJSON(st.nk.PurchaseValidateFacebookInstant(st.ctx, a.UserID, a.SignedRequest, a.Persist))
	}),
	"purchase_validate_samsung": forward(func(st *callState, a struct {
		UserID     string `json:"user_id"`
		PurchaseID string `json:"purchase_id"`
		Persist    bool   `json:"persist"`
	}) (any, error) {
		return protoJSON(st.nk.PurchaseValidateSamsung(st.ctx, a.UserID, a.PurchaseID, a.Persist))
	}),
	"purchases_list": forward(func(st *callState, a storeListArgs) (any, error) {
		return protoJSON(st.nk.PurchasesList(st.ctx, a.UserID, a.Limit, a.Cursor))
	}),
	"subscriptions_list": forward(func(st *callState, a storeListArgs) (any, error) {
		return protoJSON(st.nk.SubscriptionsList(st.ctx, a.UserID, a.Limit, a.Cursor))
	}),
	"purchase_get_by_transaction_id": forward(func(st *callState, a struct {
		TransactionID string `json:"transaction_id"`
	}) (any, error) {
		p, err := st.nk.PurchaseGetByTransactionId(st.ctx, a.TransactionID)
		if err == nil && p == nil {
			return json.RawMessage("null"), nil // Nakama's answer for an unknown transaction
		}
		return protoJSON[*api.ValidatedPurchase](p, err)
	}),
	"subscription_get_by_product_id": forward(func(st *callState, a struct {
		UserID    string `json:"user_id"`
		ProductID string `json:"product_id"`
	}) (any, error) {
		return protoJSON(st.nk.SubscriptionGetByProductId(st.ctx, a.UserID, a.ProductID))
	}),
}

func init() {
	for name, f := range purchaseFunctions {
		nkFunctions[name] = f
	}
}

// purchaseError gives these functions' plain errors the codes the dev
// host answers them with (server/src/nk/purchases.rs): a store not
// configured FAILED_PRECONDITION, argument and cursor refusals
// INVALID_ARGUMENT, an unknown subscription NOT_FOUND.
func purchaseError(err error) (int, bool) {
	msg := err.Error()
	switch {
	case strings.HasSuffix(strings.TrimSuffix(msg, "."), "IAP is not configured"):
		return 9, true
	case msg == "user ID must be a valid id string", strings.HasSuffix(msg, " cannot be empty string"),
		msg == "limit must be a positive value <= 100", msg == "purchases list cursor invalid",
		msg == "subscriptions list cursor invalid":
		return 3, true
	case msg == "subscription not found":
		return 5, true
	}
	return 0, false
}
