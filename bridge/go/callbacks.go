package main

// The functions Rust calls back (through the pointers given to nb_init).
// No Go panic may unwind into Rust: each recovers everything.

/*
#include "nakama_bridge.h"
*/
import "C"

import (
	"fmt"
)

// state finds the call a token belongs to; token 0 is the init call.
func state(token C.uint64_t) *callState {
	if token == 0 {
		return theBridge.init
	}
	return calls.get(uint64(token))
}

//export goNbLog
func goNbLog(token C.uint64_t, level C.uint8_t, caller *C.uint8_t, callerLen C.size_t,
	msg *C.uint8_t, msgLen C.size_t, fields *C.uint8_t, fieldsLen C.size_t) {
	defer func() { _ = recover() }()
	st := state(token)
	if st == nil {
		return
	}
	theBridge.logs.write(st.logger, int(level), string(goBytes(caller, callerLen)),
		string(goBytes(msg, msgLen)), goBytes(fields, fieldsLen))
}

//export goNbNk
func goNbNk(token C.uint64_t, sink *C.nb_sink, function *C.uint8_t, functionLen C.size_t,
	args *C.uint8_t, argsLen C.size_t) {
	name := string(goBytes(function, functionLen))
	st := state(token)
	if st == nil {
		answerNk(sink, 13, []byte("nk call outside of a module call"))
		return
	}
	st.usedNk.Store(true)
	code, out := runNk(st, name, string(goBytes(args, argsLen)), nil)
	answerNk(sink, code, out)
}

// runNk runs one nk function for a module; a Go panic becomes INTERNAL.
// buf as for nkCall.
func runNk(st *callState, name string, args string, buf *answerBuf) (code int, out []byte) {
	defer func() {
		if r := recover(); r != nil {
			code, out = 13, []byte(fmt.Sprintf("nk function %s panicked in the bridge: %v", name, r))
		}
	}()
	return nkCall(st, name, args, buf)
}

//export goNbMaps
func goNbMaps(token C.uint64_t, sink *C.nb_sink) {
	answerFromCall(token, sink, func(st *callState) []byte { return encodeRequestMaps(st.ctx) })
}

//export goNbContext
func goNbContext(token C.uint64_t, sink *C.nb_sink) {
	answerFromCall(token, sink, func(st *callState) []byte {
		if st.handler != nil {
			st.handler.readsCtx.Store(true)
		}
		return encodeCallContext(nil, st.ctx, true)
	})
}

// answerFromCall answers what read makes of a running call's state
// (nothing for a token with no call).
func answerFromCall(token C.uint64_t, sink *C.nb_sink, read func(*callState) []byte) {
	defer func() { _ = recover() }()
	var out []byte
	if st := state(token); st != nil && st.ctx != nil {
		out = read(st)
	}
	answerNk(sink, 0, out)
}
