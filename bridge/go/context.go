package main

import (
	"context"
	"encoding/binary"
	"reflect"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/heroiclabs/nakama-common/runtime"
)

// encodeInitContext writes InitModule's runtime context as the JSON
// object the Rust side decodes once (nakama_runtime_abi::ContextData):
// the execution mode, node, version and env, which Rust keeps and gives to
// every call. Keys are Nakama's RUNTIME_CTX_* names; absent values are
// left out.
func encodeInitContext(ctx context.Context) []byte {
	b := []byte{'{'}
	for _, key := range []string{runtime.RUNTIME_CTX_MODE, runtime.RUNTIME_CTX_NODE, runtime.RUNTIME_CTX_VERSION} {
		if v, ok := ctx.Value(key).(string); ok {
			b = appendKey(b, key)
			b = appendString(b, v)
		}
	}
	if env, ok := ctx.Value(runtime.RUNTIME_CTX_ENV).(map[string]string); ok && len(env) > 0 {
		b = appendKey(b, "env")
		b = appendStringMap(b, env)
	}
	return append(b, '}')
}

// The per-call context crosses as fields in a fixed order (the Rust side,
// bridge/rust/src/wire.rs, reads them in place, without copying): each is a
// little-endian u32 length and that many bytes, or absentField alone.
// Maps are JSON objects, user_session_exp 8 bytes (little-endian i64),
// the rest UTF-8 text.
const absentField = 0xFFFFFFFF

// encodeCallContext appends what changes per call: headers, query_params,
// user_id, username, vars, user_session_exp, session_id, lang, client_ip,
// client_port, trace_id, in that order. As Nakama 3.40 does
// (server/runtime_go_context.go), username, vars, session expiry and
// session id count only with a user id, and lang only with a session id.
// The execution mode follows from the call kind. Without withMaps,
// headers and query_params are left absent (the module asks for them
// through goNbMaps if it reads them).
func encodeCallContext(b []byte, ctx context.Context, withMaps bool) []byte {
	var v callValues
	if !v.walk(ctx) {
		v.lookUp(ctx)
	}
	if !withMaps {
		v.headers, v.query = nil, nil
	}
	return encodeValues(b, &v)
}

// encodeRequestMaps writes ctx's headers and query params as the JSON
// object a module asks for (nakama_runtime_abi::RequestMaps):
// {"headers":{..},"query_params":{..}}, keys of empty maps left out.
func encodeRequestMaps(ctx context.Context) []byte {
	headers, _ := ctx.Value(runtime.RUNTIME_CTX_HEADERS).(map[string][]string)
	query, _ := ctx.Value(runtime.RUNTIME_CTX_QUERY_PARAMS).(map[string][]string)
	b := []byte{'{'}
	if len(headers) > 0 {
		b = appendKey(b, "headers")
		b = appendListMap(b, headers)
	}
	if len(query) > 0 {
		b = appendKey(b, "query_params")
		b = appendListMap(b, query)
	}
	return append(b, '}')
}

// encodeValues appends v in the wire order (see encodeCallContext).
func encodeValues(b []byte, v *callValues) []byte {
	b = appendListMapField(b, v.headers)
	b = appendListMapField(b, v.query)
	if v.has&hasUserID == 0 {
		for range 6 { // user_id, username, vars, user_session_exp, session_id, lang
			b = appendAbsent(b)
		}
	} else {
		b = appendText(b, v.userID)
		b = appendTextIf(b, v.username, v.has&hasUsername != 0)
		if v.vars != nil {
			at := len(b)
			b = appendStringMap(append(b, 0, 0, 0, 0), v.vars)
			binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
		} else {
			b = appendAbsent(b)
		}
		if v.has&hasExp != 0 {
			b = binary.LittleEndian.AppendUint32(b, 8)
			b = binary.LittleEndian.AppendUint64(b, uint64(v.exp))
		} else {
			b = appendAbsent(b)
		}
		if v.has&hasSessionID != 0 {
			b = appendText(b, v.sessionID)
			b = appendTextIf(b, v.lang, v.has&hasLang != 0)
		} else {
			b = appendAbsent(appendAbsent(b))
		}
	}
	b = appendTextIf(b, v.clientIP, v.has&hasClientIP != 0)
	b = appendTextIf(b, v.clientPort, v.has&hasClientPort != 0)
	return appendTextIf(b, v.traceID, v.has&hasTraceID != 0)
}

