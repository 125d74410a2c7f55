package main

// The leaderboard scheduler's callbacks (ABI 1.7): a Rust module's
// tournament end, tournament reset and leaderboard reset callbacks are
// registered with Nakama's RegisterTournamentEnd, RegisterTournamentReset
// and RegisterLeaderboardReset. Nakama's scheduler calls them when the
// deadlines pass; the tournament or leaderboard crosses as proto JSON in
// the ABI's TournamentCall / LeaderboardCall (abi/src/scheduler.rs).

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/proto"
)

// tournamentCallback is what RegisterTournamentEnd and
// RegisterTournamentReset take for Rust callback h.
func tournamentCallback(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, *api.Tournament, int64, int64) error {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, tournament *api.Tournament, end, reset int64) (err error) {
		return scheduledCall(h, call, ctx, logger, nk, "tournament", tournament, fmt.Sprintf(`,"end":%d,"reset":%d}`, end, reset))
	}
}

// leaderboardCallback is what RegisterLeaderboardReset takes for Rust
// callback h.
func leaderboardCallback(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, *api.Leaderboard, int64) error {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, leaderboard *api.Leaderboard, reset int64) (err error) {
		return scheduledCall(h, call, ctx, logger, nk, "leaderboard", leaderboard, fmt.Sprintf(`,"reset":%d}`, reset))
	}
}

// scheduledCall calls h with {"<field>":<msg as proto JSON><rest>. Its
// error goes back to Nakama, which logs it ("Failed to invoke tournament
// end callback"); so does a Go panic in the bridge, as an error, on
// Nakama's scheduler goroutine where a panic would stop the server.
func scheduledCall(h *handler, call matchCaller, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, field string, msg proto.Message, rest string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = runtime.NewError(fmt.Sprintf("the Rust bridge panicked in the %s callback: %v", field, r), 13)
		}
	}()
	encoded, err := marshalOpts.Marshal(msg)
	if err != nil {
		return runtime.NewError(fmt.Sprintf("the %s could not be encoded: %v", field, err), 13)
	}
	out, code := call(h, ctx, logger, nk, `{"`+field+`":`+string(encoded)+rest)
	if code != 0 {
		return callError(out, code)
	}
	return nil
}
