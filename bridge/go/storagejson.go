package main

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/heroiclabs/nakama-common/api"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Storage objects are what module nk calls answer most, and protojson,
// which walks every message through reflection, took ~5% of Nakama's CPU
// under the storage_rw benchmark. These write the same JSON as
// marshalOpts (proto field names, zero values left out, timestamps in
// RFC 3339 UTC with 0, 3, 6 or 9 fraction digits) directly. Unlike
// protojson, invalid UTF-8 in a string becomes U+FFFD instead of failing
// the call.

// answerBuf is a buffer that nk answers are encoded into one after the
// other, each one used up (copied by Rust) before the next.
type answerBuf struct{ b []byte }

// maxAnswerBuf: buffers up to this size are kept for the next answer.
const maxAnswerBuf = 64 << 10

// take is the buffer, empty, for an encoder to append to (nil: none).
func (a *answerBuf) take() []byte {
	if a == nil || cap(a.b) > maxAnswerBuf { // let an outsize one go
		return nil
	}
	return a.b[:0]
}

// keep keeps b, grown from take, for the next answer.
func (a *answerBuf) keep(b []byte) {
	if a != nil {
		a.b = b[:0]
	}
}

// storageObjectsJSON encodes storage objects as a JSON array, in buf
// (nil: a new buffer).
func storageObjectsJSON(buf *answerBuf, objs []*api.StorageObject, err error) (json.RawMessage, error) {
	return jsonList(buf, objs, err, func(w *jsonObject, o *api.StorageObject) bool {
		w.text("collection", o.GetCollection())
		w.text("key", o.GetKey())
		w.text("user_id", o.GetUserId())
		w.text("value", o.GetValue())
		w.text("version", o.GetVersion())
		w.int32("permission_read", o.GetPermissionRead())
		w.int32("permission_write", o.GetPermissionWrite())
		return w.timestamp("create_time", o.GetCreateTime()) && w.timestamp("update_time", o.GetUpdateTime())
	})
}

// storageAcksJSON encodes storage write acknowledgements as a JSON array,
// as storageObjectsJSON does.
func storageAcksJSON(buf *answerBuf, acks []*api.StorageObjectAck, err error) (json.RawMessage, error) {
	return jsonList(buf, acks, err, func(w *jsonObject, a *api.StorageObjectAck) bool {
		w.text("collection", a.GetCollection())
		w.text("key", a.GetKey())
		w.text("version", a.GetVersion())
		w.text("user_id", a.GetUserId())
		return w.timestamp("create_time", a.GetCreateTime()) && w.timestamp("update_time", a.GetUpdateTime())
	})
}

// jsonList encodes items as a JSON array of objects, each written by
// fields; if fields answers false for one (a value protojson refuses),
// protojson encodes them all, and so answers its error. The array goes
// into buf (nil: a new buffer), which keeps what it grew to.
func jsonList[T proto.Message](buf *answerBuf, items []T, err error, fields func(*jsonObject, T) bool) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	w := jsonObject{b: buf.take()}
	defer func() { buf.keep(w.b) }()
	if want := 320*len(items) + 2; cap(w.b) < want {
		w.b = make([]byte, 0, want)
	}
	w.b = append(w.b, '[')
	for i, item := range items {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.open = false
		if !fields(&w, item) {
			return protoList(items, nil)
		}
		w.end()
	}
	return append(w.b, ']'), nil
}

// jsonObject appends one JSON object's members, leaving out zero values
// as proto3 JSON does.
type jsonObject struct {
	b    []byte
	open bool
}

func (w *jsonObject) key(k string) {
	if w.open {
		w.b = append(w.b, ',')
	} else {
		w.b = append(w.b, '{')
		w.open = true
	}
	w.b = append(append(append(w.b, '"'), k...), '"', ':')
}

func (w *jsonObject) text(k, v string) {
	if v != "" {
		w.key(k)
		w.b = appendString(w.b, v)
	}
}

func (w *jsonObject) int32(k string, v int32) {
	if v != 0 {
		w.key(k)
		w.b = strconv.AppendInt(w.b, int64(v), 10)
	}
}

// timestamp answers false, writing nothing, for a time out of
// protojson's range.
func (w *jsonObject) timestamp(k string, t *timestamppb.Timestamp) bool {
	if t == nil {
		return true
	}
	s, n := t.GetSeconds(), t.GetNanos()
	if s < minTimestampSecs || s > maxTimestampSecs || n < 0 || n >= 1e9 {
		return false
	}
	w.key(k)
	w.b = appendTimestamp(w.b, t)
	return true
}

// end closes the object ("{}" if it has no members).
func (w *jsonObject) end() {
	if !w.open {
		w.b = append(w.b, '{')
	}
	w.b = append(w.b, '}')
}

// The range protojson accepts: 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z.
const (
	minTimestampSecs = -62135596800
	maxTimestampSecs = 253402300799
)

// appendTimestamp writes t as a quoted RFC 3339 UTC time: the fraction, if
// any, in as few groups of three digits as it needs. Digit by digit:
// time.AppendFormat parses its layout on every call, a visible share of
// an nk storage call in a profile.
func appendTimestamp(b []byte, t *timestamppb.Timestamp) []byte {
	tm := time.Unix(t.GetSeconds(), 0).UTC()
	year, month, day := tm.Date()
	hour, minute, second := tm.Clock()
	b = append(b, '"')
	b = append(appendPadded(b, year, 4), '-')
	b = append(appendPadded(b, int(month), 2), '-')
	b = append(appendPadded(b, day, 2), 'T')
	b = append(appendPadded(b, hour, 2), ':')
	b = append(appendPadded(b, minute, 2), ':')
	b = appendPadded(b, second, 2)
	if n := int(t.GetNanos()); n != 0 {
		digits := 9
		for digits > 3 && n%1000 == 0 {
			digits, n = digits-3, n/1000
		}
		b = appendPadded(append(b, '.'), n, digits)
	}
	return append(b, 'Z', '"')
}

// appendPadded writes v (0 <= v < 10^width) in width digits.
func appendPadded(b []byte, v, width int) []byte {
	start := len(b)
	for range width {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= start && v > 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}
