// Package main is the Go reference module of the benchmark: the same RPCs
// and hook as fixtures/golden-module (the module the golden vectors were
// recorded with), as a Go plugin for a real Nakama, plus echo_spin,
// storage_rw_spin and echo_cgo, the controls of bench/bridge.sh, and the
// tick match of bench/matches.sh with tick_matches (match.go).
//
// With runtime.env BENCH_RPC_PREFIX set (bench/bridge.sh sets "go_"), its
// RPC ids take that prefix and the hook is left out, so it runs in one
// Nakama beside the Rust golden module served through the bridge.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"regexp"
	"strconv"
	"time"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
)

var customID = regexp.MustCompile(`^cid-[0-9]{6}$`)

type guildRequest struct {
	Name string `json:"name"`
}

type guild struct {
	Name string `json:"name"`
}

// InitModule registers the RPCs and the hook.
func InitModule(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, initializer runtime.Initializer) error {
	env, _ := ctx.Value(runtime.RUNTIME_CTX_ENV).(map[string]string)
	prefix := env["BENCH_RPC_PREFIX"]
	if err := initializer.RegisterRpc(prefix+"echo", echo); err != nil {
		return err
	}
	if err := initializer.RegisterRpc(prefix+"create_guild", createGuild); err != nil {
		return err
	}
	if err := initializer.RegisterRpc(prefix+"storage_rw", storageRW); err != nil {
		return err
	}
	spin = 2 * time.Microsecond
	if ns, err := strconv.Atoi(env["BENCH_SPIN_NS"]); err == nil {
		spin = time.Duration(ns)
	}
	if err := initializer.RegisterRpc(prefix+"echo_spin", echoSpin); err != nil {
		return err
	}
	if err := initializer.RegisterRpc(prefix+"storage_rw_spin", storageRWSpin); err != nil {
		return err
	}
	if err := initializer.RegisterRpc(prefix+"echo_cgo", echoCgo); err != nil {
		return err
	}
	newTicker := func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule) (runtime.Match, error) {
		return ticker{}, nil
	}
	if err := initializer.RegisterMatch(prefix+"tick", newTicker); err != nil {
		return err
	}
	if err := initializer.RegisterRpc(prefix+"tick_matches", tickMatches(prefix+"tick")); err != nil {
		return err
	}
	if prefix != "" {
		return nil
	}
	return initializer.RegisterBeforeAuthenticateCustom(checkCustomID)
}

func echo(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
	return payload, nil
}

// spin is how long echoSpin works before it answers (runtime.env
// BENCH_SPIN_NS, default 2 µs).
var spin time.Duration

// echoSpin is echo made slower by a known amount of CPU: the control of
// bench/bridge.sh (CONTROL=1), showing what a module that costs that much
// more per call does to the rate and p99 ratios.
func echoSpin(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
	work(spin)
	return payload, nil
}

// work keeps the CPU busy for d.
func work(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

func createGuild(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
	var req guildRequest
	if err := json.Unmarshal([]byte(payload), &req); err != nil || req.Name == "" {
		return "", runtime.NewError("input contained invalid data", 3)
	}
	if req.Name == "taken" {
		return "", runtime.NewError("guild name is in use", 6)
	}
	out, err := json.Marshal(guild{Name: req.Name})
	if err != nil {
		return "", runtime.NewError("encoding failed", 13)
	}
	return string(out), nil
}

func storageRW(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
	return storageWriteRead(ctx, nk, payload, 0)
}

// storageRWSpin is storageRW working spin more in all, a third before
// each nk call and after the last, where the bridge does its own work:
// the control of bench/bridge.sh for storage_rw.
func storageRWSpin(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, payload string) (string, error) {
	return storageWriteRead(ctx, nk, payload, spin/3)
}

// storageWriteRead writes payload as the caller's object and answers it
// read back, working `each` before each step.
func storageWriteRead(ctx context.Context, nk runtime.NakamaModule, payload string, each time.Duration) (string, error) {
	if each > 0 {
		work(each)
	}
	owner, _ := ctx.Value(runtime.RUNTIME_CTX_USER_ID).(string)
	if _, err := nk.StorageWrite(ctx, []*runtime.StorageWrite{{Collection: "bench", Key: "k", UserID: owner, Value: payload}}); err != nil {
		return "", err
	}
	if each > 0 {
		work(each)
	}
	objects, err := nk.StorageRead(ctx, []*runtime.StorageRead{{Collection: "bench", Key: "k", UserID: owner}})
	if err != nil || len(objects) == 0 {
		return "", runtime.NewError("read failed", 13)
	}
	if each > 0 {
		work(each)
	}
	return objects[0].Value, nil
}

func checkCustomID(ctx context.Context, logger runtime.Logger, db *sql.DB, nk runtime.NakamaModule, in *api.AuthenticateCustomRequest) (*api.AuthenticateCustomRequest, error) {
	if in.GetAccount() == nil || !customID.MatchString(in.GetAccount().GetId()) {
		return nil, runtime.NewError("input contained invalid data", 3)
	}
	return in, nil
}
