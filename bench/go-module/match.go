package main

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/heroiclabs/nakama-common/runtime"
)

// ticker is the match of bench/matches.sh, as fixtures/golden-module's
// tick: each message goes back to its sender, and the match stops after
// its "ticks" ticks (params "tick_rate", default 10, and "ticks",
// default 100).
type ticker struct{}

type tickerState struct {
	ticksLeft int64
}

// number reads a JSON number param, or answers def.
func number(params map[string]interface{}, key string, def int64) int64 {
	if f, ok := params[key].(float64); ok {
		return int64(f)
	}
	return def
}

func (ticker) MatchInit(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, params map[string]interface{}) (interface{}, int, string) {
	return &tickerState{ticksLeft: number(params, "ticks", 100)}, int(number(params, "tick_rate", 10)), ""
}

func (ticker) MatchJoinAttempt(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, dispatcher runtime.MatchDispatcher, tick int64, state interface{}, presence runtime.Presence, metadata map[string]string) (interface{}, bool, string) {
	return state, true, ""
}

func (ticker) MatchJoin(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, dispatcher runtime.MatchDispatcher, tick int64, state interface{}, presences []runtime.Presence) interface{} {
	return state
}

func (ticker) MatchLeave(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, dispatcher runtime.MatchDispatcher, tick int64, state interface{}, presences []runtime.Presence) interface{} {
	return state
}

func (ticker) MatchLoop(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, dispatcher runtime.MatchDispatcher, tick int64, state interface{}, messages []runtime.MatchData) interface{} {
	for _, m := range messages {
		_ = dispatcher.BroadcastMessage(m.GetOpCode(), m.GetData(), []runtime.Presence{m}, nil, true)
	}
	s := state.(*tickerState)
	s.ticksLeft--
	if s.ticksLeft <= 0 {
		return nil
	}
	return s
}

func (ticker) MatchTerminate(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, dispatcher runtime.MatchDispatcher, tick int64, state interface{}, graceSeconds int) interface{} {
	return state
}

func (ticker) MatchSignal(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, dispatcher runtime.MatchDispatcher, tick int64, state interface{}, data string) (interface{}, string) {
	return state, ""
}

// tickMatches creates "count" matches of the ticker (registered as
// module) with the rest of the payload as their params; answers their ids
// (a JSON list).
func tickMatches(module string) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, string) (string, error) {
	return func(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
		params := map[string]interface{}{}
		if err := json.Unmarshal([]byte(payload), &params); err != nil {
			return "", runtime.NewError("input contained invalid data", 3)
		}
		count := number(params, "count", 0)
		delete(params, "count")
		ids := []string{}
		for i := int64(0); i < count; i++ {
			id, err := nk.MatchCreate(ctx, module, params)
			if err != nil {
				return "", err
			}
			ids = append(ids, id)
		}
		out, err := json.Marshal(ids)
		return string(out), err
	}
}
