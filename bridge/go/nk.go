package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/proto"
)

// The nk functions of abi/src/nk.rs, forwarded to Nakama's NakamaModule.
// Arguments and results are the JSON forms of the Rust structs there
// (snake_case keys), but for the arguments of storage reads and writes,
// which come compact (nkargs.go); Nakama's api messages cross as
// gateway-style protobuf JSON. Keep the list in step with nk.rs:
// nk_test.go checks the names.

type storageReadOp struct {
	Collection string `json:"collection"`
	Key        string `json:"key"`
	UserID     string `json:"user_id"`
}

type storageWriteOp struct {
	Collection      string `json:"collection"`
	Key             string `json:"key"`
	UserID          string `json:"user_id"`
	Value           string `json:"value"`
	Version         string `json:"version"`
	PermissionRead  int    `json:"permission_read"`
	PermissionWrite int    `json:"permission_write"`
}

type storageDeleteOp struct {
	Collection string `json:"collection"`
	Key        string `json:"key"`
	UserID     string `json:"user_id"`
	Version    string `json:"version"`
}

type notificationSendArgs struct {
	UserID     string                 `json:"user_id"`
	Subject    string                 `json:"subject"`
	Content    map[string]interface{} `json:"content"`
	Code       int                    `json:"code"`
	SenderID   string                 `json:"sender_id"`
	Persistent bool                   `json:"persistent"`
}

type walletUpdateOp struct {
	UserID    string                 `json:"user_id"`
	Changeset map[string]int64       `json:"changeset"`
	Metadata  map[string]interface{} `json:"metadata"`
}

type authResult struct {
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	Created  bool   `json:"created"`
}

type authIDArgs struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Create   bool   `json:"create"`
}

// leaderboardRecordWriteArgs: a null (or absent) metadata stays a nil map,
// and Nakama then keeps the stored metadata; {} replaces it. A null
// operator stays nil: the leaderboard's own operator.
type leaderboardRecordWriteArgs struct {
	ID       string                 `json:"id"`
	OwnerID  string                 `json:"owner_id"`
	Username string                 `json:"username"`
	Score    int64                  `json:"score"`
	Subscore int64                  `json:"subscore"`
	Metadata map[string]interface{} `json:"metadata"`
	Operator *string                `json:"operator"`
}

// channelMessageArgs: the arguments of channel_message_send, _update and
// _remove (the message id is empty for a send, the content for a
// removal).
type channelMessageArgs struct {
	ChannelID      string                 `json:"channel_id"`
	MessageID      string                 `json:"message_id"`
	Content        map[string]interface{} `json:"content"`
	SenderID       string                 `json:"sender_id"`
	SenderUsername string                 `json:"sender_username"`
	Persist        bool                   `json:"persist"`
}

// groupArgs: the arguments of group_create, _update, _delete,
// group_user_join and _leave (each reads the fields it has).
type groupArgs struct {
	GroupID     string                 `json:"group_id"`
	UserID      string                 `json:"user_id"`
	Username    string                 `json:"username"`
	Name        string                 `json:"name"`
	CreatorID   string                 `json:"creator_id"`
	LangTag     string                 `json:"lang_tag"`
	Description string                 `json:"description"`
	AvatarURL   string                 `json:"avatar_url"`
	Open        bool                   `json:"open"`
	Metadata    map[string]interface{} `json:"metadata"`
	MaxCount    int                    `json:"max_count"`
}

// groupUsersArgs: the arguments of group_users_add, _kick, _ban,
// _promote and _demote.
type groupUsersArgs struct {
	CallerID string   `json:"caller_id"`
	GroupID  string   `json:"group_id"`
	UserIDs  []string `json:"user_ids"`
}

// membershipListArgs: the arguments of group_users_list and
// user_groups_list (a null state lists them all).
type membershipListArgs struct {
	GroupID string `json:"group_id"`
	UserID  string `json:"user_id"`
	Limit   int    `json:"limit"`
	State   *int   `json:"state"`
	Cursor  string `json:"cursor"`
}

type pageArgs struct {
	UserID string `json:"user_id"`
	Limit  int    `json:"limit"`
	Cursor string `json:"cursor"`
}

