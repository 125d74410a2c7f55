package main

import (
	"context"
	"encoding/binary"
	"strings"
	"unicode/utf8"

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
// client_port, trace_id, in that order.
//
// Each ctx.Value walks the context chain, so it asks only for what can be
// there: Nakama 3.40 sets username, vars, session expiry and session id
// only with a user id, and lang only with a session id
// (server/runtime_go_context.go). The execution mode follows from the call
// kind.
func encodeCallContext(b []byte, ctx context.Context) []byte {
	if h, ok := ctx.Value(runtime.RUNTIME_CTX_HEADERS).(map[string][]string); ok && len(h) > 0 {
		at := len(b)
		b = appendListMap(append(b, 0, 0, 0, 0), h)
		binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	} else {
		b = appendAbsent(b)
	}
	if q, ok := ctx.Value(runtime.RUNTIME_CTX_QUERY_PARAMS).(map[string][]string); ok && len(q) > 0 {
		at := len(b)
		b = appendListMap(append(b, 0, 0, 0, 0), q)
		binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	} else {
		b = appendAbsent(b)
	}
	userID, ok := ctx.Value(runtime.RUNTIME_CTX_USER_ID).(string)
	if !ok {
		b = appendAbsent(b)
		for range 5 { // username, vars, user_session_exp, session_id, lang
			b = appendAbsent(b)
		}
	} else {
		b = appendText(b, userID)
		b = appendTextOf(b, ctx, runtime.RUNTIME_CTX_USERNAME)
		if vars, ok := ctx.Value(runtime.RUNTIME_CTX_VARS).(map[string]string); ok && vars != nil {
			at := len(b)
			b = appendStringMap(append(b, 0, 0, 0, 0), vars)
			binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
		} else {
			b = appendAbsent(b)
		}
		if exp, ok := ctx.Value(runtime.RUNTIME_CTX_USER_SESSION_EXP).(int64); ok {
			b = binary.LittleEndian.AppendUint32(b, 8)
			b = binary.LittleEndian.AppendUint64(b, uint64(exp))
		} else {
			b = appendAbsent(b)
		}
		if sessionID, ok := ctx.Value(runtime.RUNTIME_CTX_SESSION_ID).(string); ok {
			b = appendText(b, sessionID)
			b = appendTextOf(b, ctx, runtime.RUNTIME_CTX_LANG)
		} else {
			b = appendAbsent(appendAbsent(b))
		}
	}
	b = appendTextOf(b, ctx, runtime.RUNTIME_CTX_CLIENT_IP)
	b = appendTextOf(b, ctx, runtime.RUNTIME_CTX_CLIENT_PORT)
	return appendTextOf(b, ctx, runtime.RUNTIME_CTX_TRACE_ID)
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

// appendTextOf appends the string value of key, or absent. The key is an
// interface so that a constant converts without an allocation.
func appendTextOf(b []byte, ctx context.Context, key any) []byte {
	if v, ok := ctx.Value(key).(string); ok {
		return appendText(b, v)
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
