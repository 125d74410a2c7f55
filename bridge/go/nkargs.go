package main

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The Rust side sends the arguments of storage reads and writes, the nk
// calls modules make most, as length-prefixed fields rather than JSON
// (bridge/rust/src/nkargs.rs: a zero byte, a u32 count of ops, each op's
// fields in order, text as u32 length + bytes, integers as i32, all
// little-endian): encoding/json, which decodes through reflection, took
// ~3% of Nakama's CPU under the storage benchmark.

// compactArgs is the first byte of compact arguments (JSON never has it).
const compactArgs = 0

// compactDecoder is an argument struct that can be read from compact form.
type compactDecoder interface {
	decodeCompact(r *compactReader)
}

type storageReadArgs struct {
	Reads []storageReadOp `json:"reads"`
}

func (a *storageReadArgs) decodeCompact(r *compactReader) {
	a.Reads = make([]storageReadOp, r.count(12))
	for i := range a.Reads {
		a.Reads[i] = storageReadOp{Collection: r.text(), Key: r.text(), UserID: r.text()}
	}
}

type storageWriteArgs struct {
	Writes []storageWriteOp `json:"writes"`
}

func (a *storageWriteArgs) decodeCompact(r *compactReader) {
	a.Writes = make([]storageWriteOp, r.count(28))
	for i := range a.Writes {
		a.Writes[i] = storageWriteOp{Collection: r.text(), Key: r.text(), UserID: r.text(), Value: r.text(),
			Version: r.text(), PermissionRead: int(r.i32()), PermissionWrite: int(r.i32())}
	}
}

// decodeArgs reads args, compact or JSON, into a. Text read from compact
// args shares their memory.
func decodeArgs(args string, a any) error {
	if len(args) == 0 || args[0] != compactArgs {
		return decode(args, a)
	}
	d, ok := a.(compactDecoder)
	if !ok {
		return badArgs{errors.New("compact arguments for a function that takes JSON")}
	}
	r := compactReader{b: args[1:]}
	d.decodeCompact(&r)
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("%d bytes after the last field", len(r.b))
	}
	if r.err != nil {
		return badArgs{fmt.Errorf("compact arguments: %w", r.err)}
	}
	return nil
}

// compactReader reads compact fields; after the first error every read
// answers a zero value and err keeps that error.
type compactReader struct {
	b   string
	err error
}

var errTruncated = errors.New("truncated")

// take reads the next n bytes.
func (r *compactReader) take(n int) string {
	if r.err != nil {
		return ""
	}
	if len(r.b) < n {
		r.err = errTruncated
		return ""
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *compactReader) u32() uint32 {
	if s := r.take(4); s != "" {
		return binary.LittleEndian.Uint32([]byte(s))
	}
	return 0
}

func (r *compactReader) i32() int32 { return int32(r.u32()) }

func (r *compactReader) u8() byte {
	if s := r.take(1); s != "" {
		return s[0]
	}
	return 0
}

func (r *compactReader) u64() uint64 {
	if s := r.take(8); s != "" {
		return binary.LittleEndian.Uint64([]byte(s))
	}
	return 0
}

func (r *compactReader) text() string {
	n := r.u32()
	if r.err == nil && uint64(n) > uint64(len(r.b)) {
		r.err = errTruncated
	}
	return r.take(int(n))
}

// count reads a count of ops of at least minBytes each, refusing one the
// rest of the input cannot hold (so a bad count allocates nothing).
func (r *compactReader) count(minBytes int) int {
	n := r.u32()
	if r.err == nil && uint64(n)*uint64(minBytes) > uint64(len(r.b)) {
		r.err = fmt.Errorf("%d ops do not fit in %d bytes", n, len(r.b))
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}
