#!/usr/bin/env bash
# Go module against Rust module in ONE real Nakama 3.40.0, same loads, same
# run: bench/go-module (as go_echo, go_create_guild, go_storage_rw) and
# fixtures/golden-module through the bridge (echo, create_guild,
# storage_rw: the same handlers in Rust). Loads alternate Go/Rust, the
# order flipped each round; prints req/s, p50, p99 per side (mean over
# rounds) and the ratio Rust / Go.
#   bench/bridge.sh      (builds everything; starts and stops Nakama)
# Env: ROUNDS (2), LOADS ("echo create_guild storage_rw"), DURATION (10s),
# CONNECTIONS (32), THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
rounds=${ROUNDS:-2}
read -r -a loads <<<"${LOADS:-echo create_guild storage_rw}"

bridge/build.sh
cargo build --release -q -p golden-module
(cd bench/go-module && go build -buildmode=plugin -o build/bench.so .)
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
runtime=$(mktemp -d)
cp bench/go-module/build/bench.so bridge/build/nakama_rust_bridge.so "$runtime/"
cp "$target_dir/release/libgolden_module.so" "$runtime/golden_module.rsmod"
trap 'scripts/nakama-down >/dev/null; rm -rf "$runtime"' EXIT
NAKAMA_RESTART=1 NAKAMA_FRESH_DB=1 scripts/nakama-up --runtime.path "$runtime" \
  --runtime.env BENCH_RPC_PREFIX=go_ >/dev/null
port=${NAKAMA_PORT:-7450}

guild='{"name":"guild-of-the-benchmark","motto":"ratios, not absolutes","tags":["bench","rust"],"max":50}'
value='{"hp":10,"name":"bench"}'
url() { echo "http://127.0.0.1:$port/v2/rpc/$1?http_key=defaulthttpkey&unwrap"; }
declare -A sum_rps sum_p50 sum_p99
ms() { # wrk latency (123.45us, 1.20ms, 2.00s) in ms
  awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$1"
}
for round in $(seq 1 "$rounds"); do
  sides=(go rust)
  if [ $((round % 2)) = 0 ]; then sides=(rust go); fi
  for load in "${loads[@]}"; do
    case $load in echo) body=hello ;; create_guild) body=$guild ;; storage_rw) body=$value ;; esac
    for side in "${sides[@]}"; do
      id=$load
      if [ "$side" = go ]; then id=go_$load; fi
      BODY=$body run "$side/$load" "$(url "$id")" -s bench/wrk/post.lua
      k="$side/$load"
      sum_rps[$k]=$(echo "${sum_rps[$k]:-0} + ${rps[$k]}" | bc -l)
      sum_p50[$k]=$(echo "${sum_p50[$k]:-0} + $(ms "${p50[$k]}")" | bc -l)
      sum_p99[$k]=$(echo "${sum_p99[$k]:-0} + $(ms "${p99[$k]}")" | bc -l)
    done
  done
done

printf '\nOne Nakama 3.40.0, %s round(s) of %s per load, %s connections (means):\n' "$rounds" "$duration" "$conns"
printf '%-13s %10s %10s %9s %12s %12s\n' load "go r/s" "rust r/s" rust/go "p50 go/rust" "p99 go/rust"
for load in "${loads[@]}"; do
  g=$(echo "${sum_rps[go/$load]} / $rounds" | bc -l); r=$(echo "${sum_rps[rust/$load]} / $rounds" | bc -l)
  printf '%-13s %10.0f %10.0f %8.1f%% %5.2f/%-5.2fms %5.2f/%-5.2fms\n' "$load" "$g" "$r" "$(echo "100 * $r / $g" | bc -l)" \
    "$(echo "${sum_p50[go/$load]} / $rounds" | bc -l)" "$(echo "${sum_p50[rust/$load]} / $rounds" | bc -l)" \
    "$(echo "${sum_p99[go/$load]} / $rounds" | bc -l)" "$(echo "${sum_p99[rust/$load]} / $rounds" | bc -l)"
done
