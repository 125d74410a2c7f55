package main

// Authoritative match handlers (ABI 1.4): each Rust match handler is
// registered with Nakama as a Go match whose methods call the handler
// with a MatchCall (JSON, abi/src/matches.rs) through the ordinary call
// path, then apply the MatchAnswer's actions through Nakama's dispatcher.
// The match's state stays in the module; Go holds its number.

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/heroiclabs/nakama-common/runtime"
)

// matchCaller runs one call of a Rust handler (bridge.call; tests use
// stand-ins).
type matchCaller func(h *handler, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, input string) (string, int)

// rustMatch is the runtime.Match of one match of a Rust handler (Nakama
// asks the factory for a new one per match). A running match's calls
// read its matchState, not this.
type rustMatch struct {
	name string
	h    *handler
	call matchCaller
	// initFailed: where MatchInit leaves a failed init's error, for the
	// match_create forwarder that created this match (nil otherwise).
	initFailed *matchInitError
}

// matchLogger is the logger a match call hands Rust: Nakama's match
// logger, whose zap fields (not its Fields()) hold the match's "mid", so
// module lines would go without it; Fields() adds it.
type matchLogger struct {
	runtime.Logger
	fields map[string]interface{}
}

func (l *matchLogger) Fields() map[string]interface{} { return l.fields }

// newMatchLogger answers the logger for Rust of the calls of match
// matchID (`<uuid>.<node>`) that Nakama gives logger.
func newMatchLogger(logger runtime.Logger, matchID string) runtime.Logger {
	if logger == nil {
		return nil
	}
	fields := map[string]interface{}{}
	for k, v := range logger.Fields() {
		fields[k] = v
	}
	if uuid, _, ok := strings.Cut(matchID, "."); ok {
		fields["mid"] = uuid
	}
	return &matchLogger{Logger: logger, fields: fields}
}

// matchInitError is the error of a handler's init: MatchInit cannot
// return one, so match_create's forwarder gives MatchInit somewhere to
// put it (through the context Nakama hands the match factory) and answers
// it to the module instead of Nakama's "state must not be nil".
type matchInitError struct {
	code    int
	message string
}

type matchInitKey struct{}

// matchFactory is what RegisterMatch takes for Rust handler h.
func (b *bridge) matchFactory(name string, h *handler) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule) (runtime.Match, error) {
	call := matchCaller(b.call) // one closure for all its matches, not one each
	return func(ctx context.Context, _ runtime.Logger, _ *sql.DB, _ runtime.NakamaModule) (runtime.Match, error) {
		failed, _ := ctx.Value(matchInitKey{}).(*matchInitError)
		return &rustMatch{name: name, h: h, call: call, initFailed: failed}, nil
	}
}

// matchState is the state Nakama keeps for a Rust match: the number the
// module answered at init. A call of the match holds mu. over: the
// module's state is gone (the module stopped the match, or the bridge
// dropped it). Nothing it refers to may refer back to it, or its
// finalizer would never run.
//
// A tick reads this and little else: with a thousand matches, every
// other object a tick touches (the context's chain, the rustMatch, a
// logger, an id's bytes) is one more cache miss per match per tick.
type matchState struct {
	mu      sync.Mutex
	over    bool
	number  uint64
	matchID string
	node    string
	h       *handler
	call    matchCaller
	// label and tickRate: the match's, as Nakama's match context has them
	// (init's answer; the label again when Nakama takes the module's label
	// action, as it then puts it in the context too).
	label    string
	tickRate int
	// input: the last loop call (JSON, or compact if h.compactMatch). Its
	// first head bytes, the call up to its tick, stay as they are until
	// the label changes (head 0: not written yet).
	input []byte
	head  int
	// logger: the logger for Rust made from Nakama's logger nakamaLogger
	// (Nakama gives a match one), compared only if its type has ==.
	logger           runtime.Logger
	nakamaLogger     runtime.Logger
	loggerComparable bool
}