// nkFunc forwards one nk call: its arguments in (JSON, or compact for
// storage reads and writes: nkargs.go), a result to encode out.
type nkFunc func(st *callState, args string, buf *answerBuf) (any, error)

// forward makes an nkFunc of a function of the decoded arguments.
func forward[A any](f func(st *callState, a A) (any, error)) nkFunc {
	return forwardInto(func(st *callState, a A, _ *answerBuf) (any, error) { return f(st, a) })
}

// forwardInto is forward for a function that encodes its result into buf
// (nil: a new buffer).
func forwardInto[A any](f func(st *callState, a A, buf *answerBuf) (any, error)) nkFunc {
	return func(st *callState, args string, buf *answerBuf) (any, error) {
		var a A
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		return f(st, a, buf)
	}
}

// nkFunctions maps each wire name to its forwarder.
var nkFunctions = map[string]nkFunc{
	"account_get_id": forward(func(st *callState, a struct {
		UserID string `json:"user_id"`
	}) (any, error) {
		return protoJSON(st.nk.AccountGetId(st.ctx, a.UserID))
	}),
	"users_get_id": forward(func(st *callState, a struct {
		UserIDs     []string `json:"user_ids"`
		FacebookIDs []string `json:"facebook_ids"`
	}) (any, error) {
		return protoList(st.nk.UsersGetId(st.ctx, a.UserIDs, a.FacebookIDs))
	}),
	"storage_read": forwardInto(func(st *callState, a storageReadArgs, buf *answerBuf) (any, error) {
		reads := make([]*runtime.StorageRead, len(a.Reads))
		for i, r := range a.Reads {
			reads[i] = &runtime.StorageRead{Collection: r.Collection, Key: r.Key, UserID: r.UserID}
		}
		objects, err := st.nk.StorageRead(st.ctx, reads)
		return storageObjectsJSON(buf, objects, err)
	}),
	"storage_write": forwardInto(func(st *callState, a storageWriteArgs, buf *answerBuf) (any, error) {
		acks, err := st.nk.StorageWrite(st.ctx, runtimeWrites(a.Writes))
		return storageAcksJSON(buf, acks, err)
	}),
	"storage_delete": forward(func(st *callState, a struct {
		Deletes []storageDeleteOp `json:"deletes"`
	}) (any, error) {
		return nil, st.nk.StorageDelete(st.ctx, runtimeDeletes(a.Deletes))
	}),
	"storage_list": forward(func(st *callState, a struct {
		CallerID   string `json:"caller_id"`
		UserID     string `json:"user_id"`
		Collection string `json:"collection"`
		Limit      int    `json:"limit"`
		Cursor     string `json:"cursor"`
	}) (any, error) {
		objects, cursor, err := st.nk.StorageList(st.ctx, a.CallerID, a.UserID, a.Collection, a.Limit, a.Cursor)
		if err != nil {
			return nil, err
		}
		list, err := storageObjectsJSON(nil, objects, nil)
		return struct {
			Objects json.RawMessage `json:"objects"`
			Cursor  string          `json:"cursor"`
		}{list, cursor}, err
	}),
	"storage_index_list": forward(func(st *callState, a struct {
		CallerID  string   `json:"caller_id"`
		IndexName string   `json:"index_name"`
		Query     string   `json:"query"`
		Limit     int      `json:"limit"`
		Order     []string `json:"order"`
		Cursor    string   `json:"cursor"`
	}) (any, error) {
		objects, cursor, err := st.nk.StorageIndexList(st.ctx, a.CallerID, a.IndexName, a.Query, a.Limit, a.Order, a.Cursor)
		if err != nil {
			return nil, err
		}
		list, err := storageObjectsJSON(nil, objects.GetObjects(), nil)
		return struct {
			Objects json.RawMessage `json:"objects"`
			Cursor  string          `json:"cursor"`
		}{list, cursor}, err
	}),
	"wallet_update": forward(func(st *callState, a struct {
		walletUpdateOp
		UpdateLedger bool `json:"update_ledger"`
	}) (any, error) {
		updated, previous, err := st.nk.WalletUpdate(st.ctx, a.UserID, a.Changeset, a.Metadata, a.UpdateLedger)
		return struct {
			Updated  map[string]int64 `json:"updated"`
			Previous map[string]int64 `json:"previous"`
		}{updated, previous}, err
	}),
	"notification_send": forward(func(st *callState, a notificationSendArgs) (any, error) {
		return nil, st.nk.NotificationSend(st.ctx, a.UserID, a.Subject, a.Content, a.Code, a.SenderID, a.Persistent)
	}),
	"authenticate_custom": forward(func(st *callState, a authIDArgs) (any, error) {
		id, name, created, err := st.nk.AuthenticateCustom(st.ctx, a.ID, a.Username, a.Create)
		return authResult{id, name, created}, err
	}),
	"authenticate_device": forward(func(st *callState, a authIDArgs) (any, error) {
		id, name, created, err := st.nk.AuthenticateDevice(st.ctx, a.ID, a.Username, a.Create)
		return authResult{id, name, created}, err
	}),
	"authenticate_email": forward(func(st *callState, a struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Username string `json:"username"`
		Create   bool   `json:"create"`
	}) (any, error) {
		id, name, created, err := st.nk.AuthenticateEmail(st.ctx, a.Email, a.Password, a.Username, a.Create)
		return authResult{id, name, created}, err
	}),
	"authenticate_token_generate": forward(func(st *callState, a struct {
		UserID   string            `json:"user_id"`
		Username string            `json:"username"`
		Exp      int64             `json:"exp"`
		Vars     map[string]string `json:"vars"`
	}) (any, error) {
		token, exp, err := st.nk.AuthenticateTokenGenerate(a.UserID, a.Username, a.Exp, a.Vars)
		return struct {
			Token string `json:"token"`
			Exp   int64  `json:"exp"`
		}{token, exp}, err
	}),
	"accounts_get_id": forward(func(st *callState, a struct {
		UserIDs []string `json:"user_ids"`
	}) (any, error) {
		return protoList(st.nk.AccountsGetId(st.ctx, a.UserIDs, nil))
	}),
	// Nakama leaves an empty string (and nil metadata) unchanged, so a
	// Rust `Some("")` cannot clear a field here.
	"account_update_id": forward(func(st *callState, a accountUpdateArgs) (any, error) {
		return nil, st.nk.AccountUpdateId(st.ctx, a.UserID, orEmpty(a.Username), a.Metadata, orEmpty(a.DisplayName),
			orEmpty(a.Timezone), orEmpty(a.Location), orEmpty(a.LangTag), orEmpty(a.AvatarURL))
	}),
	"users_get_username": forward(func(st *callState, a struct {
		Usernames []string `json:"usernames"`
	}) (any, error) {
		return protoList(st.nk.UsersGetUsername(st.ctx, a.Usernames))
	}),
	"wallets_update": forward(func(st *callState, a struct {
		Updates      []walletUpdateOp `json:"updates"`
		UpdateLedger bool             `json:"update_ledger"`
	}) (any, error) {
		results, err := st.nk.WalletsUpdate(st.ctx, runtimeWalletUpdates(a.Updates), a.UpdateLedger)
		if err != nil {
			return nil, err
		}
		return walletResults(results), nil
	}),
	"wallet_ledger_list": forward(func(st *callState, a pageArgs) (any, error) {
		items, cursor, err := st.nk.WalletLedgerList(st.ctx, a.UserID, a.Limit, a.Cursor)
		if err != nil {
			return nil, err
		}
		type item struct {
			ID         string                 `json:"id"`
			UserID     string                 `json:"user_id"`
			Changeset  map[string]int64       `json:"changeset"`
			Metadata   map[string]interface{} `json:"metadata"`
			CreateTime int64                  `json:"create_time"`
		}
		out := make([]item, 0, len(items))
		for _, it := range items {
			// Nakama 3.40.0 reads the items without their owner: the
			// ledger listed is the one asked for.
			uid := it.GetUserID()
			if uid == "" {
				uid = strings.ToLower(a.UserID)
			}
			out = append(out, item{it.GetID(), uid, it.GetChangeset(), it.GetMetadata(), it.GetCreateTime()})
		}
		return struct {
			Items  []item `json:"items"`
			Cursor string `json:"cursor"`
		}{out, cursor}, nil
	}),
	"notifications_send": forward(func(st *callState, a struct {
		Notifications []notificationSendArgs `json:"notifications"`
	}) (any, error) {
		ns := make([]*runtime.NotificationSend, len(a.Notifications))
		for i, n := range a.Notifications {
			ns[i] = &runtime.NotificationSend{UserID: n.UserID, Subject: n.Subject, Content: n.Content, Code: n.Code,
				Sender: n.SenderID, Persistent: n.Persistent}
		}
		return nil, st.nk.NotificationsSend(st.ctx, ns)
	}),
	"leaderboard_create": forward(func(st *callState, a struct {
		ID            string                 `json:"id"`
		Authoritative bool                   `json:"authoritative"`
		SortOrder     string                 `json:"sort_order"`
		Operator      string                 `json:"operator"`
		ResetSchedule string                 `json:"reset_schedule"`
		Metadata      map[string]interface{} `json:"metadata"`
		EnableRanks   bool                   `json:"enable_ranks"`
	}) (any, error) {
		return nil, st.nk.LeaderboardCreate(st.ctx, a.ID, a.Authoritative, orDefault(a.SortOrder, "desc"),
			orDefault(a.Operator, "best"), a.ResetSchedule, a.Metadata, a.EnableRanks)
	}),
	"leaderboard_delete": forward(func(st *callState, a struct {
		ID string `json:"id"`
	}) (any, error) {
		return nil, st.nk.LeaderboardDelete(st.ctx, a.ID)
	}),
	"leaderboard_record_write": forward(func(st *callState, a leaderboardRecordWriteArgs) (any, error) {
		operator, err := operatorNumber(a.Operator)
		if err != nil {
			return nil, err
		}
		return protoJSON(st.nk.LeaderboardRecordWrite(st.ctx, a.ID, a.OwnerID, a.Username, a.Score, a.Subscore,
			a.Metadata, operator))
	}),
	"leaderboard_records_list": forward(func(st *callState, a struct {
		ID       string   `json:"id"`
		OwnerIDs []string `json:"owner_ids"`
		Limit    int      `json:"limit"`
		Cursor   string   `json:"cursor"`
		Expiry   int64    `json:"expiry"`
	}) (any, error) {
		records, owners, next, prev, err := st.nk.LeaderboardRecordsList(st.ctx, a.ID, a.OwnerIDs, a.Limit, a.Cursor,
			a.Expiry)
		if err != nil {
			return nil, err
		}
		return recordsPage(records, owners, next, prev)
	}),
	"leaderboard_record_delete": forward(func(st *callState, a struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
	}) (any, error) {
		return nil, st.nk.LeaderboardRecordDelete(st.ctx, a.ID, a.OwnerID)
	}),
	"leaderboard_records_haystack": forward(func(st *callState, a struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
		Limit   int    `json:"limit"`
		Cursor  string `json:"cursor"`
		Expiry  int64  `json:"expiry"`
	}) (any, error) {
		return protoJSON(st.nk.LeaderboardRecordsHaystack(st.ctx, a.ID, a.OwnerID, a.Limit, a.Cursor, a.Expiry))
	}),
	"leaderboards_get_id": forward(func(st *callState, a struct {
		IDs []string `json:"ids"`
	}) (any, error) {
		return protoList(st.nk.LeaderboardsGetId(st.ctx, a.IDs))
	}),
	"match_create": forward(func(st *callState, a struct {
		Module string          `json:"module"`
		Params json.RawMessage `json:"params"`
	}) (any, error) {
		params, err := matchParams(a.Params)
		if err != nil {
			return nil, err
		}
		// A Rust handler's failed init leaves its error here (match.go).
		failed := &matchInitError{}
		id, err := st.nk.MatchCreate(context.WithValue(st.ctx, matchInitKey{}, failed), a.Module, params)
		if err != nil && failed.code != 0 {
			return nil, runtime.NewError("error creating match: "+failed.message, failed.code)
		}
		return id, err
	}),
	"match_get": forward(func(st *callState, a struct {
		ID string `json:"id"`
	}) (any, error) {
		m, err := st.nk.MatchGet(st.ctx, a.ID)
		if err != nil || m == nil {
			return json.RawMessage("null"), err
		}
		return protoJSON(m, nil)
	}),
	"match_list": forward(func(st *callState, a struct {
		Limit         int    `json:"limit"`
		Authoritative bool   `json:"authoritative"`
		Label         string `json:"label"`
		MinSize       *int   `json:"min_size"`
		MaxSize       *int   `json:"max_size"`
		Query         string `json:"query"`
	}) (any, error) {
		return protoList(st.nk.MatchList(st.ctx, a.Limit, a.Authoritative, a.Label, a.MinSize, a.MaxSize, a.Query))
	}),
	"match_signal": forward(func(st *callState, a struct {
		ID   string `json:"id"`
		Data string `json:"data"`
	}) (any, error) {
		return st.nk.MatchSignal(st.ctx, a.ID, a.Data)
	}),
	"event": forward(publishEvent),
	"status_follow": forward(func(st *callState, a statusFollowArgs) (any, error) {
		return nil, st.nk.StatusFollow(a.SessionID, a.UserIDs)
	}),
	"status_unfollow": forward(func(st *callState, a statusFollowArgs) (any, error) {
		return nil, st.nk.StatusUnfollow(a.SessionID, a.UserIDs)
	}),
	"channel_id_build": forward(func(st *callState, a struct {
		SenderID    string `json:"sender_id"`
		Target      string `json:"target"`
		ChannelType string `json:"channel_type"`
	}) (any, error) {
		kind, err := channelType(a.ChannelType)
		if err != nil {
			return nil, err
		}
		return st.nk.ChannelIdBuild(st.ctx, a.SenderID, a.Target, kind)
	}),
	"channel_message_send": forward(func(st *callState, a channelMessageArgs) (any, error) {
		return protoJSON(st.nk.ChannelMessageSend(st.ctx, a.ChannelID, a.Content, a.SenderID, a.SenderUsername,
			a.Persist))
	}),
	"channel_message_update": forward(func(st *callState, a channelMessageArgs) (any, error) {
		return protoJSON(st.nk.ChannelMessageUpdate(st.ctx, a.ChannelID, a.MessageID, a.Content, a.SenderID,
			a.SenderUsername, a.Persist))
	}),
	"channel_message_remove": forward(func(st *callState, a channelMessageArgs) (any, error) {
		return protoJSON(st.nk.ChannelMessageRemove(st.ctx, a.ChannelID, a.MessageID, a.SenderID, a.SenderUsername,
			a.Persist))
	}),
	"channel_messages_list": forward(func(st *callState, a struct {
		ChannelID string `json:"channel_id"`
		Limit     int    `json:"limit"`
		Forward   bool   `json:"forward"`
		Cursor    string `json:"cursor"`
	}) (any, error) {
		messages, next, prev, err := st.nk.ChannelMessagesList(st.ctx, a.ChannelID, a.Limit, a.Forward, a.Cursor)
		if err != nil {
			return nil, err
		}
		list, err := protoList(messages, nil)
		return struct {
			Messages   json.RawMessage `json:"messages"`
			NextCursor string          `json:"next_cursor"`
			PrevCursor string          `json:"prev_cursor"`
		}{list, next, prev}, err
	}),
	"group_create": forward(func(st *callState, a groupArgs) (any, error) {
		return protoJSON(st.nk.GroupCreate(st.ctx, a.UserID, a.Name, a.CreatorID, a.LangTag, a.Description,
			a.AvatarURL, a.Open, a.Metadata, a.MaxCount))
	}),
	"group_update": forward(func(st *callState, a groupArgs) (any, error) {
		return nil, st.nk.GroupUpdate(st.ctx, a.GroupID, a.UserID, a.Name, a.CreatorID, a.LangTag, a.Description,
			a.AvatarURL, a.Open, a.Metadata, a.MaxCount)
	}),
	"group_delete": forward(func(st *callState, a groupArgs) (any, error) {
		return nil, st.nk.GroupDelete(st.ctx, a.GroupID)
	}),
	"groups_get_id": forward(func(st *callState, a struct {
		GroupIDs []string `json:"group_ids"`
	}) (any, error) {
		return protoList(st.nk.GroupsGetId(st.ctx, a.GroupIDs))
	}),
	"groups_list": forward(func(st *callState, a struct {
		Name    string `json:"name"`
		LangTag string `json:"lang_tag"`
		Members *int   `json:"members"`
		Open    *bool  `json:"open"`
		Limit   int    `json:"limit"`
		Cursor  string `json:"cursor"`
	}) (any, error) {
		groups, cursor, err := st.nk.GroupsList(st.ctx, a.Name, a.LangTag, a.Members, a.Open, a.Limit, a.Cursor)
		return protoJSON(&api.GroupList{Groups: groups, Cursor: cursor}, err)
	}),
	"groups_get_random": forward(func(st *callState, a struct {
		Count int `json:"count"`
	}) (any, error) {
		return protoList(st.nk.GroupsGetRandom(st.ctx, a.Count))
	}),
	"group_users_list": forward(func(st *callState, a membershipListArgs) (any, error) {
		users, cursor, err := st.nk.GroupUsersList(st.ctx, a.GroupID, a.Limit, a.State, a.Cursor)
		return protoJSON(&api.GroupUserList{GroupUsers: users, Cursor: cursor}, err)
	}),
	"user_groups_list": forward(func(st *callState, a membershipListArgs) (any, error) {
		groups, cursor, err := st.nk.UserGroupsList(st.ctx, a.UserID, a.Limit, a.State, a.Cursor)
		return protoJSON(&api.UserGroupList{UserGroups: groups, Cursor: cursor}, err)
	}),
	"group_users_add": forward(func(st *callState, a groupUsersArgs) (any, error) {
		return nil, st.nk.GroupUsersAdd(st.ctx, a.CallerID, a.GroupID, a.UserIDs)
	}),
	"group_users_kick": forward(func(st *callState, a groupUsersArgs) (any, error) {
		return nil, st.nk.GroupUsersKick(st.ctx, a.CallerID, a.GroupID, a.UserIDs)
	}),
	"group_users_ban": forward(func(st *callState, a groupUsersArgs) (any, error) {
		return nil, st.nk.GroupUsersBan(st.ctx, a.CallerID, a.GroupID, a.UserIDs)
	}),
	"group_users_promote": forward(func(st *callState, a groupUsersArgs) (any, error) {
		return nil, st.nk.GroupUsersPromote(st.ctx, a.CallerID, a.GroupID, a.UserIDs)
	}),
	"group_users_demote": forward(func(st *callState, a groupUsersArgs) (any, error) {
		return nil, st.nk.GroupUsersDemote(st.ctx, a.CallerID, a.GroupID, a.UserIDs)
	}),
	"group_user_join": forward(func(st *callState, a groupArgs) (any, error) {
		return nil, st.nk.GroupUserJoin(st.ctx, a.GroupID, a.UserID, a.Username)
	}),
	"group_user_leave": forward(func(st *callState, a groupArgs) (any, error) {
		return nil, st.nk.GroupUserLeave(st.ctx, a.GroupID, a.UserID, a.Username)
	}),
	"notification_list": forward(func(st *callState, a pageArgs) (any, error) {
		ns, cursor, err := st.nk.NotificationsList(st.ctx, a.UserID, a.Limit, a.Cursor)
		if err != nil {
			return nil, err
		}
		list, err := protoList(ns, nil)
		return struct {
			Notifications json.RawMessage `json:"notifications"`
			Cursor        string          `json:"cursor"`
		}{list, cursor}, err
	}),
}

