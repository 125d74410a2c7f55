package main

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/heroiclabs/nakama-common/runtime"
)

// testEntry is a runtime.MatchmakerEntry as Nakama's server.MatchmakerEntry
// answers it: string and numeric properties merged.
type testEntry struct {
	presence   runtime.Presence
	ticket     string
	properties map[string]interface{}
	partyID    string
	createTime int64
}

func (e *testEntry) GetPresence() runtime.Presence         { return e.presence }
func (e *testEntry) GetTicket() string                     { return e.ticket }
func (e *testEntry) GetProperties() map[string]interface{} { return e.properties }
func (e *testEntry) GetPartyId() string                    { return e.partyID }
func (e *testEntry) GetCreateTime() int64                  { return e.createTime }

func presenceAt(user, session, name string) *matchPresence {
	return &matchPresence{UserID: user, SessionID: session, Username: name, Node: "nakama1"}
}

// matchmakerCtx is the hook's context as Nakama builds it.
func matchmakerCtx() context.Context {
	return withValues(runtime.RUNTIME_CTX_ENV, map[string]string{}, runtime.RUNTIME_CTX_MODE, "matchmaker")
}

// codeOf answers a runtime.Error's code and message (-1: another error).
func codeOf(err error) (int, string) {
	var e *runtime.Error
	if !errors.As(err, &e) {
		return -1, ""
	}
	return e.Code, e.Message
}

// The hook gets the group as the ABI's entries: presence, ticket, the
// properties split back by type, party, create time.
func TestMatchmakerEntriesReachTheHookAsTheABIHasThem(t *testing.T) {
	entries := []runtime.MatchmakerEntry{
		&testEntry{presence: presenceAt("u1", "s1", "ann"), ticket: "t1", createTime: 1700000000000000001,
			properties: map[string]interface{}{"region": "eu", "rank": 1500.0, "skill": 7.5}},
		&testEntry{presence: presenceAt("u2", "s2", "bob"), ticket: "t2", partyID: "p1", createTime: 2,
			properties: map[string]interface{}{"n": 3, "mode": "relayed"}},
		&testEntry{presence: nil, ticket: "t3"},
	}
	var got string
	var gotCtx context.Context
	var gotLogger runtime.Logger
	call := func(h *handler, ctx context.Context, l runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
		got, gotCtx, gotLogger = input, ctx, l
		return "m.nakama1", 0
	}
	ctx, logger := matchmakerCtx(), newTestLogger().WithField("mode", "matchmaker")
	id, err := matchmakerHook(&handler{kind: kindMatchmaker}, call)(ctx, logger, nil, nil, entries)
	if id != "m.nakama1" || err != nil {
		t.Fatalf("answered %q %v", id, err)
	}
	want := `[{"presence":{"user_id":"u1","session_id":"s1","username":"ann","node":"nakama1"},"ticket":"t1",` +
		`"string_properties":{"region":"eu"},"numeric_properties":{"rank":1500,"skill":7.5},"create_time":1700000000000000001},` +
		`{"presence":{"user_id":"u2","session_id":"s2","username":"bob","node":"nakama1"},"ticket":"t2",` +
		`"string_properties":{"mode":"relayed"},"numeric_properties":{"n":3},"party_id":"p1","create_time":2},` +
		`{"presence":{"user_id":"","session_id":"","username":"","node":""},"ticket":"t3","create_time":0}]`
	if got != want {
		t.Errorf("input\n%s\nwant\n%s", got, want)
	}
	// Nakama's context and logger go to the call as they are: the call's
	// context (execution mode included) and the module's log lines come
	// from them.
	if gotCtx != ctx || gotLogger != logger {
		t.Errorf("the call got another context or logger")
	}
}

// A match id goes back to Nakama; nothing, or an error, is "" (a token for
// the users), the error with the module's code and message for Nakama to
// log.
func TestTheMatchmakerHooksAnswerIsTheMatchIDOrNothing(t *testing.T) {
	entries := []runtime.MatchmakerEntry{&testEntry{presence: presenceAt("u1", "s1", "ann"), ticket: "t1"}}
	for _, tc := range []struct {
		out     string
		code    int
		id      string
		errCode int
		errMsg  string
	}{
		{"m.nakama1", 0, "m.nakama1", 0, ""},
		{"", 0, "", 0, ""},
		{"module handler panicked: boom", 13, "", 13, "module handler panicked: boom"},
		{"no room", 14, "", 14, "no room"},
		{"", codeNotFound, "", 5, "no Rust module handles this call"},
		{"\xff\xfe", 0, "", 13, "the Rust matchmaker matched hook answered a match id that is not UTF-8"},
	} {
		call := func(*handler, context.Context, runtime.Logger, runtime.NakamaModule, string) (string, int) {
			return tc.out, tc.code
		}
		id, err := matchmakerHook(&handler{}, call)(matchmakerCtx(), newTestLogger(), nil, nil, entries)
		code, msg := codeOf(err)
		if err == nil {
			code = 0
		}
		if id != tc.id || code != tc.errCode || msg != tc.errMsg {
			t.Errorf("%q %d: answered %q, error %d %q; want %q, %d %q", tc.out, tc.code, id, code, msg, tc.id, tc.errCode, tc.errMsg)
		}
	}
}

// Nakama runs the hook on a matchmaker goroutine without a recover: a Go
// panic in the bridge is an error, not the end of the server.
func TestAPanicInTheBridgeIsTheHooksError(t *testing.T) {
	call := func(*handler, context.Context, runtime.Logger, runtime.NakamaModule, string) (string, int) {
		panic("bridge bug")
	}
	id, err := matchmakerHook(&handler{}, call)(matchmakerCtx(), newTestLogger(), nil, nil, nil)
	code, msg := codeOf(err)
	if id != "" || code != 13 || !strings.Contains(msg, "bridge bug") {
		t.Errorf("answered %q, %d %q", id, code, msg)
	}
}

// What JSON cannot carry is left out and logged; the rest goes.
func TestPropertiesJSONCannotCarryAreLeftOutAndLogged(t *testing.T) {
	entries := []runtime.MatchmakerEntry{&testEntry{presence: presenceAt("u1", "s1", "ann"), ticket: "t1",
		properties: map[string]interface{}{"nan": math.NaN(), "inf": math.Inf(1), "yes": true, "ok": 1.0, "f32": float32(0.5), "u": uint8(4)}}}
	var got []map[string]interface{}
	call := func(_ *handler, _ context.Context, _ runtime.Logger, _ runtime.NakamaModule, input string) (string, int) {
		if err := json.Unmarshal([]byte(input), &got); err != nil {
			t.Fatal(err)
		}
		return "", 0
	}
	logger := newTestLogger()
	if _, err := matchmakerHook(&handler{}, call)(matchmakerCtx(), logger, nil, nil, entries); err != nil {
		t.Fatal(err)
	}
	want := map[string]interface{}{"ok": 1.0, "f32": 0.5, "u": 4.0}
	if len(got) != 1 || !reflect.DeepEqual(got[0]["numeric_properties"], want) || got[0]["string_properties"] != nil {
		t.Errorf("entries %v", got)
	}
	lines := logger.all()
	if !strings.HasPrefix(lines, "warn ") || strings.Count(lines, "(ticket t1)") != 3 ||
		!strings.Contains(lines, "nan (ticket t1): NaN") || !strings.Contains(lines, "yes (ticket t1): true") {
		t.Errorf("logged %s", lines)
	}
}
