package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/runtime"
)

// testCallbacks is Nakama's FmCallbackHandler as it behaves (a registry
// by id; an invoked or unknown id is gone).
type testCallbacks struct {
	mu   sync.Mutex
	next int
	fns  map[string]runtime.FmCreateCallbackFn
}

func (c *testCallbacks) GenerateCallbackId() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	return "cb" + string(rune('0'+c.next))
}

func (c *testCallbacks) SetCallback(id string, fn runtime.FmCreateCallbackFn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fns == nil {
		c.fns = map[string]runtime.FmCreateCallbackFn{}
	}
	c.fns[id] = fn
}

func (c *testCallbacks) InvokeCallback(id string, status runtime.FmCreateStatus, instance *runtime.InstanceInfo, sessions []*runtime.SessionInfo, metadata map[string]any, err error) {
	c.mu.Lock()
	fn := c.fns[id]
	delete(c.fns, id)
	c.mu.Unlock()
	if fn != nil {
		fn(status, instance, sessions, metadata, err)
	}
}

func (c *testCallbacks) waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.fns)
}

// fleetNk is a NakamaModule whose fleet manager is fm.
type fleetNk struct {
	runtime.NakamaModule
	fm runtime.FleetManager
}

func (n fleetNk) GetFleetManager() runtime.FleetManager { return n.fm }

// testFleet is a Rust fleet manager whose six functions answer through
// fake, initialised as Nakama does, and kept for fleet_callback until the
// test ends.
func testFleet(t *testing.T, fake *fakeRust) (*rustFleet, *testCallbacks) {
	f := newRustFleet(newTestLogger(), func(h *handler, ctx context.Context, l runtime.Logger, nk runtime.NakamaModule, input string) (string, int) {
		// The function's name rides along in the input, for the fake.
		var in map[string]any
		_ = json.Unmarshal([]byte(input), &in)
		in["function"] = fleetOps[h.index]
		tagged, _ := json.Marshal(in)
		return fake.call(h, ctx, l, nk, string(tagged))
	})
	for i, op := range fleetOps {
		f.add("fleet", op, &handler{kind: kindFleetManager, index: uint32(i)})
	}
	callbacks := &testCallbacks{}
	if err := f.Init(nil, callbacks); err != nil {
		t.Fatal(err)
	}
	theRustFleet.Store(f)
	t.Cleanup(func() { theRustFleet.Store(nil) })
	return f, callbacks
}

// fleetOps: the functions, by their handlers' index in testFleet.
var fleetOps = []string{"get", "list", "create", "join", "update", "delete"}

const instanceJSON = `{"id":"i1","connection_info":{"ip_address":"10.0.0.7","dns_name":"i1.example","port":7777},` +
	`"create_time":"2026-12-03T15:00:00Z","player_count":2,"status":"ready","metadata":{"mode":"duel"}}`

var wantInstance = &runtime.InstanceInfo{
	Id:             "i1",
	ConnectionInfo: &runtime.ConnectionInfo{IpAddress: "10.0.0.7", DnsName: "i1.example", Port: 7777},
	CreateTime:     time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC),
	PlayerCount:    2,
	Status:         "ready",
	Metadata:       map[string]any{"mode": "duel"},
}

