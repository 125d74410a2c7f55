package main

import (
	"errors"
	"strings"
	"time"

	"github.com/heroiclabs/nakama-common/runtime"
)

// The fleet manager nk functions (abi/src/nk/fleet.rs), forwarded to the
// fleet manager registered in Nakama (nk.GetFleetManager(): a Go module's,
// or a Rust module's through the bridge, fleetmanager.go), and
// fleet_callback, a Rust fleet manager's way to Nakama's
// FmCallbackHandler; registered into nkFunctions at start. Instances
// cross as the ABI has them (fleetInstance: create_time as text).

// errNoFleetManager: what every fleet function answers when no module
// registered a fleet manager (FAILED_PRECONDITION, as on the dev host).
var errNoFleetManager = errors.New("no fleet manager is registered")

func fleetManager(st *callState) (runtime.FleetManager, error) {
	fm := st.nk.GetFleetManager()
	if fm == nil {
		return nil, errNoFleetManager
	}
	return fm, nil
}

// fleetCreated is FmCreateCallbackFn's arguments, with Create's own
// answer (abi FleetCreated).
type fleetCreated struct {
	Info     map[string]string      `json:"info"`
	Status   runtime.FmCreateStatus `json:"status"`
	Instance *fleetInstance         `json:"instance"`
	Sessions []*runtime.SessionInfo `json:"sessions"`
	Metadata map[string]any         `json:"metadata"`
	Error    string                 `json:"error"`
}

var fleetFunctions = map[string]nkFunc{
	"fleet_get": forward(func(st *callState, a struct {
		ID string `json:"id"`
	}) (any, error) {
		fm, err := fleetManager(st)
		if err != nil {
			return nil, err
		}
		instance, err := fm.Get(st.ctx, a.ID)
		return abiInstance(instance), err
	}),
	"fleet_list": forward(func(st *callState, a struct {
		Query  string `json:"query"`
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}) (any, error) {
		fm, err := fleetManager(st)
		if err != nil {
			return nil, err
		}
		list, cursor, err := fm.List(st.ctx, a.Query, a.Limit, a.Cursor)
		if err != nil {
			return nil, err
		}
		return struct {
			Instances []*fleetInstance `json:"instances"`
			Cursor    string           `json:"cursor"`
		}{abiInstances(list), cursor}, nil
	}),
	"fleet_create": forward(func(st *callState, a struct {
		MaxPlayers int            `json:"max_players"`
		UserIDs    []string       `json:"user_ids"`
		Latencies  []fleetLatency `json:"latencies"`
		Metadata   map[string]any `json:"metadata"`
	}) (any, error) {
		fm, err := fleetManager(st)
		if err != nil {
			return nil, err
		}
		latencies := make([]runtime.FleetUserLatencies, len(a.Latencies))
		for i, l := range a.Latencies {
			latencies[i] = runtime.FleetUserLatencies{UserId: l.UserID, LatencyInMilliseconds: l.Latency, RegionIdentifier: l.Region}
		}
		// The platform calls back once, maybe from another goroutine,
		// maybe before Create returns.
		done := make(chan fleetCreated, 1)
		info, err := fm.Create(st.ctx, a.MaxPlayers, a.UserIDs, latencies, a.Metadata,
			func(status runtime.FmCreateStatus, instance *runtime.InstanceInfo, sessions []*runtime.SessionInfo, metadata map[string]any, err error) {
				created := fleetCreated{Status: status, Instance: abiInstance(instance), Sessions: sessions, Metadata: metadata}
				if err != nil {
					created.Error = err.Error()
				}
				select {
				case done <- created:
				default: // called back twice: the first answer stands
				}
			})
		if err != nil {
			return nil, err
		}
		select {
		case created := <-done:
			created.Info = info
			return created, nil
		case <-st.ctx.Done():
			return nil, st.ctx.Err()
		case <-time.After(fleetCreateWait):
			return nil, errFleetNoCallback
		}
	}),
	"fleet_join": forward(func(st *callState, a struct {
		ID       string            `json:"id"`
		UserIDs  []string          `json:"user_ids"`
		Metadata map[string]string `json:"metadata"`
	}) (any, error) {
		fm, err := fleetManager(st)
		if err != nil {
			return nil, err
		}
		joined, err := fm.Join(st.ctx, a.ID, a.UserIDs, a.Metadata)
		if err != nil || joined == nil {
			return joined, err
		}
		return fleetJoinInfo{abiInstance(joined.InstanceInfo), joined.SessionInfo}, nil
	}),
	"fleet_callback": forward(func(st *callState, a fleetCallbackArgs) (any, error) {
		f := theRustFleet.Load()
		if f == nil || f.callbacks() == nil {
			return nil, errNoFleetManager
		}
		instance, err := a.Instance.runtime()
		if err != nil {
			return nil, badArgs{err}
		}
		// Nakama's callbacks get nil for what is not there (its
		// FmCreateCallbackFn contract); the ABI writes it empty.
		var sessions []*runtime.SessionInfo
		if len(a.Sessions) > 0 {
			sessions = a.Sessions
		}
		var metadata map[string]any
		if len(a.Metadata) > 0 {
			metadata = a.Metadata
		}
		var failed error
		if a.Error != "" {
			failed = errors.New(a.Error)
		}
		// An id nothing waits on (any more) is ignored, by Nakama.
		f.callbacks().InvokeCallback(a.CallbackID, a.Status, instance, sessions, metadata, failed)
		return nil, nil
	}),
}

// fleetCallbackArgs are fleet_callback's arguments (nk::FleetCallbackArgs).
type fleetCallbackArgs struct {
	CallbackID string                 `json:"callback_id"`
	Status     runtime.FmCreateStatus `json:"status"`
	Instance   *fleetInstance         `json:"instance"`
	Sessions   []*runtime.SessionInfo `json:"sessions"`
	Metadata   map[string]any         `json:"metadata"`
	Error      string                 `json:"error"`
}

// fleetCreateWait bounds how long fleet_create waits for the fleet
// manager's callback (a platform's placement can take minutes; one that
// never calls back must not hold the call forever).
const fleetCreateWait = 10 * time.Minute

var errFleetNoCallback = errors.New("the fleet manager did not call back within 10 minutes of Create")

func init() {
	for name, f := range fleetFunctions {
		nkFunctions[name] = f
	}
}

// fleetError: no fleet manager is FAILED_PRECONDITION, no callback in
// time DEADLINE_EXCEEDED. A fleet manager's runtime.Error (a Rust one's
// errors always are) keeps its code: nkError checks this first, so that
// no message check meant for Nakama's own errors picks another. A Go
// fleet manager's plain errors go on to those checks (INTERNAL unless
// one matches), as before.
func fleetError(name string, err error) (int, bool) {
	switch {
	case errors.Is(err, errNoFleetManager):
		return 9, true
	case errors.Is(err, errFleetNoCallback):
		return 4, true
	}
	var re *runtime.Error
	if strings.HasPrefix(name, "fleet_") && errors.As(err, &re) && re.Code > 0 && re.Code < 17 {
		return re.Code, true
	}
	return 0, false
}
