package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
)

// A tournament callback gets {"tournament", "end", "reset"} with the
// tournament as proto JSON; a leaderboard one {"leaderboard", "reset"}.
// The module's error, and a panic in the bridge, come back as errors.
func TestSchedulerCallbacksGetTheirCallAndAnswerErrors(t *testing.T) {
	var got string
	answer, code := "", 0
	call := func(h *handler, ctx context.Context, l runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
		got = input
		return answer, code
	}
	end := tournamentCallback(&handler{kind: kindTournamentEnd}, call)
	tournament := &api.Tournament{Id: "cup", EndActive: 100, NextReset: 200, Operator: api.Operator_INCREMENT}
	if err := end(context.Background(), newTestLogger(), nil, nil, tournament, 100, 200); err != nil {
		t.Fatal(err)
	}
	var call1 struct {
		Tournament map[string]interface{} `json:"tournament"`
		End, Reset int64
	}
	if err := json.Unmarshal([]byte(got), &call1); err != nil || call1.End != 100 || call1.Reset != 200 ||
		call1.Tournament["id"] != "cup" || call1.Tournament["end_active"] != 100.0 || call1.Tournament["operator"] != 3.0 {
		t.Errorf("input %s (%v)", got, err)
	}

	reset := leaderboardCallback(&handler{kind: kindLeaderboardReset}, call)
	answer, code = "no luck", 9
	err := reset(context.Background(), newTestLogger(), nil, nil, &api.Leaderboard{Id: "weekly"}, 300)
	if c, msg := codeOf(err); c != 9 || msg != "no luck" {
		t.Errorf("error %v", err)
	}
	if got != `{"leaderboard":{"id":"weekly"},"reset":300}` {
		t.Errorf("input %s", got)
	}

	panicky := leaderboardCallback(&handler{}, func(*handler, context.Context, runtime.Logger, runtime.NakamaModule, string) (string, int) {
		panic("boom")
	})
	if c, _ := codeOf(panicky(context.Background(), newTestLogger(), nil, nil, &api.Leaderboard{}, 1)); c != 13 {
		t.Errorf("a panic answered code %d", c)
	}
}
