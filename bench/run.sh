#!/usr/bin/env bash
# Same load against the dev host and a real Nakama 3.40.0 with the
# equivalent Go module (bench/go-module), in one run; prints req/s, p50 and
# p99 for each, and the ratios dev host / Nakama; then a relayed match's
# data over WebSockets (bench/loadgen --relay: round trips between pairs of
# sockets, both servers in one run, in alternating slots); then start time
# and idle memory of each.
#   bench/run.sh            (starts both itself; Nakama via scripts/nakama-up)
# Env: DURATION (10s: in seconds, after a 2 s warm-up), CONNECTIONS (32), THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
# shellcheck source=bench/lib.sh
. bench/lib.sh
cache=${NAKAMA_RS_CACHE:-$HOME/.cache/nakama-rs}

# The two servers: the dev host with the Rust golden module on 7350, Nakama
# with the Go module on 7450.
cargo build --release -q -p nakama-devhost -p golden-module -p nakama-loadgen
loadgen=$(cargo_target_dir)/release/loadgen
mods=$(mktemp -d)
cp target/release/libgolden_module.so "$mods/"
(cd bench/go-module && go build -buildmode=plugin -o build/bench.so .)
scripts/nakama-down >/dev/null 2>&1 || true
scripts/nakama-up --runtime.path "$root/bench/go-module/build" >/dev/null
devhost=(target/release/nakama-devhost --runtime.path "$mods" --database.address "$mods/db.sqlite3"
  --socket.address 127.0.0.1 --socket.port 7350 --logger.level warn --session.token_expiry_sec 7200)
if curl -fsS 127.0.0.1:7350/healthcheck >/dev/null 2>&1; then
  echo "something already serves 127.0.0.1:7350 (a dev host left running?): stop it first" >&2
  exit 1
fi
"${devhost[@]}" > "$mods/devhost.log" 2>&1 &
dh=$!
trap 'kill $dh 2>/dev/null || true; scripts/nakama-down >/dev/null; rm -rf "$mods"' EXIT
wait_healthy 7350 10 "$dh" "$mods/devhost.log"

guild='{"name":"guild-of-the-benchmark","motto":"ratios, not absolutes","tags":["bench","rust"],"max":50}'
session() { # port -> "token user_id"
  curl -fsS -u defaultkey: -X POST "127.0.0.1:$1/v2/account/authenticate/custom" -d '{"id":"cid-424242"}' \
    | python3 -c 'import sys,json,base64; t=json.load(sys.stdin)["token"]; p=t.split(".")[1]; p+="="*(-len(p)%4); print(t, json.loads(base64.urlsafe_b64decode(p))["uid"])'
}
for target in devhost:7350 nakama:7450; do
  name=${target%%:*}; port=${target##*:}
  run "$name/echo" "http://127.0.0.1:$port/v2/rpc/echo?http_key=defaulthttpkey&unwrap" -s bench/wrk/post.lua
  BODY=$guild run "$name/guild" "http://127.0.0.1:$port/v2/rpc/create_guild?http_key=defaulthttpkey&unwrap" -s bench/wrk/post.lua
  read -r token uid < <(session "$port")
  TOKEN=$token USER_ID=$uid run "$name/storage" "http://127.0.0.1:$port" -s bench/wrk/storage.lua
done

printf '\n%-9s %12s %12s %12s %10s %10s %10s\n' load "devhost r/s" "nakama r/s" ratio "dh p50" "nk p50" "dh p99 / nk p99"
for load in echo guild storage; do
  d=${rps[devhost/$load]}; n=${rps[nakama/$load]}
  printf '%-9s %12s %12s %11.2fx %10s %10s %10s / %s\n' "$load" "$d" "$n" "$(echo "$d / $n" | bc -l)" \
    "${p50[devhost/$load]}" "${p50[nakama/$load]}" "${p99[devhost/$load]}" "${p99[nakama/$load]}"
done

# A relayed match's data: Nakama is A, the dev host B.
relay=$("$loadgen" --relay --a http://127.0.0.1:7450 --b http://127.0.0.1:7350 \
  --connections "$conns" --duration "${duration%s}" --json)
python3 - "$relay" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
a, b = r["a"], r["b"]
print("%-9s %12.0f %12.0f %11.2fx %8.2fms %8.2fms %8.2fms / %.2fms  (round trips/s)"
      % ("relay", b["rate"], a["rate"], r["ratio"], b["p50_ms"], a["p50_ms"], b["p99_ms"], a["p99_ms"]))
if a["errors"] or b["errors"]:
    print("relay errors: nakama %d, dev host %d" % (a["errors"], b["errors"]))
PY

# Start time (to healthcheck 200) and idle memory.
kill $dh; wait $dh 2>/dev/null || true
scripts/nakama-down >/dev/null
dh_start=$(python3 bench/startup.py 7350 5 -- "${devhost[@]}")
scripts/nakama-up --runtime.path "$root/bench/go-module/build" >/dev/null
kill "$(cat "$cache/nakama.pid")"; sleep 1
nk_start=$(python3 bench/startup.py 7450 5 -- "$cache/bin/nakama" --name nakama1 \
  --database.address "postgres@127.0.0.1:${PG_PORT:-55432}/nakama" --socket.port 7450 --console.port 7451 \
  --runtime.path "$root/bench/go-module/build" --logger.level WARN)
printf '\n%-9s %14s %14s\n' "" "ready (ms)" "idle RSS (MB)"
printf '%-9s %14s %14s\n' devhost $dh_start
printf '%-9s %14s %14s\n' nakama $nk_start
