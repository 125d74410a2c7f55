package main

import "testing"

func TestCallTableReusesSlotsAndForgetsRemovedCalls(t *testing.T) {
	var table callTable
	a, b := &callState{}, &callState{}
	ta, tb := table.add(a), table.add(b)
	if ta == 0 || tb == 0 || ta == tb {
		t.Fatalf("tokens %d %d", ta, tb)
	}
	if table.get(ta) != a || table.get(tb) != b {
		t.Fatal("get answers another call")
	}
	table.remove(ta)
	table.remove(ta) // twice is harmless
	if table.get(ta) != nil {
		t.Fatal("a removed call is still found")
	}
	c := &callState{}
	if tc := table.add(c); tc != ta || table.get(tc) != c {
		t.Fatalf("slot not reused: %d", tc)
	}
	if table.get(0) != nil || table.get(99) != nil {
		t.Fatal("unknown tokens answer a call")
	}
}
