package main

import (
	"context"
	"strings"
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// A handler gets the event as proto JSON, with Nakama's context; its
// error is logged with the module and event, and a panic in the bridge is
// logged rather than let out onto Nakama's event worker.
func TestEventHandlersGetTheEventAndTheirErrorsAreLogged(t *testing.T) {
	var got string
	var gotCtx context.Context
	answer, code := "", 0
	call := func(h *handler, ctx context.Context, l runtime.Logger, input string) (string, int) {
		got, gotCtx = input, ctx
		return answer, code
	}
	ctx := withValues(runtime.RUNTIME_CTX_MODE, "event", runtime.RUNTIME_CTX_USER_ID, "u1")
	logger := newTestLogger()
	handle := eventHandler(&handler{kind: kindEventSessionEnd}, "fixture-events", call)
	evt := &api.Event{Name: "session_end", Properties: map[string]string{"reason": ""}, Timestamp: timestamppb.New(timestamppb.Now().AsTime().Truncate(1e9))}
	handle(ctx, logger, evt)
	want := `{"name":"session_end","properties":{"reason":""},"timestamp":"` + evt.Timestamp.AsTime().UTC().Format("2006-01-02T15:04:05Z") + `"}`
	if strings.ReplaceAll(got, " ", "") != want {
		t.Errorf("input %s, want %s", got, want)
	}
	if gotCtx != ctx {
		t.Error("the handler did not get Nakama's context")
	}
	if logger.all() != "" {
		t.Errorf("logged %s", logger.all())
	}

	answer, code = "no luck", 13
	handle(ctx, logger, &api.Event{Name: "fail", External: true})
	if !strings.Contains(got, `"external":true`) {
		t.Errorf("input %s", got)
	}
	line := logger.all()
	for _, part := range []string{"error", "module:fixture-events", "event:fail", "code:13", "error:no luck", "Runtime event handler returned an error"} {
		if !strings.Contains(line, part) {
			t.Errorf("%q not in %s", part, line)
		}
	}

	panicky := eventHandler(&handler{kind: kindEvent}, "m", func(*handler, context.Context, runtime.Logger, string) (string, int) {
		panic("boom")
	})
	logger = newTestLogger()
	panicky(ctx, logger, &api.Event{Name: "x"})
	if !strings.Contains(logger.all(), "panicked in an event handler: boom") {
		t.Errorf("logged %s", logger.all())
	}
}