// matchParams decodes match_create's params for Nakama, which passes them
// through gob: integers become int64 (exact, and one of the types gob
// knows without registration), other numbers float64.
func matchParams(raw json.RawMessage) (map[string]interface{}, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var params map[string]interface{}
	if err := d.Decode(&params); err != nil {
		return nil, badArgs{fmt.Errorf("params: %w", err)}
	}
	for k, v := range params {
		params[k] = plainNumbers(v)
	}
	return params, nil
}

// plainNumbers replaces the json.Numbers in v.
func plainNumbers(v interface{}) interface{} {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	case map[string]interface{}:
		for k, e := range v {
			v[k] = plainNumbers(e)
		}
	case []interface{}:
		for i, e := range v {
			v[i] = plainNumbers(e)
		}
	}
	return v
}

func orDefault(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// operatorNumber maps the ABI's operator names to nakama-common's
// api.Operator numbers (nil: the leaderboard's own operator).
func operatorNumber(name *string) (*int, error) {
	if name == nil {
		return nil, nil
	}
	n, ok := map[string]int{"best": 1, "set": 2, "incr": 3, "decr": 4}[*name]
	if !ok {
		return nil, badArgs{fmt.Errorf("unknown operator %q", *name)}
	}
	return &n, nil
}

// channelType maps the ABI's channel type names to runtime.ChannelType
// (absent: a room, the Rust side's default).
func channelType(name string) (runtime.ChannelType, error) {
	switch name {
	case "", "room":
		return runtime.Room, nil
	case "direct":
		return runtime.DirectMessage, nil
	case "group":
		return runtime.Group, nil
	}
	return 0, badArgs{fmt.Errorf("unknown channel type %q", name)}
}

// badArgs marks an argument decoding failure (INVALID_ARGUMENT).
type badArgs struct{ err error }

func (e badArgs) Error() string { return e.err.Error() }

func decode(args string, v any) error {
	if err := json.Unmarshal([]byte(args), v); err != nil {
		return badArgs{err}
	}
	return nil
}

// protoJSON encodes one api message (gateway style).
func protoJSON[T proto.Message](m T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	data, err := marshalOpts.Marshal(m)
	return json.RawMessage(data), err
}

// protoList encodes api messages as a JSON array.
func protoList[T proto.Message](ms []T, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 64*len(ms)+2)
	b = append(b, '[')
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		data, err := marshalOpts.Marshal(m)
		if err != nil {
			return nil, err
		}
		b = append(b, data...)
	}
	return append(b, ']'), nil
}

