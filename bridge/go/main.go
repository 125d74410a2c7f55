// Package main is the Nakama bridge: a Go plugin that runs Rust modules
// (built with nakama-runtime) inside Nakama 3.40.0.
//
// Nakama opens it like any Go module and calls InitModule once. The bridge
// loads the Rust modules through the Rust loader linked in as a static
// library (bridge/rust), then registers with Nakama's Initializer every RPC,
// every before/after hook and every authoritative match handler they
// declared (match.go), their matchmaker matched hook (matchmaker.go), their
// custom HTTP handlers and shutdown hook (http.go), their storage indexes
// and filters (stindex.go), their matchmaker override and processor
// (mmcustom.go), and their fleet manager (fleetmanager.go): its six
// functions as one RegisterFleetManager value, after the rest. Nakama keeps
// the last fleet manager registered, so a Go module's whose InitModule runs
// after the bridge's (Nakama opens the *.so files in path order) replaces
// it, and one that ran before is replaced. Each call crosses into Rust with
// its runtime context and a token; module log lines and nk calls come back
// through exported callbacks that find the call's logger, context and nk
// module by that token.
//
// Configuration (runtime.env):
//
//	RUST_MODULES_PATH     folder of the *.rsmod files (default: runtime.path)
//	RUST_CALL_TIMEOUT_MS  how long a Rust call may stay pending (default 10000, 0: none)
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Version of this bridge build (see bridge/README.md's version table).
const Version = "0.1.0"

// callState is what a token stands for while a call runs.
type callState struct {
	ctx    context.Context
	logger runtime.Logger
	nk     runtime.NakamaModule
	usedNk atomic.Bool // an nk call came back through the callback
	// handler: the call's handler (nil for the init call), which learns
	// from goNbContext that it reads its context.
	handler *handler
}

type bridge struct {
	init *callState
	logs *rustLogs
}

// theBridge is set once by InitModule, before any call can reach Rust.
var theBridge = &bridge{}

// Gateway-style protobuf JSON (proto field names, enums as numbers) and a
// decoder that ignores what it does not know, so every field survives.
var (
	marshalOpts   = protojson.MarshalOptions{UseProtoNames: true, UseEnumNumbers: true}
	unmarshalOpts = protojson.UnmarshalOptions{DiscardUnknown: true}
)

type initReport struct {
	Modules []struct {
		Name       string `json:"name"`
		File       string `json:"file"`
		SdkVersion string `json:"sdk_version"`
		Abi        string `json:"abi"`
	} `json:"modules"`
	Skipped []struct {
		File   string `json:"file"`
		Reason string `json:"reason"`
	} `json:"skipped"`
	Registrations []struct {
		Module          string `json:"module"`
		Kind            int    `json:"kind"`
		ID              string `json:"id"`
		Index           uint32 `json:"index"`
		Function        string `json:"function"`
		MapsOnDemand    bool   `json:"maps_on_demand"`
		ContextOnDemand bool   `json:"context_on_demand"`
		CompactMatch    bool   `json:"compact_match_calls"`
	} `json:"registrations"`
}

// InitModule loads the Rust modules and registers their handlers. A module
// that cannot be loaded or whose init fails makes it return an error naming
// the file and the reason: Nakama then stops, as with a bad Go module.
func InitModule(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, initializer runtime.Initializer) error {
	env, _ := ctx.Value(runtime.RUNTIME_CTX_ENV).(map[string]string)
	path := env["RUST_MODULES_PATH"]
	if path == "" {
		path = runtimePath(initializer)
	}
	if path == "" {
		return errors.New("nakama rust bridge: no modules folder: set runtime.env RUST_MODULES_PATH")
	}
	timeoutMs := uint64(10000)
	if v, ok := env["RUST_CALL_TIMEOUT_MS"]; ok {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("nakama rust bridge: RUST_CALL_TIMEOUT_MS %q is not a number of milliseconds", v)
		}
		timeoutMs = n
	}

	logs, why := newRustLogs(logger)
	if why != "" {
		logger.Warn("Rust module log lines go through the Go runtime logger (runtime field stays \"go\"): %s", why)
	}
	theBridge.init = &callState{ctx: ctx, logger: logger, nk: nk}
	theBridge.logs = logs
	readConfig(initializer)

	initCtx := encodeInitContext(ctx)
	out, ok := rustInit(path, initCtx, timeoutMs)
	if !ok {
		return fmt.Errorf("nakama rust bridge: %s", out)
	}
	var report initReport
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		return fmt.Errorf("nakama rust bridge: bad init report: %w", err)
	}
	for _, s := range report.Skipped {
		logger.WithFields(map[string]interface{}{"file": s.File, "reason": s.Reason}).Warn("Skipped a file that is not a Rust module")
	}
	for _, m := range report.Modules {
		logger.WithFields(map[string]interface{}{"module": m.Name, "file": m.File, "sdk_version": m.SdkVersion, "abi": m.Abi}).
			Info("Loaded Rust module")
	}
	fleet := newRustFleet(logger, theBridge.call)
	for _, r := range report.Registrations {
		var err error
		h := &handler{kind: r.Kind, index: r.Index, mapsOnDemand: r.MapsOnDemand, contextOnDemand: r.ContextOnDemand,
			compactMatch: r.CompactMatch}
		switch r.Kind {
		case kindRPC:
			err = initializer.RegisterRpc(r.ID, theBridge.rpc(h))
		case kindBefore, kindAfter:
			hooks[handlerKey{r.Kind, r.ID}] = h
			err = theBridge.registerHook(initializer, r.ID, r.Kind == kindBefore)
		case kindMatch:
			err = initializer.RegisterMatch(r.ID, theBridge.matchFactory(r.ID, h))
		case kindMatchmaker:
			// One at most: the loader refuses a second module's.
			err = initializer.RegisterMatchmakerMatched(theBridge.matchmakerMatched(h))
		case kindBeforeRt:
			err = initializer.RegisterBeforeRt(r.ID, rtBefore(h, r.ID, theBridge.call))
		case kindAfterRt:
			err = initializer.RegisterAfterRt(r.ID, rtAfter(h, r.ID, theBridge.call))
		case kindEvent:
			err = initializer.RegisterEvent(eventHandler(h, r.Module, theBridge.eventCall))
		case kindEventSessionStart:
			err = initializer.RegisterEventSessionStart(eventHandler(h, r.Module, theBridge.eventCall))
		case kindEventSessionEnd:
			err = initializer.RegisterEventSessionEnd(eventHandler(h, r.Module, theBridge.eventCall))
		case kindTournamentEnd:
			err = initializer.RegisterTournamentEnd(tournamentCallback(h, theBridge.call))
		case kindTournamentReset:
			err = initializer.RegisterTournamentReset(tournamentCallback(h, theBridge.call))
		case kindLeaderboardReset:
			err = initializer.RegisterLeaderboardReset(leaderboardCallback(h, theBridge.call))
		case kindHTTP:
			methods, pattern := splitHTTPID(r.ID)
			err = initializer.RegisterHttp(pattern, httpHandler(h, theBridge.httpCall, httpKey(initializer)), methods...)
		case kindConsoleHTTP:
			methods, pattern := splitHTTPID(r.ID)
			err = initializer.RegisterConsoleHttp(pattern, httpHandler(h, theBridge.httpCall, httpKey(initializer)), methods...)
		case kindShutdown:
			// One at most: the loader refuses a second module's.
			err = initializer.RegisterShutdown(shutdownHook(h, theBridge.call))
		case kindStorageIndex:
			err = registerStorageIndex(initializer, r.ID, storageIndexFilter(h, theBridge.call))
		case kindMatchmakerOverride:
			// One each at most (the loader refuses a second module's);
			// Nakama runs a processor instead of an override.
			err = initializer.RegisterMatchmakerOverride(matchmakerOverride(h, theBridge.call))
		case kindMatchmakerProcessor:
			err = initializer.RegisterMatchmakerProcessor(matchmakerProcessor(h, theBridge.call))
		case kindPurchaseNotificationApple:
			// One each at most: the loader refuses a second module's.
			err = initializer.RegisterPurchaseNotificationApple(purchaseNotificationApple(h, theBridge.call))
		case kindSubscriptionNotificationApple:
			err = initializer.RegisterSubscriptionNotificationApple(subscriptionNotificationApple(h, theBridge.call))
		case kindPurchaseNotificationGoogle:
			err = initializer.RegisterPurchaseNotificationGoogle(purchaseNotificationGoogle(h, theBridge.call))
		case kindSubscriptionNotificationGoogle:
			err = initializer.RegisterSubscriptionNotificationGoogle(subscriptionNotificationGoogle(h, theBridge.call))
		case kindFleetManager:
			// Nakama takes the six functions as one value: registered
			// once, after the loop (one module's at most: the loader
			// refuses a second).
			fleet.add(r.Module, r.ID, h)
			continue
		default:
			continue
		}
		if err != nil {
			what := r.ID
			switch r.Kind {
			case kindMatchmaker:
				what = "the matchmaker matched hook"
			case kindShutdown:
				what = "the shutdown hook"
			case kindMatchmakerOverride, kindMatchmakerProcessor:
				what = "the matchmaker " + r.ID[len("matchmaker_"):]
			}
			return fmt.Errorf("nakama rust bridge: registering %s of module %s (%s): %w", what, r.Module, r.Function, err)
		}
	}
	if err := fleet.register(initializer); err != nil {
		return fmt.Errorf("nakama rust bridge: registering the fleet manager of module %s: %w", fleet.module, err)
	}
	logger.WithFields(map[string]interface{}{"bridge": Version, "path": path, "modules": len(report.Modules), "registrations": len(report.Registrations)}).
		Info("Rust bridge ready")
	return nil
}

