package main

import (
	"context"
	"strconv"
	"unicode/utf8"

	"github.com/heroiclabs/nakama-common/runtime"
)

// encodeContext appends the call's runtime context as the JSON object the
// Rust side decodes (nakama_runtime_abi::ContextData): keys are Nakama's
// RUNTIME_CTX_* names, absent values are left out.
//
// It runs on every call and each ctx.Value walks the context chain, so it
// asks only for what changes per call. The init context (init=true)
// carries env, node and version, which Rust keeps and gives to every call;
// the execution mode follows from the call kind (rpc, before, after).
// Nakama 3.40 sets username, vars, session expiry and session id only with
// a user id, and lang only with a session id (server/runtime_go_context.go),
// so those are not looked up without them.
func encodeContext(b []byte, ctx context.Context, init bool) []byte {
	b = append(b, '{')
	str := func(key string, ctxKey any) bool { // any: a constant key, no allocation
		v, ok := ctx.Value(ctxKey).(string)
		if ok {
			b = appendKey(b, key)
			b = appendString(b, v)
		}
		return ok
	}
	if init {
		str("execution_mode", runtime.RUNTIME_CTX_MODE)
		str("node", runtime.RUNTIME_CTX_NODE)
		str("version", runtime.RUNTIME_CTX_VERSION)
		if env, ok := ctx.Value(runtime.RUNTIME_CTX_ENV).(map[string]string); ok && len(env) > 0 {
			b = appendKey(b, "env")
			b = appendStringMap(b, env)
		}
	}
	if h, ok := ctx.Value(runtime.RUNTIME_CTX_HEADERS).(map[string][]string); ok && len(h) > 0 {
		b = appendKey(b, "headers")
		b = appendListMap(b, h)
	}
	if q, ok := ctx.Value(runtime.RUNTIME_CTX_QUERY_PARAMS).(map[string][]string); ok && len(q) > 0 {
		b = appendKey(b, "query_params")
		b = appendListMap(b, q)
	}
	if str("user_id", runtime.RUNTIME_CTX_USER_ID) {
		str("username", runtime.RUNTIME_CTX_USERNAME)
		if vars, ok := ctx.Value(runtime.RUNTIME_CTX_VARS).(map[string]string); ok && vars != nil {
			b = appendKey(b, "vars")
			b = appendStringMap(b, vars)
		}
		if exp, ok := ctx.Value(runtime.RUNTIME_CTX_USER_SESSION_EXP).(int64); ok {
			b = appendKey(b, "user_session_exp")
			b = strconv.AppendInt(b, exp, 10)
		}
		if str("session_id", runtime.RUNTIME_CTX_SESSION_ID) {
			str("lang", runtime.RUNTIME_CTX_LANG)
		}
	}
	str("client_ip", runtime.RUNTIME_CTX_CLIENT_IP)
	str("client_port", runtime.RUNTIME_CTX_CLIENT_PORT)
	str("trace_id", runtime.RUNTIME_CTX_TRACE_ID)
	return append(b, '}')
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

// appendString writes s as a JSON string; invalid UTF-8 becomes U+FFFD
// (as encoding/json does), so the Rust side always gets valid JSON.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
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
