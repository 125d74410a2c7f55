package main

/*
#include "nakama_bridge.h"
*/
import "C"

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// frame is what one call needs besides its arguments: its registered
// state, the buffer its context is encoded into (Rust copies what it keeps
// before nb_call returns), and where nb_call leaves the answer. Frames are
// reused, so none of it is allocated per call (cgo would move an nb_out
// on the stack to the heap).
type frame struct {
	st  callState
	ctx []byte
	// Answers that fit are written by Rust into the free part of this
	// block, and the call's answer is a string over those bytes, which
	// nothing writes again: no allocation or copy per answer on the Go
	// side. A new block is taken when less than answerRoom is left; a
	// block lives as long as a string over it does.
	answers []byte
	given   int // bytes of answers already handed out as strings
	out     C.nb_out
	// nkAnswer: where the storage answers of a suspended call's nk
	// requests are encoded (runNk). Rust copies each answer before the
	// call goes on, and only the frame's own loop uses it, so one buffer
	// serves them all. nk calls that come back through a callback (which
	// a module thread could make at the same time as another) do not.
	nkAnswer answerBuf
}

const (
	answerBlock = 16 << 10
	// answerRoom: answers up to this size need no allocation in Rust, nor
	// a second cgo call to free it.
	answerRoom = 4 << 10
)

func newFrame() *frame {
	return &frame{ctx: make([]byte, 0, 1024)}
}

// room is where the next answer goes.
func (f *frame) room() []byte {
	if len(f.answers)-f.given < answerRoom {
		f.answers, f.given = make([]byte, answerBlock), 0
	}
	return f.answers[f.given:]
}

// keep answers the n bytes Rust wrote at room() as a string, and keeps
// them from being written again.
func (f *frame) keep(n uint64) string {
	k := min(int(n), len(f.answers)-f.given)
	if k == 0 {
		return ""
	}
	s := unsafe.String(&f.answers[f.given], k)
	f.given += k
	return s
}

// callSlots is how many calls at once get one of the table's frames;
// calls past it get a frame of their own, in a map under a mutex.
const callSlots = 256

// callTable hands out the frames of running calls and finds a call's
// state by its token (for the callbacks from Rust). A call takes the
// frame released last, whose buffers are the likeliest to be in cache,
// from a lock-free free list, or else a slot never used yet. Its token
// holds the slot and the slot's generation, bumped at every release, so
// a token of a call that has ended finds nothing.
//
// Only inlined atomics on integers on this path: a Go plugin runs its own
// copy of the runtime's code, which Nakama does not keep in cache, and
// sync.Pool with a table of atomic pointers (write barriers) cost a call
// about 30 cache lines of it.
type callTable struct {
	slots [callSlots]slot
	free  atomic.Uint64 // free list: tag<<32 | slot+1 (0: empty); the tag defeats ABA
	used  atomic.Uint32 // slots taken at least once

	mu       sync.Mutex
	overflow map[uint64]*frame
	next     uint64 // the last overflow token given
}

type slot struct {
	frame
	next atomic.Uint32 // slot+1 of the next free slot, while on the free list
	gen  atomic.Uint32 // 31 bits; written only by the call holding the slot
}

// Tokens of slots have the top bit set, then the generation (31 bits),
// then the slot+1 (32 bits); overflow tokens count up from 1 below it.
// Token 0 is the init call.
const slotToken = uint64(1) << 63

var calls callTable

// acquire gives a call its frame and token.
func (t *callTable) acquire() (*frame, uint64) {
	for {
		head := t.free.Load()
		i := uint32(head)
		if i == 0 {
			break
		}
		next := t.slots[i-1].next.Load()
		if t.free.CompareAndSwap(head, (head>>32+1)<<32|uint64(next)) {
			return t.take(i)
		}
	}
	for {
		n := t.used.Load()
		if n >= callSlots {
			break
		}
		if t.used.CompareAndSwap(n, n+1) {
			s := &t.slots[n]
			s.ctx = make([]byte, 0, 1024)
			return t.take(n + 1)
		}
	}
	f := newFrame()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.overflow == nil {
		t.overflow = map[uint64]*frame{}
	}
	t.next++
	t.overflow[t.next] = f
	return f, t.next
}

// take answers slot i (1-based) as a frame with its current token.
func (t *callTable) take(i uint32) (*frame, uint64) {
	s := &t.slots[i-1]
	return &s.frame, slotToken | uint64(s.gen.Load())<<32 | uint64(i)
}

// get answers the state of the running call of token (nil: none).
func (t *callTable) get(token uint64) *callState {
	if token&slotToken != 0 {
		i := uint32(token)
		if i == 0 || i > callSlots {
			return nil
		}
		s := &t.slots[i-1]
		if s.gen.Load() != uint32(token>>32)&^(1<<31) {
			return nil // that call has ended
		}
		return &s.st
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.overflow[token]; f != nil {
		return &f.st
	}
	return nil
}

// release ends the call of token: its token finds nothing from now on,
// and its frame goes back to the table.
func (t *callTable) release(f *frame, token uint64) {
	f.st.ctx, f.st.logger, f.st.nk, f.st.handler = nil, nil, nil, nil
	if token&slotToken == 0 {
		t.mu.Lock()
		defer t.mu.Unlock()
		delete(t.overflow, token)
		return
	}
	i := uint32(token)
	s := &t.slots[i-1]
	gen := s.gen.Load()
	if gen != uint32(token>>32)&^(1<<31) {
		return // released already: the slot must not go on the free list twice
	}
	s.gen.Store((gen + 1) &^ (1 << 31))
	for {
		head := t.free.Load()
		s.next.Store(uint32(head))
		if t.free.CompareAndSwap(head, (head>>32+1)<<32|uint64(i)) {
			return
		}
	}
}