// newMatchState makes the state of a match whose context is ctx: Nakama's
// match context, cancelled when the match stops, whatever stops it. A
// match that stops without the module having stopped it (its terminate
// grace ran out, it was idle or overloaded, Nakama refused it after its
// init) has its state dropped in Rust then; and, as a backstop, when Go
// collects a wrapper whose state was never dropped.
func newMatchState(ctx context.Context, number uint64, matchID, node string, h *handler, call matchCaller,
	label string, tickRate int) *matchState {
	s := &matchState{number: number, matchID: matchID, node: node, h: h, call: call, label: label, tickRate: tickRate}
	goruntime.SetFinalizer(s, (*matchState).discarded)
	// Not kept in s (it refers to s): the watch stays until ctx ends, and
	// finds the state over if the module stopped it first.
	context.AfterFunc(ctx, s.matchStopped)
	return s
}

// moduleLogger answers the logger for Rust of a call Nakama gave logger.
func (s *matchState) moduleLogger(logger runtime.Logger) runtime.Logger {
	// Nakama's loggers are pointers; == on another kind could panic (only
	// if both are of that kind: two types never compare equal).
	if s.logger != nil && s.loggerComparable && s.nakamaLogger == logger {
		return s.logger
	}
	s.logger, s.nakamaLogger = newMatchLogger(logger, s.matchID), logger
	s.loggerComparable = logger != nil && reflect.TypeOf(logger).Comparable()
	return s.logger
}

// setLabel: Nakama took the module's label action.
func (s *matchState) setLabel(label string) {
	s.label, s.head = label, 0
}

// end: the module's state is gone. Called with mu held.
func (s *matchState) end() {
	s.over = true
	goruntime.SetFinalizer(s, nil)
}

// matchStopped runs on a goroutine of its own once Nakama has stopped the
// match (after the call in progress, if any): the state is dropped as
// the module's init would (InitModule's context, logger and nk), the
// match's context being over.
func (s *matchState) matchStopped() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.over {
		return
	}
	s.end()
	init := initCall()
	sendDrop(s.call, s.h, init.ctx, init.logger, init.nk, s.number, s.matchID, s.node)
}

// discarded runs on the finalizer goroutine, which must not wait on a
// module: the drop call runs on a goroutine of its own.
func (s *matchState) discarded() {
	number, matchID, node, h, call := s.number, s.matchID, s.node, s.h, s.call
	init := initCall()
	go sendDrop(call, h, init.ctx, init.logger, init.nk, number, matchID, node)
}

// initCall: InitModule's context, logger and nk (a background context
// before InitModule, in tests).
func initCall() *callState {
	if init := theBridge.init; init != nil {
		return init
	}
	return &callState{ctx: context.Background()}
}

// sendDrop tells the module a match is over: drop state `number`.
func sendDrop(call matchCaller, h *handler, ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, number uint64, matchID, node string) {
	input, err := json.Marshal(&matchCall{Call: "drop", State: number, MatchID: matchID, Node: node})
	if err != nil {
		return
	}
	out, code := call(h, ctx, logger, nk, string(input))
	if logger == nil {
		return
	}
	if code != 0 {
		logger.WithFields(map[string]interface{}{"match_id": matchID, "code": code}).
			Warn("Rust match handler could not drop the state of an ended match: %s", out)
		return
	}
	logger.WithFields(map[string]interface{}{"match_id": matchID}).Debug("Dropped the Rust state of an ended match")
}

// matchPresence is a presence as the ABI has it (and a runtime.Presence
// for Nakama's dispatcher).
type matchPresence struct {
	UserID    string `json:"user_id"`
	SessionID string `json:"session_id"`
	Username  string `json:"username"`
	Node      string `json:"node"`
	// Nakama's number; Unknown (0) is left out, as the ABI has it.
	Reason runtime.PresenceReason `json:"reason,omitempty"`
}

