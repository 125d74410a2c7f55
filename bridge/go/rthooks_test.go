package main

import (
	"context"
	"testing"

	"github.com/heroiclabs/nakama-common/rtapi"
	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// A before hook gets the message alone as proto JSON, and its answer
// becomes the envelope Nakama goes on with, with the client's cid.
func TestRealtimeBeforeHookGetsTheMessageAndItsAnswerGoesOn(t *testing.T) {
	var got string
	call := func(h *handler, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
		got = input
		return `{"target":"room-b","type":1,"persistence":false,"unknown":1}`, 0
	}
	hook := rtBefore(&handler{}, "ChannelJoin", call)
	in := &rtapi.Envelope{Cid: "7", Message: &rtapi.Envelope_ChannelJoin{ChannelJoin: &rtapi.ChannelJoin{
		Target: "alias-b", Type: 1, Hidden: wrapperspb.Bool(false),
	}}}
	out, err := hook(context.Background(), nil, nil, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, []byte(got), []byte(`{"target":"alias-b","type":1,"hidden":false}`))
	want := &rtapi.Envelope{Cid: "7", Message: &rtapi.Envelope_ChannelJoin{ChannelJoin: &rtapi.ChannelJoin{
		Target: "room-b", Type: 1, Persistence: wrapperspb.Bool(false),
	}}}
	if !proto.Equal(out, want) {
		t.Errorf("went on with %v, want %v", out, want)
	}
}

// Refusals: nothing answered is a disabled resource (nil, nil); a module
// error keeps its code and text; an answer of another shape is an error.
func TestRealtimeBeforeHookRefusals(t *testing.T) {
	in := &rtapi.Envelope{Cid: "1", Message: &rtapi.Envelope_MatchDataSend{MatchDataSend: &rtapi.MatchDataSend{
		MatchId: "m.", OpCode: 3, Data: []byte("hi"),
	}}}
	for _, c := range []struct {
		answer  string
		code    int
		errCode int
		errText string
	}{
		{"", 0, -2, ""},
		{"room closed", 7, 7, "room closed"},
		{`{"op_code":"x"}`, 0, 13, "realtime before hook MatchDataSend answered a message the server cannot read"},
	} {
		var got string
		call := func(h *handler, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
			got = input
			return c.answer, c.code
		}
		out, err := rtBefore(&handler{}, "MatchDataSend", call)(context.Background(), nil, nil, nil, in)
		sameJSON(t, []byte(got), []byte(`{"match_id":"m.","op_code":"3","data":"aGk="}`))
		if out != nil {
			t.Errorf("%q: went on with %v", c.answer, out)
		}
		code, text := codeOf(err)
		if c.errCode == -2 {
			if err != nil {
				t.Errorf("%q: %v, want no error (a disabled resource)", c.answer, err)
			}
			continue
		}
		if code != c.errCode || len(text) < len(c.errText) || text[:len(c.errText)] != c.errText {
			t.Errorf("%q: error (%d, %q), want (%d, %q...)", c.answer, code, text, c.errCode, c.errText)
		}
	}
}

// An after hook gets {"out","in"}, out left out when Nakama answered an
// empty envelope; its error is returned.
func TestRealtimeAfterHookGetsTheAnswerAndTheMessage(t *testing.T) {
	var got []string
	code := 0
	call := func(h *handler, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
		got = append(got, input)
		return "no", code
	}
	hook := rtAfter(&handler{}, "MatchmakerAdd", call)
	in := &rtapi.Envelope{Cid: "2", Message: &rtapi.Envelope_MatchmakerAdd{MatchmakerAdd: &rtapi.MatchmakerAdd{MinCount: 2, MaxCount: 2, Query: "*"}}}
	out := &rtapi.Envelope{Cid: "2", Message: &rtapi.Envelope_MatchmakerTicket{MatchmakerTicket: &rtapi.MatchmakerTicket{Ticket: "t"}}}
	if err := hook(context.Background(), nil, nil, nil, out, in); err != nil {
		t.Fatal(err)
	}
	if err := hook(context.Background(), nil, nil, nil, &rtapi.Envelope{Cid: "2"}, in); err != nil {
		t.Fatal(err)
	}
	code = 13
	if c, _ := codeOf(hook(context.Background(), nil, nil, nil, out, in)); c != 13 {
		t.Errorf("the module's error was not returned: %d", c)
	}
	want := []string{
		`{"out":{"ticket":"t"},"in":{"min_count":2,"max_count":2,"query":"*"}}`,
		`{"in":{"min_count":2,"max_count":2,"query":"*"}}`,
	}
	for i, w := range want {
		sameJSON(t, []byte(got[i]), []byte(w))
	}
}