// callValues are the runtime context values a call sends to Rust.
type callValues struct {
	headers, query                    map[string][]string
	vars                              map[string]string
	userID, username, sessionID, lang string
	clientIP, clientPort, traceID     string
	exp                               int64
	has                               uint16 // has* bits: the string and exp values present
	seen                              uint16 // walk: keys already met (the topmost counts)
}

const (
	hasUserID = 1 << iota
	hasUsername
	hasExp
	hasSessionID
	hasLang
	hasClientIP
	hasClientPort
	hasTraceID
	seenHeaders
	seenQuery
	seenVars
)

// lookUp reads the values with ctx.Value, one walk of the chain each
// (those Nakama sets only with a user id are not looked up without one).
func (v *callValues) lookUp(ctx context.Context) {
	v.headers, _ = ctx.Value(runtime.RUNTIME_CTX_HEADERS).(map[string][]string)
	v.query, _ = ctx.Value(runtime.RUNTIME_CTX_QUERY_PARAMS).(map[string][]string)
	str := func(key any, bit uint16) string { // any: a constant key, no allocation
		s, ok := ctx.Value(key).(string)
		if ok {
			v.has |= bit
		}
		return s
	}
	if v.userID = str(runtime.RUNTIME_CTX_USER_ID, hasUserID); v.has&hasUserID != 0 {
		v.username = str(runtime.RUNTIME_CTX_USERNAME, hasUsername)
		v.vars, _ = ctx.Value(runtime.RUNTIME_CTX_VARS).(map[string]string)
		if exp, ok := ctx.Value(runtime.RUNTIME_CTX_USER_SESSION_EXP).(int64); ok {
			v.exp, v.has = exp, v.has|hasExp
		}
		if v.sessionID = str(runtime.RUNTIME_CTX_SESSION_ID, hasSessionID); v.has&hasSessionID != 0 {
			v.lang = str(runtime.RUNTIME_CTX_LANG, hasLang)
		}
	}
	v.clientIP = str(runtime.RUNTIME_CTX_CLIENT_IP, hasClientIP)
	v.clientPort = str(runtime.RUNTIME_CTX_CLIENT_PORT, hasClientPort)
	v.traceID = str(runtime.RUNTIME_CTX_TRACE_ID, hasTraceID)
}