func (p *matchPresence) GetHidden() bool                   { return false }
func (p *matchPresence) GetPersistence() bool              { return false }
func (p *matchPresence) GetUsername() string               { return p.Username }
func (p *matchPresence) GetStatus() string                 { return "" }
func (p *matchPresence) GetReason() runtime.PresenceReason { return p.Reason }
func (p *matchPresence) GetUserId() string                 { return p.UserID }
func (p *matchPresence) GetSessionId() string              { return p.SessionID }
func (p *matchPresence) GetNodeId() string                 { return p.Node }

func presenceOf(p runtime.Presence) matchPresence {
	if p == nil {
		return matchPresence{}
	}
	return matchPresence{UserID: p.GetUserId(), SessionID: p.GetSessionId(), Username: p.GetUsername(), Node: p.GetNodeId(),
		Reason: p.GetReason()}
}

func presencesOf(ps []runtime.Presence) *[]matchPresence {
	out := make([]matchPresence, len(ps))
	for i, p := range ps {
		out[i] = presenceOf(p)
	}
	return &out
}

// matchCall is the ABI's MatchCall: the match's facts and one event,
// flat, named by "call". The fields an event requires are pointers, so
// that an empty list or a zero still goes out. A loop call ("messages")
// is not written from this but by matchState.loopCall.
type matchCall struct {
	Call     string `json:"call"`
	State    uint64 `json:"state"`
	MatchID  string `json:"match_id"`
	Node     string `json:"node"`
	Label    string `json:"label"`
	TickRate int    `json:"tick_rate"`
	Tick     int64  `json:"tick"`

	Params       map[string]interface{} `json:"params,omitempty"`
	Presence     *matchPresence         `json:"presence,omitempty"`
	Metadata     map[string]string      `json:"metadata,omitempty"`
	Presences    *[]matchPresence       `json:"presences,omitempty"`
	GraceSeconds *int                   `json:"grace_seconds,omitempty"`
	Data         *string                `json:"data,omitempty"`
}

// encodeCall writes the JSON of call c of the match of s (a copy: only
// the calls that are not ticks pay for encoding/json's).
func encodeCall(c matchCall, s *matchState) ([]byte, error) {
	c.State, c.MatchID, c.Node, c.Label, c.TickRate = s.number, s.matchID, s.node, s.label, s.tickRate
	return json.Marshal(&c)
}

// matchIDOf answers the match's id and node from Nakama's match context.
func matchIDOf(ctx context.Context) (string, string) {
	id, _ := ctx.Value(runtime.RUNTIME_CTX_MATCH_ID).(string)
	node, _ := ctx.Value(runtime.RUNTIME_CTX_MATCH_NODE).(string)
	return id, node
}

