package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/heroiclabs/nakama-common/runtime"
)

// registrar records what registerStorageIndex asks of Nakama.
type registrar struct {
	indexes []string
	filters []string
}

func (r *registrar) RegisterStorageIndex(name, collection, key string, fields, sortable []string, max int, only bool) error {
	r.indexes = append(r.indexes, strings.Join([]string{name, collection, key, strings.Join(fields, "+"), strings.Join(sortable, "+")}, "|"))
	if max != 10 || !only {
		r.indexes = append(r.indexes, "bad max or index_only")
	}
	return nil
}

func (r *registrar) RegisterStorageIndexFilter(name string, _ func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, *runtime.StorageWrite) bool) error {
	r.filters = append(r.filters, name)
	return nil
}

// An index registration and a filter registration reach Nakama's
// Initializer; a shape this bridge does not know is skipped.
func TestStorageIndexRegistrationsReachNakama(t *testing.T) {
	r := &registrar{}
	for _, id := range []string{
		`{"index":{"name":"i","collection":"c","key":"","fields":["a","b"],"sortable_fields":["b"],"max_entries":10,"index_only":true}}`,
		`{"filter":"i"}`,
		`{"later":1}`,
	} {
		if err := registerStorageIndex(r, id, nil); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	if strings.Join(r.indexes, ";") != "i|c||a+b|b" || strings.Join(r.filters, ";") != "i" {
		t.Errorf("indexes %v, filters %v", r.indexes, r.filters)
	}
	if err := registerStorageIndex(r, "{", nil); err == nil {
		t.Error("a bad id registered")
	}
}

// The filter gets the write as the SDK's StorageWriteOp; anything but
// "true" or "false" (an error, a panic, another answer) is false, logged.
func TestAStorageIndexFilterAnswersABool(t *testing.T) {
	write := &runtime.StorageWrite{Collection: "c", Key: "k", UserID: "u", Value: `{"a":1}`, Version: "v", PermissionRead: 2, PermissionWrite: 1}
	for _, c := range []struct {
		out  string
		code int
		want bool
		logs int
	}{{"true", 0, true, 0}, {"false", 0, false, 0}, {"no", 13, false, 1}, {"maybe", 0, false, 1}, {"panic", 0, false, 1}} {
		var input string
		filter := storageIndexFilter(&handler{kind: kindStorageIndex}, func(_ *handler, _ context.Context, _ runtime.Logger, _ runtime.NakamaModule, in string) (string, int) {
			input = in
			if c.out == "panic" {
				panic("boom")
			}
			return c.out, c.code
		})
		logger := newTestLogger()
		if got := filter(context.Background(), logger, nil, nil, write); got != c.want || len(*logger.lines) != c.logs {
			t.Errorf("%q: %v, log %v", c.out, got, *logger.lines)
		}
		want := `{"collection":"c","key":"k","user_id":"u","value":"{\"a\":1}","version":"v","permission_read":2,"permission_write":1}`
		if input != want {
			t.Errorf("input %s", input)
		}
	}
}
