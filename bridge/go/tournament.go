package main

import (
	"encoding/json"
	"errors"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
)

// The tournament nk functions, forwarded to Nakama's (added to
// nkFunctions at start-up, so they live apart from the other functions).
func init() {
	for name, f := range tournamentFunctions {
		nkFunctions[name] = f
	}
}

// tournamentRecordWriteArgs: a null (or absent) metadata stays a nil map
// (Nakama then stores {}); a null operator stays nil (the tournament's
// own operator).
type tournamentRecordWriteArgs = leaderboardRecordWriteArgs

type tournamentIDArgs struct {
	ID string `json:"id"`
}

type tournamentOwnerArgs struct {
	ID      string `json:"id"`
	OwnerID string `json:"owner_id"`
}

var tournamentFunctions = map[string]nkFunc{
	"tournament_create": forward(func(st *callState, a struct {
		ID            string                 `json:"id"`
		Authoritative bool                   `json:"authoritative"`
		SortOrder     string                 `json:"sort_order"`
		Operator      string                 `json:"operator"`
		ResetSchedule string                 `json:"reset_schedule"`
		Metadata      map[string]interface{} `json:"metadata"`
		Title         string                 `json:"title"`
		Description   string                 `json:"description"`
		Category      int                    `json:"category"`
		StartTime     int                    `json:"start_time"`
		EndTime       int                    `json:"end_time"`
		Duration      int                    `json:"duration"`
		MaxSize       int                    `json:"max_size"`
		MaxNumScore   int                    `json:"max_num_score"`
		JoinRequired  bool                   `json:"join_required"`
		EnableRanks   *bool                  `json:"enable_ranks"`
	}) (any, error) {
		enableRanks := a.EnableRanks == nil || *a.EnableRanks
		return nil, st.nk.TournamentCreate(st.ctx, a.ID, a.Authoritative, orDefault(a.SortOrder, "desc"),
			orDefault(a.Operator, "best"), a.ResetSchedule, a.Metadata, a.Title, a.Description, a.Category,
			a.StartTime, a.EndTime, a.Duration, a.MaxSize, a.MaxNumScore, a.JoinRequired, enableRanks)
	}),
	"tournament_delete": forward(func(st *callState, a tournamentIDArgs) (any, error) {
		return nil, st.nk.TournamentDelete(st.ctx, a.ID)
	}),
	"tournament_add_attempt": forward(func(st *callState, a struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
		Count   int    `json:"count"`
	}) (any, error) {
		return nil, st.nk.TournamentAddAttempt(st.ctx, a.ID, a.OwnerID, a.Count)
	}),
	"tournament_join": forward(func(st *callState, a struct {
		ID       string `json:"id"`
		OwnerID  string `json:"owner_id"`
		Username string `json:"username"`
	}) (any, error) {
		return nil, st.nk.TournamentJoin(st.ctx, a.ID, a.OwnerID, a.Username)
	}),
	"tournaments_get_id": forward(func(st *callState, a struct {
		IDs []string `json:"ids"`
	}) (any, error) {
		return protoList(st.nk.TournamentsGetId(st.ctx, a.IDs))
	}),
	"tournament_list": forward(func(st *callState, a struct {
		CategoryStart int    `json:"category_start"`
		CategoryEnd   int    `json:"category_end"`
		StartTime     int    `json:"start_time"`
		EndTime       int    `json:"end_time"`
		Limit         int    `json:"limit"`
		Cursor        string `json:"cursor"`
	}) (any, error) {
		return protoJSON(st.nk.TournamentList(st.ctx, a.CategoryStart, a.CategoryEnd, a.StartTime, a.EndTime,
			a.Limit, a.Cursor))
	}),
	"tournament_records_list": forward(func(st *callState, a struct {
		ID       string   `json:"id"`
		OwnerIDs []string `json:"owner_ids"`
		Limit    int      `json:"limit"`
		Cursor   string   `json:"cursor"`
		Expiry   int64    `json:"expiry"`
	}) (any, error) {
		// Nakama answers the previous cursor before the next one here.
		records, owners, prev, next, err := st.nk.TournamentRecordsList(st.ctx, a.ID, a.OwnerIDs, a.Limit, a.Cursor,
			a.Expiry)
		if err != nil {
			return nil, err
		}
		return recordsPage(records, owners, next, prev)
	}),
	"tournament_record_write": forward(func(st *callState, a tournamentRecordWriteArgs) (any, error) {
		operator, err := operatorNumber(a.Operator)
		if err != nil {
			return nil, err
		}
		return protoJSON(st.nk.TournamentRecordWrite(st.ctx, a.ID, a.OwnerID, a.Username, a.Score, a.Subscore,
			a.Metadata, operator))
	}),
	"tournament_record_delete": forward(func(st *callState, a tournamentOwnerArgs) (any, error) {
		return nil, st.nk.TournamentRecordDelete(st.ctx, a.ID, a.OwnerID)
	}),
	"tournament_records_haystack": forward(func(st *callState, a struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
		Limit   int    `json:"limit"`
		Cursor  string `json:"cursor"`
		Expiry  int64  `json:"expiry"`
	}) (any, error) {
		return protoJSON(st.nk.TournamentRecordsHaystack(st.ctx, a.ID, a.OwnerID, a.Limit, a.Cursor, a.Expiry))
	}),
}

