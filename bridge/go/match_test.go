package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
)

// testLogger records what is logged (level, fields and message).
type testLogger struct {
	mu     *sync.Mutex
	lines  *[]string
	fields map[string]interface{}
}

func newTestLogger() *testLogger {
	return &testLogger{mu: &sync.Mutex{}, lines: &[]string{}, fields: map[string]interface{}{}}
}

func (l *testLogger) log(level, format string, v ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	*l.lines = append(*l.lines, fmt.Sprintf("%s %v %s", level, l.fields, fmt.Sprintf(format, v...)))
}

func (l *testLogger) Debug(format string, v ...interface{}) { l.log("debug", format, v...) }
func (l *testLogger) Info(format string, v ...interface{})  { l.log("info", format, v...) }
func (l *testLogger) Warn(format string, v ...interface{})  { l.log("warn", format, v...) }
func (l *testLogger) Error(format string, v ...interface{}) { l.log("error", format, v...) }
func (l *testLogger) WithField(key string, v interface{}) runtime.Logger {
	return l.WithFields(map[string]interface{}{key: v})
}
func (l *testLogger) WithFields(fields map[string]interface{}) runtime.Logger {
	all := map[string]interface{}{}
	for k, v := range l.fields {
		all[k] = v
	}
	for k, v := range fields {
		all[k] = v
	}
	return &testLogger{mu: l.mu, lines: l.lines, fields: all}
}
func (l *testLogger) Fields() map[string]interface{} { return l.fields }

func (l *testLogger) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(*l.lines, "\n")
}

// fakeRust stands in for the Rust handler: it records each call's input
// (decoded) and answers what answer makes of it.
type fakeRust struct {
	mu     sync.Mutex
	calls  []map[string]interface{}
	answer func(call map[string]interface{}) (string, int)
}

func (f *fakeRust) call(_ *handler, _ context.Context, _ runtime.Logger, _ runtime.NakamaModule, input string) (string, int) {
	var c map[string]interface{}
	if err := json.Unmarshal([]byte(input), &c); err != nil {
		return "bad input: " + err.Error(), 3
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	answer := f.answer
	f.mu.Unlock()
	if answer == nil {
		return "{}", 0
	}
	return answer(c)
}

func (f *fakeRust) last() map[string]interface{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return nil
	}
	return f.calls[len(f.calls)-1]
}

// dispatched is one call of the fake dispatcher.
type dispatched struct {
	method    string
	opCode    int64
	data      string
	presences []runtime.Presence
	sender    runtime.Presence
	reliable  bool
	label     string
}

type fakeDispatcher struct {
	got    []dispatched
	refuse map[string]error
}

func (d *fakeDispatcher) record(x dispatched) error {
	d.got = append(d.got, x)
	return d.refuse[x.method]
}

func (d *fakeDispatcher) BroadcastMessage(opCode int64, data []byte, presences []runtime.Presence, sender runtime.Presence, reliable bool) error {
	return d.record(dispatched{method: "BroadcastMessage", opCode: opCode, data: string(data), presences: presences, sender: sender, reliable: reliable})
}

func (d *fakeDispatcher) BroadcastMessageDeferred(opCode int64, data []byte, presences []runtime.Presence, sender runtime.Presence, reliable bool) error {
	return d.record(dispatched{method: "BroadcastMessageDeferred", opCode: opCode, data: string(data), presences: presences, sender: sender, reliable: reliable})
}

func (d *fakeDispatcher) MatchKick(presences []runtime.Presence) error {
	return d.record(dispatched{method: "MatchKick", presences: presences})
}

func (d *fakeDispatcher) MatchLabelUpdate(label string) error {
	return d.record(dispatched{method: "MatchLabelUpdate", label: label})
}

// matchCtx is a match's context as Nakama builds it (after init).
func matchCtx() context.Context {
	return withValues(runtime.RUNTIME_CTX_ENV, map[string]string{}, runtime.RUNTIME_CTX_MODE, "match",
		runtime.RUNTIME_CTX_MATCH_ID, "4d1a5a0e-4a6b-4a57-8f1c-4b8f0a3c2d1e.nakama1",
		runtime.RUNTIME_CTX_MATCH_NODE, "nakama1", runtime.RUNTIME_CTX_MATCH_TICK_RATE, 10,
		runtime.RUNTIME_CTX_MATCH_LABEL, "lbl")
}

const testMatchID = "4d1a5a0e-4a6b-4a57-8f1c-4b8f0a3c2d1e.nakama1"

// testState is the state of a match made in matchCtx.
func testState(number uint64, call matchCaller) *matchState {
	return &matchState{number: number, matchID: testMatchID, node: "nakama1", call: call, label: "lbl", tickRate: 10,
		h: &handler{}}
}

var (
	ann = &matchPresence{UserID: "5c7d8a57-0d9f-4f0b-9f5e-3d8a3f1b2c4d", SessionID: "6c7d8a57-0d9f-4f0b-9f5e-3d8a3f1b2c4d",
		Username: "ann", Node: "nakama1"}
	annJSON = map[string]interface{}{"user_id": ann.UserID, "session_id": ann.SessionID, "username": "ann", "node": "nakama1"}
)

// testMessage is a runtime.MatchData from a client.
type testMessage struct {
	*matchPresence
	opCode int64
	data   []byte
}

func (m testMessage) GetOpCode() int64      { return m.opCode }
func (m testMessage) GetData() []byte       { return m.data }
func (m testMessage) GetReliable() bool     { return true }
func (m testMessage) GetReceiveTime() int64 { return 1234 }

