#!/usr/bin/env bash
# Go module against Rust module in ONE real Nakama 3.40.0, same loads, same
# run: bench/go-module (as go_echo, go_create_guild, go_storage_rw) and
# fixtures/golden-module through the bridge (echo, create_guild,
# storage_rw: the same handlers in Rust).
#   bench/bridge.sh      (builds everything; starts and stops Nakama)
# Each load runs through bench/loadgen, which switches its connections
# between the Go id and the Rust id every SLOT_MS (A B B A ...): this
# machine's speed drifts by up to 2x over seconds to minutes, and only
# neighbouring slots see the same machine. Two runs per load:
# - saturation: each connection sends as soon as it has its answer; per
#   side req/s and latency, and the Rust / Go rate ratio over the run and
#   the median of the slot pairs' ratios;
# - latency at the same offered load: requests on a fixed schedule at
#   RATE_SHARE of the Go side's saturation rate (open loop); per side
#   p50, p99, p99.9, and the median of the slot pairs' p99 ratios (the
#   p99 over the run mostly counts the few stalls that fell in one side's
#   slots; at saturation latency is mostly queueing, and follows the
#   rate).
# Env: LOADS ("echo create_guild storage_rw"), DURATION (60: measured
# seconds per run), WARMUP (2 s), SLOT_MS (250), CONNECTIONS (32),
# RATE_SHARE (0.5), PIN (0;
# 1: Nakama on CPU 0 and the load generator on CPU 1, so that it does not
# take the server's CPU: steadier figures, Nakama with one core).
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a loads <<<"${LOADS:-echo create_guild storage_rw}"

bridge/build.sh
cargo build --release -q -p golden-module -p nakama-loadgen
(cd bench/go-module && go build -buildmode=plugin -o build/bench.so .)
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
runtime=$(mktemp -d)
results=$(mktemp)
fixed=$(mktemp)
trap 'scripts/nakama-down >/dev/null; rm -rf "$runtime" "$results" "$fixed"' EXIT
cp bench/go-module/build/bench.so bridge/build/nakama_rust_bridge.so "$runtime/"
cp "$target_dir/release/libgolden_module.so" "$runtime/golden_module.rsmod"
NAKAMA_RESTART=1 NAKAMA_FRESH_DB=1 scripts/nakama-up --runtime.path "$runtime" \
  --runtime.env BENCH_RPC_PREFIX=go_ >/dev/null
port=${NAKAMA_PORT:-7450}
loadgen=("$target_dir/release/loadgen")
if [ "${PIN:-0}" = 1 ]; then
  taskset -a -p 1 "$(cat "${NAKAMA_RS_CACHE:-$HOME/.cache/nakama-rs}/nakama.pid")" >/dev/null
  loadgen=(taskset -c 1 "${loadgen[@]}")
fi

guild='{"name":"guild-of-the-benchmark","motto":"ratios, not absolutes","tags":["bench","rust"],"max":50}'
value='{"hp":10,"name":"bench"}'
url() { echo "http://127.0.0.1:$port/v2/rpc/$1?http_key=defaulthttpkey&unwrap"; }
for load in "${loads[@]}"; do
  case $load in echo) body=hello ;; create_guild) body=$guild ;; storage_rw) body=$value ;; esac
  lg() {
    "${loadgen[@]}" --a "$(url "go_$load")" --b "$(url "$load")" --body "$body" --json \
      --duration "${DURATION:-60}" --warmup "${WARMUP:-2}" --slot-ms "${SLOT_MS:-250}" \
      --connections "${CONNECTIONS:-32}" "$@"
  }
  echo "==> $load at saturation" >&2
  out=$(lg)
  echo "$load $out" >>"$results"
  rate=$(python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["a"]["rate"] * float(sys.argv[2])))' \
    "$out" "${RATE_SHARE:-0.5}")
  echo "==> $load at $rate req/s" >&2
  echo "$load $rate $(lg --rate "$rate")" >>"$fixed"
done

printf '\nOne Nakama 3.40.0, %s s per load in slots of %s ms, %s connections%s.\n' "${DURATION:-60}" \
  "${SLOT_MS:-250}" "${CONNECTIONS:-32}" \
  "$([ "${PIN:-0}" = 1 ] && echo ', Nakama and the load generator pinned to one CPU each' || true)"
python3 - "$results" "$fixed" "${RATE_SHARE:-0.5}" <<'PY'
import json, statistics, sys
print("\nAt saturation:")
print(f"{'load':13} {'go r/s':>8} {'rust r/s':>8} {'rust/go':>8} {'pair median (quartiles)':>25} "
      f"{'p50 go/rust ms':>15} {'p99 go/rust ms':>15} {'errors':>6}")
for line in open(sys.argv[1]):
    load, data = line.split(" ", 1)
    r = json.loads(data)
    g, s = r["a"], r["b"]
    q = statistics.quantiles(r["pair_ratios"], n=4)
    pairs = f"{100 * r['pair_median']:.1f}% ({100 * q[0]:.0f}-{100 * q[2]:.0f}%)"
    print(f"{load:13} {g['rate']:8.0f} {s['rate']:8.0f} {100 * r['ratio']:7.1f}% {pairs:>25} "
          f"{g['p50_ms']:7.2f}/{s['p50_ms']:<7.2f} {g['p99_ms']:7.2f}/{s['p99_ms']:<7.2f} {g['errors'] + s['errors']:6}")
print(f"\nAt the same offered load ({100 * float(sys.argv[3]):.0f}% of the Go side's saturation rate, open loop):")
print(f"{'load':13} {'req/s':>8} {'p50 go/rust ms':>15} {'p99 go/rust ms':>15} {'rust/go p99':>11} {'pair median':>11} "
      f"{'p99.9 go/rust ms':>17} {'errors':>6}")
for line in open(sys.argv[2]):
    load, rate, data = line.split(" ", 2)
    r = json.loads(data)
    g, s = r["a"], r["b"]
    print(f"{load:13} {rate:>8} {g['p50_ms']:7.2f}/{s['p50_ms']:<7.2f} {g['p99_ms']:7.2f}/{s['p99_ms']:<7.2f} "
          f"{100 * s['p99_ms'] / g['p99_ms']:10.1f}% {100 * r['pair_p99_median']:10.1f}% "
          f"{g['p999_ms']:8.2f}/{s['p999_ms']:<8.2f} {g['errors'] + s['errors']:6}")
PY