// tournamentArgumentMessages are Nakama's tournament argument refusals not
// worded "expects ..." (INVALID_ARGUMENT, as on the dev host:
// server/src/nk/tournament.rs, server/src/db/tournament.rs).
var tournamentArgumentMessages = map[string]bool{
	"category must be 0-127":            true,
	"startTime must be >= 0":            true,
	"endTime must be >= 0":              true,
	"endTime must be >= startTime":      true,
	"duration must be > 0":              true,
	"maxSize must be >= 0":              true,
	"maxNumScore must be >= 0":          true,
	"categoryStart must be 0-127":       true,
	"categoryEnd must be 0-127":         true,
	"startTime must be >= -1":           true,
	"endTime must be >= -1":             true,
	"One or more ownerIDs are invalid.": true,
	"tournament end time cannot be before first reset schedule - either increase end time or change/disable reset schedule": true,
}

// tournamentError maps Nakama's tournament errors to the dev host's codes:
// a missing tournament NOT_FOUND, a client on an authoritative one
// PERMISSION_DENIED, a full or inactive tournament, too many scores or a
// write before joining FAILED_PRECONDITION, a tournament id a leaderboard
// has ALREADY_EXISTS, argument refusals INVALID_ARGUMENT.
func tournamentError(err error) (int, bool) {
	switch {
	case errors.Is(err, runtime.ErrTournamentNotFound):
		return 5, true
	case errors.Is(err, runtime.ErrTournamentAuthoritative):
		return 7, true
	case errors.Is(err, runtime.ErrTournamentMaxSizeReached), errors.Is(err, runtime.ErrTournamentOutsideDuration),
		errors.Is(err, runtime.ErrTournamentWriteMaxNumScoreReached),
		errors.Is(err, runtime.ErrTournamentWriteJoinRequired):
		return 9, true
	case err.Error() == "cannot create tournament as leaderboard is already in use":
		return 6, true
	case tournamentArgumentMessages[err.Error()]:
		return 3, true
	}
	return 0, false
}

// recordsPage is the answer of leaderboard_records_list and
// tournament_records_list (the ABI's LeaderboardRecordsPage).
func recordsPage(records, owners []*api.LeaderboardRecord, next, prev string) (any, error) {
	list, err := protoList(records, nil)
	if err != nil {
		return nil, err
	}
	ownerList, err := protoList(owners, nil)
	return struct {
		Records      json.RawMessage `json:"records"`
		OwnerRecords json.RawMessage `json:"owner_records"`
		NextCursor   string          `json:"next_cursor"`
		PrevCursor   string          `json:"prev_cursor"`
	}{list, ownerList, next, prev}, err
}
