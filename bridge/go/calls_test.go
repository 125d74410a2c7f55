package main

import (
	"context"
	"strings"
	"sync"
	"testing"
)

func TestCallTableReusesTheLastFrameAndForgetsEndedCalls(t *testing.T) {
	var table callTable
	fa, ta := table.acquire()
	fb, tb := table.acquire()
	if ta == 0 || tb == 0 || ta == tb || fa == fb {
		t.Fatalf("tokens %x %x", ta, tb)
	}
	fa.st.ctx, fb.st.ctx = context.Background(), context.TODO()
	if table.get(ta) != &fa.st || table.get(tb) != &fb.st {
		t.Fatal("get answers another call")
	}
	table.release(fa, ta)
	table.release(fa, ta) // twice is harmless
	if table.get(ta) != nil {
		t.Fatal("an ended call is still found")
	}
	if fa.st.ctx != nil {
		t.Fatal("release keeps the call's context")
	}
	fc, tc := table.acquire()
	if fc != fa {
		t.Fatal("the frame released last is not the one taken next")
	}
	if tc == ta || table.get(ta) != nil || table.get(tc) != &fc.st {
		t.Fatalf("a reused frame's tokens: old %x new %x", ta, tc)
	}
	if _, td := table.acquire(); td == tc || td == tb {
		t.Fatalf("the free list handed out a frame in use: %x", td)
	}
	for _, unknown := range []uint64{0, 99, slotToken | 0, slotToken | callSlots + 1, slotToken | 5<<32 | 1} {
		if table.get(unknown) != nil {
			t.Fatalf("unknown token %x answers a call", unknown)
		}
	}
}

func TestCallTableOverflowsPastItsSlots(t *testing.T) {
	var table callTable
	frames := make([]*frame, callSlots+3)
	tokens := make([]uint64, len(frames))
	seen := map[uint64]bool{}
	for i := range frames {
		frames[i], tokens[i] = table.acquire()
		if tokens[i] == 0 || seen[tokens[i]] {
			t.Fatalf("call %d got token %x", i, tokens[i])
		}
		seen[tokens[i]] = true
	}
	for i, tok := range tokens {
		if table.get(tok) != &frames[i].st {
			t.Fatalf("token %x answers another call", tok)
		}
	}
	if last := tokens[len(tokens)-1]; last&slotToken != 0 {
		t.Fatalf("the table did not overflow: last token %x", last)
	}
	for i, tok := range tokens {
		table.release(frames[i], tok)
	}
	for _, tok := range tokens {
		if table.get(tok) != nil {
			t.Fatalf("token %x still answers after release", tok)
		}
	}
	// Every slot is on the free list once: as many calls again get
	// distinct slots before any overflows.
	got := map[*frame]bool{}
	for range callSlots {
		f, tok := table.acquire()
		if tok&slotToken == 0 || got[f] {
			t.Fatalf("after release: token %x, frame seen before: %v", tok, got[f])
		}
		got[f] = true
	}
}

func TestCallTableUnderConcurrentCalls(t *testing.T) {
	var table callTable
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5000; i++ {
				f, tok := table.acquire()
				if f.st.handler != nil {
					t.Error("a frame was handed to two calls at once")
					return
				}
				f.st.handler = &handler{}
				if table.get(tok) != &f.st {
					t.Error("a call found another call's state")
					return
				}
				f.st.handler = nil
				table.release(f, tok)
			}
		}()
	}
	wg.Wait()
}

func TestAnswersStayAsLaterAnswersAreWritten(t *testing.T) {
	f := newFrame()
	var kept []string
	for i := range 100 { // ~35 KiB: three blocks
		room := f.room()
		if len(room) < answerRoom {
			t.Fatalf("answer %d: room for %d bytes", i, len(room))
		}
		n := 300 + i
		for j := range n { // as Rust writes an answer
			room[j] = byte('a' + i%26)
		}
		kept = append(kept, f.keep(uint64(n)))
	}
	for i, s := range kept {
		if len(s) != 300+i || strings.Count(s, string(rune('a'+i%26))) != len(s) {
			t.Fatalf("answer %d changed: %q", i, s)
		}
	}
	if f.keep(0) != "" {
		t.Fatal("an empty answer is not empty")
	}
	// A length past the room cannot reach beyond the block.
	room := f.room()
	if s := f.keep(uint64(len(room) + 10)); len(s) != len(room) {
		t.Fatalf("keep went past the room: %d of %d", len(s), len(room))
	}
}
