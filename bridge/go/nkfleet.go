package main

import (
	"errors"
	"time"

	"github.com/heroiclabs/nakama-common/runtime"
)

// The fleet manager nk functions (abi/src/nk/fleet.rs), forwarded to the
// fleet manager a Go module registered in Nakama (nk.GetFleetManager());
// registered into nkFunctions at start.

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
	Instance *runtime.InstanceInfo  `json:"instance"`
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
		return fm.Get(st.ctx, a.ID)
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
			Instances []*runtime.InstanceInfo `json:"instances"`
			Cursor    string                  `json:"cursor"`
		}{list, cursor}, nil
	}),
	"fleet_create": forward(func(st *callState, a struct {
		MaxPlayers int      `json:"max_players"`
		UserIDs    []string `json:"user_ids"`
		Latencies  []struct {
			UserID  string  `json:"user_id"`
			Latency float32 `json:"latency_in_milliseconds"`
			Region  string  `json:"region_identifier"`
		} `json:"latencies"`
		Metadata map[string]any `json:"metadata"`
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
				created := fleetCreated{Status: status, Instance: instance, Sessions: sessions, Metadata: metadata}
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
		return fm.Join(st.ctx, a.ID, a.UserIDs, a.Metadata)
	}),
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
// time DEADLINE_EXCEEDED; the platform's own errors stay INTERNAL.
func fleetError(err error) (int, bool) {
	switch {
	case errors.Is(err, errNoFleetManager):
		return 9, true
	case errors.Is(err, errFleetNoCallback):
		return 4, true
	}
	return 0, false
}
