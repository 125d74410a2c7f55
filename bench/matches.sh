#!/usr/bin/env bash
# What an authoritative match's tick costs, in CPU time of the server
# process: the Go match (bench/go-module's go_tick) and the Rust one
# (fixtures/golden-module's tick, through the bridge) in one Nakama 3.40.0
# process, and the same Rust module on the dev host. Each match sends each
# message back to its sender and otherwise does nothing: the cost is the
# runtime's, calling the match loop once a tick.
#   bench/matches.sh     (builds everything; starts and stops Nakama and
#                         the dev host)
# The measuring is bench/matches.py's: MATCHES matches of one side at a
# time, ticking TICK_RATE times a second, CPU read over PHASE seconds, the
# sides taking turns forward then backward ROUNDS times; the CPU each
# process spends with no matches is taken off.
# OTHERS="lua js" adds Nakama's Lua (bench/lua-module/lua_tick.lua) and
# JavaScript (bench/js-module's js_tick) match handlers, which each run in
# a VM of their own per match.
# Then what a running match costs in memory: each side's MATCHES matches
# in a fresh server process, its resident size before and after (the
# process is restarted per side: Go keeps what its collector freed, so
# one side's matches would count for the next).
# Then what a message through a match costs: bench/loadgen --authoritative
# keeps CONNECTIONS sessions per side, each in a match of its own, sending
# match data and waiting for the match to send it back, the sides
# switching every second; the report gives Nakama's CPU time per round
# trip of each side (--cpu-pid). Go against Go first (how far the ratio
# wanders with two equal sides), then Go against Rust and each of OTHERS.
# Env: MATCHES (1000), TICK_RATE (20), PHASE (5 s), ROUNDS (2), OTHERS (""),
# CREATE_BUDGET (5 s: longest a side may take to create its matches),
# DEVHOST_PORT (7350), CONNECTIONS (200), MESSAGE_SECONDS (40).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
read -r -a others <<<"${OTHERS:-}"

# shellcheck source=bench/nakama-modules.sh
. bench/nakama-modules.sh
cargo build --release -q -p nakama-devhost -p nakama-loadgen
target_dir=$(cargo_target_dir)
runtime=$(mktemp -d)
devhost_dir=$(mktemp -d)
dh=
trap '[ -n "$dh" ] && kill "$dh" 2>/dev/null; scripts/nakama-down >/dev/null; rm -rf "$runtime" "$devhost_dir"' EXIT
build_nakama_modules "$runtime" "${others[@]}"
cp "$target_dir/release/libgolden_module.so" "$devhost_dir/"

nakama_port=${NAKAMA_PORT:-7450}
devhost_port=${DEVHOST_PORT:-7350}
if curl -fsS "127.0.0.1:$devhost_port/healthcheck" >/dev/null 2>&1; then
  echo "something already serves 127.0.0.1:$devhost_port (a dev host left running?): stop it first" >&2
  exit 1
fi
# (Re)start Nakama with every runtime's module; nakama_pid is its process.
start_nakama() {
  NAKAMA_RESTART=1 scripts/nakama-up --runtime.path "$runtime" --runtime.env BENCH_RPC_PREFIX=go_ >/dev/null
  nakama_pid=$(cat "${NAKAMA_RS_CACHE:-$HOME/.cache/nakama-rs}/nakama.pid")
}
# (Re)start the dev host with the Rust module; dh is its process.
start_devhost() {
  if [ -n "$dh" ]; then kill "$dh" && wait "$dh" 2>/dev/null || true; fi
  "$target_dir/release/nakama-devhost" --runtime.path "$devhost_dir" --database.address :memory: \
    --socket.address 127.0.0.1 --socket.port "$devhost_port" --logger.level warn >"$devhost_dir/log" 2>&1 &
  dh=$!
  wait_healthy "$devhost_port" 10 "$dh" "$devhost_dir/log"
}
start_nakama
start_devhost

nakama_sides=("go:go_tick_matches" "rust:tick_matches")
for other in "${others[@]}"; do
  nakama_sides+=("$other:${other}_tick_matches")
done
sides=()
for side in "${nakama_sides[@]}"; do
  sides+=("${side%%:*}:$nakama_port:$nakama_pid:${side#*:}")
done
sides+=("devhost:$devhost_port:$dh:tick_matches")
python3 bench/matches.py "${MATCHES:-1000}" "${TICK_RATE:-20}" "${PHASE:-5}" "${ROUNDS:-2}" "${sides[@]}"

echo
echo "memory: ${MATCHES:-1000} running matches per side, each in a fresh process"
for side in "${nakama_sides[@]}"; do
  start_nakama
  python3 bench/matches.py memory "${MATCHES:-1000}" "${TICK_RATE:-20}" \
    "${side%%:*}:$nakama_port:$nakama_pid:${side#*:}"
done
start_devhost
python3 bench/matches.py memory "${MATCHES:-1000}" "${TICK_RATE:-20}" "devhost:$devhost_port:$dh:tick_matches"

echo
echo "messages: ${CONNECTIONS:-200} sessions per side, each in a match of its own, for ${MESSAGE_SECONDS:-40} s"
rpc="http://127.0.0.1:$nakama_port/v2/rpc"
seconds=${MESSAGE_SECONDS:-40}
# The matches outlive the run: its sessions are opened first (a second or
# so per hundred), then the warm-up and the measured seconds.
body="{\"count\":1,\"tick_rate\":${TICK_RATE:-20},\"ticks\":$(((seconds + 60) * ${TICK_RATE:-20}))}"
for b in go_tick_matches tick_matches "${others[@]/%/_tick_matches}"; do
  start_nakama # without the last run's matches
  echo "go_tick_matches / $b:"
  "$target_dir/release/loadgen" --authoritative --a "$rpc/go_tick_matches?http_key=defaulthttpkey&unwrap" \
    --b "$rpc/$b?http_key=defaulthttpkey&unwrap" --body "$body" --connections "${CONNECTIONS:-200}" \
    --duration "$seconds" --slot-ms 1000 --cpu-pid "$nakama_pid"
done