// loopCall writes the loop call of tick into s.input, as json.Marshal
// would write the ABI's MatchCall with its messages: a match's one call
// per tick, written without encoding/json's reflection, which was most of
// what a tick cost the bridge (bench/matches.sh), and into memory the
// match's last tick used; in compact form to a module that takes it.
func (s *matchState) loopCall(tick int64, messages []runtime.MatchData) []byte {
	if s.h.compactMatch {
		return s.compactLoopCall(tick, messages)
	}
	if s.head == 0 {
		b := append(s.input[:0], `{"call":"loop","state":`...)
		b = strconv.AppendUint(b, s.number, 10)
		b = append(b, `,"match_id":`...)
		b = appendJSONString(b, s.matchID)
		b = append(b, `,"node":`...)
		b = appendJSONString(b, s.node)
		b = append(b, `,"label":`...)
		b = appendJSONString(b, s.label)
		b = append(b, `,"tick_rate":`...)
		b = strconv.AppendInt(b, int64(s.tickRate), 10)
		b = append(b, `,"tick":`...)
		s.input, s.head = b, len(b)
	}
	b := strconv.AppendInt(s.input[:s.head], tick, 10)
	b = append(b, `,"messages":[`...)
	for i, m := range messages {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"presence":{"user_id":`...)
		b = appendJSONString(b, m.GetUserId())
		b = append(b, `,"session_id":`...)
		b = appendJSONString(b, m.GetSessionId())
		b = append(b, `,"username":`...)
		b = appendJSONString(b, m.GetUsername())
		b = append(b, `,"node":`...)
		b = appendJSONString(b, m.GetNodeId())
		if r := m.GetReason(); r != 0 {
			b = append(b, `,"reason":`...)
			b = strconv.AppendInt(b, int64(r), 10)
		}
		b = append(b, `},"op_code":`...)
		b = strconv.AppendInt(b, m.GetOpCode(), 10)
		b = append(b, `,"data":`...)
		if data := m.GetData(); data == nil {
			b = append(b, `null`...)
		} else {
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, data)
			b = append(b, '"')
		}
		b = append(b, `,"reliable":`...)
		b = strconv.AppendBool(b, m.GetReliable())
		b = append(b, `,"receive_time_ms":`...)
		b = strconv.AppendInt(b, m.GetReceiveTime(), 10)
		b = append(b, '}')
	}
	s.input = append(b, "]}"...)
	return s.input
}

// compactLoopCall is loopCall in compact form, for a module of ABI 1.16
// or later (abi/src/matches/compact.rs describes it): no escaping, no
// base64, and a module reads it without parsing. Text that is not UTF-8
// is mended as encoding/json would write it (appendText).
func (s *matchState) compactLoopCall(tick int64, messages []runtime.MatchData) []byte {
	if s.head == 0 {
		b := append(s.input[:0], compactArgs, compactLoop)
		b = binary.LittleEndian.AppendUint64(b, s.number)
		b = appendText(b, s.matchID)
		b = appendText(b, s.node)
		b = appendText(b, s.label)
		b = binary.LittleEndian.AppendUint32(b, uint32(s.tickRate))
		s.input, s.head = b, len(b)
	}
	b := binary.LittleEndian.AppendUint64(s.input[:s.head], uint64(tick))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(messages)))
	for _, m := range messages {
		b = appendText(b, m.GetUserId())
		b = appendText(b, m.GetSessionId())
		b = appendText(b, m.GetUsername())
		b = appendText(b, m.GetNodeId())
		b = append(b, byte(m.GetReason()))
		b = binary.LittleEndian.AppendUint64(b, uint64(m.GetOpCode()))
		data := m.GetData()
		b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, data...)
		reliable := byte(0)
		if m.GetReliable() {
			reliable = 1
		}
		b = append(b, reliable)
		b = binary.LittleEndian.AppendUint64(b, uint64(m.GetReceiveTime()))
	}
	s.input = b
	return b
}

const (
	// compactLoop is the kind of a compact loop call.
	compactLoop = 1
	// compactNothing is the compact answer that asks nothing.
	compactNothing = "\x00"
)

// inputKept: the most a match keeps of its last loop call's memory (a
// tick with a burst of messages does not hold on to their size).
const inputKept = 16 << 10

// appendJSONString appends s as a JSON string: as it is when nothing in
// it needs escaping (ids, names, most labels), else as json.Marshal
// writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// matchAnswer is the ABI's MatchAnswer.
type matchAnswer struct {
	State    uint64        `json:"state"`
	Stop     bool          `json:"stop"`
	TickRate int           `json:"tick_rate"`
	Label    *string       `json:"label"`
	Accept   bool          `json:"accept"`
	Reason   string        `json:"reason"`
	Reply    string        `json:"reply"`
	Actions  []matchAction `json:"actions"`
}

// matchAction is one of the ABI's MatchActions: "broadcast", "kick" or
// "label".
type matchAction struct {
	Action string `json:"action"`
	// broadcast
	OpCode int64  `json:"op_code"`
	Data   []byte `json:"data"`
	// broadcast: nil = everyone in the match; kick: who.
	Presences *[]matchPresence `json:"presences"`
	Sender    *matchPresence   `json:"sender"`
	Reliable  bool             `json:"reliable"`
	Deferred  bool             `json:"deferred"`
	// label
	Label string `json:"label"`
}

// apply asks Nakama's dispatcher for what the handler asked, in order. A
// refused action is logged and the others still go.
func (a *matchAction) apply(d runtime.MatchDispatcher) error {
	switch a.Action {
	case "broadcast":
		var presences []runtime.Presence
		if a.Presences != nil {
			presences = runtimePresences(*a.Presences)
		}
		var sender runtime.Presence // a nil interface, not a nil *matchPresence
		if a.Sender != nil {
			sender = a.Sender
		}
		if a.Deferred {
			return d.BroadcastMessageDeferred(a.OpCode, a.Data, presences, sender, a.Reliable)
		}
		return d.BroadcastMessage(a.OpCode, a.Data, presences, sender, a.Reliable)
	case "kick":
		var presences []runtime.Presence
		if a.Presences != nil {
			presences = runtimePresences(*a.Presences)
		}
		return d.MatchKick(presences)
	case "label":
		return d.MatchLabelUpdate(a.Label)
	default:
		return fmt.Errorf("unknown match action %q", a.Action)
	}
}

// runtimePresences: never nil (an empty list sends to no one).
func runtimePresences(ps []matchPresence) []runtime.Presence {
	out := make([]runtime.Presence, len(ps))
	for i := range ps {
		out[i] = &ps[i]
	}
	return out
}

// run makes one call of a running match, c (its event; the match's facts
// come from the state), or its loop call of messages if loop: ok false
// when the match is to end (the module stopped it, or the call failed:
// its state is then dropped).
func (m *rustMatch) run(ctx context.Context, logger runtime.Logger, nk runtime.NakamaModule, d runtime.MatchDispatcher,
	state interface{}, c *matchCall, loop bool, messages []runtime.MatchData) (_ *matchState, a matchAnswer, ok bool) {
	s, ok := state.(*matchState)
	if !ok || s == nil {
		matchID, _ := matchIDOf(ctx)
		logger.WithFields(map[string]interface{}{"match_id": matchID, "call": c.Call}).
			Error("Rust match handler %s got a state that is not its own (%T): ending the match", m.name, state)
		return nil, a, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.over {
		logger.WithFields(map[string]interface{}{"match_id": s.matchID, "call": c.Call}).
			Error("Rust match handler %s: a %s call after its state was dropped: ending the match", m.name, c.Call)
		return nil, a, false
	}
	fail := func(format string, v ...interface{}) (*matchState, matchAnswer, bool) {
		logger.WithFields(map[string]interface{}{"match_id": s.matchID, "call": c.Call, "tick": c.Tick}).
			Error(format, v...)
		s.end()
		sendDrop(s.call, s.h, ctx, logger, nk, s.number, s.matchID, s.node)
		return nil, matchAnswer{}, false
	}
	var input []byte
	if loop {
		input = s.loopCall(c.Tick, messages)
	} else {
		var err error
		if input, err = encodeCall(*c, s); err != nil {
			return fail("Rust match handler %s: the %s call could not be encoded, ending the match: %v", m.name, c.Call, err)
		}
	}
	// The call does not keep its input (Rust copies what it keeps), so a
	// loop call's can be written over at the next tick.
	out, code := s.call(s.h, ctx, s.moduleLogger(logger), nk, unsafe.String(unsafe.SliceData(input), len(input)))
	if cap(s.input) > inputKept {
		s.input, s.head = nil, 0
	}
	if code != 0 {
		return fail("Rust match handler %s failed its %s call (code %d), ending the match: %s", m.name, c.Call, code, out)
	}
	// "{}" (nothing asked, as most ticks of older modules answer) is read
	// without encoding/json; decodeAnswer reads the compact nothing as
	// cheaply.
	if out != "{}" {
		var err error
		if a, err = decodeAnswer(out); err != nil {
			return fail("Rust match handler %s answered its %s call with an undecodable answer, ending the match: %v", m.name, c.Call, err)
		}
	}
	for i := range a.Actions {
		act := &a.Actions[i]
		if err := act.apply(d); err != nil {
			logger.WithFields(map[string]interface{}{"match_id": s.matchID, "call": c.Call, "action": act.Action}).
				Warn("Rust match handler %s: Nakama refused an action: %v", m.name, err)
		} else if act.Action == "label" {
			s.setLabel(act.Label)
		}
	}
	if a.Stop {
		s.end()
		return nil, a, true
	}
	return s, a, true
}

// decodeAnswer decodes a match call's answer: in compact form, as the
// bridge's Rust half sends a module's (bridge/rust/src/matchanswer.rs
// describes it), or JSON.
func decodeAnswer(out string) (matchAnswer, error) {
	var a matchAnswer
	if len(out) == 0 || out[0] != compactArgs {
		err := json.Unmarshal([]byte(out), &a)
		return a, err
	}
	if out == compactNothing {
		return a, nil
	}
	// Copied once: the strings read share it, and Nakama keeps some (a
	// label), which would otherwise hold on to the frame's answer block.
	r := compactReader{b: strings.Clone(out[1:])}
	a.State = r.u64()
	flags := r.u8()
	a.Stop, a.Accept = flags&1 != 0, flags&2 != 0
	a.TickRate = int(r.u32())
	if label := r.text(); flags&4 != 0 {
		a.Label = &label
	}
	a.Reason, a.Reply = r.text(), r.text()
	if n := r.count(2); n > 0 { // an action is at least its kind and a count
		a.Actions = make([]matchAction, n)
	}
	for i := range a.Actions {
		act := &a.Actions[i]
		switch kind := r.u8(); kind {
		case 1:
			act.Action = "broadcast"
			act.OpCode = int64(r.u64())
			act.Data = []byte(r.text())
			flags := r.u8()
			if flags&1 != 0 {
				ps := compactPresences(&r)
				act.Presences = &ps
			}
			if flags&2 != 0 {
				p := compactPresence(&r)
				act.Sender = &p
			}
			act.Reliable, act.Deferred = flags&4 != 0, flags&8 != 0
		case 2:
			act.Action = "kick"
			ps := compactPresences(&r)
			act.Presences = &ps
		case 3:
			act.Action, act.Label = "label", r.text()
		default:
			if r.err == nil {
				r.err = fmt.Errorf("unknown action kind %d", kind)
			}
		}
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("%d bytes after the last field", len(r.b))
	}
	if r.err != nil {
		return matchAnswer{}, fmt.Errorf("compact answer: %w", r.err)
	}
	return a, nil
}

// A presence is 4 texts and a byte: 17 bytes at least.
const compactPresenceMin = 17

func compactPresences(r *compactReader) []matchPresence {
	ps := make([]matchPresence, r.count(compactPresenceMin))
	for i := range ps {
		ps[i] = compactPresence(r)
	}
	return ps
}

func compactPresence(r *compactReader) matchPresence {
	return matchPresence{UserID: r.text(), SessionID: r.text(), Username: r.text(), Node: r.text(),
		Reason: runtime.PresenceReason(r.u8())}
}

// orNil answers s as Nakama's state (a nil *matchState as a nil
// interface: Nakama ends the match on nil).
func orNil(s *matchState) interface{} {
	if s == nil {
		return nil
	}
	return s
}

func (m *rustMatch) MatchInit(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, params map[string]interface{}) (interface{}, int, string) {
	failed := m.initFailed
	m.initFailed = nil // the creator's answer is given once, now
	// No label or tick rate yet: Nakama puts them in the context after init.
	c := matchCall{Call: "init", Params: params}
	c.MatchID, c.Node = matchIDOf(ctx)
	fail := func(code int, message string) (interface{}, int, string) {
		l := logger.WithFields(map[string]interface{}{"match_id": c.MatchID, "code": code})
		if failed != nil {
			// A module's match_create gets the error: a warning here.
			failed.code, failed.message = code, message
			l.Warn("Rust match handler %s failed its init: %s", m.name, message)
		} else {
			l.Error("Rust match handler %s failed its init: %s", m.name, message)
		}
		// Tick rate 1: Nakama then refuses the match for its nil state.
		return nil, 1, ""
	}
	input, err := json.Marshal(&c)
	if err != nil {
		return fail(3, fmt.Sprintf("match params could not be encoded: %v", err))
	}
	out, code := m.call(m.h, ctx, newMatchLogger(logger, c.MatchID), nk, string(input))
	if code != 0 {
		return fail(code, out)
	}
	a, err := decodeAnswer(out)
	if err != nil {
		return fail(13, fmt.Sprintf("undecodable init answer: %v", err))
	}
	if a.State == 0 || a.Stop {
		if a.State != 0 {
			sendDrop(m.call, m.h, ctx, logger, nk, a.State, c.MatchID, c.Node)
		}
		return fail(13, "init answered no state")
	}
	label := ""
	if a.Label != nil {
		label = *a.Label
	}
	return newMatchState(ctx, a.State, c.MatchID, c.Node, m.h, m.call, label, a.TickRate), a.TickRate, label
}

func (m *rustMatch) MatchJoinAttempt(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, d runtime.MatchDispatcher,
	tick int64, state interface{}, presence runtime.Presence, metadata map[string]string) (interface{}, bool, string) {
	p := presenceOf(presence)
	c := matchCall{Call: "join_attempt", Tick: tick, Presence: &p, Metadata: metadata}
	s, a, ok := m.run(ctx, logger, nk, d, state, &c, false, nil)
	if !ok {
		return nil, false, ""
	}
	return orNil(s), a.Accept, a.Reason
}

func (m *rustMatch) MatchJoin(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, d runtime.MatchDispatcher,
	tick int64, state interface{}, presences []runtime.Presence) interface{} {
	c := matchCall{Call: "join", Tick: tick, Presences: presencesOf(presences)}
	s, _, _ := m.run(ctx, logger, nk, d, state, &c, false, nil)
	return orNil(s)
}

func (m *rustMatch) MatchLeave(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, d runtime.MatchDispatcher,
	tick int64, state interface{}, presences []runtime.Presence) interface{} {
	c := matchCall{Call: "leave", Tick: tick, Presences: presencesOf(presences)}
	s, _, _ := m.run(ctx, logger, nk, d, state, &c, false, nil)
	return orNil(s)
}

func (m *rustMatch) MatchLoop(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, d runtime.MatchDispatcher,
	tick int64, state interface{}, messages []runtime.MatchData) interface{} {
	c := matchCall{Call: "loop", Tick: tick}
	s, _, _ := m.run(ctx, logger, nk, d, state, &c, true, messages)
	return orNil(s)
}

func (m *rustMatch) MatchTerminate(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, d runtime.MatchDispatcher,
	tick int64, state interface{}, graceSeconds int) interface{} {
	c := matchCall{Call: "terminate", Tick: tick, GraceSeconds: &graceSeconds}
	s, _, _ := m.run(ctx, logger, nk, d, state, &c, false, nil)
	return orNil(s)
}

func (m *rustMatch) MatchSignal(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, d runtime.MatchDispatcher,
	tick int64, state interface{}, data string) (interface{}, string) {
	c := matchCall{Call: "signal", Tick: tick, Data: &data}
	s, a, ok := m.run(ctx, logger, nk, d, state, &c, false, nil)
	if !ok {
		return nil, ""
	}
	return orNil(s), a.Reply
}
