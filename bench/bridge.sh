#!/usr/bin/env bash
# Go module against Rust module in ONE real Nakama 3.40.0, same loads, same
# run: bench/go-module (as go_echo, go_create_guild, go_storage_rw) and
# fixtures/golden-module through the bridge (echo, create_guild,
# storage_rw: the same handlers in Rust). Loads alternate Go/Rust, the
# order flipped each round; prints req/s, p50, p99 per side (means and
# medians over rounds) and the ratio Rust / Go.
#   bench/bridge.sh      (builds everything; starts and stops Nakama)
# Env: ROUNDS (2), LOADS ("echo create_guild storage_rw"), DURATION (10s),
# CONNECTIONS (32), THREADS (2), PIN (0; 1: Nakama on CPU 0 and wrk on
# CPU 1, so that the load generator does not take the server's CPU: much
# steadier figures, Nakama with one core).
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
results=$(mktemp)
trap 'scripts/nakama-down >/dev/null; rm -rf "$runtime" "$results"' EXIT
cp bench/go-module/build/bench.so bridge/build/nakama_rust_bridge.so "$runtime/"
cp "$target_dir/release/libgolden_module.so" "$runtime/golden_module.rsmod"
NAKAMA_RESTART=1 NAKAMA_FRESH_DB=1 scripts/nakama-up --runtime.path "$runtime" \
  --runtime.env BENCH_RPC_PREFIX=go_ >/dev/null
port=${NAKAMA_PORT:-7450}
if [ "${PIN:-0}" = 1 ]; then
  taskset -a -p 1 "$(cat "${NAKAMA_RS_CACHE:-$HOME/.cache/nakama-rs}/nakama.pid")" >/dev/null
  wrk_cmd=(taskset -c 1 wrk)
fi

guild='{"name":"guild-of-the-benchmark","motto":"ratios, not absolutes","tags":["bench","rust"],"max":50}'
value='{"hp":10,"name":"bench"}'
url() { echo "http://127.0.0.1:$port/v2/rpc/$1?http_key=defaulthttpkey&unwrap"; }
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
      echo "$side $load ${rps[$k]} $(ms "${p50[$k]}") $(ms "${p99[$k]}") $round" >>"$results"
    done
  done
done

printf '\nOne Nakama 3.40.0, %s round(s) of %s per load, %s connections%s.\n' "$rounds" "$duration" "$conns" \
  "$([ "${PIN:-0}" = 1 ] && echo ', Nakama and wrk pinned to one CPU each' || true)"
# Means, and medians over the rounds (a round that the machine slowed down
# moves the mean, hardly the median).
python3 - "$results" "${loads[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
loads = sys.argv[2:]
def side(load, name):
    return [list(map(float, r[2:5])) for r in rows if r[0] == name and r[1] == load]
for name, stat in (("mean", statistics.fmean), ("median", statistics.median)):
    print(f"\n{name}s:")
    print(f"{'load':13} {'go r/s':>10} {'rust r/s':>10} {'rust/go':>8} {'p50 go/rust ms':>15} {'p99 go/rust ms':>15}")
    for load in loads:
        g, r = ([stat([x[i] for x in side(load, s)]) for i in range(3)] for s in ("go", "rust"))
        print(f"{load:13} {g[0]:10.0f} {r[0]:10.0f} {100 * r[0] / g[0]:7.1f}% {g[1]:7.2f}/{r[1]:<7.2f} {g[2]:7.2f}/{r[2]:<7.2f}")
# The two sides of a round run back to back, so their ratio is the least
# touched by the machine's slower and faster minutes.
print("\nper round, rust/go (r/s, p99):")
for load in loads:
    pairs = []
    for rnd in sorted({r[5] for r in rows}, key=int):
        v = {r[0]: r for r in rows if r[1] == load and r[5] == rnd}
        pairs.append((float(v["rust"][2]) / float(v["go"][2]), float(v["rust"][4]) / float(v["go"][4])))
    rps, p99 = zip(*pairs)
    print(f"{load:13} r/s {' '.join(f'{100 * x:.0f}%' for x in rps)}  median {100 * statistics.median(rps):.1f}%;"
          f" p99 median {100 * statistics.median(p99):.1f}%")
PY
