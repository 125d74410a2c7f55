package main

import (
	"context"
	"testing"
)

func TestCallTableReusesSlotsAndForgetsRemovedCalls(t *testing.T) {
	var table callTable
	ctxA, ctxB := context.WithValue(context.Background(), "k", "a"), context.WithValue(context.Background(), "k", "b") //nolint:staticcheck
	ta, tb := table.add(callState{ctx: ctxA}), table.add(callState{ctx: ctxB})
	if ta == 0 || tb == 0 || ta == tb {
		t.Fatalf("tokens %d %d", ta, tb)
	}
	if a, ok := table.get(ta); !ok || a.ctx != ctxA {
		t.Fatal("get answers another call")
	}
	if b, ok := table.get(tb); !ok || b.ctx != ctxB {
		t.Fatal("get answers another call")
	}
	table.remove(ta)
	table.remove(ta) // twice is harmless
	if _, ok := table.get(ta); ok {
		t.Fatal("a removed call is still found")
	}
	if tc := table.add(callState{ctx: ctxA}); tc != ta {
		t.Fatalf("slot not reused: %d", tc)
	}
	for _, unknown := range []uint64{0, 99} {
		if _, ok := table.get(unknown); ok {
			t.Fatalf("unknown token %d answers a call", unknown)
		}
	}
}