// httpKey is runtime.http_key.
func httpKey(initializer runtime.Initializer) string {
	cfg, err := initializer.GetConfig()
	if err != nil || cfg == nil || cfg.GetRuntime() == nil {
		return ""
	}
	return cfg.GetRuntime().GetHTTPKey()
}

// runtimePath reads runtime.path from Nakama's config (the runtime config
// interface has no getter for it; the concrete struct has the field).
func runtimePath(initializer runtime.Initializer) string {
	cfg, err := initializer.GetConfig()
	if err != nil || cfg == nil {
		return ""
	}
	v := reflect.ValueOf(cfg.GetRuntime())
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName("Path"); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

// handler is what the bridge keeps about one registered Rust handler.
type handler struct {
	// kind and index: how nb_call names it (resolved once, here, not by
	// its id on every call).
	kind  int
	index uint32
	// usesNk is set once the handler has made an nk call: from then on
	// its calls can suspend on nk requests, which Go runs outside of a
	// callback (see runNk); until then a call runs in one nb_call, with
	// nothing allocated, and its nk calls come back through the callback.
	usesNk atomic.Bool
	// mapsOnDemand: its module (ABI 1.1 or later) asks for headers and
	// query params if it reads them (goNbMaps), so they are not encoded
	// for every call.
	mapsOnDemand bool
	// contextOnDemand: its module (ABI 1.2 or later) asks for the call's
	// context if it reads it (goNbContext). Until the handler has done so
	// once (readsCtx), its calls get an empty context: a handler that
	// never reads it never pays for gathering it; one that does pays one
	// callback, once.
	contextOnDemand bool
	readsCtx        atomic.Bool
	// compactMatch: a match handler whose module (ABI 1.16 or later)
	// takes its loop calls in compact form (matchState.loopCall).
	compactMatch bool
}

// encodeContext appends what a call of h sends of ctx: nothing (a context
// on demand) until a handler of ABI 1.2 or later has asked for it once,
// then the context, headers and query params left out for modules that
// ask for them.
func (h *handler) encodeContext(b []byte, ctx context.Context) []byte {
	if h.contextOnDemand && !h.readsCtx.Load() {
		return b
	}
	if h.kind == kindFleetManager {
		b = appendAskersMode(b, ctx)
	}
	return encodeCallContext(b, ctx, !h.mapsOnDemand)
}

// call runs one Rust handler with a token standing for this call.
func (b *bridge) call(h *handler, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
	f, token := calls.acquire()
	f.st.ctx, f.st.logger, f.st.nk, f.st.handler = ctx, logger, nk, h
	f.st.usedNk.Store(false)
	defer calls.release(f, token)
	f.ctx = h.encodeContext(f.ctx[:0], ctx)
	suspendable := h.usesNk.Load()
	out, code := rustCall(h.kind, h.index, f, input, token, suspendable)
	if !suspendable && f.st.usedNk.Load() {
		h.usesNk.Store(true)
	}
	return out, code
}

// hooks: each registered hook's handler, filled by InitModule before it
// registers the hook, read-only afterwards.
var hooks = map[handlerKey]*handler{}

type handlerKey struct {
	kind int
	name string
}

// hookCall is call for a before or after hook.
func (b *bridge) hookCall(kind int, name string, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
	return b.call(hooks[handlerKey{kind, name}], ctx, logger, nk, input)
}

func callError(out string, code int) error {
	if code == codeNotFound {
		return runtime.NewError("no Rust module handles this call", 5)
	}
	return runtime.NewError(out, code)
}

func (b *bridge) rpc(h *handler) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, string) (string, error) {
	return func(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
		out, code := b.call(h, ctx, logger, nk, payload)
		if code != 0 {
			return "", callError(out, code)
		}
		return out, nil
	}
}