// nkCall runs nk function `name`; answers (0, JSON) or (gRPC code,
// message). Storage answers are encoded into buf (nil: a new buffer).
func nkCall(st *callState, name string, args string, buf *answerBuf) (int, []byte) {
	f, ok := nkFunctions[name]
	if !ok {
		return 12, []byte(fmt.Sprintf("nk function %s is not implemented by the Nakama bridge %s", name, Version))
	}
	out, err := f(st, args, buf)
	if err != nil {
		code, msg := nkError(name, err)
		return code, []byte(msg)
	}
	if raw, ok := out.(json.RawMessage); ok {
		return 0, raw
	}
	data, err := json.Marshal(out)
	if err != nil {
		return 13, []byte(fmt.Sprintf("nk function %s: result could not be encoded: %v", name, err))
	}
	return 0, data
}

// nkError maps an error of Nakama's nk functions to a gRPC code: storage
// version/permission rejections, negative wallets, malformed ids, bad
// arguments (Nakama's "expects ..." checks and the few worded otherwise),
// unknown operators, bad leaderboard cursors, bad match ids, params and
// queries, bad channel ids, targets, types, cursors and message ids, and
// ids that are not UUIDs ("uuid: ...") are INVALID_ARGUMENT, and so are
// full groups, a last superadmin's leaving, bad group cursors, group ids
// and root users; a group name in use is ALREADY_EXISTS, a group
// permission refused PERMISSION_DENIED; a missing group (or one not
// updated: none by that id),
// account, user, leaderboard, match, match handler or (stored) channel
// message NOT_FOUND, a busy match (or one created during
// shutdown) UNAVAILABLE (as the dev host answers them:
// server/src/nk/checks.rs, server/src/matches.rs), a runtime.Error or a gRPC status error keeps
// its code, anything else is INTERNAL.
func nkError(name string, err error) (int, string) {
	msg := err.Error()
	var bad badArgs
	var re *runtime.Error
	var neg *runtime.WalletNegativeError
	if code, ok := fleetError(name, err); ok {
		return code, msg
	}
	if code, ok := tournamentError(err); ok {
		return code, msg
	}
	if code, ok := miscError(err); ok {
		return code, msg
	}
	if code, ok := purchaseError(err); ok {
		return code, msg
	}
	if code, ok := socialError(err); ok {
		return code, msg
	}
	if code, ok := satoriError(name, err); ok {
		return code, msg
	}
	if code, ok := accountError(name, err); ok {
		return code, msg
	}
	switch {
	case errors.As(err, &bad):
		return 3, fmt.Sprintf("%s: bad arguments: %s", name, msg)
	case errors.Is(err, runtime.ErrStorageRejectedVersion), errors.Is(err, runtime.ErrStorageRejectedPermission),
		strings.HasPrefix(msg, "Storage write rejected"), strings.HasPrefix(msg, "Storage delete rejected"),
		errors.As(err, &neg), msg == "invalid user id", strings.HasPrefix(msg, "expects "),
		msg == "invalid operator", msg == "leaderboard cursor invalid", msg == "limit must be 1-100",
		strings.HasPrefix(msg, "expiry should be time since epoch"), msg == "value must be a JSON-encoded object",
		msg == "each user id must be a valid id string", msg == "each username must be a string",
		msg == "limit must not be negative",
		msg == "limit must be 1-10000", msg == "invalid cursor", strings.HasPrefix(msg, "invalid cursor: "),
		friendRefusal(msg):
		return 3, msg
	case msg == "account not found", msg == "leaderboard not found", msg == "user not found",
		strings.HasPrefix(msg, "index ") && strings.HasSuffix(msg, " not found"),
		errors.Is(err, runtime.ErrMatchNotFound), msg == "error creating match: not found",
		msg == "channel message not found":
		return 5, msg
	case errors.Is(err, runtime.ErrChannelIDInvalid), errors.Is(err, runtime.ErrChannelCursorInvalid),
		errors.Is(err, runtime.ErrInvalidChannelTarget), errors.Is(err, runtime.ErrInvalidChannelType),
		msg == "Invalid message identifier", strings.HasPrefix(msg, "uuid: "):
		return 3, msg
	case errors.Is(err, runtime.ErrMatchIdInvalid), errors.Is(err, runtime.ErrCannotEncodeParams),
		errors.Is(err, runtime.ErrCannotDecodeParams), errors.Is(err, runtime.ErrMatchLabelTooLong),
		strings.HasPrefix(msg, "error parsing query string"):
		return 3, msg
	case errors.Is(err, runtime.ErrGroupNameInUse):
		return 6, msg
	case errors.Is(err, runtime.ErrGroupPermissionDenied):
		return 7, msg
	case errors.Is(err, runtime.ErrGroupNotFound), errors.Is(err, runtime.ErrGroupNotUpdated):
		return 5, msg
	case errors.Is(err, runtime.ErrGroupFull), errors.Is(err, runtime.ErrGroupLastSuperadmin),
		errors.Is(err, runtime.ErrGroupNoUpdateOps), errors.Is(err, runtime.ErrGroupUserInvalidCursor),
		errors.Is(err, runtime.ErrUserGroupInvalidCursor), errors.Is(err, runtime.ErrGroupCreatorInvalid),
		msg == "each group id must be a valid id string", msg == "name filter cannot be combined with any other filter",
		msg == "count must be 0-1000", strings.HasPrefix(msg, "cannot ") && strings.HasSuffix(msg, " the root user"):
		return 3, msg
	case errors.Is(err, runtime.ErrMatchBusy), msg == "error creating match: shutdown in progress":
		return 14, msg
	case errors.As(err, &re):
		if re.Code <= 0 || re.Code >= 17 {
			return 13, re.Message
		}
		return re.Code, re.Message
	}
	if code, message, ok := grpcStatus(err); ok && code > 0 && code < 17 {
		return code, message
	}
	return 13, msg
}

