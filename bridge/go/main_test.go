package main

import (
	"context"
	"sync"
	"testing"
)

func TestCallTableReusesSlotsAndForgetsRemovedCalls(t *testing.T) {
	var table callTable
	a, b := &callState{ctx: context.Background()}, &callState{ctx: context.TODO()}
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
	if tc := table.add(a); tc != ta {
		t.Fatalf("slot not reused: %d", tc)
	}
	for _, unknown := range []uint64{0, callSlots + 99} {
		if table.get(unknown) != nil {
			t.Fatalf("unknown token %d answers a call", unknown)
		}
	}
}

func TestCallTableOverflowsPastItsSlots(t *testing.T) {
	var table callTable
	states := make([]*callState, callSlots+3)
	tokens := make([]uint64, len(states))
	seen := map[uint64]bool{}
	for i := range states {
		states[i] = &callState{}
		tokens[i] = table.add(states[i])
		if tokens[i] == 0 || seen[tokens[i]] {
			t.Fatalf("call %d got token %d", i, tokens[i])
		}
		seen[tokens[i]] = true
	}
	for i, tok := range tokens {
		if table.get(tok) != states[i] {
			t.Fatalf("token %d answers another call", tok)
		}
	}
	last := tokens[len(tokens)-1]
	if last <= callSlots {
		t.Fatalf("the table did not overflow: last token %d", last)
	}
	for _, tok := range tokens {
		table.remove(tok)
	}
	for _, tok := range tokens {
		if table.get(tok) != nil {
			t.Fatalf("token %d still answers after remove", tok)
		}
	}
}

func TestCallTableUnderConcurrentCalls(t *testing.T) {
	var table callTable
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				st := &callState{}
				tok := table.add(st)
				if table.get(tok) != st {
					t.Error("a call found another call's state")
					return
				}
				table.remove(tok)
			}
		}()
	}
	wg.Wait()
}
