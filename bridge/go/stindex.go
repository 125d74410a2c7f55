package main

// Storage search indexes (ABI 1.9): a Rust module's index declarations go
// to Nakama's RegisterStorageIndex, its filters to
// RegisterStorageIndexFilter, each calling the Rust filter with the write.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/heroiclabs/nakama-common/runtime"
)

// storageIndexRegistration is the id of a kind 16 registration: an index
// or the name of the index a filter is for.
type storageIndexRegistration struct {
	Index *struct {
		Name           string   `json:"name"`
		Collection     string   `json:"collection"`
		Key            string   `json:"key"`
		Fields         []string `json:"fields"`
		SortableFields []string `json:"sortable_fields"`
		MaxEntries     int      `json:"max_entries"`
		IndexOnly      bool     `json:"index_only"`
	} `json:"index"`
	Filter *string `json:"filter"`
}

// storageIndexRegistrar is the part of runtime.Initializer this file uses.
type storageIndexRegistrar interface {
	RegisterStorageIndex(name, collection, key string, fields, sortableFields []string, maxEntries int, indexOnly bool) error
	RegisterStorageIndexFilter(indexName string, fn func(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, write *runtime.StorageWrite) bool) error
}

// registerStorageIndex registers the index or the filter registration id
// declares.
func registerStorageIndex(initializer storageIndexRegistrar, id string, filter func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, *runtime.StorageWrite) bool) error {
	var r storageIndexRegistration
	if err := json.Unmarshal([]byte(id), &r); err != nil {
		return fmt.Errorf("bad storage index registration %q: %w", id, err)
	}
	switch {
	case r.Index != nil:
		i := r.Index
		return initializer.RegisterStorageIndex(i.Name, i.Collection, i.Key, i.Fields, i.SortableFields, i.MaxEntries, i.IndexOnly)
	case r.Filter != nil:
		return initializer.RegisterStorageIndexFilter(*r.Filter, filter)
	}
	return nil // a shape of a newer ABI minor
}

// storageIndexFilter is what RegisterStorageIndexFilter takes for Rust
// filter h. A filter that fails (an error, a panic, an answer neither
// true nor false) answers false, logged: Nakama's filters answer a bool
// and nothing else.
func storageIndexFilter(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, *runtime.StorageWrite) bool {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule, w *runtime.StorageWrite) (keep bool) {
		defer func() {
			if p := recover(); p != nil {
				logger.Error("the Rust bridge panicked in a storage index filter: %v", p)
				keep = false
			}
		}()
		in, err := json.Marshal(storageWriteOp{w.Collection, w.Key, w.UserID, w.Value, w.Version, w.PermissionRead, w.PermissionWrite})
		if err != nil {
			logger.Error("the storage write could not be encoded: %v", err)
			return false
		}
		out, code := call(h, ctx, logger, nk, string(in))
		switch {
		case code != 0:
			logger.WithFields(map[string]interface{}{"code": code, "error": out}).Error("Storage index filter returned an error")
			return false
		case out == "true":
			return true
		case out == "false":
			return false
		}
		logger.WithField("answer", out).Error("Storage index filter answered neither true nor false")
		return false
	}
}
