package main

// A fleet manager written in Rust (ABI 1.12). The module registers one
// handler per method of Nakama's FleetManagerInitializer (kind
// NB_FLEET_MANAGER, its id the method's name: abi/src/fleet_manager.rs);
// the bridge hands Nakama's RegisterFleetManager one Go value, rustFleet,
// whose methods each call the matching handler with the ABI's JSON.
// Nakama then gives that value to every runtime's GetFleetManager(): Go,
// Lua and JavaScript modules', and the bridge's own fleet_* nk functions
// (nkfleet.go), which Rust modules call.

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/heroiclabs/nakama-common/runtime"
)

// theRustFleet is the fleet manager a Rust module registered (nil: none),
// kept for the fleet_callback nk function. Atomic: a module's own thread
// may call that while InitModule still runs.
var theRustFleet atomic.Pointer[rustFleet]

// rustFleet is a Rust module's fleet manager as Nakama takes it.
type rustFleet struct {
	// handlers by function name (get, list, create, join, update,
	// delete); module: the module that registered them.
	handlers map[string]*handler
	module   string
	// logger: InitModule's, for the handlers' log lines (Nakama hands the
	// methods none). call: theBridge.call (a stand-in in tests).
	logger runtime.Logger
	call   matchCaller
	kept   atomic.Pointer[fleetInit]
}

// fleetInit is what Nakama's Init hands the fleet manager: the nk the
// handlers' nk calls use, and the registry of Create's callbacks.
type fleetInit struct {
	nk        runtime.NakamaModule
	callbacks runtime.FmCallbackHandler
}

func newRustFleet(logger runtime.Logger, call matchCaller) *rustFleet {
	return &rustFleet{handlers: map[string]*handler{}, logger: logger, call: call}
}

// add keeps one of the fleet manager's functions.
func (f *rustFleet) add(module, function string, h *handler) {
	f.module = module
	f.handlers[function] = h
}

// register hands the fleet manager to Nakama, if a module registered one.
// Nakama keeps the last one registered: a Go module's registered after
// the bridge's InitModule replaces this one (and the other way round).
func (f *rustFleet) register(initializer runtime.Initializer) error {
	if len(f.handlers) == 0 {
		return nil
	}
	if err := initializer.RegisterFleetManager(f); err != nil {
		return err
	}
	theRustFleet.Store(f)
	return nil
}

// Init keeps what Nakama gives (RegisterFleetManager calls it at once).
func (f *rustFleet) Init(nk runtime.NakamaModule, callbacks runtime.FmCallbackHandler) error {
	f.kept.Store(&fleetInit{nk: nk, callbacks: callbacks})
	return nil
}

// callbacks is the registry Init got (nil before Init).
func (f *rustFleet) callbacks() runtime.FmCallbackHandler {
	if k := f.kept.Load(); k != nil {
		return k.callbacks
	}
	return nil
}

func (f *rustFleet) Get(ctx context.Context, id string) (*runtime.InstanceInfo, error) {
	var out *fleetInstance
	if err := f.run(ctx, "get", fleetID{ID: id}, &out); err != nil {
		return nil, err
	}
	return f.instance("get", out)
}

func (f *rustFleet) List(ctx context.Context, query string, limit int, cursor string) ([]*runtime.InstanceInfo, string, error) {
	var out struct {
		Instances []*fleetInstance `json:"instances"`
		Cursor    string           `json:"cursor"`
	}
	in := struct {
		Query  string `json:"query"`
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}{query, limit, cursor}
	if err := f.run(ctx, "list", in, &out); err != nil {
		return nil, "", err
	}
	list := make([]*runtime.InstanceInfo, len(out.Instances))
	for i, o := range out.Instances {
		var err error
		if list[i], err = f.instance("list", o); err != nil {
			return nil, "", err
		}
	}
	return list, out.Cursor, nil
}

