package main

import (
	"encoding/json"
	"strings"

	"github.com/heroiclabs/nakama-common/runtime"
)

// The account, user, link and wallet nk functions (abi/src/nk/accounts.rs),
// forwarded to Nakama's AccountDeleteId, AccountExportId,
// UsersGetFriendStatus, UsersGetRandom, UsersBanId, UsersUnbanId,
// LinkCustom, LinkDevice, LinkEmail, UnlinkCustom, UnlinkDevice,
// UnlinkEmail, WalletLedgerUpdate and MultiUpdate; registered into
// nkFunctions at start.

// linkArgs are the arguments of link_custom, link_device and the unlink
// functions (id: the custom id, device id or email).
type linkArgs struct {
	UserID string `json:"user_id"`
	ID     string `json:"id"`
}

type userIDsArgs struct {
	UserIDs []string `json:"user_ids"`
}

// ledgerItem is the ABI's LedgerItem.
type ledgerItem struct {
	ID         string                 `json:"id"`
	UserID     string                 `json:"user_id"`
	Changeset  map[string]int64       `json:"changeset"`
	Metadata   map[string]interface{} `json:"metadata"`
	CreateTime int64                  `json:"create_time"`
}

// accountUpdateArgs is the ABI's AccountUpdateArgs (null: unchanged).
type accountUpdateArgs struct {
	UserID      string                 `json:"user_id"`
	Username    *string                `json:"username"`
	Metadata    map[string]interface{} `json:"metadata"`
	DisplayName *string                `json:"display_name"`
	Timezone    *string                `json:"timezone"`
	Location    *string                `json:"location"`
	LangTag     *string                `json:"lang_tag"`
	AvatarURL   *string                `json:"avatar_url"`
}

func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

