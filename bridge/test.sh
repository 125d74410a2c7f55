#!/usr/bin/env bash
# The bridge's tests against a real Nakama 3.40.0 (called by scripts/test):
# builds Nakama (once, cached), PostgreSQL (installed if missing), the
# bridge and the modules, then
#   1. bridge/rust/tests/nakama.rs: the golden vectors through the bridge,
#      a panicking module, a failing init, a module for another ABI, a
#      bridge built with other Go flags, matches, the matchmaker (each on a
#      fresh Nakama + database);
#   2. server/tests/integration/differential.rs: the dev host and Nakama
#      given the same random client calls (storage, social, scores,
#      sessions, chat, parties and matches on the socket, malformed and
#      mutated requests, envelopes and upgrades, RPCs, label queries) and
#      a module's nk calls, answers compared (see
#      conformance/src/differential.rs);
#   3. e2e/run.sh nakama: the nakama-js suite the dev host passes, against
#      Nakama running examples/hello, guild and arena through the bridge.
#   4. bridge/dockerfile-check: bridge/Dockerfile's build step, run here,
#      and Nakama serving what it built.
# Stops Nakama and PostgreSQL at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }
trap 'scripts/nakama-down >/dev/null' EXIT

step "bridge: build Nakama (once) and the plugin"
bridge/build.sh

step "bridge: the Go fleet manager the real Nakama tests register"
(cd bridge/test-fleet-manager && go build -buildmode=plugin -o build/fleet_manager.so .)

step "bridge: gofmt, go vet, go test (Go plugin, hook generator, benchmark module, test fleet manager)"
for d in bridge/go bridge/gen bench/go-module bridge/test-fleet-manager; do
  unformatted=$(cd "$d" && gofmt -l .)
  if [ -n "$unformatted" ]; then echo "gofmt: $d: $unformatted" >&2; exit 1; fi
  # -count=1: Go keys its cached results on the Go sources only, not on
  # the Rust static library the plugin's tests link.
  (cd "$d" && go vet . && go test -count=1 .)
done

step "bridge: real Nakama tests"
cargo test -p nakama-bridge --test nakama -- --ignored --test-threads=1

step "bridge: the dev host and real Nakama given the same random client calls"
# --nocapture: the log shows any call the hosts agreed on only at a second look.
cargo test -p nakama-devhost --test integration -- --ignored --test-threads=1 --nocapture differential

step "bridge: end-to-end, @heroiclabs/nakama-js against real Nakama"
e2e/run.sh nakama

step "bridge: the production image's build step (bridge/Dockerfile), without Docker"
bridge/dockerfile-check
