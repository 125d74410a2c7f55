package main

import (
	"context"
	"encoding/json"
	"reflect"
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

func TestInitContextCarriesWhatIsFixedPerProcess(t *testing.T) {
	ctx := withValues(runtime.RUNTIME_CTX_ENV, map[string]string{"K": "v"},
		runtime.RUNTIME_CTX_MODE, "run_once", runtime.RUNTIME_CTX_NODE, "nakama1",
		runtime.RUNTIME_CTX_VERSION, "3.40.0")
	got := decoded(t, encodeContext(nil, ctx, true))
	want := map[string]any{"env": map[string]any{"K": "v"}, "execution_mode": "run_once", "node": "nakama1", "version": "3.40.0"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	// Per call, those are left to Rust.
	if got := decoded(t, encodeContext(nil, ctx, false)); len(got) != 0 {
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
	got := decoded(t, encodeContext(nil, ctx, false))
	want := map[string]any{
		"headers":      map[string]any{"X-Client": []any{"a\"b"}},
		"query_params": map[string]any{"region": []any{"eu", "us"}},
		"user_id":      "u1", "username": "ann", "vars": map[string]any{"tier": "gold"},
		"user_session_exp": float64(1700000000), "session_id": "s1", "lang": "fr",
		"client_ip": "127.0.0.1", "client_port": "5000", "trace_id": "t\ufffd",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
}

func TestWithoutAUserNoSessionKeysAreSent(t *testing.T) {
	// Nakama never sets these without a user id; even if present they are
	// not looked up.
	ctx := withValues(runtime.RUNTIME_CTX_USERNAME, "ghost", runtime.RUNTIME_CTX_CLIENT_IP, "10.0.0.1")
	got := decoded(t, encodeContext(nil, ctx, false))
	if !reflect.DeepEqual(got, map[string]any{"client_ip": "10.0.0.1"}) {
		t.Fatalf("got %v", got)
	}
}
