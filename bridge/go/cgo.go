package main

// The Rust static library (bridge/build/libnakama_bridge.a, copied there by
// bridge/build.sh) is linked through #cgo directives of this package only:
// setting CGO_CFLAGS/CGO_LDFLAGS in the environment would rebuild
// runtime/cgo and net with other flags, and Nakama would refuse the plugin
// ("plugin was built with a different version of package runtime/cgo").

/*
#cgo CFLAGS: -I${SRCDIR}/../rust/include
#cgo LDFLAGS: ${SRCDIR}/../build/libnakama_bridge.a -ldl -lgcc_s -lutil -lrt -lpthread -lm -lc
#include "nakama_bridge.h"

// Defined in callbacks.go (//export).
extern void goNbLog(uint64_t, uint8_t, uint8_t *, size_t, uint8_t *, size_t, uint8_t *, size_t);
extern void goNbNk(uint64_t, nb_sink *, uint8_t *, size_t, uint8_t *, size_t);
extern void goNbMaps(uint64_t, nb_sink *);
extern void goNbContext(uint64_t, nb_sink *);

static int32_t nb_init_go(const uint8_t *path, size_t path_len,
                          const uint8_t *ctx, size_t ctx_len,
                          uint64_t timeout_ms, nb_buf *out) {
  return nb_init(path, path_len, ctx, ctx_len, (nb_log_fn)goNbLog,
                 (nb_nk_fn)goNbNk, (nb_maps_fn)goNbMaps,
                 (nb_ctx_fn)goNbContext, timeout_ms, out);
}

// The buffer a long nb_call answer is in (Go does not turn integers into
// pointers).
static nb_buf nb_out_buf(nb_out o) {
  nb_buf b = {(uint8_t *)(uintptr_t)o.addr, (size_t)o.len, (size_t)o.cap};
  return b;
}
*/
import "C"

import (
	"encoding/binary"
	"strings"
	"unsafe"
)

// Call kinds of nb_call.
const (
	kindRPC    = C.NB_RPC
	kindBefore = C.NB_BEFORE
	kindAfter  = C.NB_AFTER
	kindMatch  = C.NB_MATCH
	// kindMatchmaker: the matchmaker matched hook (ABI 1.5).
	kindMatchmaker = C.NB_MATCHMAKER
	// kindBeforeRt, kindAfterRt: realtime message hooks (ABI 1.6).
	kindBeforeRt = C.NB_BEFORE_RT
	kindAfterRt  = C.NB_AFTER_RT
	// kindEvent, kindEventSessionStart, kindEventSessionEnd: event
	// handlers (ABI 1.7).
	kindEvent             = C.NB_EVENT
	kindEventSessionStart = C.NB_EVENT_SESSION_START
	kindEventSessionEnd   = C.NB_EVENT_SESSION_END
	// kindTournamentEnd, kindTournamentReset, kindLeaderboardReset: the
	// leaderboard scheduler's callbacks (ABI 1.7).
	kindTournamentEnd    = C.NB_TOURNAMENT_END
	kindTournamentReset  = C.NB_TOURNAMENT_RESET
	kindLeaderboardReset = C.NB_LEADERBOARD_RESET
	// kindHTTP, kindShutdown: custom HTTP handlers and the shutdown hook
	// (ABI 1.8).
	kindHTTP     = C.NB_HTTP
	kindShutdown = C.NB_SHUTDOWN
	// kindStorageIndex: a storage index or its filter (ABI 1.9).
	kindStorageIndex = C.NB_STORAGE_INDEX
	// kindMatchmakerOverride, kindMatchmakerProcessor: the matchmaker
	// override and processor (ABI 1.9).
	kindMatchmakerOverride  = C.NB_MATCHMAKER_OVERRIDE
	kindMatchmakerProcessor = C.NB_MATCHMAKER_PROCESSOR
	// kindConsoleHTTP: custom HTTP handlers on the console's port (ABI
	// 1.10).
	kindConsoleHTTP = C.NB_CONSOLE_HTTP
	// kindFleetManager: a function of the fleet manager (ABI 1.12); its
	// context leads with the asker's execution mode (fleetmanager.go).
	kindFleetManager = C.NB_FLEET_MANAGER
	// kindPurchaseNotificationApple and the three after it: the stores'
	// notification callbacks (ABI 1.13).
	kindPurchaseNotificationApple      = C.NB_PURCHASE_NOTIFICATION_APPLE
	kindSubscriptionNotificationApple  = C.NB_SUBSCRIPTION_NOTIFICATION_APPLE
	kindPurchaseNotificationGoogle     = C.NB_PURCHASE_NOTIFICATION_GOOGLE
	kindSubscriptionNotificationGoogle = C.NB_SUBSCRIPTION_NOTIFICATION_GOOGLE
)