// Each Match method sends the MatchCall abi/src/matches.rs describes: the
// match's facts from Nakama's context, the state number, the tick, and
// the event's own fields, present even when empty.
func TestMatchCallsCarryTheMatchAndTheEvent(t *testing.T) {
	rust := &fakeRust{}
	m := &rustMatch{name: "arena", call: rust.call}
	ctx, logger, d := matchCtx(), newTestLogger(), &fakeDispatcher{}
	state := testState(7, rust.call)
	facts := map[string]interface{}{"state": 7.0, "match_id": testMatchID, "node": "nakama1", "label": "lbl",
		"tick_rate": 10.0}
	check := func(want map[string]interface{}) {
		t.Helper()
		for k, v := range facts {
			want[k] = v
		}
		if got := rust.last(); !reflect.DeepEqual(got, want) {
			t.Errorf("sent %v\nwant %v", got, want)
		}
	}

	m.MatchJoinAttempt(ctx, logger, nil, nil, d, 3, state, ann, map[string]string{"name": "ann"})
	check(map[string]interface{}{"call": "join_attempt", "tick": 3.0, "presence": annJSON,
		"metadata": map[string]interface{}{"name": "ann"}})
	m.MatchJoin(ctx, logger, nil, nil, d, 4, state, []runtime.Presence{ann})
	check(map[string]interface{}{"call": "join", "tick": 4.0, "presences": []interface{}{annJSON}})
	m.MatchLeave(ctx, logger, nil, nil, d, 5, state, nil)
	check(map[string]interface{}{"call": "leave", "tick": 5.0, "presences": []interface{}{}})
	// A presence's reason crosses as Nakama's number (Unknown is left out, above).
	gone := *ann
	gone.Reason = runtime.PresenceReasonDisconnect
	goneJSON := map[string]interface{}{"reason": 4.0}
	for k, v := range annJSON {
		goneJSON[k] = v
	}
	m.MatchLeave(ctx, logger, nil, nil, d, 5, state, []runtime.Presence{&gone})
	check(map[string]interface{}{"call": "leave", "tick": 5.0, "presences": []interface{}{goneJSON}})
	m.MatchLoop(ctx, logger, nil, nil, d, 6, state, nil)
	check(map[string]interface{}{"call": "loop", "tick": 6.0, "messages": []interface{}{}})
	m.MatchLoop(ctx, logger, nil, nil, d, 7, state, []runtime.MatchData{testMessage{ann, 1, []byte("hi")}})
	check(map[string]interface{}{"call": "loop", "tick": 7.0, "messages": []interface{}{map[string]interface{}{
		"presence": annJSON, "op_code": 1.0, "data": "aGk=", "reliable": true, "receive_time_ms": 1234.0}}})
	m.MatchSignal(ctx, logger, nil, nil, d, 8, state, "")
	check(map[string]interface{}{"call": "signal", "tick": 8.0, "data": ""})
	m.MatchTerminate(ctx, logger, nil, nil, d, 9, state, 30)
	check(map[string]interface{}{"call": "terminate", "tick": 9.0, "grace_seconds": 30.0})

	// Init: no state yet, the params as given, no label or tick rate
	// (Nakama sets them in the context after init).
	initCtx := withValues(runtime.RUNTIME_CTX_ENV, map[string]string{}, runtime.RUNTIME_CTX_MATCH_ID, testMatchID,
		runtime.RUNTIME_CTX_MATCH_NODE, "nakama1")
	rust.answer = func(map[string]interface{}) (string, int) {
		return `{"state":12,"tick_rate":5,"label":"open"}`, 0
	}
	s, rate, label := m.MatchInit(initCtx, logger, nil, nil, map[string]interface{}{"max_players": int64(2)})
	want := map[string]interface{}{"call": "init", "state": 0.0, "match_id": testMatchID, "node": "nakama1", "label": "",
		"tick_rate": 0.0, "tick": 0.0, "params": map[string]interface{}{"max_players": 2.0}}
	if got := rust.last(); !reflect.DeepEqual(got, want) {
		t.Errorf("init sent %v\nwant %v", got, want)
	}
	ms, ok := s.(*matchState)
	if !ok || ms.number != 12 || ms.matchID != testMatchID || rate != 5 || label != "open" {
		t.Fatalf("init answered %#v %d %q", s, rate, label)
	}
	ms.mu.Lock()
	ms.end()
	ms.mu.Unlock()
}

