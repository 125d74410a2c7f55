package main

// The floor of any bridge built as the issue asks (Rust linked in through
// cgo): one crossing into C and back per call, nothing else.

// static void nop(void) {}
import "C"

import (
	"context"
	"database/sql"

	"github.com/heroiclabs/nakama-common/runtime"
)

// echoCgo is echo plus one cgo call to an empty C function: the control
// "echo-go/cgo" of bench/bridge.sh (CONTROL=1), what the crossing alone
// does to the rate and p99 ratios, with no Rust and no bridge code in it.
func echoCgo(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
	C.nop()
	return payload, nil
}
