package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The account, user, link and wallet nk functions (abi/src/nk/accounts.rs),
// forwarded to Nakama's AccountDeleteId, AccountExportId, AccountImportId,
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

// linkForward forwards a link or unlink function of a user id and an id.
func linkForward(f func(runtime.NakamaModule, context.Context, string, string) error) nkFunc {
	return forward(func(st *callState, a linkArgs) (any, error) {
		return nil, f(st.nk, st.ctx, a.UserID, a.ID)
	})
}

// The conversions of the ABI's storage and wallet operations into
// Nakama's (here and in nk.go).

func runtimeWrites(ws []storageWriteOp) []*runtime.StorageWrite {
	out := make([]*runtime.StorageWrite, len(ws))
	for i, w := range ws {
		out[i] = &runtime.StorageWrite{Collection: w.Collection, Key: w.Key, UserID: w.UserID, Value: w.Value,
			Version: w.Version, PermissionRead: w.PermissionRead, PermissionWrite: w.PermissionWrite}
	}
	return out
}

func runtimeDeletes(ds []storageDeleteOp) []*runtime.StorageDelete {
	out := make([]*runtime.StorageDelete, len(ds))
	for i, d := range ds {
		out[i] = &runtime.StorageDelete{Collection: d.Collection, Key: d.Key, UserID: d.UserID, Version: d.Version}
	}
	return out
}

func runtimeWalletUpdates(us []walletUpdateOp) []*runtime.WalletUpdate {
	out := make([]*runtime.WalletUpdate, len(us))
	for i, u := range us {
		out[i] = &runtime.WalletUpdate{UserID: u.UserID, Changeset: u.Changeset, Metadata: u.Metadata}
	}
	return out
}

// walletResult is the ABI's WalletsUpdateItem.
type walletResult struct {
	UserID   string           `json:"user_id"`
	Updated  map[string]int64 `json:"updated"`
	Previous map[string]int64 `json:"previous"`
}

func walletResults(rs []*runtime.WalletUpdateResult) []walletResult {
	out := make([]walletResult, 0, len(rs))
	for _, r := range rs {
		out = append(out, walletResult{r.UserID, r.Updated, r.Previous})
	}
	return out
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
	"account_import_id": forward(func(st *callState, a struct {
		Data   string `json:"data"`
		UserID string `json:"user_id"`
	}) (any, error) {
		if exportWithoutUser(a.Data, a.UserID) {
			return nil, errNoExportUser
		}
		return protoJSON(st.nk.AccountImportId(st.ctx, a.Data, a.UserID))
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
	"link_custom": linkForward(runtime.NakamaModule.LinkCustom),
	"link_device": linkForward(runtime.NakamaModule.LinkDevice),
	"link_email": forward(func(st *callState, a struct {
		UserID   string `json:"user_id"`
		Email    string `json:"email"`
		Password string `json:"password"`
	}) (any, error) {
		return nil, st.nk.LinkEmail(st.ctx, a.UserID, a.Email, a.Password)
	}),
	"unlink_custom": linkForward(runtime.NakamaModule.UnlinkCustom),
	"unlink_device": linkForward(runtime.NakamaModule.UnlinkDevice),
	"unlink_email":  linkForward(runtime.NakamaModule.UnlinkEmail),
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
		acks, results, err := st.nk.MultiUpdate(st.ctx, accounts, runtimeWrites(a.StorageWrites),
			runtimeDeletes(a.StorageDeletes), runtimeWalletUpdates(a.WalletUpdates), a.UpdateLedger)
		if err != nil {
			return nil, err
		}
		ackList, err := protoList(acks, nil)
		if err != nil {
			return nil, err
		}
		return struct {
			Acks          json.RawMessage `json:"acks"`
			WalletUpdates []walletResult  `json:"wallet_updates"`
		}{ackList, walletResults(results)}, nil
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
	case name == "account_import_id" && strings.HasPrefix(msg, "error importing account: "):
		return importErrorCode(strings.TrimPrefix(msg, "error importing account: ")), true
	case (name == "account_update_id" || name == "multi_update") && strings.Contains(msg, "value too long for type"):
		// PostgreSQL's refusal of a value longer than its column.
		return 3, true
	}
	return 0, false
}

// errNoExportUser refuses an export without account.user, which Nakama
// 3.40.0's ImportAccount dereferences unchecked (a panic inside its
// transaction); the dev host gives the same words.
var errNoExportUser = errors.New("expects data to hold an account with its user")

// accountExport is Nakama's console.AccountExport as Go's JSON decodes it
// (the same field types, so the same inputs fail to decode).
type accountExport struct {
	Account            *api.Account             `json:"account"`
	Objects            []*api.StorageObject     `json:"objects"`
	Friends            []*api.Friend            `json:"friends"`
	Groups             []*api.Group             `json:"groups"`
	Messages           []*api.ChannelMessage    `json:"messages"`
	LeaderboardRecords []*api.LeaderboardRecord `json:"leaderboard_records"`
	Notifications      []*api.Notification      `json:"notifications"`
	WalletLedgers      []*struct {
		ID         string                 `json:"id"`
		UserID     string                 `json:"user_id"`
		Changeset  string                 `json:"changeset"`
		Metadata   string                 `json:"metadata"`
		CreateTime *timestamppb.Timestamp `json:"create_time"`
		UpdateTime *timestamppb.Timestamp `json:"update_time"`
	} `json:"wallet_ledgers"`
}

// exportWithoutUser: whether Nakama would get past its own checks of
// AccountImportId's arguments (data present and decoded, user id empty or
// valid) with an export that has no account.user.
func exportWithoutUser(data, userID string) bool {
	var d accountExport
	if data == "" || json.Unmarshal([]byte(data), &d) != nil || (userID != "" && !gofrsUUID(userID)) {
		return false
	}
	return d.Account == nil || d.Account.User == nil
}

// gofrsUUID: whether gofrs/uuid's FromString, which Nakama checks user
// ids with, reads s (hyphenated or not, in braces or after "urn:uuid:").
func gofrsUUID(s string) bool {
	inner := s
	switch len(s) {
	case 32, 36:
	case 34, 38:
		if s[0] != '{' || s[len(s)-1] != '}' {
			return false
		}
		inner = s[1 : len(s)-1]
	case 41, 45:
		if !strings.HasPrefix(s, "urn:uuid:") {
			return false
		}
		inner = s[9:]
	default:
		return false
	}
	if len(inner) == 36 {
		if inner[8] != '-' || inner[13] != '-' || inner[18] != '-' || inner[23] != '-' {
			return false
		}
		inner = inner[:8] + inner[9:13] + inner[14:18] + inner[19:23] + inner[24:]
	}
	_, err := hex.DecodeString(inner)
	return err == nil
}

// importErrorCode is the code of ImportAccount's errors (plain errors in
// Nakama), as the dev host gives them: a taken id, username or key
// ALREADY_EXISTS, an unknown user NOT_FOUND, a value PostgreSQL cannot
// read INVALID_ARGUMENT.
func importErrorCode(msg string) int {
	switch {
	case msg == "User identifier already exists.", msg == "Username already in use.",
		strings.Contains(msg, "duplicate key value violates unique constraint"):
		return 6
	case msg == "Error updating user account during import.", msg == "account not found":
		return 5
	case strings.Contains(msg, "invalid input syntax for type"), strings.Contains(msg, "unsupported Unicode escape sequence"),
		strings.Contains(msg, "value too long for type"), strings.Contains(msg, "violates check constraint"):
		return 3
	}
	return 13
}
