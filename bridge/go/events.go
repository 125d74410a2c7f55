package main

// Event handlers (ABI 1.7): a Rust module's handlers are registered with
// Nakama's RegisterEvent, RegisterEventSessionStart and
// RegisterEventSessionEnd. Nakama calls them from its event queue's
// workers (server/runtime_event.go) with the event, which crosses as
// proto JSON (nakama_runtime_abi::api::Event); they answer nothing.

import (
	"context"
	"encoding/json"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
)

// eventCaller calls an event handler: bridge.eventCall, or a stand-in in
// tests.
type eventCaller func(h *handler, ctx context.Context, logger runtime.Logger, input string) (string, int)

// eventCall is bridge.call with InitModule's NakamaModule (Nakama hands
// event handlers none, and a module's handler may still call nk
// functions) and the context without its cancellation: the context of a
// client's event is its request's, cancelled once Nakama has answered,
// usually before the queued handler runs, and every nk call would fail
// with "context canceled" (as a Go handler's do; Nakama itself detaches
// only the session end's).
func (b *bridge) eventCall(h *handler, ctx context.Context, logger runtime.Logger, input string) (string, int) {
	return b.call(h, context.WithoutCancel(ctx), logger, b.init.nk, input)
}

// eventHandler is what Nakama's RegisterEvent* take for Rust handler h of
// module. Its context is the one Nakama builds: mode "event" with the
// session's values for a session's start and end, the client's for
// POST /v2/event, the caller's for an event a module published. A Go
// handler returns nothing, so a Rust handler's error is logged here, in
// the dev host's words. Nakama's event workers do not recover panics: one
// in the bridge is logged instead of stopping the server (a panic in the
// module is caught in Rust and answers INTERNAL).
func eventHandler(h *handler, module string, call eventCaller) func(context.Context, runtime.Logger, *api.Event) {
	return func(ctx context.Context, logger runtime.Logger, evt *api.Event) {
		defer func() {
			if r := recover(); r != nil && logger != nil {
				logger.WithField("module", module).Error("the Rust bridge panicked in an event handler: %v", r)
			}
		}()
		input, err := marshalOpts.Marshal(evt)
		if err != nil {
			if logger != nil {
				logger.WithField("module", module).Error("an event could not be encoded for a Rust handler: %v", err)
			}
			return
		}
		out, code := call(h, ctx, logger, string(input))
		if code != 0 && logger != nil {
			logger.WithFields(map[string]interface{}{"module": module, "event": evt.GetName(), "code": code, "error": out}).
				Error("Runtime event handler returned an error")
		}
	}
}

// publishEvent is the event nk function: the module's event, as proto
// JSON, to Nakama's Event (which queues it for every event handler).
func publishEvent(st *callState, raw json.RawMessage) (any, error) {
	evt := &api.Event{}
	if err := unmarshalOpts.Unmarshal(raw, evt); err != nil {
		return nil, runtime.NewError("expects a valid event: "+err.Error(), 3)
	}
	return nil, st.nk.Event(st.ctx, evt)
}
