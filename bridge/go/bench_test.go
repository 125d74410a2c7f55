package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/runtime"
)

// nakamaLikeContext is a context shaped like the one Nakama 3.40 gives an
// RPC called with an http key (server/runtime_go_context.go on top of an
// HTTP request's context): wrk's headers, two query params, no user.
func nakamaLikeContext() context.Context {
	req := httptest.NewRequest(http.MethodPost, "/v2/rpc/echo?http_key=k&unwrap", nil)
	ctx := req.Context()
	for i := 0; i < 6; i++ { // the server's and router's own values
		ctx = context.WithValue(ctx, struct{ n int }{i}, i) //nolint:staticcheck
	}
	return withParent(ctx, runtime.RUNTIME_CTX_ENV, map[string]string{"K": "v"},
		runtime.RUNTIME_CTX_MODE, "rpc", runtime.RUNTIME_CTX_NODE, "nakama1",
		runtime.RUNTIME_CTX_VERSION, "3.40.0",
		runtime.RUNTIME_CTX_HEADERS, map[string][]string{"Host": {"127.0.0.1:7450"}, "Content-Length": {"5"}, "Content-Type": {"text/plain"}},
		runtime.RUNTIME_CTX_QUERY_PARAMS, map[string][]string{"http_key": {"defaulthttpkey"}, "unwrap": {""}},
		runtime.RUNTIME_CTX_CLIENT_IP, "127.0.0.1", runtime.RUNTIME_CTX_CLIENT_PORT, "51234",
		runtime.RUNTIME_CTX_TRACE_ID, "7f0c1e2a-4b5d-4c6e-8f90-123456789abc")
}

func withParent(ctx context.Context, kv ...any) context.Context {
	for i := 0; i < len(kv); i += 2 {
		ctx = context.WithValue(ctx, kv[i], kv[i+1]) //nolint:staticcheck
	}
	return ctx
}

// BenchmarkEncodeContext: the Go half of a call's context.
func BenchmarkEncodeContext(b *testing.B) {
	ctx := nakamaLikeContext()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = encodeCallContext(buf[:0], ctx, true)
	}
}

// The Rust side loads modules once per process.
var (
	benchInit    sync.Once
	benchInitOut string
	benchInitOK  bool
)

// echoRPC loads the modules of BRIDGE_BENCH_MODULES (a folder with
// golden_module.rsmod, as bench/bridge.sh builds it) once per process and
// answers the bridge's "echo" RPC.
func echoRPC(b testing.TB) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, string) (string, error) {
	return rpcByID(b, "echo")
}

// rpcByID is echoRPC for the RPC id.
func rpcByID(b testing.TB, id string) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, string) (string, error) {
	path := os.Getenv("BRIDGE_BENCH_MODULES")
	if path == "" {
		b.Skip("BRIDGE_BENCH_MODULES not set")
	}
	benchInit.Do(func() {
		initCtx := withValues(runtime.RUNTIME_CTX_ENV, map[string]string{"K": "v"},
			runtime.RUNTIME_CTX_MODE, "run_once", runtime.RUNTIME_CTX_NODE, "nakama1",
			runtime.RUNTIME_CTX_VERSION, "3.40.0")
		theBridge.init = &callState{ctx: initCtx}
		benchInitOut, benchInitOK = rustInit(path, encodeInitContext(initCtx), 10000)
	})
	if !benchInitOK {
		b.Fatal(benchInitOut)
	}
	var report initReport
	if err := json.Unmarshal([]byte(benchInitOut), &report); err != nil {
		b.Fatal(err)
	}
	for _, r := range report.Registrations {
		if r.Kind == kindRPC && r.ID == id {
			return theBridge.rpc(&handler{kind: r.Kind, index: r.Index, mapsOnDemand: true, contextOnDemand: true})
		}
	}
	b.Fatal("no RPC ", id, " in ", path)
	return nil
}

