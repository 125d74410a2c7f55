package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/heroiclabs/nakama-common/runtime"
)

func withValues(kv ...any) context.Context {
	ctx := context.Background()
	for i := 0; i < len(kv); i += 2 {
		ctx = context.WithValue(ctx, kv[i], kv[i+1]) //nolint:staticcheck // Nakama's keys are strings
	}
	return ctx
}

func decoded(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %s: %v", b, err)
	}
	return m
}

// callFields decodes encodeCallContext's output: the present fields by
// name, maps decoded from JSON, user_session_exp as an int64.
func callFields(t *testing.T, b []byte) map[string]any {
	t.Helper()
	names := []string{"headers", "query_params", "user_id", "username", "vars", "user_session_exp",
		"session_id", "lang", "client_ip", "client_port", "trace_id"}
	got := map[string]any{}
	for _, name := range names {
		if len(b) < 4 {
			t.Fatalf("truncated before %s", name)
		}
		n := binary.LittleEndian.Uint32(b)
		b = b[4:]
		if n == absentField {
			continue
		}
		v := b[:n]
		b = b[n:]
		switch name {
		case "headers", "query_params", "vars":
			got[name] = decoded(t, v)
		case "user_session_exp":
			got[name] = int64(binary.LittleEndian.Uint64(v))
		default:
			got[name] = string(v)
		}
	}
	if len(b) != 0 {
		t.Fatalf("%d bytes after the last field", len(b))
	}
	return got
}

