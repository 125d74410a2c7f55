package main

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/heroiclabs/nakama-common/runtime"
)

// The override gets the candidates as arrays of the ABI's entries, and its
// answer comes back as the entries Nakama gave (the same values), groups
// with an unknown entry left out.
func TestTheOverrideAnswersNakamasOwnEntries(t *testing.T) {
	a := &testEntry{presence: presenceAt("u1", "s1", "ann"), ticket: "t1", properties: map[string]interface{}{"team": "red"}}
	b := &testEntry{presence: presenceAt("u2", "s2", "bob"), ticket: "t2"}
	var got string
	call := func(h *handler, ctx context.Context, l runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
		got = input
		return `[[{"presence":{"session_id":"s2","user_id":"edited"},"ticket":"t2"},{"presence":{"session_id":"s1"},"ticket":"t1"}],` +
			`[{"presence":{"session_id":"s1"},"ticket":"t1"},{"presence":{"session_id":"s9"},"ticket":"t2"}],[]]`, 0
	}
	logger := newTestLogger()
	groups := matchmakerOverride(&handler{kind: kindMatchmakerOverride}, call)(context.Background(), logger, nil, nil,
		[][]runtime.MatchmakerEntry{{b, a}, {a, b}})
	want := `[[{"presence":{"user_id":"u2","session_id":"s2","username":"bob","node":"nakama1"},"ticket":"t2","create_time":0},` +
		`{"presence":{"user_id":"u1","session_id":"s1","username":"ann","node":"nakama1"},"ticket":"t1","string_properties":{"team":"red"},"create_time":0}],` +
		`[{"presence":{"user_id":"u1","session_id":"s1","username":"ann","node":"nakama1"},"ticket":"t1","string_properties":{"team":"red"},"create_time":0},` +
		`{"presence":{"user_id":"u2","session_id":"s2","username":"bob","node":"nakama1"},"ticket":"t2","create_time":0}]]`
	if got != want {
		t.Errorf("input\n%s\nwant\n%s", got, want)
	}
	if !reflect.DeepEqual(groups, [][]runtime.MatchmakerEntry{{b, a}}) {
		t.Errorf("groups %v", groups)
	}
	if len(*logger.lines) != 1 || !strings.Contains((*logger.lines)[0], "ticket t2 session s9") {
		t.Errorf("log %v", *logger.lines)
	}
}

// The processor gets every entry as one array. An error, or a panic in the
// bridge, forms no group and is logged.
func TestTheProcessorGetsEveryEntryAndFailuresFormNothing(t *testing.T) {
	a := &testEntry{presence: presenceAt("u1", "s1", "ann"), ticket: "t1"}
	b := &testEntry{presence: presenceAt("u2", "s2", "bob"), ticket: "t2"}
	var got string
	answer, code := `[[{"presence":{"session_id":"s1"},"ticket":"t1"},{"presence":{"session_id":"s2"},"ticket":"t2"}]]`, 0
	call := func(h *handler, ctx context.Context, l runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
		got = input
		if code < 0 {
			panic("boom")
		}
		return answer, code
	}
	process := matchmakerProcessor(&handler{kind: kindMatchmakerProcessor}, call)
	groups := process(context.Background(), newTestLogger(), nil, nil, []runtime.MatchmakerEntry{a, b})
	if !strings.HasPrefix(got, `[{"presence":{"user_id":"u1"`) || !reflect.DeepEqual(groups, [][]runtime.MatchmakerEntry{{a, b}}) {
		t.Errorf("input %s, groups %v", got, groups)
	}
	for _, c := range []struct {
		out  string
		code int
		log  string
	}{
		{"no processing today", 14, "no processing today"},
		{"", -1, "panicked in the matchmaker processor: boom"},
		{"{", 0, "do not decode"},
	} {
		answer, code = c.out, c.code
		logger := newTestLogger()
		if groups := process(context.Background(), logger, nil, nil, []runtime.MatchmakerEntry{a, b}); groups != nil {
			t.Errorf("%s: groups %v", c.log, groups)
		}
		if len(*logger.lines) != 1 || !strings.Contains((*logger.lines)[0], c.log) {
			t.Errorf("%s: log %v", c.log, *logger.lines)
		}
	}
}