// BenchmarkEchoCall: one whole RPC through the bridge into a Rust module.
func BenchmarkEchoCall(b *testing.B) {
	rpc, ctx := echoRPC(b), nakamaLikeContext()
	b.ReportAllocs()
	for b.Loop() {
		if out, err := rpc(ctx, nil, nil, nil, "hello"); err != nil || out != "hello" {
			b.Fatal(out, err)
		}
	}
}

// BenchmarkEchoCallParallel: the same from every P at once, as under load
// (shared state shows up here, not in BenchmarkEchoCall).
func BenchmarkEchoCallParallel(b *testing.B) {
	rpc, ctx := echoRPC(b), nakamaLikeContext()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if out, err := rpc(ctx, nil, nil, nil, "hello"); err != nil || out != "hello" {
				b.Error(out, err)
				return
			}
		}
	})
}

// BenchmarkColdCall: what a call costs when other work has evicted the
// caches and TLBs, as Nakama's own work does between two calls of a
// module (about three times BenchmarkEchoCall's hot figure). Each
// iteration evicts, then times one variant; variants take turns, and each
// is reported as its median less that of doing nothing (ns/<variant>).
// BRIDGE_COLD_ONLY=<variant> times that one alone (to profile it). Run
// with a fixed count: go test -run X -bench ColdCall -benchtime 20000x
func BenchmarkColdCall(b *testing.B) {
	rpc, ctx := echoRPC(b), nakamaLikeContext()
	storage, userCtx, nk := rpcByID(b, "storage_rw"), withUser(ctx), &storageNk{}
	buf := make([]byte, 0, 1024)
	f := newFrame()
	type variant struct {
		name string
		run  func()
	}
	variants := []variant{
		{"nothing", func() {}},
		{"go-closure", func() { _, _ = noopRPC(ctx, nil, nil, nil, "hello") }},
		{"encode-context", func() { buf = encodeCallContext(buf[:0], ctx, false) }}, // as for ABI 1.1 modules
		{"cgo-nop", cgoNop},
		{"rust-miss", func() { // an empty context, an index no handler has
			f.ctx = f.ctx[:0]
			for range 11 {
				f.ctx = appendAbsent(f.ctx)
			}
			rustCall(kindRPC, ^uint32(0), f, "hello", 0, false)
		}},
		{"echo-call", func() { _, _ = rpc(ctx, nil, nil, nil, "hello") }},
		{"storage-go", func() { _, _ = goStorageRW(userCtx, nil, nil, nk, storagePayload) }},
		{"storage-call", func() { _, _ = storage(userCtx, nil, nil, nk, storagePayload) }},
	}
	if only := os.Getenv("BRIDGE_COLD_ONLY"); only != "" {
		variants = slices.DeleteFunc(variants, func(v variant) bool {
			return v.name != only && v.name != "nothing"
		})
	}
	times := make([][]float64, len(variants))
	b.ResetTimer()
	for i := range b.N {
		v := i % len(variants)
		evict()
		start := time.Now()
		variants[v].run()
		times[v] = append(times[v], float64(time.Since(start).Nanoseconds()))
	}
	b.StopTimer()
	if len(times[len(variants)-1]) == 0 {
		return // too few iterations for every variant (the first, b.N=1 run)
	}
	median := func(x []float64) float64 { slices.Sort(x); return x[len(x)/2] }
	base := median(times[0])
	for i, v := range variants[1:] {
		b.ReportMetric(median(times[i+1])-base, "ns/"+v.name)
	}
	b.ReportMetric(0, "ns/op") // the mean of all variants with evictions means nothing
}

var noopRPC = func(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
	return payload, nil
}

// evictBuf is what evict touches: one line in each page of 16 MiB (the
// TLBs), then every line of its first MiB (the L2 cache).
var evictBuf = make([]byte, 16<<20)

func evict() {
	for i := 0; i < len(evictBuf); i += 4096 {
		evictBuf[i]++
	}
	for i := 0; i < 1<<20; i += 64 {
		evictBuf[i]++
	}
}