// The answer's actions reach Nakama's dispatcher in order: a broadcast
// without presences goes to everyone (nil), an empty list to no one, no
// sender is a nil interface; deferred ones go through
// BroadcastMessageDeferred; a refused action is logged and the rest go on.
func TestMatchAnswerActionsAreAppliedInOrder(t *testing.T) {
	rust := &fakeRust{answer: func(map[string]interface{}) (string, int) {
		return `{"actions":[
			{"action":"broadcast","op_code":2,"data":"aGk=","reliable":true},
			{"action":"broadcast","op_code":3,"data":"","presences":[],"reliable":false},
			{"action":"broadcast","op_code":4,"data":null,"presences":[{"user_id":"` + ann.UserID + `","session_id":"` +
			ann.SessionID + `","username":"ann","node":"nakama1"}],"sender":{"user_id":"u","session_id":"s","username":"bob","node":"n"},"reliable":true,"deferred":true},
			{"action":"kick","presences":[{"user_id":"` + ann.UserID + `","session_id":"` + ann.SessionID + `","username":"ann","node":"nakama1"}]},
			{"action":"label","label":"closed"},
			{"action":"teleport"}
		]}`, 0
	}}
	m := &rustMatch{name: "arena", call: rust.call}
	d := &fakeDispatcher{refuse: map[string]error{"MatchKick": errors.New("kick refused")}}
	logger := newTestLogger()
	state := testState(7, rust.call)
	if s := m.MatchLoop(matchCtx(), logger, nil, nil, d, 1, state, nil); s != state {
		t.Fatalf("the match goes on with its state, got %#v", s)
	}
	if len(d.got) != 5 {
		t.Fatalf("dispatched %+v", d.got)
	}
	b := d.got[0]
	if b.method != "BroadcastMessage" || b.opCode != 2 || b.data != "hi" || b.presences != nil || b.sender != nil || !b.reliable {
		t.Errorf("to everyone: %+v", b)
	}
	b = d.got[1]
	if b.method != "BroadcastMessage" || b.opCode != 3 || b.presences == nil || len(b.presences) != 0 || b.reliable {
		t.Errorf("to no one: %+v", b)
	}
	b = d.got[2]
	if b.method != "BroadcastMessageDeferred" || b.opCode != 4 || b.data != "" || len(b.presences) != 1 ||
		b.presences[0].GetSessionId() != ann.SessionID || b.presences[0].GetNodeId() != "nakama1" ||
		b.sender == nil || b.sender.GetUsername() != "bob" || b.sender.GetUserId() != "u" {
		t.Errorf("deferred, to ann, from bob: %+v", b)
	}
	if k := d.got[3]; k.method != "MatchKick" || len(k.presences) != 1 || k.presences[0].GetUserId() != ann.UserID {
		t.Errorf("kick: %+v", k)
	}
	if l := d.got[4]; l.method != "MatchLabelUpdate" || l.label != "closed" {
		t.Errorf("label: %+v", l)
	}
	log := logger.all()
	if !strings.Contains(log, "kick refused") || !strings.Contains(log, `unknown match action "teleport"`) ||
		!strings.Contains(log, testMatchID) {
		t.Errorf("refused actions are logged with the match id:\n%s", log)
	}
}

// A handler that stops its match: its actions still go out, Nakama gets
// a nil state, and nothing is dropped (the module has dropped the state).
// Join attempts and signals answer the handler's decision and reply.
func TestMatchAnswersStopAcceptAndReply(t *testing.T) {
	rust := &fakeRust{answer: func(c map[string]interface{}) (string, int) {
		switch c["call"] {
		case "join_attempt":
			return `{"reason":"arena is full"}`, 0
		case "signal":
			if c["data"] == "close" {
				return `{"stop":true,"reply":"closed","actions":[{"action":"broadcast","op_code":3,"data":"","reliable":true}]}`, 0
			}
			return `{"reply":"1"}`, 0
		}
		return "{}", 0
	}}
	m := &rustMatch{name: "arena", call: rust.call}
	ctx, logger, d := matchCtx(), newTestLogger(), &fakeDispatcher{}
	state := testState(7, rust.call)
	s, ok, reason := m.MatchJoinAttempt(ctx, logger, nil, nil, d, 1, state, ann, nil)
	if s != state || ok || reason != "arena is full" {
		t.Errorf("join attempt: %#v %v %q", s, ok, reason)
	}
	s, reply := m.MatchSignal(ctx, logger, nil, nil, d, 2, state, "players")
	if s != state || reply != "1" {
		t.Errorf("signal: %#v %q", s, reply)
	}
	s, reply = m.MatchSignal(ctx, logger, nil, nil, d, 3, state, "close")
	if s != nil || reply != "closed" || len(d.got) != 1 || d.got[0].opCode != 3 {
		t.Errorf("a stopping signal: %#v %q %+v", s, reply, d.got)
	}
	for _, c := range rust.calls {
		if c["call"] == "drop" {
			t.Errorf("a stopped match's state is dropped by the module, not sent a drop: %v", rust.calls)
		}
	}
}

// A call that fails (or answers what does not decode) ends the match:
// Nakama gets a nil state, the failure is logged with the match id, and
// the module is told to drop the state.
func TestAFailedMatchCallEndsTheMatchAndDropsItsState(t *testing.T) {
	for _, failure := range []struct {
		out  string
		code int
		says string
	}{
		{"module handler panicked", 13, "module handler panicked"},
		{"{not json", 0, "undecodable"},
	} {
		rust := &fakeRust{answer: func(c map[string]interface{}) (string, int) {
			if c["call"] == "drop" {
				return "{}", 0
			}
			return failure.out, failure.code
		}}
		m := &rustMatch{name: "arena", call: rust.call}
		logger := newTestLogger()
		state := testState(9, rust.call)
		if s := m.MatchJoin(matchCtx(), logger, nil, nil, &fakeDispatcher{}, 4, state, []runtime.Presence{ann}); s != nil {
			t.Errorf("%s: the match goes on with %#v", failure.says, s)
		}
		drop := rust.last()
		if len(rust.calls) != 2 || drop["call"] != "drop" || drop["state"] != 9.0 || drop["match_id"] != testMatchID ||
			drop["node"] != "nakama1" {
			t.Errorf("%s: sent %v, want the join then a drop of state 9", failure.says, rust.calls)
		}
		log := logger.all()
		if !strings.HasPrefix(log, "error") || !strings.Contains(log, testMatchID) || !strings.Contains(log, failure.says) {
			t.Errorf("%s: logged\n%s", failure.says, log)
		}
	}
	// A state that is not a Rust match's ends the match without a call.
	rust := &fakeRust{}
	m := &rustMatch{name: "arena", call: rust.call}
	if s := m.MatchLoop(matchCtx(), newTestLogger(), nil, nil, &fakeDispatcher{}, 1, "not ours", nil); s != nil || len(rust.calls) != 0 {
		t.Errorf("a foreign state: %#v, calls %v", s, rust.calls)
	}
}

