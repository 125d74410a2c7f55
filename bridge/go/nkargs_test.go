package main

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// compactBytes builds compact arguments as bridge/rust/src/nkargs.rs
// writes them: fields are strings (text) or int32s.
func compactBytes(ops int, fields ...any) []byte {
	b := binary.LittleEndian.AppendUint32([]byte{compactArgs}, uint32(ops))
	for _, f := range fields {
		switch v := f.(type) {
		case string:
			b = binary.LittleEndian.AppendUint32(b, uint32(len(v)))
			b = append(b, v...)
		case int32:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		}
	}
	return b
}

func TestCompactArgsDecodeAsTheirJSON(t *testing.T) {
	var fromJSON, fromCompact storageWriteArgs
	if err := decodeArgs(`{"writes":[{"collection":"c","key":"k","value":"{}","permission_read":2,"permission_write":1}]}`, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := decodeArgs(string(compactBytes(1, "c", "k", "", "{}", "", int32(2), int32(1))), &fromCompact); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromJSON, fromCompact) {
		t.Errorf("JSON %+v, compact %+v", fromJSON, fromCompact)
	}

	var reads storageReadArgs
	if err := decodeArgs(string(compactBytes(2, "c", "k", "u", "", "é", "")), &reads); err != nil {
		t.Fatal(err)
	}
	want := []storageReadOp{{Collection: "c", Key: "k", UserID: "u"}, {Key: "é"}}
	if !reflect.DeepEqual(reads.Reads, want) {
		t.Errorf("reads %+v, want %+v", reads.Reads, want)
	}
}

func TestBadCompactArgsAreInvalidArgument(t *testing.T) {
	full := compactBytes(1, "c", "k", "u")
	for name, args := range map[string][]byte{
		"truncated":     full[:len(full)-1],
		"trailing":      append(append([]byte{}, full...), 0),
		"huge count":    compactBytes(1<<30, "c", "k", "u"),
		"no count":      {compactArgs, 1},
		"text too long": append(compactBytes(1), 0xff, 0xff, 0xff, 0x7f, 'c'),
	} {
		var a storageReadArgs
		err := decodeArgs(string(args), &a)
		var bad badArgs
		if !errors.As(err, &bad) {
			t.Errorf("%s: %v, want badArgs", name, err)
		}
	}
	// A function whose arguments only come as JSON.
	var a struct{ UserID string }
	if err := decodeArgs(string(compactBytes(0)), &a); err == nil {
		t.Error("compact arguments for a JSON-only function were accepted")
	}
}