// grpcStatus reads the code and message of a gRPC status error (Nakama's
// core answers those, e.g. UNAUTHENTICATED for a wrong password) through
// its GRPCStatus method, by reflection: importing grpc would make it one
// more package whose build must match Nakama's exactly.
func grpcStatus(err error) (code int, message string, ok bool) {
	m := reflect.ValueOf(err).MethodByName("GRPCStatus")
	if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
		return 0, "", false
	}
	st := m.Call(nil)[0]
	if st.Kind() == reflect.Pointer && st.IsNil() {
		return 0, "", false
	}
	codeFn, msgFn := st.MethodByName("Code"), st.MethodByName("Message")
	if !codeFn.IsValid() || !msgFn.IsValid() || codeFn.Type().NumIn() != 0 || msgFn.Type().NumIn() != 0 {
		return 0, "", false
	}
	c, msgV := codeFn.Call(nil)[0], msgFn.Call(nil)[0]
	if c.Kind() != reflect.Uint32 || msgV.Kind() != reflect.String {
		return 0, "", false
	}
	return int(c.Uint()), msgV.String(), true
}

// statusFollowArgs are the arguments of status_follow and status_unfollow.
type statusFollowArgs struct {
	SessionID string   `json:"session_id"`
	UserIDs   []string `json:"user_ids"`
}