// A match Nakama stops on its own (it cancels the match's context, after
// the call in progress) has its state dropped then, once; one the module
// stopped is not sent a drop.
func TestAMatchNakamaStopsHasItsStateDropped(t *testing.T) {
	dropped := make(chan map[string]interface{}, 4)
	started := make(chan struct{})
	release := make(chan struct{})
	rust := &fakeRust{answer: func(c map[string]interface{}) (string, int) {
		switch c["call"] {
		case "drop":
			dropped <- c
		case "terminate":
			close(started)
			<-release
		case "signal":
			return `{"stop":true}`, 0
		}
		return "{}", 0
	}}
	m := &rustMatch{name: "arena", call: rust.call}
	ctx, cancel := context.WithCancel(matchCtx())
	state := newMatchState(ctx, 5, testMatchID, "nakama1", nil, rust.call, "lbl", 10)
	// Nakama stops the match during a call: the drop waits for it.
	done := make(chan interface{})
	go func() { done <- m.MatchTerminate(ctx, newTestLogger(), nil, nil, &fakeDispatcher{}, 1, state, 0) }()
	<-started
	cancel()
	select {
	case c := <-dropped:
		t.Fatalf("dropped during a call: %v", c)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if s := <-done; s != state {
		t.Fatalf("terminate answered %#v", s)
	}
	select {
	case c := <-dropped:
		if c["state"] != 5.0 || c["match_id"] != testMatchID || c["node"] != "nakama1" {
			t.Errorf("dropped %v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the state of a match Nakama stopped was not dropped")
	}
	// A later call finds the state over and ends the match, no call made.
	n := len(rust.calls)
	if s := m.MatchLoop(ctx, newTestLogger(), nil, nil, &fakeDispatcher{}, 2, state, nil); s != nil || len(rust.calls) != n {
		t.Errorf("a call after the drop: %#v, calls %v", s, rust.calls)
	}

	ctx, cancel = context.WithCancel(matchCtx())
	state = newMatchState(ctx, 6, testMatchID, "nakama1", nil, rust.call, "lbl", 10)
	if s, _ := m.MatchSignal(ctx, newTestLogger(), nil, nil, &fakeDispatcher{}, 1, state, "close"); s != nil {
		t.Fatalf("a stopping signal answered %#v", s)
	}
	cancel()
	select {
	case c := <-dropped:
		t.Errorf("a state the module stopped was sent a drop: %v", c)
	case <-time.After(50 * time.Millisecond):
	}
}

// A failed init gives Nakama a nil state (and a valid tick rate, so that
// Nakama refuses the match for that) and leaves its error for the
// match_create that asked; an init that answers no state is refused too.
func TestAFailedInitIsLoggedAndLeftForItsCreator(t *testing.T) {
	for _, tc := range []struct {
		out  string
		code int
		want matchInitError
	}{
		{"match init answered tick rate 0, must be between 1 and 60", 3,
			matchInitError{3, "match init answered tick rate 0, must be between 1 and 60"}},
		{`{"tick_rate":5}`, 0, matchInitError{13, "init answered no state"}},
		{`[`, 0, matchInitError{13, "undecodable init answer: unexpected end of JSON input"}},
	} {
		rust := &fakeRust{answer: func(map[string]interface{}) (string, int) { return tc.out, tc.code }}
		failed := &matchInitError{}
		factory := (&bridge{}).matchFactory("arena", nil)
		match, err := factory(context.WithValue(context.Background(), matchInitKey{}, failed), nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		match.(*rustMatch).call = rust.call
		logger := newTestLogger()
		s, rate, _ := match.MatchInit(matchCtx(), logger, nil, nil, nil)
		if s != nil || rate != 1 {
			t.Errorf("%s: init answered %#v, tick rate %d", tc.out, s, rate)
		}
		if *failed != tc.want {
			t.Errorf("%s: left %+v, want %+v", tc.out, *failed, tc.want)
		}
		if !strings.Contains(logger.all(), tc.want.message) || !strings.Contains(logger.all(), testMatchID) {
			t.Errorf("%s: logged\n%s", tc.out, logger.all())
		}
	}
}

// A state Nakama discards without the module stopping it is dropped in
// Rust when Go collects it, off the finalizer goroutine.
func TestADiscardedStateIsDropped(t *testing.T) {
	dropped := make(chan map[string]interface{}, 1)
	rust := &fakeRust{answer: func(c map[string]interface{}) (string, int) {
		dropped <- c
		return "{}", 0
	}}
	func() {
		_ = newMatchState(context.Background(), 31, testMatchID, "nakama1", nil, rust.call, "lbl", 10)
	}()
	deadline := time.After(10 * time.Second)
	for {
		goruntime.GC()
		select {
		case c := <-dropped:
			if c["call"] != "drop" || c["state"] != 31.0 || c["match_id"] != testMatchID {
				t.Fatalf("sent %v", c)
			}
			return
		case <-deadline:
			t.Fatal("the discarded state was not dropped")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// One ended is not dropped again when collected.
func TestAnEndedStateIsNotDroppedAgain(t *testing.T) {
	rust := &fakeRust{}
	func() {
		s := newMatchState(context.Background(), 32, testMatchID, "nakama1", nil, rust.call, "lbl", 10)
		s.mu.Lock()
		s.end()
		s.mu.Unlock()
	}()
	for range 3 {
		goruntime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	rust.mu.Lock()
	defer rust.mu.Unlock()
	if len(rust.calls) != 0 {
		t.Errorf("sent %v", rust.calls)
	}
}

// matchNk is a NakamaModule with Nakama's match functions' behaviour
// where the tests need it (the rest are nil: calling one fails).
type matchNk struct {
	runtime.NakamaModule
	params       map[string]interface{}
	minSize      *int
	maxSize      *int
	listArgs     []interface{}
	signalResult string
	err          error
}

// Nakama registers these with gob for match params (server/match_registry.go).
func init() {
	gob.Register(map[string]interface{}(nil))
	gob.Register([]interface{}(nil))
}

func (n *matchNk) MatchCreate(ctx context.Context, module string, params map[string]interface{}) (string, error) {
	if module == "" {
		return "", errors.New("expects module name")
	}
	// Nakama passes params through gob before the match sees them.
	buf := &bytes.Buffer{}
	if err := gob.NewEncoder(buf).Encode(params); err != nil {
		return "", runtime.ErrCannotEncodeParams
	}
	var decoded map[string]interface{}
	if err := gob.NewDecoder(buf).Decode(&decoded); err != nil {
		return "", runtime.ErrCannotDecodeParams
	}
	n.params = decoded
	if module != "arena" {
		return "", errors.New("error creating match: not found")
	}
	match, err := (&bridge{}).matchFactory(module, nil)(ctx, nil, nil, n)
	if err != nil {
		return "", err
	}
	match.(*rustMatch).call = func(*handler, context.Context, runtime.Logger, runtime.NakamaModule, string) (string, int) {
		return "max_players must be 2 to 16", 3
	}
	if module == "arena" && params["fail"] == true {
		if s, _, _ := match.MatchInit(matchCtx(), newTestLogger(), nil, n, params); s == nil {
			return "", errors.New("error creating match: Match initial state must not be nil")
		}
	}
	return testMatchID, nil
}

func (n *matchNk) MatchGet(_ context.Context, id string) (*api.Match, error) {
	if id == testMatchID {
		return &api.Match{MatchId: id, Authoritative: true, TickRate: 10, HandlerName: "arena"}, nil
	}
	if !strings.Contains(id, ".") {
		return nil, runtime.ErrMatchIdInvalid
	}
	return nil, nil
}

func (n *matchNk) MatchList(_ context.Context, limit int, authoritative bool, label string, minSize, maxSize *int, query string) ([]*api.Match, error) {
	n.listArgs = []interface{}{limit, authoritative, label, query}
	n.minSize, n.maxSize = minSize, maxSize
	if query == "+bad:" {
		return nil, errors.New("error parsing query string: bad")
	}
	return []*api.Match{{MatchId: testMatchID, Authoritative: true, Size: 1}}, nil
}

func (n *matchNk) MatchSignal(_ context.Context, id, data string) (string, error) {
	if id != testMatchID {
		return "", runtime.ErrMatchNotFound
	}
	if data == "busy" {
		return "", runtime.ErrMatchBusy
	}
	return "reply to " + data, nil
}

// The four match nk functions reach Nakama's, and their errors answer
// the dev host's codes.
func TestMatchNkFunctionsForwardToNakama(t *testing.T) {
	nk := &matchNk{}
	st := &callState{ctx: context.Background(), nk: nk}
	call := func(name, args string) (int, string) {
		code, out := nkCall(st, name, args, nil)
		return code, string(out)
	}
	for _, tc := range []struct {
		name, args string
		code       int
		out        string
	}{
		{"match_create", `{"module":"arena","params":{"max_players":2,"big":9007199254740993,"f":1.5,"n":{"a":[1,null]}}}`, 0, `"` + testMatchID + `"`},
		{"match_create", `{"module":"arena"}`, 0, `"` + testMatchID + `"`},
		{"match_create", `{"module":""}`, 3, "expects module name"},
		{"match_create", `{"module":"nope","params":{}}`, 5, "error creating match: not found"},
		{"match_create", `{"module":"arena","params":{"fail":true}}`, 3, "error creating match: max_players must be 2 to 16"},
		{"match_create", `{"module":"arena","params":[1]}`, 3, ""},
		{"match_get", `{"id":"` + testMatchID + `"}`, 0, ""},
		{"match_get", `{"id":"4d1a5a0e-4a6b-4a57-8f1c-4b8f0a3c2d1f.nakama1"}`, 0, "null"},
		{"match_get", `{"id":"nope"}`, 3, "match id invalid"},
		{"match_list", `{"limit":10,"authoritative":true,"label":"l","min_size":0,"query":"q"}`, 0, ""},
		{"match_list", `{"query":"+bad:"}`, 3, "error parsing query string: bad"},
		{"match_signal", `{"id":"` + testMatchID + `","data":"players"}`, 0, `"reply to players"`},
		{"match_signal", `{"id":"x.nakama1","data":"players"}`, 5, "match not found"},
		{"match_signal", `{"id":"` + testMatchID + `","data":"busy"}`, 14, "match busy"},
	} {
		code, out := call(tc.name, tc.args)
		if code != tc.code || (tc.out != "" && out != tc.out) {
			t.Errorf("%s %s: answered %d %s, want %d %s", tc.name, tc.args, code, out, tc.code, tc.out)
		}
	}

	// Params reach the match as gob left them: integers exact.
	nkCall(st, "match_create", `{"module":"arena","params":{"max_players":2,"big":9007199254740993,"f":1.5,"n":{"a":[1,null]}}}`, nil)
	want := map[string]interface{}{"max_players": int64(2), "big": int64(9007199254740993), "f": 1.5,
		"n": map[string]interface{}{"a": []interface{}{int64(1), nil}}}
	if !reflect.DeepEqual(nk.params, want) {
		t.Errorf("params %#v\nwant %#v", nk.params, want)
	}
	if data, _ := json.Marshal(nk.params); string(data) != `{"big":9007199254740993,"f":1.5,"max_players":2,"n":{"a":[1,null]}}` {
		t.Errorf("params as the handler's init gets them: %s", data)
	}

	_, out := call("match_get", `{"id":"`+testMatchID+`"}`)
	var got map[string]interface{}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got["match_id"] != testMatchID || got["authoritative"] != true ||
		got["handler_name"] != "arena" || got["tick_rate"] != 10.0 {
		t.Errorf("match_get answered %s", out)
	}

	_, out = call("match_list", `{"limit":10,"authoritative":true,"label":"l","min_size":0,"query":"q"}`)
	var list []map[string]interface{}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 || list[0]["match_id"] != testMatchID {
		t.Errorf("match_list answered %s", out)
	}
	if !reflect.DeepEqual(nk.listArgs, []interface{}{10, true, "l", "q"}) || nk.minSize == nil || *nk.minSize != 0 || nk.maxSize != nil {
		t.Errorf("Nakama got %v, min %v, max %v", nk.listArgs, nk.minSize, nk.maxSize)
	}
}

func TestNkErrorCodesOfMatchErrors(t *testing.T) {
	for err, want := range map[error]int{
		runtime.ErrMatchNotFound:                                  5,
		runtime.ErrMatchIdInvalid:                                 3,
		runtime.ErrMatchBusy:                                      14,
		runtime.ErrCannotEncodeParams:                             3,
		runtime.ErrCannotDecodeParams:                             3,
		runtime.ErrMatchLabelTooLong:                              3,
		errors.New("error creating match: not found"):             5,
		errors.New("error creating match: shutdown in progress"):  14,
		errors.New("error parsing query string: syntax error"):    3,
		errors.New("error creating match: something else failed"): 13,
	} {
		if code, msg := nkError("match_x", err); code != want || msg != err.Error() {
			t.Errorf("%v: got %d %q, want %d", err, code, msg, want)
		}
	}
}

// Rust gets the match's logger with Nakama's "mid" in its Fields(), which
// module log lines take their call fields from (Nakama keeps it in the
// zap logger only); one per Nakama logger, not one per call.
func TestMatchCallsLogWithTheMatchID(t *testing.T) {
	var loggers []runtime.Logger
	m := &rustMatch{name: "arena", call: func(_ *handler, _ context.Context, l runtime.Logger, _ runtime.NakamaModule, _ string) (string, int) {
		loggers = append(loggers, l)
		return "{}", 0
	}}
	logger := newTestLogger().WithField("trace", "t").(*testLogger)
	state := testState(7, m.call)
	m.MatchLoop(matchCtx(), logger, nil, nil, &fakeDispatcher{}, 1, state, nil)
	m.MatchLoop(matchCtx(), logger, nil, nil, &fakeDispatcher{}, 2, state, nil)
	if len(loggers) != 2 || loggers[0] != loggers[1] {
		t.Fatalf("loggers %v", loggers)
	}
	want := map[string]interface{}{"trace": "t", "mid": strings.Split(testMatchID, ".")[0]}
	if got := loggers[0].Fields(); !reflect.DeepEqual(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	loggers[0].Info("through")
	if !strings.Contains(logger.all(), "info map[trace:t] through") {
		t.Errorf("lines go to Nakama's logger: %s", logger.all())
	}
}

// loopMessage is a client's message as the ABI has it (encoding/json
// writes what loopCall must), and as Nakama hands it to a match.
type loopMessage struct {
	matchPresence `json:"presence"`
	OpCode        int64  `json:"op_code"`
	Data          []byte `json:"data"`
	Reliable      bool   `json:"reliable"`
	ReceiveTimeMs int64  `json:"receive_time_ms"`
}

func (m *loopMessage) GetOpCode() int64      { return m.OpCode }
func (m *loopMessage) GetData() []byte       { return m.Data }
func (m *loopMessage) GetReliable() bool     { return m.Reliable }
func (m *loopMessage) GetReceiveTime() int64 { return m.ReceiveTimeMs }

// A loop call is written by hand (the tick's hot path), byte for byte as
// encoding/json writes the ABI's MatchCall: strings that need escaping,
// no data and empty data, a presence's reason, large and negative
// numbers; its head, kept from tick to tick, written again when the
// label changes.
func TestALoopCallIsWrittenAsEncodingJSONWritesIt(t *testing.T) {
	odd := matchPresence{UserID: ann.UserID, SessionID: ann.SessionID, Username: "a\"n\\n <&> é\u2028\x01\xff",
		Node: "nakama1", Reason: runtime.PresenceReasonDisconnect}
	// The ABI's MatchCall with messages (the other events' fields, nil, are left out).
	type loopCall struct {
		matchCall
		Messages []*loopMessage `json:"messages"`
	}
	s := &matchState{number: 18446744073709551615, matchID: testMatchID, node: "nakama1", tickRate: 60, h: &handler{}}
	tick := int64(9007199254740993)
	for _, label := range []string{"", "lbl", `{"open":true,"mode":"<ctf>"}`, "tab\there", "<ctf>&co", "é"} {
		s.setLabel(label)
		for _, messages := range [][]*loopMessage{
			{},
			{{matchPresence: *ann, OpCode: 1, Data: []byte("hi"), Reliable: true, ReceiveTimeMs: 1234}},
			{{matchPresence: odd, OpCode: -9223372036854775808, Data: nil}, {matchPresence: *ann, OpCode: 7, Data: []byte{},
				ReceiveTimeMs: -1}, {matchPresence: *ann, Data: []byte{0, 255, 1}}},
			{},
		} {
			tick--
			want, err := json.Marshal(&loopCall{matchCall{Call: "loop", State: s.number, MatchID: testMatchID,
				Node: "nakama1", Label: label, TickRate: 60, Tick: tick}, messages})
			if err != nil {
				t.Fatal(err)
			}
			data := make([]runtime.MatchData, len(messages))
			for i, m := range messages {
				data[i] = m
			}
			if got := s.loopCall(tick, data); string(got) != string(want) {
				t.Errorf("wrote %s\nwant  %s", got, want)
			}
		}
	}
}

// A module of ABI 1.16 or later gets its loop calls in compact form:
// byte for byte what the Rust test a_loop_call_is_written_as_the_form_says
// (abi/src/matches/compact.rs) writes, invalid UTF-8 mended as in JSON, and
// its head written again when the label changes.
func TestACompactLoopCallIsTheABIs(t *testing.T) {
	const loopHex = "0001" + "0700000000000000" + "030000006d2e6e" + "010000006e" + "020000006c62" + "05000000" +
		"0300000000000000" + "02000000" +
		"0100000075010000007301000000770100000064" + "04" + "feffffffffffffff" + "020000006869" + "01" + "e803000000000000" +
		"0000000000000000000000000000000000" + "0000000000000000" + "00000000" + "00" + "0000000000000000"
	s := &matchState{number: 7, matchID: "m.n", node: "n", tickRate: 5, label: "lb", h: &handler{compactMatch: true}}
	from := matchPresence{UserID: "u", SessionID: "s", Username: "w", Node: "d", Reason: runtime.PresenceReasonDisconnect}
	messages := []runtime.MatchData{
		&loopMessage{matchPresence: from, OpCode: -2, Data: []byte("hi"), Reliable: true, ReceiveTimeMs: 1000},
		&loopMessage{},
	}
	for range 2 { // the second time from its head
		if got := hex.EncodeToString(s.loopCall(3, messages)); got != loopHex {
			t.Fatalf("wrote %s\nwant  %s", got, loopHex)
		}
	}
	s.setLabel("\xffé")
	got := s.loopCall(4, nil)
	want := "0001" + "0700000000000000" + "030000006d2e6e" + "010000006e" + "05000000efbfbdc3a9" + "05000000" +
		"0400000000000000" + "00000000"
	if hex.EncodeToString(got) != want {
		t.Errorf("after a relabel wrote %x\nwant %s", got, want)
	}
}

// The label a call sends is the match's as Nakama has it: the one init
// answered, then each label action Nakama took (not one it refused).
func TestCallsSendTheLabelNakamaHas(t *testing.T) {
	next := ""
	rust := &fakeRust{answer: func(map[string]interface{}) (string, int) {
		if next == "" {
			return "{}", 0
		}
		return `{"actions":[{"action":"label","label":"` + next + `"}]}`, 0
	}}
	m := &rustMatch{name: "arena", call: rust.call}
	ctx, logger := matchCtx(), newTestLogger()
	d := &fakeDispatcher{}
	state := testState(7, rust.call)
	sent := func() interface{} { return rust.last()["label"] }
	for i, step := range []struct {
		answer, refuse string
		want           []string // what the next loop and signal calls send
	}{
		{"", "", []string{"lbl", "lbl"}},
		{"open", "", []string{"lbl", "open"}},
		{"", "", []string{"open", "open"}},
		{"closed", "refused", []string{"open", "open"}},
		{"closed", "", []string{"open", "closed"}},
	} {
		next = step.answer
		d.refuse = map[string]error{}
		if step.refuse != "" {
			d.refuse["MatchLabelUpdate"] = errors.New(step.refuse)
		}
		m.MatchLoop(ctx, logger, nil, nil, d, int64(i), state, nil)
		if got := sent(); got != step.want[0] {
			t.Errorf("step %d: the loop call sent label %v, want %q", i, got, step.want[0])
		}
		next = ""
		m.MatchSignal(ctx, logger, nil, nil, d, int64(i), state, "")
		if got := sent(); got != step.want[1] {
			t.Errorf("step %d: the next call sent label %v, want %q", i, got, step.want[1])
		}
	}
}

// A tick with many messages does not leave the match holding their size.
func TestALargeLoopCallsMemoryIsNotKept(t *testing.T) {
	rust := &fakeRust{}
	m := &rustMatch{name: "arena", call: rust.call}
	state := testState(7, rust.call)
	msg := &loopMessage{matchPresence: *ann, Data: make([]byte, 1000)}
	burst := make([]runtime.MatchData, 30)
	for i := range burst {
		burst[i] = msg
	}
	m.MatchLoop(matchCtx(), newTestLogger(), nil, nil, &fakeDispatcher{}, 1, state, nil)
	if state.input == nil {
		t.Fatal("a small tick's memory is kept for the next")
	}
	m.MatchLoop(matchCtx(), newTestLogger(), nil, nil, &fakeDispatcher{}, 2, state, burst)
	if got := len(rust.last()["messages"].([]interface{})); got != 30 {
		t.Fatalf("sent %d messages", got)
	}
	if state.input != nil || state.head != 0 {
		t.Errorf("kept %d bytes", cap(state.input))
	}
	m.MatchLoop(matchCtx(), newTestLogger(), nil, nil, &fakeDispatcher{}, 3, state, nil)
	if got := rust.last(); got["tick"] != 3.0 || got["label"] != "lbl" {
		t.Errorf("the next tick sent %v", got)
	}
}

// A call with a state the module has dropped ends the match without
// reaching the module, logged with the match's id.
func TestACallAfterTheStateWasDroppedEndsTheMatch(t *testing.T) {
	rust := &fakeRust{}
	m := &rustMatch{name: "arena", call: rust.call}
	logger := newTestLogger()
	s := testState(9, rust.call)
	s.over = true
	if got := m.MatchLoop(matchCtx(), logger, nil, nil, &fakeDispatcher{}, 3, s, nil); got != nil {
		t.Errorf("answered %v, want nil", got)
	}
	lines := *logger.lines
	if len(lines) != 1 || !strings.Contains(lines[0], "match_id:"+testMatchID) ||
		!strings.Contains(lines[0], "a loop call after its state was dropped") {
		t.Errorf("logged %q", lines)
	}
	rust.mu.Lock()
	defer rust.mu.Unlock()
	if len(rust.calls) != 0 {
		t.Errorf("sent %v", rust.calls)
	}
}

// The answer bridge/rust/src/matchanswer.rs's test writes in compact form
// (compactHex, the same bytes): a change to the form has to change both.
const compactAnswerJSON = `{"state":7,"stop":true,"tick_rate":5,"label":"lb","accept":true,
	"reason":"r","reply":"ok","actions":[
	{"action":"broadcast","op_code":-2,"data":"aGk=","presences":[{"user_id":"u","session_id":"s",
	 "username":"n","node":"d","reason":4}],"sender":{"user_id":"v","session_id":"t","username":"m",
	 "node":"e"},"reliable":true,"deferred":true},
	{"action":"broadcast","op_code":3,"data":"","reliable":true},
	{"action":"kick","presences":[]},
	{"action":"label","label":"é"}]}`

const compactHex = "00" + "0700000000000000" + "07" + "05000000" + "02000000" + "6c62" + "01000000" + "72" +
	"02000000" + "6f6b" + "04000000" +
	"01" + "feffffffffffffff" + "02000000" + "6869" + "0f" +
	"01000000" +
	"01000000" + "75" + "01000000" + "73" + "01000000" + "6e" + "01000000" + "64" + "04" +
	"01000000" + "76" + "01000000" + "74" + "01000000" + "6d" + "01000000" + "65" + "00" +
	"01" + "0300000000000000" + "00000000" + "04" +
	"02" + "00000000" +
	"03" + "02000000" + "c3a9"

// A compact answer reads as the same answer in JSON does; a truncated or
// malformed one is an error, never a panic.
func TestACompactAnswerReadsAsItsJSON(t *testing.T) {
	raw, err := hex.DecodeString(compactHex)
	if err != nil {
		t.Fatal(err)
	}
	want, err := decodeAnswer(compactAnswerJSON)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeAnswer(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("compact %+v\nJSON    %+v", got, want)
	}
	// The label Nakama keeps does not point into the answer (in the
	// bridge, a block of the frame's answers, which it would keep alive).
	out := string(raw)
	got, _ = decodeAnswer(out)
	start, label := uintptr(unsafe.Pointer(unsafe.StringData(out))), uintptr(unsafe.Pointer(unsafe.StringData(*got.Label)))
	if label >= start && label < start+uintptr(len(out)) {
		t.Errorf("the label is read in place, at %d of the answer", label-start)
	}
	// Its first byte alone is the answer that asks nothing.
	if got, err := decodeAnswer(string(raw[:1])); err != nil || !reflect.DeepEqual(got, matchAnswer{}) {
		t.Errorf("the first byte alone read as %+v, %v", got, err)
	}
	for n := 2; n < len(raw); n++ {
		if _, err := decodeAnswer(string(raw[:n])); err == nil {
			t.Errorf("%d of %d bytes read as an answer", n, len(raw))
		}
	}
	for _, bad := range []string{
		string(raw) + "x",
		strings.Replace(string(raw), "\x03\x02\x00\x00\x00\xc3\xa9", "\x09\x02\x00\x00\x00\xc3\xa9", 1),
		"\x00" + strings.Repeat("\xff", 40),
	} {
		if _, err := decodeAnswer(bad); err == nil {
			t.Errorf("%q read as an answer", bad)
		}
	}
}

// What reading a match's usual answer to a message costs (one broadcast
// back to its sender): as JSON, and in the compact form the bridge's Rust
// half sends.
func BenchmarkMatchAnswer(b *testing.B) {
	jsonAnswer := `{"actions":[{"action":"broadcast","op_code":1,"data":"cGluZw==","presences":[{"user_id":"` +
		ann.UserID + `","session_id":"` + ann.SessionID + `","username":"ann","node":"nakama1"}],"reliable":true}]}`
	var compact []byte
	compact = append(compact, 0)
	compact = append(compact, make([]byte, 8+1+4+12)...) // state, flags, tick rate, label, reason, reply
	compact = binary.LittleEndian.AppendUint32(compact, 1)
	compact = append(compact, 1)
	compact = binary.LittleEndian.AppendUint64(compact, 1)
	compact = append(binary.LittleEndian.AppendUint32(compact, 4), "ping"...)
	compact = binary.LittleEndian.AppendUint32(append(compact, 1|4), 1)
	for _, s := range []string{ann.UserID, ann.SessionID, "ann", "nakama1"} {
		compact = append(binary.LittleEndian.AppendUint32(compact, uint32(len(s))), s...)
	}
	compact = append(compact, 0)
	want, err := decodeAnswer(jsonAnswer)
	if err != nil {
		b.Fatal(err)
	}
	if got, err := decodeAnswer(string(compact)); err != nil || !reflect.DeepEqual(got, want) {
		b.Fatalf("compact %+v %v\nJSON %+v", got, err, want)
	}
	for _, form := range []struct{ name, out string }{{"json", jsonAnswer}, {"compact", string(compact)}} {
		b.Run(form.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeAnswer(form.out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
