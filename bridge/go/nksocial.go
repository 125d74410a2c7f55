package main

import (
	"context"
	"strings"

	"github.com/heroiclabs/nakama-common/runtime"
)

// The social login nk functions (abi/src/nk/social.rs), forwarded to
// Nakama's AuthenticateApple, AuthenticateFacebook,
// AuthenticateFacebookInstantGame, AuthenticateGameCenter,
// AuthenticateGoogle, AuthenticateSteam and their Link and Unlink
// functions; registered into nkFunctions at start.

// authTokenArgs are the arguments of authenticate_apple, _google, _steam.
type authTokenArgs struct {
	Token    string `json:"token"`
	Username string `json:"username"`
	Create   bool   `json:"create"`
}

// linkTokenArgs are the arguments of the token link and unlink functions.
type linkTokenArgs struct {
	UserID string `json:"user_id"`
	Token  string `json:"token"`
}

// linkFriendsArgs are the arguments of link_facebook and link_steam.
type linkFriendsArgs struct {
	UserID        string `json:"user_id"`
	Username      string `json:"username"`
	Token         string `json:"token"`
	ImportFriends bool   `json:"import_friends"`
}

// gameCenterArgs are Game Center's six fields (and, for link and unlink,
// the user id).
type gameCenterArgs struct {
	UserID       string `json:"user_id"`
	PlayerID     string `json:"player_id"`
	BundleID     string `json:"bundle_id"`
	Timestamp    int64  `json:"timestamp"`
	Salt         string `json:"salt"`
	Signature    string `json:"signature"`
	PublicKeyURL string `json:"public_key_url"`
	Username     string `json:"username"`
	Create       bool   `json:"create"`
}

type authTokenFunc func(runtime.NakamaModule, context.Context, string, string, bool) (string, string, bool, error)

func authTokenForward(f authTokenFunc) nkFunc {
	return forward(func(st *callState, a authTokenArgs) (any, error) {
		id, name, created, err := f(st.nk, st.ctx, a.Token, a.Username, a.Create)
		return authResult{id, name, created}, err
	})
}

func linkTokenForward(f func(runtime.NakamaModule, context.Context, string, string) error) nkFunc {
	return forward(func(st *callState, a linkTokenArgs) (any, error) {
		return nil, f(st.nk, st.ctx, a.UserID, a.Token)
	})
}

func linkFriendsForward(f func(runtime.NakamaModule, context.Context, string, string, string, bool) error) nkFunc {
	return forward(func(st *callState, a linkFriendsArgs) (any, error) {
		return nil, f(st.nk, st.ctx, a.UserID, a.Username, a.Token, a.ImportFriends)
	})
}

type gameCenterFunc func(runtime.NakamaModule, context.Context, string, string, string, int64, string, string, string) error

func gameCenterForward(f gameCenterFunc) nkFunc {
	return forward(func(st *callState, a gameCenterArgs) (any, error) {
		return nil, f(st.nk, st.ctx, a.UserID, a.PlayerID, a.BundleID, a.Timestamp, a.Salt, a.Signature, a.PublicKeyURL)
	})
}

var socialFunctions = map[string]nkFunc{
	"authenticate_apple":  authTokenForward(runtime.NakamaModule.AuthenticateApple),
	"authenticate_google": authTokenForward(runtime.NakamaModule.AuthenticateGoogle),
	"authenticate_steam":  authTokenForward(runtime.NakamaModule.AuthenticateSteam),
	"authenticate_facebook": forward(func(st *callState, a struct {
		Token         string `json:"token"`
		ImportFriends bool   `json:"import_friends"`
		Username      string `json:"username"`
		Create        bool   `json:"create"`
	}) (any, error) {
		id, name, created, err := st.nk.AuthenticateFacebook(st.ctx, a.Token, a.ImportFriends, a.Username, a.Create)
		return authResult{id, name, created}, err
	}),
	"authenticate_facebook_instant_game": forward(func(st *callState, a struct {
		SignedPlayerInfo string `json:"signed_player_info"`
		Username         string `json:"username"`
		Create           bool   `json:"create"`
	}) (any, error) {
		id, name, created, err := st.nk.AuthenticateFacebookInstantGame(st.ctx, a.SignedPlayerInfo, a.Username, a.Create)
		return authResult{id, name, created}, err
	}),
	"authenticate_game_center": forward(func(st *callState, a gameCenterArgs) (any, error) {
		id, name, created, err := st.nk.AuthenticateGameCenter(st.ctx, a.PlayerID, a.BundleID, a.Timestamp, a.Salt,
			a.Signature, a.PublicKeyURL, a.Username, a.Create)
		return authResult{id, name, created}, err
	}),
	"link_apple":                   linkTokenForward(runtime.NakamaModule.LinkApple),
	"link_facebook":                linkFriendsForward(runtime.NakamaModule.LinkFacebook),
	"link_facebook_instant_game":   linkTokenForward(runtime.NakamaModule.LinkFacebookInstantGame),
	"link_game_center":             gameCenterForward(runtime.NakamaModule.LinkGameCenter),
	"link_google":                  linkTokenForward(runtime.NakamaModule.LinkGoogle),
	"link_steam":                   linkFriendsForward(runtime.NakamaModule.LinkSteam),
	"unlink_apple":                 linkTokenForward(runtime.NakamaModule.UnlinkApple),
	"unlink_facebook":              linkTokenForward(runtime.NakamaModule.UnlinkFacebook),
	"unlink_facebook_instant_game": linkTokenForward(runtime.NakamaModule.UnlinkFacebookInstantGame),
	"unlink_game_center":           gameCenterForward(runtime.NakamaModule.UnlinkGameCenter),
	"unlink_google":                linkTokenForward(runtime.NakamaModule.UnlinkGoogle),
	"unlink_steam":                 linkTokenForward(runtime.NakamaModule.UnlinkSteam),
}

func init() {
	for name, f := range socialFunctions {
		nkFunctions[name] = f
	}
}

// socialError gives the module's plain "... authentication is not
// configured" errors (Apple, Steam) the code the dev host answers them
// with (server/src/nk/social.rs): FAILED_PRECONDITION, as the core's
// status errors for the same thing have it.
func socialError(err error) (int, bool) {
	if strings.HasSuffix(err.Error(), " authentication is not configured") {
		return 9, true
	}
	return 0, false
}