// before runs a before hook: the request goes on (possibly changed), is
// dropped (nil, nil: Nakama answers "Requested resource was not found."),
// or is refused with the hook's error.
func before[T proto.Message](b *bridge, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, name string, in T) (T, error) {
	var none T
	input, err := marshalOpts.Marshal(in)
	if err != nil {
		return none, runtime.NewError(fmt.Sprintf("before hook %s: request could not be encoded: %v", name, err), 13)
	}
	out, code := b.hookCall(kindBefore, name, ctx, logger, nk, string(input))
	if code != 0 {
		return none, callError(out, code)
	}
	if out == "" {
		return none, nil
	}
	next := in.ProtoReflect().New().Interface().(T)
	if err := unmarshalOpts.Unmarshal([]byte(out), next); err != nil {
		return none, runtime.NewError(fmt.Sprintf("before hook %s answered an undecodable request: %v", name, err), 13)
	}
	return next, nil
}

// beforeNoInput runs the before hook of a call without input.
func (b *bridge) beforeNoInput(ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, name string) error {
	out, code := b.hookCall(kindBefore, name, ctx, logger, nk, "null")
	if code != 0 {
		return callError(out, code)
	}
	return nil
}

// after runs an after hook with {"out":..,"in":..} (nil: key left out).
// Nakama ignores its error (the client has its answer); it is returned for
// Nakama's metrics.
func (b *bridge) after(ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, name string, out, in proto.Message) error {
	input, err := afterInput(out, in)
	if err != nil {
		return runtime.NewError(fmt.Sprintf("after hook %s: %v", name, err), 13)
	}
	res, code := b.hookCall(kindAfter, name, ctx, logger, nk, input)
	if code != 0 {
		return callError(res, code)
	}
	return nil
}

// afterInput is an after hook's input, {"out":..,"in":..}, as proto JSON
// (a nil message: its key left out).
func afterInput(out, in proto.Message) (string, error) {
	var sb strings.Builder
	sb.WriteByte('{')
	for _, part := range []struct {
		key string
		msg proto.Message
	}{{"out", out}, {"in", in}} {
		if part.msg == nil {
			continue
		}
		data, err := marshalOpts.Marshal(part.msg)
		if err != nil {
			return "", fmt.Errorf("%s could not be encoded: %w", part.key, err)
		}
		if sb.Len() > 1 {
			sb.WriteByte(',')
		}
		sb.WriteString(`"` + part.key + `":`)
		sb.Write(data)
	}
	sb.WriteByte('}')
	return sb.String(), nil
}

func main() {}
