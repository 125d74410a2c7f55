package main

// The matchmaker matched hook (ABI 1.5): a Rust module's hook is
// registered with Nakama's RegisterMatchmakerMatched. Each group the
// matchmaker forms is one call of it through the ordinary call path, with
// the group's entries as JSON (abi/src/matchmaker.rs); the answer is the
// id of the match made for them, or nothing.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"unicode/utf8"

	"github.com/heroiclabs/nakama-common/runtime"
)

// matchmakerEntry is the ABI's MatchmakerEntry.
type matchmakerEntry struct {
	Presence          matchPresence      `json:"presence"`
	Ticket            string             `json:"ticket"`
	StringProperties  map[string]string  `json:"string_properties,omitempty"`
	NumericProperties map[string]float64 `json:"numeric_properties,omitempty"`
	PartyID           string             `json:"party_id,omitempty"`
	CreateTime        int64              `json:"create_time"`
}

// matchmakerEntries turns Nakama's entries into the ABI's. Nakama merges
// a ticket's string and numeric properties into GetProperties()
// (server/matchmaker.go, Add): they are split back by the type of the
// value. What JSON cannot carry (a NaN or an infinity, which protojson
// lets a client send as a numeric property) or is neither a string nor a
// number is left out, and named in dropped.
func matchmakerEntries(entries []runtime.MatchmakerEntry) (out []matchmakerEntry, dropped []string) {
	out = make([]matchmakerEntry, len(entries))
	for i, e := range entries {
		if e == nil {
			continue
		}
		m := &out[i]
		m.Presence = presenceOf(e.GetPresence())
		m.Ticket, m.PartyID, m.CreateTime = e.GetTicket(), e.GetPartyId(), e.GetCreateTime()
		for k, v := range e.GetProperties() {
			if s, ok := v.(string); ok {
				if m.StringProperties == nil {
					m.StringProperties = map[string]string{}
				}
				m.StringProperties[k] = s
				continue
			}
			if f, ok := number(v); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
				if m.NumericProperties == nil {
					m.NumericProperties = map[string]float64{}
				}
				m.NumericProperties[k] = f
				continue
			}
			dropped = append(dropped, fmt.Sprintf("%s (ticket %s): %v", k, m.Ticket, v))
		}
	}
	return out, dropped
}

// number answers v as a float64 if it is a number of any Go type (Nakama's
// own entries hold float64s).
func number(v interface{}) (float64, bool) {
	if f, ok := v.(float64); ok {
		return f, true
	}
	r := reflect.ValueOf(v)
	switch {
	case !r.IsValid():
		return 0, false
	case r.CanFloat():
		return r.Float(), true
	case r.CanInt():
		return float64(r.Int()), true
	case r.CanUint():
		return float64(r.Uint()), true
	}
	return 0, false
}

// matchmakerMatched is what RegisterMatchmakerMatched takes for Rust hook h.
func (b *bridge) matchmakerMatched(h *handler) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, []runtime.MatchmakerEntry) (string, error) {
	return matchmakerHook(h, b.call)
}

// matchmakerHook calls h (through call: bridge.call, or a stand-in in
// tests) with a group's entries. Nakama gives it a context whose
// execution mode is "matchmaker" and a logger with "mode":"matchmaker"
// (server/runtime_go.go, RegisterMatchmakerMatched); the Rust half gives
// the module the same mode. Its answer: the match id; or "" and an error,
// which Nakama logs ("Error running Matchmaker Matched hook.") before it
// sends the users a token for a relayed match, as it does for "" alone
// (server/matchmaker.go, Process).
//
// Nakama calls it on a goroutine of the matchmaker's, where a Go panic
// would stop the server: one in the bridge becomes an error (a panic in
// the module is caught in Rust and answers INTERNAL).
func matchmakerHook(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, []runtime.MatchmakerEntry) (string, error) {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, entries []runtime.MatchmakerEntry) (id string, err error) {
		defer func() {
			if r := recover(); r != nil {
				id, err = "", runtime.NewError(fmt.Sprintf("the Rust bridge panicked in the matchmaker matched hook: %v", r), 13)
			}
		}()
		in, dropped := matchmakerEntries(entries)
		if len(dropped) > 0 && logger != nil {
			logger.WithField("properties", dropped).
				Warn("Rust matchmaker matched hook: properties that are neither strings nor finite numbers are left out")
		}
		input, err := json.Marshal(in)
		if err != nil {
			return "", runtime.NewError(fmt.Sprintf("matchmaker entries could not be encoded: %v", err), 13)
		}
		out, code := call(h, ctx, logger, nk, string(input))
		if code != 0 {
			return "", callError(out, code)
		}
		if !utf8.ValidString(out) {
			return "", runtime.NewError("the Rust matchmaker matched hook answered a match id that is not UTF-8", 13)
		}
		return out, nil
	}
}
