package main

// The matchmaker override and processor (ABI 1.9): a Rust module's are
// registered with Nakama's RegisterMatchmakerOverride and
// RegisterMatchmakerProcessor. The entries cross as the ABI's JSON, as for
// the matched hook (matchmaker.go); the module answers groups of the
// entries it got, which go back to Nakama as the very entries Nakama gave
// (its matchmaker takes them as its own *MatchmakerEntry and reads their
// tickets: server/matchmaker.go, Process).

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/heroiclabs/nakama-common/runtime"
)

// entryKey is what identifies an entry in a module's answer: its ticket
// and session (a party's members share a ticket).
type entryKey struct {
	Presence struct {
		SessionID string `json:"session_id"`
	} `json:"presence"`
	Ticket string `json:"ticket"`
}

// matchmakerOverride is what RegisterMatchmakerOverride takes for Rust
// override h: every candidate group in, the groups to form out.
func matchmakerOverride(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, [][]runtime.MatchmakerEntry) [][]runtime.MatchmakerEntry {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, candidates [][]runtime.MatchmakerEntry) [][]runtime.MatchmakerEntry {
		groups := make([][]matchmakerEntry, len(candidates))
		var given []runtime.MatchmakerEntry
		var dropped []string
		for i, c := range candidates {
			var d []string
			groups[i], d = matchmakerEntries(c)
			dropped = append(dropped, d...)
			given = append(given, c...)
		}
		return matchmakerGroups(h, call, "override", ctx, logger, nk, groups, given, dropped)
	}
}

// matchmakerProcessor is what RegisterMatchmakerProcessor takes for Rust
// processor h: every entry in the pool in, the groups to form out.
func matchmakerProcessor(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, []runtime.MatchmakerEntry) [][]runtime.MatchmakerEntry {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, entries []runtime.MatchmakerEntry) [][]runtime.MatchmakerEntry {
		in, dropped := matchmakerEntries(entries)
		return matchmakerGroups(h, call, "processor", ctx, logger, nk, in, entries, dropped)
	}
}

// matchmakerGroups calls h with input (the ABI's entries) and answers the
// groups it chose as entries of given. A group naming an entry that is
// not in given is left out, with a warning: Nakama would stop on it.
// Nakama's functions have no error: the module's error, or a panic in the
// bridge (on the matchmaker's goroutine, where it would stop the server),
// is logged and answers no group, so nothing forms this pass.
func matchmakerGroups(h *handler, call matchCaller, what string, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, input interface{}, given []runtime.MatchmakerEntry, dropped []string) (groups [][]runtime.MatchmakerEntry) {
	defer func() {
		if r := recover(); r != nil {
			groups = nil
			logger.WithField("error", fmt.Sprintf("the Rust bridge panicked in the matchmaker %s: %v", what, r)).
				Error("Error running Rust matchmaker " + what + ", no groups formed.")
		}
	}()
	if len(dropped) > 0 {
		logger.WithField("properties", dropped).
			Warn("Rust matchmaker " + what + ": properties that are neither strings nor finite numbers are left out")
	}
	encoded, err := json.Marshal(input)
	if err != nil {
		logger.WithField("error", err.Error()).Error("Rust matchmaker " + what + ": entries could not be encoded")
		return nil
	}
	out, code := call(h, ctx, logger, nk, string(encoded))
	if code != 0 {
		logger.WithField("error", callError(out, code).Error()).
			Error("Error running Rust matchmaker " + what + ", no groups formed.")
		return nil
	}
	var answer [][]entryKey
	if err := json.Unmarshal([]byte(out), &answer); err != nil {
		logger.WithField("error", err.Error()).Error("Rust matchmaker " + what + " answered groups that do not decode")
		return nil
	}
	known := make(map[entryKey]runtime.MatchmakerEntry, len(given))
	for _, e := range given {
		if e == nil {
			continue
		}
		var k entryKey
		k.Ticket = e.GetTicket()
		if p := e.GetPresence(); p != nil {
			k.Presence.SessionID = p.GetSessionId()
		}
		known[k] = e
	}
	var unknown []string
	for _, g := range answer {
		group := make([]runtime.MatchmakerEntry, 0, len(g))
		for _, k := range g {
			if e, ok := known[k]; ok {
				group = append(group, e)
			} else {
				unknown = append(unknown, fmt.Sprintf("ticket %s session %s", k.Ticket, k.Presence.SessionID))
			}
		}
		if len(group) == len(g) && len(group) > 0 {
			groups = append(groups, group)
		}
	}
	if len(unknown) > 0 {
		logger.WithField("entries", unknown).
			Warn("Matchmaker groups with entries the matchmaker did not give are not formed.")
	}
	return groups
}
