package main

import (
	"context"
	"errors"
	"testing"

	"github.com/heroiclabs/nakama-common/runtime"
)

func TestFleetErrorCodes(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
	}{
		{errNoFleetManager, 9},
		{errFleetNoCallback, 4},
		{errors.New("instance nowhere not found"), 13},
	} {
		if code, _ := nkError("fleet_get", c.err); code != c.code {
			t.Errorf("%q: code %d, want %d", c.err, code, c.code)
		}
	}
}

// noFleetNk is a NakamaModule whose GetFleetManager has none (the rest
// panics: not called).
type noFleetNk struct{ runtime.NakamaModule }

func (noFleetNk) GetFleetManager() runtime.FleetManager { return nil }

// Without a fleet manager every fleet function answers the same
// FAILED_PRECONDITION, never a nil-pointer panic.
func TestFleetFunctionsWithoutAFleetManager(t *testing.T) {
	st := &callState{ctx: context.Background(), nk: noFleetNk{}}
	for name := range fleetFunctions {
		code, msg := nkCall(st, name, "{}", nil)
		if code != 9 || string(msg) != "no fleet manager is registered" {
			t.Errorf("%s: (%d, %q)", name, code, msg)
		}
	}
}
