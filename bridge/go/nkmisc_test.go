package main

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

// The errors of the misc functions get the dev host's codes
// (server/src/nk/misc.rs).
func TestMiscErrorCodes(t *testing.T) {
	_, missing := os.Open("/no/such/file")
	cases := []struct {
		err  error
		code int
	}{
		{missing, 5},
		{errors.New("failed to get cursor from rank: rank entry 6 not found"), 5},
		{errors.New("invalid rank - must be > 1"), 3},
		{errors.New("invalid cursor: param query mismatch"), 3},
		{errors.New("expects a valid cron string"), 3},
		{errors.New("limit must be 1-100"), 3},
		{errors.New("failed to update notifications: ERROR: bad"), 13},
	}
	for _, c := range cases {
		code, msg := nkError("f", c.err)
		if code != c.code || msg != c.err.Error() {
			t.Errorf("%v: got %d %q, want %d", c.err, code, msg, c.code)
		}
	}
	if code, _ := nkError("f", fmt.Errorf("wrapped: %w", missing)); code != 5 {
		t.Errorf("a wrapped missing file: %d", code)
	}
}