func (f *rustFleet) Create(ctx context.Context, maxPlayers int, userIds []string, latencies []runtime.FleetUserLatencies, metadata map[string]any, callback runtime.FmCreateCallbackFn) (map[string]string, error) {
	cb := f.callbacks()
	if cb == nil {
		return nil, runtime.NewError("the Rust fleet manager was not initialised by Nakama", 9)
	}
	// Set before the module runs: it may call back before it answers.
	id := cb.GenerateCallbackId()
	cb.SetCallback(id, callback)
	req := fleetCreateRequest{
		MaxPlayers: maxPlayers,
		UserIDs:    nonNil(userIds),
		Latencies:  make([]fleetLatency, len(latencies)),
		Metadata:   metadata,
		CallbackID: id,
	}
	for i, l := range latencies {
		req.Latencies[i] = fleetLatency{UserID: l.UserId, Latency: l.LatencyInMilliseconds, Region: l.RegionIdentifier}
	}
	if req.Metadata == nil {
		req.Metadata = map[string]any{}
	}
	var info map[string]string
	if err := f.run(ctx, "create", req, &info); err != nil {
		// No callback follows a failed Create. The asker's leaves
		// Nakama's registry the one way its interface offers (invoked),
		// after a no-op has taken its place, so that it does not run.
		cb.SetCallback(id, func(runtime.FmCreateStatus, *runtime.InstanceInfo, []*runtime.SessionInfo, map[string]any, error) {})
		cb.InvokeCallback(id, runtime.CreateError, nil, nil, nil, err)
		return nil, err
	}
	return info, nil
}

func (f *rustFleet) Join(ctx context.Context, id string, userIds []string, metadata map[string]string) (*runtime.JoinInfo, error) {
	if metadata == nil {
		metadata = map[string]string{}
	}
	in := struct {
		ID       string            `json:"id"`
		UserIDs  []string          `json:"user_ids"`
		Metadata map[string]string `json:"metadata"`
	}{id, nonNil(userIds), metadata}
	var out fleetJoinInfo
	if err := f.run(ctx, "join", in, &out); err != nil {
		return nil, err
	}
	instance, err := f.instance("join", out.InstanceInfo)
	if err != nil {
		return nil, err
	}
	return &runtime.JoinInfo{InstanceInfo: instance, SessionInfo: out.SessionInfo}, nil
}

func (f *rustFleet) Update(ctx context.Context, id string, playerCount int, metadata map[string]any) error {
	if metadata == nil {
		metadata = map[string]any{}
	}
	in := struct {
		ID          string         `json:"id"`
		PlayerCount int            `json:"player_count"`
		Metadata    map[string]any `json:"metadata"`
	}{id, playerCount, metadata}
	return f.run(ctx, "update", in, nil)
}

func (f *rustFleet) Delete(ctx context.Context, id string) error {
	return f.run(ctx, "delete", fleetID{ID: id}, nil)
}