// codeNotFound: nb_call found no module for the id.
const codeNotFound = int(C.NB_NOT_FOUND)

func strPtr(s string) *C.uint8_t {
	return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s)))
}

func bytesPtr(b []byte) *C.uint8_t {
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b)))
}

// take copies a Rust buffer into Go memory and frees it.
func take(buf C.nb_buf) string {
	if buf.ptr == nil {
		return ""
	}
	s := C.GoStringN((*C.char)(unsafe.Pointer(buf.ptr)), C.int(buf.len))
	C.nb_free(buf)
	return s
}

// rustInit loads the modules of path; ok=false: out is why not.
func rustInit(path string, ctx []byte, timeoutMs uint64) (out string, ok bool) {
	var buf C.nb_buf
	code := C.nb_init_go(strPtr(path), C.size_t(len(path)), bytesPtr(ctx), C.size_t(len(ctx)),
		C.uint64_t(timeoutMs), &buf)
	return take(buf), code == C.NB_OK
}

// rustCall calls handler index (of the init report, with its kind) with
// the context in f.ctx; code 0 = ok (out = output), codeNotFound, or a
// gRPC code with out = the message. Answers that fit come back in
// f.room() (no Rust allocation to free, no second cgo call).
// suspendable: the handler's nk calls return here (runNk) instead of
// calling back.
func rustCall(kind int, index uint32, f *frame, input string, token uint64, suspendable bool) (out string, code int) {
	var susp C.uint8_t
	if suspendable {
		susp = 1
	}
	room := f.room()
	c := C.nb_call(C.uint8_t(kind), C.uint32_t(index), bytesPtr(f.ctx), C.size_t(len(f.ctx)),
		strPtr(input), C.size_t(len(input)), C.uint64_t(token), susp,
		bytesPtr(room), C.size_t(len(room)), &f.out)
	if c == C.NB_NK {
		c = f.runNk()
	}
	return f.answer(), int(c)
}

// answer is what the last nb_call or nb_resume answered.
func (f *frame) answer() string {
	if f.out.addr == 0 {
		return f.keep(uint64(f.out.len))
	}
	buf := C.nb_out_buf(f.out)
	f.out = C.nb_out{}
	return take(buf)
}

// runNk runs the nk requests a call is suspended on until it answers. They
// run here, as ordinary Go code: run in a callback from C, the goroutine
// would be locked to its thread, and every database round trip would put
// that thread to sleep and wake another one.
func (f *frame) runNk() C.int32_t {
	c := C.int32_t(C.NB_NK)
	var call C.uint64_t
	defer func() {
		if c == C.NB_NK { // left by a panic: the call will not be resumed
			C.nb_abandon(call)
		}
	}()
	for c == C.NB_NK {
		call = f.out.call
		code, res := 13, []byte("the Rust bridge sent a malformed nk request")
		if name, args, ok := nkRequest(f.answer()); ok {
			code, res = runNk(&f.st, name, args, &f.nkAnswer)
		}
		room := f.room()
		c = C.nb_resume(call, C.uint32_t(code), bytesPtr(res), C.size_t(len(res)),
			bytesPtr(room), C.size_t(len(room)), &f.out)
	}
	return c
}

// nkRequest splits a suspended call's request: u32 length, function
// name, arguments (JSON, or compact: nkargs.go). The arguments are copied
// once, so that the strings decoded from them (which Nakama may keep) hold
// on to them alone, not to the frame's answer block.
func nkRequest(req string) (name string, args string, ok bool) {
	if len(req) < 4 {
		return "", "", false
	}
	n := int(binary.LittleEndian.Uint32([]byte(req[:4])))
	if n > len(req)-4 {
		return "", "", false
	}
	return req[4 : 4+n], strings.Clone(req[4+n:]), true
}

// answerNk hands an nk result (code 0) or error back to Rust.
func answerNk(sink *C.nb_sink, code int, out []byte) {
	C.nb_answer(sink, C.uint32_t(code), bytesPtr(out), C.size_t(len(out)))
}

// goBytes views C memory as a byte slice (valid for the callback only).
func goBytes(p *C.uint8_t, n C.size_t) []byte {
	if n == 0 || p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// cgoNop crosses into Rust and back doing nothing (cold benchmark).
func cgoNop() { C.nb_free(C.nb_buf{}) }
