package main

import (
	"encoding/json"
	"strings"
)

// The friends nk functions (abi/src/nk/friends.rs), forwarded to Nakama's
// FriendsList, FriendsOfFriendsList, FriendsAdd, FriendsDelete,
// FriendsBlock and FriendMetadataUpdate; registered into nkFunctions at
// start.

// friendsChangeArgs are the arguments of friends_delete and friends_block.
type friendsChangeArgs struct {
	UserID    string   `json:"user_id"`
	Username  string   `json:"username"`
	IDs       []string `json:"ids"`
	Usernames []string `json:"usernames"`
}

var friendFunctions = map[string]nkFunc{
	"friends_list": forward(func(st *callState, a struct {
		UserID string `json:"user_id"`
		Limit  int    `json:"limit"`
		State  *int   `json:"state"`
		Cursor string `json:"cursor"`
	}) (any, error) {
		friends, cursor, err := st.nk.FriendsList(st.ctx, a.UserID, a.Limit, a.State, a.Cursor)
		if err != nil {
			return nil, err
		}
		list, err := protoList(friends, nil)
		return struct {
			Friends json.RawMessage `json:"friends"`
			Cursor  string          `json:"cursor"`
		}{list, cursor}, err
	}),
	"friends_of_friends_list": forward(func(st *callState, a struct {
		UserID string `json:"user_id"`
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}) (any, error) {
		found, cursor, err := st.nk.FriendsOfFriendsList(st.ctx, a.UserID, a.Limit, a.Cursor)
		if err != nil {
			return nil, err
		}
		list, err := protoList(found, nil)
		return struct {
			FriendsOfFriends json.RawMessage `json:"friends_of_friends"`
			Cursor           string          `json:"cursor"`
		}{list, cursor}, err
	}),
	"friends_add": forward(func(st *callState, a struct {
		friendsChangeArgs
		Metadata map[string]any `json:"metadata"`
	}) (any, error) {
		return nil, st.nk.FriendsAdd(st.ctx, a.UserID, a.Username, a.IDs, a.Usernames, a.Metadata)
	}),
	"friends_delete": forward(func(st *callState, a friendsChangeArgs) (any, error) {
		return nil, st.nk.FriendsDelete(st.ctx, a.UserID, a.Username, a.IDs, a.Usernames)
	}),
	"friends_block": forward(func(st *callState, a friendsChangeArgs) (any, error) {
		return nil, st.nk.FriendsBlock(st.ctx, a.UserID, a.Username, a.IDs, a.Usernames)
	}),
	"friend_metadata_update": forward(func(st *callState, a struct {
		UserID       string         `json:"user_id"`
		FriendUserID string         `json:"friend_user_id"`
		Metadata     map[string]any `json:"metadata"`
	}) (any, error) {
		return nil, st.nk.FriendMetadataUpdate(st.ctx, a.UserID, a.FriendUserID, a.Metadata)
	}),
}

func init() {
	for name, f := range friendFunctions {
		nkFunctions[name] = f
	}
}

// friendRefusal tells Nakama's argument refusals of the friends functions
// (INVALID_ARGUMENT, as the dev host answers them: server/src/nk/friends.rs)
// from their other errors ("expects ..." ones are told apart in nkError).
func friendRefusal(msg string) bool {
	switch msg {
	case "cannot add self as friend", "cannot delete self", "cannot block self",
		"username to add must not be empty", "username to delete must not be empty",
		"username to block must not be empty", "no valid ID or username was provided",
		"friend cursor invalid":
		return true
	}
	return strings.HasPrefix(msg, "invalid user ID '")
}