// run calls the module's function with in as JSON and decodes its answer
// into out (nil: the answer is empty). The module's error keeps its code
// and message (runtime.NewError), for Go askers as for the fleet_* nk
// functions. ctx is the asker's: the handler gets its context and
// execution mode.
func (f *rustFleet) run(ctx context.Context, function string, in, out any) (err error) {
	defer func() {
		// Go askers run on Nakama's goroutines, where a panic would stop
		// the server.
		if r := recover(); r != nil {
			err = runtime.NewError(fmt.Sprintf("the Rust bridge panicked in the fleet manager's %s: %v", function, r), 13)
		}
	}()
	h := f.handlers[function]
	if h == nil {
		return runtime.NewError("the fleet manager has no function "+function, 12)
	}
	input, err := json.Marshal(in)
	if err != nil {
		return runtime.NewError(fmt.Sprintf("the fleet manager's %s arguments could not be encoded: %v", function, err), 13)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var nk runtime.NakamaModule
	if k := f.kept.Load(); k != nil {
		nk = k.nk
	}
	answer, code := f.call(h, ctx, f.logger, nk, string(input))
	if code != 0 {
		return callError(answer, code)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal([]byte(answer), out); err != nil {
		return f.badAnswer(function, err)
	}
	return nil
}

func (f *rustFleet) badAnswer(function string, err error) error {
	return runtime.NewError(fmt.Sprintf("the Rust fleet manager's %s answered what does not decode: %v", function, err), 13)
}

// instance is a module's instance as Go has it (nil stays nil).
func (f *rustFleet) instance(function string, i *fleetInstance) (*runtime.InstanceInfo, error) {
	out, err := i.runtime()
	if err != nil {
		return nil, f.badAnswer(function, err)
	}
	return out, nil
}

// appendAskersMode leads a fleet manager call's context with the asker's
// execution mode (absent when its context has none): the Rust half cannot
// tell it from the call kind, as it does for every other kind.
func appendAskersMode(b []byte, ctx context.Context) []byte {
	mode, ok := ctx.Value(runtime.RUNTIME_CTX_MODE).(string)
	return appendTextIf(b, mode, ok)
}

// fleetID is the input of get and delete (nk::FleetGetArgs).
type fleetID struct {
	ID string `json:"id"`
}

// fleetLatency is runtime.FleetUserLatencies as the ABI has it.
type fleetLatency struct {
	UserID  string  `json:"user_id"`
	Latency float32 `json:"latency_in_milliseconds"`
	Region  string  `json:"region_identifier"`
}

// fleetCreateRequest is create's input (fleet_manager::CreateRequest).
type fleetCreateRequest struct {
	MaxPlayers int            `json:"max_players"`
	UserIDs    []string       `json:"user_ids"`
	Latencies  []fleetLatency `json:"latencies"`
	Metadata   map[string]any `json:"metadata"`
	CallbackID string         `json:"callback_id"`
}

// fleetJoinInfo is runtime.JoinInfo as the ABI has it (nk::FleetJoinInfo).
type fleetJoinInfo struct {
	InstanceInfo *fleetInstance         `json:"instance_info"`
	SessionInfo  []*runtime.SessionInfo `json:"session_info"`
}

// fleetInstance is runtime.InstanceInfo as the ABI has it
// (nk::FleetInstance), with create_time as RFC 3339 text where Go has a
// time.Time. Empty text is Go's zero time, and the zero time is empty
// text: a fleet manager that does not know the time (a Rust one leaving
// it empty) neither fails the decode nor reads "0001-01-01T00:00:00Z"
// back through the fleet_* nk functions.
type fleetInstance struct {
	ID             string                  `json:"id"`
	ConnectionInfo *runtime.ConnectionInfo `json:"connection_info"`
	CreateTime     string                  `json:"create_time"`
	PlayerCount    int                     `json:"player_count"`
	Status         string                  `json:"status"`
	Metadata       map[string]any          `json:"metadata"`
}

// runtime is i as Go has it (nil stays nil); a create_time that is
// neither empty nor RFC 3339 is an error.
func (i *fleetInstance) runtime() (*runtime.InstanceInfo, error) {
	if i == nil {
		return nil, nil
	}
	var created time.Time
	if i.CreateTime != "" {
		var err error
		if created, err = time.Parse(time.RFC3339, i.CreateTime); err != nil {
			return nil, fmt.Errorf("instance %s: create_time %q is not RFC 3339", i.ID, i.CreateTime)
		}
	}
	return &runtime.InstanceInfo{
		Id:             i.ID,
		ConnectionInfo: i.ConnectionInfo,
		CreateTime:     created,
		PlayerCount:    i.PlayerCount,
		Status:         i.Status,
		Metadata:       i.Metadata,
	}, nil
}

// abiInstance is i as the ABI has it (nil stays nil).
func abiInstance(i *runtime.InstanceInfo) *fleetInstance {
	if i == nil {
		return nil
	}
	out := &fleetInstance{
		ID:             i.Id,
		ConnectionInfo: i.ConnectionInfo,
		PlayerCount:    i.PlayerCount,
		Status:         i.Status,
		Metadata:       i.Metadata,
	}
	if !i.CreateTime.IsZero() {
		// What time.Time's own JSON is, without its quotes.
		out.CreateTime = i.CreateTime.Format(time.RFC3339Nano)
	}
	return out
}

func abiInstances(list []*runtime.InstanceInfo) []*fleetInstance {
	out := make([]*fleetInstance, len(list))
	for i, l := range list {
		out[i] = abiInstance(l)
	}
	return out
}

// nonNil: the ABI's lists are never null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
