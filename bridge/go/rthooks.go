package main

// Realtime message hooks (ABI 1.6): a Rust module's #[before_rt] and
// #[after_rt] hooks are registered with Nakama's RegisterBeforeRt and
// RegisterAfterRt under the message's name (Nakama keys them in lower
// case). A hook gets the message inside the envelope, not the envelope,
// as proto JSON with proto names (abi/src/rtapi.rs); a before hook's answer
// is decoded into a message of the same type, in an envelope with the
// client's cid.

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/heroiclabs/nakama-common/rtapi"
	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// envelopeMessage is the message an envelope carries and the oneof field
// holding it; nil for an envelope without one (an empty answer).
func envelopeMessage(env *rtapi.Envelope) (proto.Message, protoreflect.FieldDescriptor) {
	if env == nil {
		return nil, nil
	}
	m := env.ProtoReflect()
	field := m.WhichOneof(m.Descriptor().Oneofs().ByName("message"))
	if field == nil {
		return nil, nil
	}
	return m.Get(field).Message().Interface(), field
}

// rtBefore is what RegisterBeforeRt takes for Rust hook h of message name.
// Its answers, as Nakama's pipeline reads them (server/pipeline.go): an
// envelope to go on with; nil and nil, a disabled resource (Nakama
// answers "Requested resource was not found." and closes the socket); an
// error, which the client gets as an error message (code 7) with its
// text, the socket staying open. A Go panic in the bridge is an error:
// Nakama calls hooks on the session's goroutine, where a panic would stop
// the server.
func rtBefore(h *handler, name string, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, *rtapi.Envelope) (*rtapi.Envelope, error) {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, in *rtapi.Envelope) (out *rtapi.Envelope, err error) {
		defer func() {
			if r := recover(); r != nil {
				out, err = nil, runtime.NewError(fmt.Sprintf("the Rust bridge panicked in realtime before hook %s: %v", name, r), 13)
			}
		}()
		msg, field := envelopeMessage(in)
		if msg == nil {
			return in, nil
		}
		input, err := marshalOpts.Marshal(msg)
		if err != nil {
			return nil, runtime.NewError(fmt.Sprintf("realtime before hook %s: the message could not be encoded: %v", name, err), 13)
		}
		res, code := call(h, ctx, logger, nk, string(input))
		if code != 0 {
			return nil, callError(res, code)
		}
		if res == "" {
			return nil, nil
		}
		next := msg.ProtoReflect().New()
		if err := unmarshalOpts.Unmarshal([]byte(res), next.Interface()); err != nil {
			return nil, runtime.NewError(fmt.Sprintf("realtime before hook %s answered a message the server cannot read: %v", name, err), 13)
		}
		env := &rtapi.Envelope{Cid: in.GetCid()}
		env.ProtoReflect().Set(field, protoreflect.ValueOfMessage(next))
		return env, nil
	}
}

// rtAfter is what RegisterAfterRt takes for Rust hook h of message name:
// it gets {"out": <answer>, "in": <message>}, out left out when Nakama
// answered with an empty envelope. Nakama drops its error without a word
// (the client has its answer); the bridge logs it.
func rtAfter(h *handler, name string, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, *rtapi.Envelope, *rtapi.Envelope) error {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, out, in *rtapi.Envelope) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = runtime.NewError(fmt.Sprintf("the Rust bridge panicked in realtime after hook %s: %v", name, r), 13)
			}
			if err != nil && logger != nil {
				logger.WithFields(map[string]interface{}{"hook": name, "error": err.Error()}).Error("Error running realtime after hook.")
			}
		}()
		outMsg, _ := envelopeMessage(out)
		inMsg, _ := envelopeMessage(in)
		input, err := afterInput(outMsg, inMsg)
		if err != nil {
			return runtime.NewError(fmt.Sprintf("realtime after hook %s: %v", name, err), 13)
		}
		res, code := call(h, ctx, logger, nk, input)
		if code != 0 {
			return callError(res, code)
		}
		return nil
	}
}