func TestInitContextCarriesWhatIsFixedPerProcess(t *testing.T) {
	ctx := withValues(runtime.RUNTIME_CTX_ENV, map[string]string{"K": "v"},
		runtime.RUNTIME_CTX_MODE, "run_once", runtime.RUNTIME_CTX_NODE, "nakama1",
		runtime.RUNTIME_CTX_VERSION, "3.40.0")
	got := decoded(t, encodeInitContext(ctx))
	want := map[string]any{"env": map[string]any{"K": "v"}, "execution_mode": "run_once", "node": "nakama1", "version": "3.40.0"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	// Per call, those are left to Rust.
	if got := callFields(t, encodeCallContext(nil, ctx, true)); len(got) != 0 {
		t.Fatalf("per-call context repeats init values: %v", got)
	}
}

func TestCallContextWithASession(t *testing.T) {
	ctx := withValues(
		runtime.RUNTIME_CTX_HEADERS, map[string][]string{"X-Client": {"a\"b"}},
		runtime.RUNTIME_CTX_QUERY_PARAMS, map[string][]string{"region": {"eu", "us"}},
		runtime.RUNTIME_CTX_USER_ID, "u1", runtime.RUNTIME_CTX_USERNAME, "ann",
		runtime.RUNTIME_CTX_VARS, map[string]string{"tier": "gold"},
		runtime.RUNTIME_CTX_USER_SESSION_EXP, int64(1700000000),
		runtime.RUNTIME_CTX_SESSION_ID, "s1", runtime.RUNTIME_CTX_LANG, "fr",
		runtime.RUNTIME_CTX_CLIENT_IP, "127.0.0.1", runtime.RUNTIME_CTX_CLIENT_PORT, "5000",
		runtime.RUNTIME_CTX_TRACE_ID, "t\xff")
	got := callFields(t, encodeCallContext(nil, ctx, true))
	want := map[string]any{
		"headers":      map[string]any{"X-Client": []any{"a\"b"}},
		"query_params": map[string]any{"region": []any{"eu", "us"}},
		"user_id":      "u1", "username": "ann", "vars": map[string]any{"tier": "gold"},
		"user_session_exp": int64(1700000000), "session_id": "s1", "lang": "fr",
		"client_ip": "127.0.0.1", "client_port": "5000", "trace_id": "t\ufffd",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
}

func TestMapsOnDemandLeaveTheContextAndComeWhenAsked(t *testing.T) {
	ctx := withValues(
		runtime.RUNTIME_CTX_HEADERS, map[string][]string{"X-Client": {"a\"b"}, "Accept": {"x", "y"}},
		runtime.RUNTIME_CTX_QUERY_PARAMS, map[string][]string{"region": {"eu"}},
		runtime.RUNTIME_CTX_USER_ID, "u1", runtime.RUNTIME_CTX_CLIENT_IP, "127.0.0.1")
	got := callFields(t, encodeCallContext(nil, ctx, false))
	if want := map[string]any{"user_id": "u1", "client_ip": "127.0.0.1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("context without maps: got %v, want %v", got, want)
	}
	maps := decoded(t, encodeRequestMaps(ctx))
	want := map[string]any{
		"headers":      map[string]any{"X-Client": []any{"a\"b"}, "Accept": []any{"x", "y"}},
		"query_params": map[string]any{"region": []any{"eu"}},
	}
	if !reflect.DeepEqual(maps, want) {
		t.Fatalf("maps asked for: got %v, want %v", maps, want)
	}
	// A call without either: an empty object (the module sees no entries).
	if got := string(encodeRequestMaps(withValues(runtime.RUNTIME_CTX_USER_ID, "u1"))); got != "{}" {
		t.Fatalf("no maps: got %s", got)
	}
	only := withValues(runtime.RUNTIME_CTX_QUERY_PARAMS, map[string][]string{"q": {""}})
	if got := string(encodeRequestMaps(only)); got != `{"query_params":{"q":[""]}}` {
		t.Fatalf("query only: got %s", got)
	}
}

func TestAHandlerGetsAnEmptyContextUntilItAsksForIt(t *testing.T) {
	ctx := withValues(
		runtime.RUNTIME_CTX_HEADERS, map[string][]string{"X-Client": {"c"}},
		runtime.RUNTIME_CTX_USER_ID, "u1")
	h := &handler{mapsOnDemand: true, contextOnDemand: true}
	if got := h.encodeContext(nil, ctx); len(got) != 0 {
		t.Fatalf("before it asked: got %d bytes, want none", len(got))
	}
	h.readsCtx.Store(true) // what goNbContext does
	if got := callFields(t, h.encodeContext(nil, ctx)); !reflect.DeepEqual(got, map[string]any{"user_id": "u1"}) {
		t.Fatalf("after it asked: got %v (headers stay on demand)", got)
	}
	// Modules of ABI 1.0 get everything with every call.
	old := &handler{}
	want := map[string]any{"user_id": "u1", "headers": map[string]any{"X-Client": []any{"c"}}}
	if got := callFields(t, old.encodeContext(nil, ctx)); !reflect.DeepEqual(got, want) {
		t.Fatalf("ABI 1.0: got %v, want %v", got, want)
	}
}

func TestWithoutAUserNoSessionKeysAreSent(t *testing.T) {
	// Nakama never sets these without a user id; even if present they are
	// not looked up.
	ctx := withValues(runtime.RUNTIME_CTX_USERNAME, "ghost", runtime.RUNTIME_CTX_CLIENT_IP, "10.0.0.1")
	got := callFields(t, encodeCallContext(nil, ctx, true))
	if !reflect.DeepEqual(got, map[string]any{"client_ip": "10.0.0.1"}) {
		t.Fatalf("got %v", got)
	}
}

func TestAppendStringIsJSONForAnyBytes(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "tab\tnl\nret\r", "\x00\x1f\x7f", "é€😀", "bad\xffutf8\xc3", "\u2028"} {
		var back string
		if err := json.Unmarshal(appendString(nil, s), &back); err != nil {
			t.Fatalf("%q: not a JSON string: %v", s, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); back != want {
			t.Fatalf("%q came back as %q, want %q", s, back, want)
		}
	}
}

func TestTheOneWalkReadsWhatCtxValueReads(t *testing.T) {
	if !valueCtxLayoutOK {
		t.Fatal("this Go's context.valueCtx is not laid out as valueCtxLayout: the bridge falls back to ctx.Value")
	}
	env := map[string]string{"K": "v"}
	base := withParent(httptest.NewRequest(http.MethodGet, "/", nil).Context(), "other", 1)
	cases := map[string]context.Context{
		"http key": nakamaLikeContext(),
		"session": withParent(base, runtime.RUNTIME_CTX_ENV, env, runtime.RUNTIME_CTX_MODE, "rpc",
			runtime.RUNTIME_CTX_HEADERS, map[string][]string{"A": {"1"}},
			runtime.RUNTIME_CTX_USER_ID, "u1", runtime.RUNTIME_CTX_USERNAME, "ann",
			runtime.RUNTIME_CTX_VARS, map[string]string{"k": "v"}, runtime.RUNTIME_CTX_USER_SESSION_EXP, int64(42),
			runtime.RUNTIME_CTX_SESSION_ID, "s1", runtime.RUNTIME_CTX_LANG, "",
			runtime.RUNTIME_CTX_CLIENT_IP, "::1", runtime.RUNTIME_CTX_TRACE_ID, "t"),
		"shadowed and mistyped": withParent(base, runtime.RUNTIME_CTX_ENV, env,
			runtime.RUNTIME_CTX_USER_ID, "below", runtime.RUNTIME_CTX_USER_ID, "top",
			runtime.RUNTIME_CTX_USERNAME, 7, runtime.RUNTIME_CTX_USER_SESSION_EXP, "soon",
			runtime.RUNTIME_CTX_QUERY_PARAMS, map[string]string{"wrong": "type"},
			runtime.RUNTIME_CTX_CLIENT_PORT, "1", runtime.RUNTIME_CTX_CLIENT_PORT, 2),
		"no user, values set anyway": withParent(base, runtime.RUNTIME_CTX_ENV, env,
			runtime.RUNTIME_CTX_USERNAME, "ghost", runtime.RUNTIME_CTX_LANG, "fr"),
	}
	for name, ctx := range cases {
		var walked, looked callValues
		if !walked.walk(ctx) {
			t.Fatalf("%s: the walk gave up", name)
		}
		looked.lookUp(ctx)
		if got, want := encodeValues(nil, &walked), encodeValues(nil, &looked); !reflect.DeepEqual(callFields(t, got), callFields(t, want)) {
			t.Fatalf("%s: walk %v\nlookUp %v", name, callFields(t, got), callFields(t, want))
		}
	}
	// A chain that is not all WithValue down to env: the walk gives up
	// (and encodeCallContext uses ctx.Value).
	cancelled, cancel := context.WithCancel(withParent(base, runtime.RUNTIME_CTX_ENV, env))
	defer cancel()
	for name, ctx := range map[string]context.Context{
		"no env":           withParent(base, runtime.RUNTIME_CTX_USER_ID, "u1"),
		"cancel above env": withParent(cancelled, runtime.RUNTIME_CTX_USER_ID, "u1"),
	} {
		var v callValues
		if v.walk(ctx) || !reflect.DeepEqual(v, callValues{}) {
			t.Fatalf("%s: the walk answered %+v", name, v)
		}
		if got := callFields(t, encodeCallContext(nil, ctx, true)); got["user_id"] != "u1" {
			t.Fatalf("%s: fallback lost the user: %v", name, got)
		}
	}
}