// Each method sends the ABI's JSON to its function and reads its answer
// into nakama-common's types.
func TestTheRustFleetManagerCrossesAsTheABIsJSON(t *testing.T) {
	fake := &fakeRust{answer: func(c map[string]any) (string, int) {
		switch c["function"] {
		case "get":
			return instanceJSON, 0
		case "list":
			return `{"instances":[` + instanceJSON + `],"cursor":"next"}`, 0
		case "create":
			return `{"placement":"p1"}`, 0
		case "join":
			return `{"instance_info":` + instanceJSON + `,"session_info":[{"user_id":"u3","session_id":"i1/u3"}]}`, 0
		}
		return "", 0
	}}
	f, callbacks := testFleet(t, fake)
	ctx := context.Background()
	sent := func(want string) {
		t.Helper()
		got, _ := json.Marshal(fake.last())
		if string(got) != want {
			t.Errorf("sent\n%s\nwant\n%s", got, want)
		}
	}

	got, err := f.Get(ctx, "i1")
	if err != nil || !reflect.DeepEqual(got, wantInstance) {
		t.Errorf("get: %+v, %v", got, err)
	}
	sent(`{"function":"get","id":"i1"}`)

	list, cursor, err := f.List(ctx, "ready", 10, "c0")
	if err != nil || cursor != "next" || len(list) != 1 || !reflect.DeepEqual(list[0], wantInstance) {
		t.Errorf("list: %v, %q, %v", list, cursor, err)
	}
	sent(`{"cursor":"c0","function":"list","limit":10,"query":"ready"}`)

	called := false
	info, err := f.Create(ctx, 4, []string{"u1"}, []runtime.FleetUserLatencies{{UserId: "u1", LatencyInMilliseconds: 20.5, RegionIdentifier: "eu"}},
		map[string]any{"mode": "duel"}, func(runtime.FmCreateStatus, *runtime.InstanceInfo, []*runtime.SessionInfo, map[string]any, error) {
			called = true
		})
	if err != nil || !reflect.DeepEqual(info, map[string]string{"placement": "p1"}) {
		t.Errorf("create: %v, %v", info, err)
	}
	sent(`{"callback_id":"cb1","function":"create","latencies":[{"latency_in_milliseconds":20.5,"region_identifier":"eu","user_id":"u1"}],` +
		`"max_players":4,"metadata":{"mode":"duel"},"user_ids":["u1"]}`)
	// The asker's callback waits under the id the module got.
	callbacks.InvokeCallback("cb1", runtime.CreateSuccess, nil, nil, nil, nil)
	if !called {
		t.Error("the asker's callback was not set under callback_id")
	}
	// Nothing given is sent empty, never null.
	if _, err := f.Create(ctx, 2, nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	sent(`{"callback_id":"cb2","function":"create","latencies":[],"max_players":2,"metadata":{},"user_ids":[]}`)

	joined, err := f.Join(ctx, "i1", []string{"u3"}, nil)
	want := &runtime.JoinInfo{InstanceInfo: wantInstance, SessionInfo: []*runtime.SessionInfo{{UserId: "u3", SessionId: "i1/u3"}}}
	if err != nil || !reflect.DeepEqual(joined, want) {
		t.Errorf("join: %+v, %v", joined, err)
	}
	sent(`{"function":"join","id":"i1","metadata":{},"user_ids":["u3"]}`)

	if err := f.Update(ctx, "i1", 3, map[string]any{"a": 1}); err != nil {
		t.Error(err)
	}
	sent(`{"function":"update","id":"i1","metadata":{"a":1},"player_count":3}`)
	if err := f.Delete(ctx, "i1"); err != nil {
		t.Error(err)
	}
	sent(`{"function":"delete","id":"i1"}`)
}

// An empty create_time is Go's zero time (and goes back to a Rust asker
// empty); one that is not RFC 3339 is the fleet manager's error.
func TestCreateTimeEmptyIsTheZeroTime(t *testing.T) {
	answer := `{"id":"i1","create_time":""}`
	f, _ := testFleet(t, &fakeRust{answer: func(map[string]any) (string, int) { return answer, 0 }})
	got, err := f.Get(context.Background(), "i1")
	if err != nil || !got.CreateTime.IsZero() || got.Id != "i1" {
		t.Fatalf("empty: %+v, %v", got, err)
	}
	back, _ := json.Marshal(abiInstance(got))
	if !strings.Contains(string(back), `"create_time":""`) {
		t.Errorf("the zero time goes back as %s", back)
	}
	// Another offset and fractions survive the round trip.
	answer = `{"id":"i1","create_time":"2026-12-03T16:00:00.25+01:00"}`
	got, err = f.Get(context.Background(), "i1")
	if err != nil || !got.CreateTime.Equal(time.Date(2026, 12, 3, 15, 0, 0, 250e6, time.UTC)) {
		t.Fatalf("offset: %+v, %v", got, err)
	}
	if back := abiInstance(got).CreateTime; back != "2026-12-03T16:00:00.25+01:00" {
		t.Errorf("offset goes back as %s", back)
	}
	answer = `{"id":"i1","create_time":"yesterday"}`
	_, err = f.Get(context.Background(), "i1")
	var re *runtime.Error
	if !errors.As(err, &re) || re.Code != 13 || !strings.Contains(re.Message, `create_time "yesterday" is not RFC 3339`) {
		t.Errorf("bad time: %v", err)
	}
}

// The module's error keeps its code and message all the way to a module
// that called a fleet_* nk function, even one worded like an error of
// Nakama's that the bridge maps by its words.
func TestRustFleetErrorsKeepTheirCodes(t *testing.T) {
	var out string
	var code int
	f, _ := testFleet(t, &fakeRust{answer: func(map[string]any) (string, int) { return out, code }})
	st := &callState{ctx: context.Background(), nk: fleetNk{fm: f}}
	for _, c := range []struct {
		out  string
		code int
	}{
		{"instance nowhere not found", 13},
		{"instance nowhere not found", 5},
		{"invalid cursor", 13},
		{"no fleet manager is registered", 14},
	} {
		out, code = c.out, c.code
		for _, name := range []string{"fleet_get", "fleet_list", "fleet_join", "fleet_create"} {
			gotCode, msg := nkCall(st, name, `{"id":"nowhere","max_players":1}`, nil)
			if gotCode != c.code || string(msg) != c.out {
				t.Errorf("%s: (%d, %q), want (%d, %q)", name, gotCode, msg, c.code, c.out)
			}
		}
	}
	// A Go fleet manager's plain error is still INTERNAL.
	if code, _ := nkError("fleet_get", errors.New("instance nowhere not found")); code != 13 {
		t.Errorf("plain error: %d", code)
	}
}

// A Create that fails leaves no callback behind in Nakama's registry, and
// the asker's callback does not run.
func TestAFailedCreateLeavesNoCallback(t *testing.T) {
	f, callbacks := testFleet(t, &fakeRust{answer: func(map[string]any) (string, int) {
		return "max players must be at least 1", 13
	}})
	ran := false
	_, err := f.Create(context.Background(), 0, nil, nil, nil, func(runtime.FmCreateStatus, *runtime.InstanceInfo, []*runtime.SessionInfo, map[string]any, error) {
		ran = true
	})
	var re *runtime.Error
	if !errors.As(err, &re) || re.Code != 13 || re.Message != "max players must be at least 1" {
		t.Errorf("error %v", err)
	}
	if ran || callbacks.waiting() != 0 {
		t.Errorf("callback ran %v, %d waiting", ran, callbacks.waiting())
	}
}

// fleet_create through a Rust fleet manager answers once the module calls
// fleet_callback (here from another goroutine, as from a module's thread
// on the init token), with what create answered.
func TestFleetCreateAnswersWithTheRustCallback(t *testing.T) {
	f, _ := testFleet(t, &fakeRust{answer: func(c map[string]any) (string, int) {
		id := c["callback_id"].(string)
		go func() {
			time.Sleep(10 * time.Millisecond)
			args := `{"callback_id":"` + id + `","status":0,"instance":` + instanceJSON +
				`,"sessions":[{"user_id":"u1","session_id":"i1/u1"}],"metadata":{"mode":"duel"},"error":""}`
			if code, msg := nkCall(&callState{ctx: context.Background()}, "fleet_callback", args, nil); code != 0 || string(msg) != "null" {
				t.Errorf("fleet_callback: (%d, %s)", code, msg)
			}
		}()
		return `{"placement":"p1"}`, 0
	}})
	st := &callState{ctx: context.Background(), nk: fleetNk{fm: f}}
	code, out := nkCall(st, "fleet_create", `{"max_players":4,"user_ids":["u1"],"metadata":{"mode":"duel"}}`, nil)
	want := `{"info":{"placement":"p1"},"status":0,"instance":` + instanceJSON +
		`,"sessions":[{"user_id":"u1","session_id":"i1/u1"}],"metadata":{"mode":"duel"},"error":""}`
	if code != 0 || string(out) != want {
		t.Errorf("(%d, %s)\nwant %s", code, out, want)
	}
}

// fleet_callback hands Nakama's registry what the module said, nil for
// what it left empty and its error as an error; an unknown id is no error.
func TestFleetCallbackInvokesNakamasCallback(t *testing.T) {
	_, callbacks := testFleet(t, &fakeRust{})
	type got struct {
		status   runtime.FmCreateStatus
		instance *runtime.InstanceInfo
		sessions []*runtime.SessionInfo
		metadata map[string]any
		err      error
	}
	var seen []got
	record := func(status runtime.FmCreateStatus, instance *runtime.InstanceInfo, sessions []*runtime.SessionInfo, metadata map[string]any, err error) {
		seen = append(seen, got{status, instance, sessions, metadata, err})
	}
	callbacks.SetCallback("a", record)
	callbacks.SetCallback("b", record)
	st := &callState{ctx: context.Background()}
	for _, args := range []string{
		`{"callback_id":"a","status":2,"instance":null,"sessions":[],"metadata":{},"error":"no server"}`,
		`{"callback_id":"b","status":0,"instance":` + instanceJSON + `,"sessions":[{"user_id":"u","session_id":"s"}],"metadata":{"k":"v"},"error":""}`,
		`{"callback_id":"a","status":0}`,
	} {
		if code, msg := nkCall(st, "fleet_callback", args, nil); code != 0 || string(msg) != "null" {
			t.Errorf("%s: (%d, %s)", args, code, msg)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("seen %+v", seen)
	}
	if a := seen[0]; a.status != runtime.CreateError || a.instance != nil || a.sessions != nil || a.metadata != nil || a.err == nil || a.err.Error() != "no server" {
		t.Errorf("failed: %+v", a)
	}
	if b := seen[1]; b.status != runtime.CreateSuccess || !reflect.DeepEqual(b.instance, wantInstance) || len(b.sessions) != 1 ||
		b.metadata["k"] != "v" || b.err != nil {
		t.Errorf("created: %+v", b)
	}
	code, msg := nkCall(st, "fleet_callback", `{"callback_id":"x","instance":{"create_time":"now"}}`, nil)
	if code != 3 || !strings.Contains(string(msg), "not RFC 3339") {
		t.Errorf("bad create_time: (%d, %s)", code, msg)
	}
}

// A fleet manager call's context leads with the asker's execution mode,
// and is sent whole (never on demand: the mode could not come with it).
func TestAFleetCallCarriesTheAskersMode(t *testing.T) {
	h := &handler{kind: kindFleetManager, mapsOnDemand: true}
	ctx := withValues(runtime.RUNTIME_CTX_MODE, "rpc", runtime.RUNTIME_CTX_USER_ID, "u1")
	b := h.encodeContext(nil, ctx)
	n := binary.LittleEndian.Uint32(b)
	if n != 3 || string(b[4:7]) != "rpc" {
		t.Fatalf("mode field %q", b[:min(len(b), 7)])
	}
	if got := callFields(t, b[7:]); !reflect.DeepEqual(got, map[string]any{"user_id": "u1"}) {
		t.Errorf("fields %v", got)
	}
	if b := h.encodeContext(nil, context.Background()); binary.LittleEndian.Uint32(b) != absentField {
		t.Errorf("no mode: %v", b[:4])
	}
}

// The bridge registers a fleet manager with Nakama only when a module
// registered one, and keeps it for fleet_callback.
func TestTheFleetManagerIsRegisteredOnlyWhenAModuleHasOne(t *testing.T) {
	t.Cleanup(func() { theRustFleet.Store(nil) })
	in := &fleetInitializer{}
	if err := newRustFleet(nil, nil).register(in); err != nil || in.fm != nil || theRustFleet.Load() != nil {
		t.Fatalf("none: %v %v", err, in.fm)
	}
	f := newRustFleet(nil, nil)
	f.add("fleet", "get", &handler{kind: kindFleetManager})
	if err := f.register(in); err != nil || in.fm != f || theRustFleet.Load() != f || f.callbacks() != runtime.FmCallbackHandler(&in.callbacks) {
		t.Fatalf("one: %v %v", err, in.fm)
	}
	// A function the module did not register answers UNIMPLEMENTED.
	var re *runtime.Error
	if err := f.Delete(context.Background(), "i1"); !errors.As(err, &re) || re.Code != 12 {
		t.Errorf("missing function: %v", err)
	}
}

// fleetInitializer records RegisterFleetManager as Nakama does it (Init
// at once).
type fleetInitializer struct {
	runtime.Initializer
	fm        runtime.FleetManagerInitializer
	callbacks testCallbacks
}

func (i *fleetInitializer) RegisterFleetManager(fm runtime.FleetManagerInitializer) error {
	i.fm = fm
	return fm.Init(nil, &i.callbacks)
}
