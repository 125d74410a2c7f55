package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/heroiclabs/nakama-common/runtime"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// rustLogs writes module log lines like Nakama's Go runtime logger does,
// but with "runtime":"rust" and the module's own `file:line` as caller.
//
// Nakama's runtime.Logger cannot do that: its zap logger has
// "runtime":"go" encoded in already, WithFields drops a "runtime" key, and
// its caller is the line of Go code that logs. So the bridge takes the zap
// cores under InitModule's logger (same encoder settings, same outputs,
// same level) and builds a logger of its own on them. The call's fields
// (rpc_id, or api_id and mode; trace_id) come from the call's
// runtime.Logger. If Nakama's logger is not what this expects, lines go
// through the call's runtime.Logger instead (runtime stays "go", the Rust
// caller becomes a field).
type rustLogs struct {
	zl *zap.Logger // nil: fallback
}

func newRustLogs(l runtime.Logger) (*rustLogs, string) {
	zl, err := zapUnder(l)
	if err != nil {
		return &rustLogs{}, err.Error()
	}
	core, err := freshCore(zl.Core())
	if err != nil {
		return &rustLogs{}, err.Error()
	}
	return &rustLogs{zl: zap.New(core)}, ""
}

// zapUnder finds the *zap.Logger inside Nakama's RuntimeGoLogger.
func zapUnder(l runtime.Logger) (*zap.Logger, error) {
	v := reflect.ValueOf(l)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("runtime logger is a %T", l)
	}
	f := v.Elem().FieldByName("logger")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*zap.Logger]() {
		return nil, fmt.Errorf("runtime logger %T has no zap logger", l)
	}
	zl := *(**zap.Logger)(unsafe.Pointer(f.UnsafeAddr()))
	if zl == nil {
		return nil, fmt.Errorf("runtime logger %T has a nil zap logger", l)
	}
	return zl, nil
}

// field reads struct field `name` of type T, exported or not.
func field[T any](s reflect.Value, name string) (T, bool) {
	var zero T
	f := s.FieldByName(name)
	if !f.IsValid() || f.Type() != reflect.TypeFor[T]() || !f.CanAddr() {
		return zero, false
	}
	return *(*T)(unsafe.Pointer(f.UnsafeAddr())), true
}

// freshCore rebuilds a zap core without its accumulated fields: the same
// encoder configuration (caller written as given), output and level.
func freshCore(c zapcore.Core) (zapcore.Core, error) {
	v := reflect.ValueOf(c)
	switch v.Type().String() {
	case "zapcore.multiCore":
		cores := make([]zapcore.Core, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			inner, ok := v.Index(i).Interface().(zapcore.Core)
			if !ok {
				return nil, fmt.Errorf("zap tee holds a %s", v.Index(i).Type())
			}
			fresh, err := freshCore(inner)
			if err != nil {
				return nil, err
			}
			cores = append(cores, fresh)
		}
		return zapcore.NewTee(cores...), nil
	case "*zapcore.ioCore":
		s := v.Elem()
		level, ok1 := field[zapcore.LevelEnabler](s, "LevelEnabler")
		enc, ok2 := field[zapcore.Encoder](s, "enc")
		out, ok3 := field[zapcore.WriteSyncer](s, "out")
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("zap core layout not recognised")
		}
		ev := reflect.ValueOf(enc)
		if ev.Type().String() != "*zapcore.jsonEncoder" {
			return nil, fmt.Errorf("zap encoder is a %s, not JSON", ev.Type())
		}
		cfg, ok := field[*zapcore.EncoderConfig](ev.Elem(), "EncoderConfig")
		if !ok || cfg == nil {
			return nil, fmt.Errorf("zap JSON encoder layout not recognised")
		}
		mine := *cfg
		mine.EncodeCaller = zapcore.FullCallerEncoder
		return zapcore.NewCore(zapcore.NewJSONEncoder(mine), out, level), nil
	}
	return nil, fmt.Errorf("zap core %s not recognised", v.Type())
}

func zapLevel(l int) zapcore.Level {
	switch l {
	case 1:
		return zapcore.DebugLevel
	case 2:
		return zapcore.InfoLevel
	case 3:
		return zapcore.WarnLevel
	default:
		return zapcore.ErrorLevel
	}
}

// callFieldOrder: Nakama's per-call fields, in the order the dev host
// writes them.
var callFieldOrder = []string{"rpc_id", "api_id", "mode", "trace_id"}

// write logs one module line for the call whose logger is `call`.
func (r *rustLogs) write(call runtime.Logger, level int, caller, msg string, fieldsJSON []byte) {
	if r == nil || r.zl == nil {
		fallbackLog(call, level, caller, msg, fieldsJSON)
		return
	}
	ce := r.zl.Check(zapLevel(level), msg)
	if ce == nil {
		return
	}
	file, line := caller, 0
	if i := strings.LastIndexByte(caller, ':'); i > 0 {
		if n, err := strconv.Atoi(caller[i+1:]); err == nil {
			file, line = caller[:i], n
		}
	}
	ce.Caller = zapcore.NewEntryCaller(0, file, line, true)
	seen := map[string]bool{"runtime": true}
	fields := []zap.Field{zap.String("runtime", "rust")}
	if call != nil {
		cf := call.Fields()
		for _, k := range callFieldOrder {
			if v, ok := cf[k]; ok {
				fields = append(fields, zap.Any(k, v))
				seen[k] = true
			}
		}
		var rest []string
		for k := range cf {
			if !seen[k] {
				rest = append(rest, k)
			}
		}
		sort.Strings(rest)
		for _, k := range rest {
			fields = append(fields, zap.Any(k, cf[k]))
			seen[k] = true
		}
	}
	for _, kv := range moduleFields(fieldsJSON) {
		if !seen[kv.key] {
			seen[kv.key] = true
			fields = append(fields, zap.Any(kv.key, kv.value))
		}
	}
	ce.Write(fields...)
}

type keyValue struct {
	key   string
	value any
}

// moduleFields decodes a module's JSON object of fields, keeping its order.
func moduleFields(data []byte) []keyValue {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var out []keyValue
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := t.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return out
		}
		if n, ok := v.(json.Number); ok {
			// zap.Any would write a json.Number as a string.
			if i, err := n.Int64(); err == nil {
				v = i
			} else if f, err := n.Float64(); err == nil {
				v = f
			}
		}
		out = append(out, keyValue{key, v})
	}
	return out
}

// fallbackLog writes through Nakama's runtime.Logger of the call.
func fallbackLog(call runtime.Logger, level int, caller, msg string, fieldsJSON []byte) {
	if call == nil {
		return
	}
	fields := map[string]interface{}{"rust_caller": caller}
	for _, kv := range moduleFields(fieldsJSON) {
		fields[kv.key] = kv.value
	}
	l := call.WithFields(fields)
	switch level {
	case 1:
		l.Debug("%s", msg)
	case 2:
		l.Info("%s", msg)
	case 3:
		l.Warn("%s", msg)
	default:
		l.Error("%s", msg)
	}
}