var accountFunctions = map[string]nkFunc{
	"account_delete_id": forward(func(st *callState, a struct {
		UserID   string `json:"user_id"`
		Recorded bool   `json:"recorded"`
	}) (any, error) {
		return nil, st.nk.AccountDeleteId(st.ctx, a.UserID, a.Recorded)
	}),
	"account_export_id": forward(func(st *callState, a struct {
		UserID string `json:"user_id"`
	}) (any, error) {
		export, err := st.nk.AccountExportId(st.ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		return export, nil
	}),
	"users_get_friend_status": forward(func(st *callState, a struct {
		UserID  string   `json:"user_id"`
		UserIDs []string `json:"user_ids"`
	}) (any, error) {
		return protoList(st.nk.UsersGetFriendStatus(st.ctx, a.UserID, a.UserIDs))
	}),
	"users_get_random": forward(func(st *callState, a struct {
		Count int `json:"count"`
	}) (any, error) {
		return protoList(st.nk.UsersGetRandom(st.ctx, a.Count))
	}),
	"users_ban_id": forward(func(st *callState, a userIDsArgs) (any, error) {
		return nil, st.nk.UsersBanId(st.ctx, a.UserIDs)
	}),
	"users_unban_id": forward(func(st *callState, a userIDsArgs) (any, error) {
		return nil, st.nk.UsersUnbanId(st.ctx, a.UserIDs)
	}),
	"link_custom": forward(func(st *callState, a linkArgs) (any, error) {
		return nil, st.nk.LinkCustom(st.ctx, a.UserID, a.ID)
	}),
	"link_device": forward(func(st *callState, a linkArgs) (any, error) {
		return nil, st.nk.LinkDevice(st.ctx, a.UserID, a.ID)
	}),
	"link_email": forward(func(st *callState, a struct {
		UserID   string `json:"user_id"`
		Email    string `json:"email"`
		Password string `json:"password"`
	}) (any, error) {
		return nil, st.nk.LinkEmail(st.ctx, a.UserID, a.Email, a.Password)
	}),
	"unlink_custom": forward(func(st *callState, a linkArgs) (any, error) {
		return nil, st.nk.UnlinkCustom(st.ctx, a.UserID, a.ID)
	}),
	"unlink_device": forward(func(st *callState, a linkArgs) (any, error) {
		return nil, st.nk.UnlinkDevice(st.ctx, a.UserID, a.ID)
	}),
	"unlink_email": forward(func(st *callState, a linkArgs) (any, error) {
		return nil, st.nk.UnlinkEmail(st.ctx, a.UserID, a.ID)
	}),
	"wallet_ledger_update": forward(func(st *callState, a struct {
		ItemID   string                 `json:"item_id"`
		Metadata map[string]interface{} `json:"metadata"`
	}) (any, error) {
		if a.Metadata == nil {
			a.Metadata = map[string]interface{}{}
		}
		it, err := st.nk.WalletLedgerUpdate(st.ctx, a.ItemID, a.Metadata)
		if err != nil {
			return nil, err
		}
		// Nakama answers the item without its id and metadata; the ABI's
		// maps must not be null.
		out := ledgerItem{it.GetID(), it.GetUserID(), it.GetChangeset(), it.GetMetadata(), it.GetCreateTime()}
		if out.Changeset == nil {
			out.Changeset = map[string]int64{}
		}
		if out.Metadata == nil {
			out.Metadata = map[string]interface{}{}
		}
		return out, nil
	}),
	"multi_update": forward(func(st *callState, a struct {
		AccountUpdates []accountUpdateArgs `json:"account_updates"`
		StorageWrites  []storageWriteOp    `json:"storage_writes"`
		StorageDeletes []storageDeleteOp   `json:"storage_deletes"`
		WalletUpdates  []walletUpdateOp    `json:"wallet_updates"`
		UpdateLedger   bool                `json:"update_ledger"`
	}) (any, error) {
		accounts := make([]*runtime.AccountUpdate, len(a.AccountUpdates))
		for i, u := range a.AccountUpdates {
			accounts[i] = &runtime.AccountUpdate{UserID: u.UserID, Username: orEmpty(u.Username), Metadata: u.Metadata,
				DisplayName: orEmpty(u.DisplayName), Timezone: orEmpty(u.Timezone), Location: orEmpty(u.Location),
				LangTag: orEmpty(u.LangTag), AvatarUrl: orEmpty(u.AvatarURL)}
		}
		writes := make([]*runtime.StorageWrite, len(a.StorageWrites))
		for i, w := range a.StorageWrites {
			writes[i] = &runtime.StorageWrite{Collection: w.Collection, Key: w.Key, UserID: w.UserID, Value: w.Value,
				Version: w.Version, PermissionRead: w.PermissionRead, PermissionWrite: w.PermissionWrite}
		}
		deletes := make([]*runtime.StorageDelete, len(a.StorageDeletes))
		for i, d := range a.StorageDeletes {
			deletes[i] = &runtime.StorageDelete{Collection: d.Collection, Key: d.Key, UserID: d.UserID, Version: d.Version}
		}
		wallets := make([]*runtime.WalletUpdate, len(a.WalletUpdates))
		for i, u := range a.WalletUpdates {
			wallets[i] = &runtime.WalletUpdate{UserID: u.UserID, Changeset: u.Changeset, Metadata: u.Metadata}
		}
		acks, results, err := st.nk.MultiUpdate(st.ctx, accounts, writes, deletes, wallets, a.UpdateLedger)
		if err != nil {
			return nil, err
		}
		ackList, err := protoList(acks, nil)
		if err != nil {
			return nil, err
		}
		type item struct {
			UserID   string           `json:"user_id"`
			Updated  map[string]int64 `json:"updated"`
			Previous map[string]int64 `json:"previous"`
		}
		out := make([]item, 0, len(results))
		for _, r := range results {
			out = append(out, item{r.UserID, r.Updated, r.Previous})
		}
		return struct {
			Acks          json.RawMessage `json:"acks"`
			WalletUpdates []item          `json:"wallet_updates"`
		}{ackList, out}, nil
	}),
}

func init() {
	for name, f := range accountFunctions {
		nkFunctions[name] = f
	}
}

// accountError gives the plain errors of these functions the codes the
// dev host answers them with (server/src/nk/accounts.rs): argument
// refusals INVALID_ARGUMENT, an unknown ledger item or exported account
// NOT_FOUND. Their gRPC status errors (links, unlinks, a username in use)
// keep their codes in nkError.
func accountError(name string, err error) (int, bool) {
	msg := err.Error()
	switch {
	case msg == "user ID must be a valid identifier", msg == "cannot delete the system user",
		msg == "No fields to update.", msg == "Username invalid, no spaces or control characters allowed.":
		return 3, true
	case name == "wallet_ledger_update" && msg == "sql: no rows in result set":
		return 5, true
	case name == "account_export_id" && strings.HasPrefix(msg, "error exporting account: ") &&
		strings.Contains(msg, "code = NotFound"):
		return 5, true
	}
	return 0, false
}
