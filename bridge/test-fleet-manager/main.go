// Package main is a Go plugin registering a fleet manager in Nakama for
// the bridge's tests (bridge/rust/tests/nakama.rs): instances live in
// memory, Create calls back from another goroutine shortly after it
// returns (as a platform's placement does), and a Create for more than
// 100 players fails in its callback.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/heroiclabs/nakama-common/runtime"
)

// InitModule registers the fleet manager.
func InitModule(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, initializer runtime.Initializer) error {
	return initializer.RegisterFleetManager(&fleet{instances: map[string]*runtime.InstanceInfo{}})
}

type fleet struct {
	callbacks runtime.FmCallbackHandler
	mu        sync.Mutex
	instances map[string]*runtime.InstanceInfo
	next      int
}

func (f *fleet) Init(nk runtime.NakamaModule, callbacks runtime.FmCallbackHandler) error {
	f.callbacks = callbacks
	return nil
}

func (f *fleet) Get(ctx context.Context, id string) (*runtime.InstanceInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i, ok := f.instances[id]; ok {
		return i, nil
	}
	return nil, fmt.Errorf("instance %s not found", id)
}

func (f *fleet) List(ctx context.Context, query string, limit int, cursor string) ([]*runtime.InstanceInfo, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var list []*runtime.InstanceInfo
	for _, i := range f.instances {
		if query == "" || i.Status == query {
			list = append(list, i)
		}
	}
	sort.Slice(list, func(a, b int) bool { return list[a].Id < list[b].Id })
	if limit > 0 && len(list) > limit {
		return list[:limit], list[limit].Id, nil
	}
	return list, "", nil
}

func (f *fleet) Create(ctx context.Context, maxPlayers int, userIds []string, latencies []runtime.FleetUserLatencies, metadata map[string]any, callback runtime.FmCreateCallbackFn) (map[string]string, error) {
	if maxPlayers < 1 {
		return nil, errors.New("max players must be at least 1")
	}
	id := f.callbacks.GenerateCallbackId()
	f.callbacks.SetCallback(id, callback)
	f.mu.Lock()
	f.next++
	name := fmt.Sprintf("instance-%d", f.next)
	f.mu.Unlock()
	go func() {
		time.Sleep(50 * time.Millisecond)
		if maxPlayers > 100 {
			f.callbacks.InvokeCallback(id, runtime.CreateError, nil, nil, nil, errors.New("no server for more than 100 players"))
			return
		}
		region := ""
		if len(latencies) > 0 {
			region = latencies[0].RegionIdentifier
		}
		instance := &runtime.InstanceInfo{
			Id:             name,
			ConnectionInfo: &runtime.ConnectionInfo{IpAddress: "10.0.0.7", DnsName: name + ".example", Port: 7777},
			CreateTime:     time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC),
			PlayerCount:    len(userIds),
			Status:         "ready",
			Metadata:       map[string]any{"mode": metadata["mode"], "region": region},
		}
		f.mu.Lock()
		f.instances[name] = instance
		f.mu.Unlock()
		f.callbacks.InvokeCallback(id, runtime.CreateSuccess, instance, sessions(name, userIds), metadata, nil)
	}()
	return map[string]string{"placement": name}, nil
}

func (f *fleet) Join(ctx context.Context, id string, userIds []string, metadata map[string]string) (*runtime.JoinInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.instances[id]
	if !ok {
		return nil, fmt.Errorf("instance %s not found", id)
	}
	i.PlayerCount += len(userIds)
	return &runtime.JoinInfo{InstanceInfo: i, SessionInfo: sessions(id, userIds)}, nil
}

func (f *fleet) Update(ctx context.Context, id string, playerCount int, metadata map[string]any) error {
	return nil
}

func (f *fleet) Delete(ctx context.Context, id string) error {
	return nil
}

func sessions(instance string, userIds []string) []*runtime.SessionInfo {
	out := make([]*runtime.SessionInfo, len(userIds))
	for i, u := range userIds {
		out[i] = &runtime.SessionInfo{UserId: u, SessionId: instance + "/" + u}
	}
	return out
}
