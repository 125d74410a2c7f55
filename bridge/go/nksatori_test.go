package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/heroiclabs/nakama-common/runtime"
)

// Satori's errors get their codes only for the Satori functions.
func TestSatoriErrorCodes(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		code int
	}{
		{"satori_flags_list", runtime.ErrSatoriConfigurationInvalid, 9},
		{"satori_properties_get", errors.New(`404 status code: {"error":"identity not found"}`), 5},
		{"satori_events_publish", errors.New("401 status code"), 16},
		{"satori_flags_list", fmt.Errorf("retries exhausted: %w", errors.New("503 status code")), 14},
		{"satori_flags_list", errors.New("418 status code: teapot"), 13},
		{"satori_messages_list", errors.New("limit must be greater than zero"), 3},
		{"satori_flags_list", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), 13},
		// Another function's error worded like Satori's keeps nkError's code.
		{"read_file", errors.New("404 status code"), 13},
	} {
		code, msg := nkError(c.name, c.err)
		if code != c.code || msg != c.err.Error() {
			t.Errorf("%s: %q answered (%d, %q), want (%d, the same message)", c.name, c.err, code, msg, c.code)
		}
	}
}