// walk reads every value in one pass down the chain instead of a
// ctx.Value walk per key (each of which, for a key that is not there,
// goes down to the HTTP request's own contexts). Nakama sets all its
// runtime keys with context.WithValue, in one block whose bottom is env
// (server/runtime_go_context.go): the walk stops there. It answers false,
// having read nothing, when the chain is not made that way or this Go's
// valueCtx is not laid out as checked at start (see valueCtxLayoutOK).
func (v *callValues) walk(ctx context.Context) bool {
	if !valueCtxLayoutOK {
		return false
	}
	for c := ctx; c != nil; {
		if reflect.TypeOf(c) != valueCtxType {
			*v = callValues{}
			return false
		}
		// The interface's data word is the *valueCtx.
		vc := (*valueCtxLayout)((*[2]unsafe.Pointer)(unsafe.Pointer(&c))[1])
		c = vc.parent
		key, ok := vc.key.(string)
		if !ok {
			continue
		}
		// The topmost value of a key is the one ctx.Value would answer.
		first := func(bit uint16) bool {
			met := v.seen&bit != 0
			v.seen |= bit
			return !met
		}
		text := func(bit uint16, dst *string) {
			if first(bit) {
				if s, ok := vc.val.(string); ok {
					*dst, v.has = s, v.has|bit
				}
			}
		}
		switch key {
		case runtime.RUNTIME_CTX_ENV:
			return true
		case runtime.RUNTIME_CTX_HEADERS:
			if first(seenHeaders) {
				v.headers, _ = vc.val.(map[string][]string)
			}
		case runtime.RUNTIME_CTX_QUERY_PARAMS:
			if first(seenQuery) {
				v.query, _ = vc.val.(map[string][]string)
			}
		case runtime.RUNTIME_CTX_VARS:
			if first(seenVars) {
				v.vars, _ = vc.val.(map[string]string)
			}
		case runtime.RUNTIME_CTX_USER_SESSION_EXP:
			if first(hasExp) {
				if exp, ok := vc.val.(int64); ok {
					v.exp, v.has = exp, v.has|hasExp
				}
			}
		case runtime.RUNTIME_CTX_USER_ID:
			text(hasUserID, &v.userID)
		case runtime.RUNTIME_CTX_USERNAME:
			text(hasUsername, &v.username)
		case runtime.RUNTIME_CTX_SESSION_ID:
			text(hasSessionID, &v.sessionID)
		case runtime.RUNTIME_CTX_LANG:
			text(hasLang, &v.lang)
		case runtime.RUNTIME_CTX_CLIENT_IP:
			text(hasClientIP, &v.clientIP)
		case runtime.RUNTIME_CTX_CLIENT_PORT:
			text(hasClientPort, &v.clientPort)
		case runtime.RUNTIME_CTX_TRACE_ID:
			text(hasTraceID, &v.traceID)
		}
	}
	*v = callValues{} // env never met
	return false
}

// valueCtxLayout mirrors Go's context.valueCtx (an embedded parent
// Context, then key and val): walk reads the chain through it.
type valueCtxLayout struct {
	parent   context.Context
	key, val any
}

type layoutProbe struct{}

// valueCtxType is the dynamic type of context.WithValue's contexts.
var valueCtxType = reflect.TypeOf(context.WithValue(context.Background(), layoutProbe{}, 0))

// valueCtxLayoutOK: this Go's valueCtx has exactly valueCtxLayout's
// fields (types and offsets), checked once through reflection; if not,
// walk is never used and every value is read with ctx.Value.
var valueCtxLayoutOK = func() bool {
	t := valueCtxType
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return false
	}
	got, want := t.Elem(), reflect.TypeFor[valueCtxLayout]()
	if got.NumField() != want.NumField() || got.Size() != want.Size() {
		return false
	}
	for i := range want.NumField() {
		g, w := got.Field(i), want.Field(i)
		if g.Type != w.Type || g.Offset != w.Offset {
			return false
		}
	}
	return true
}()

// appendListMapField appends a map field (absent when empty).
func appendListMapField(b []byte, m map[string][]string) []byte {
	if len(m) == 0 {
		return appendAbsent(b)
	}
	at := len(b)
	b = appendListMap(append(b, 0, 0, 0, 0), m)
	binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

func appendAbsent(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, absentField)
}

// appendText appends a text field; invalid UTF-8 becomes U+FFFD, as
// encoding/json would make it.
func appendText(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// appendTextIf appends s if present, else absent.
func appendTextIf(b []byte, s string, present bool) []byte {
	if present {
		return appendText(b, s)
	}
	return appendAbsent(b)
}

func appendKey(b []byte, key string) []byte {
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStringMap(b []byte, m map[string]string) []byte {
	b = append(b, '{')
	first := true
	for k, v := range m {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, v)
	}
	return append(b, '}')
}

func appendListMap(b []byte, m map[string][]string) []byte {
	b = append(b, '{')
	first := true
	for k, vs := range m {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':', '[')
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// plainJSON[c] is true for the bytes a JSON string holds as they are
// (printable ASCII but the quote and the backslash).
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString writes s as a JSON string; invalid UTF-8 becomes U+FFFD
// (as encoding/json does), so the Rust side always gets valid JSON.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plainJSON[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
