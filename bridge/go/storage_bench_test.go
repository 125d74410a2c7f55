package main

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// storageNk answers storage writes and reads from memory, as Nakama's
// would without the database: what is left is the bridge's own cost of
// an nk-heavy call.
type storageNk struct {
	runtime.NakamaModule
	value string
}

func (n *storageNk) StorageWrite(ctx context.Context, writes []*runtime.StorageWrite) ([]*api.StorageObjectAck, error) {
	w := writes[0]
	n.value = w.Value
	return []*api.StorageObjectAck{{Collection: w.Collection, Key: w.Key, Version: "f1c5a7e2b7d8c9e0", UserId: w.UserID,
		CreateTime: timestamppb.New(time.Unix(1764500000, 0)), UpdateTime: timestamppb.New(time.Unix(1764500000, 0))}}, nil
}

func (n *storageNk) StorageRead(ctx context.Context, reads []*runtime.StorageRead) ([]*api.StorageObject, error) {
	r := reads[0]
	return []*api.StorageObject{{Collection: r.Collection, Key: r.Key, UserId: r.UserID, Value: n.value,
		Version: "f1c5a7e2b7d8c9e0", PermissionRead: 1, PermissionWrite: 1,
		CreateTime: timestamppb.New(time.Unix(1764500000, 0)), UpdateTime: timestamppb.New(time.Unix(1764500000, 0))}}, nil
}

// storagePayload is what bench/bridge.sh's storage_rw load sends.
const storagePayload = `{"hp":10,"name":"bench"}`

// withUser is ctx with a session's user, as an authenticated client's call has.
func withUser(ctx context.Context) context.Context {
	return withParent(ctx, runtime.RUNTIME_CTX_USER_ID, "7f0c1e2a-4b5d-4c6e-8f90-123456789abc",
		runtime.RUNTIME_CTX_USERNAME, "bench")
}

// goStorageRW is bench/go-module's storage_rw.
func goStorageRW(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
	owner, _ := ctx.Value(runtime.RUNTIME_CTX_USER_ID).(string)
	if _, err := nk.StorageWrite(ctx, []*runtime.StorageWrite{{Collection: "bench", Key: "k", UserID: owner, Value: payload}}); err != nil {
		return "", err
	}
	objects, err := nk.StorageRead(ctx, []*runtime.StorageRead{{Collection: "bench", Key: "k", UserID: owner}})
	if err != nil || len(objects) == 0 {
		return "", runtime.NewError("read failed", 13)
	}
	return objects[0].Value, nil
}

// BenchmarkStorageCall: golden_module's storage_rw (an nk storage write,
// then a read) through the bridge, against the same in Go, both on
// storageNk.
func BenchmarkStorageCall(b *testing.B) {
	ctx := withUser(nakamaLikeContext())
	for _, side := range []struct {
		name string
		rpc  func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule, string) (string, error)
	}{{"go", goStorageRW}, {"rust", rpcByID(b, "storage_rw")}} {
		b.Run(side.name, func(b *testing.B) {
			nk := &storageNk{}
			b.ReportAllocs()
			for b.Loop() {
				if out, err := side.rpc(ctx, nil, nil, nk, storagePayload); err != nil || out != storagePayload {
					b.Fatal(out, err)
				}
			}
		})
	}
}
