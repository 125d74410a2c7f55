#!/usr/bin/env bash
# Go module against Rust module in the same real Nakama 3.40.0 process,
# same loads, same run: bench/go-module (as go_echo, go_create_guild,
# go_storage_rw) and fixtures/golden-module through the bridge (echo,
# create_guild, storage_rw: the same handlers in Rust).
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
#   rate). Then the null test of that comparison: the Go echo against
#   itself at the echo's offered load (row "echo-go/go"), to show how far
#   the p99 ratios wander with no difference at all (NULL=0: skip it).
# CONTROL=1 adds the control (rows "echo-go/spin", "storage_rw-go/spin"):
# the Go echo (storage_rw) against a Go echo (storage_rw) that works
# BENCH_SPIN_NS (2000) ns of CPU more per call (storage_rw: a third before
# each nk call and after the last), both runs, to show what a known extra
# cost per call does to the ratios; and (row "echo-go/cgo") the Go echo
# against go_echo_cgo, the same echo plus one cgo call to an empty C
# function: the floor of any bridge that links Rust in through cgo.
# OTHERS="lua js" adds Nakama's other runtimes: bench/lua-module (Lua) and
# bench/js-module (JavaScript, what a TypeScript module compiles to), the
# same three RPCs as lua_* and js_*, measured against the Rust module the
# same way (rows "echo-lua", "echo-js": Rust / Lua, Rust / JavaScript).
# Each Nakama process measures a little differently (its memory layout
# moves the ratio by a few percent from one start to the next), so the
# loads run in PROCESSES Nakama processes, one after the other, and the
# summary gives the median over the processes with each process's figure.
# Env: LOADS ("echo create_guild storage_rw"), OTHERS (""), PROCESSES (3), DURATION
# (20: measured seconds per run), WARMUP (2 s), SLOT_MS (250), CONNECTIONS
# (32), RATE_SHARE (0.5), NULL (1), CONTROL (0), BENCH_SPIN_NS (2000), PIN (0;
# 1: Nakama on CPU 0 and the load generator on CPU 1, so that it does not
# take the server's CPU: steadier figures, Nakama with one core).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
read -r -a loads <<<"${LOADS:-echo create_guild storage_rw}"
read -r -a others <<<"${OTHERS:-}"

# shellcheck source=bench/nakama-modules.sh
. bench/nakama-modules.sh
cargo build --release -q -p nakama-loadgen
target_dir=$(cargo_target_dir)
runtime=$(mktemp -d)
results=$(mktemp)
fixed=$(mktemp)
trap 'scripts/nakama-down >/dev/null; rm -rf "$runtime" "$results" "$fixed"' EXIT
build_nakama_modules "$runtime" "${others[@]}"
port=${NAKAMA_PORT:-7450}
guild='{"name":"guild-of-the-benchmark","motto":"ratios, not absolutes","tags":["bench","rust"],"max":50}'
value='{"hp":10,"name":"bench"}'
url() { echo "http://127.0.0.1:$port/v2/rpc/$1?http_key=defaulthttpkey&unwrap"; }
processes=${PROCESSES:-3}
for process in $(seq "$processes"); do
  echo "==> Nakama process $process of $processes" >&2
  NAKAMA_RESTART=1 NAKAMA_FRESH_DB=$([ "$process" = 1 ] && echo 1 || echo 0) \
    scripts/nakama-up --runtime.path "$runtime" --runtime.env BENCH_RPC_PREFIX=go_ \
    --runtime.env "BENCH_SPIN_NS=${BENCH_SPIN_NS:-2000}" >/dev/null
  loadgen=("$target_dir/release/loadgen")
  if [ "${PIN:-0}" = 1 ]; then
    taskset -a -p 1 "$(cat "${NAKAMA_RS_CACHE:-$HOME/.cache/nakama-rs}/nakama.pid")" >/dev/null
    loadgen=(taskset -c 1 "${loadgen[@]}")
  fi
  for load in "${loads[@]}"; do
    case $load in echo) body=hello ;; create_guild) body=$guild ;; storage_rw) body=$value ;; esac
    lg() { # lg B-ID [loadgen options]: go_LOAD against B-ID
      lg_against "go_$load" "$@"
    }
    lg_against() { # lg_against A-ID B-ID [loadgen options]
      local a=$1 b=$2
      shift 2
      "${loadgen[@]}" --a "$(url "$a")" --b "$(url "$b")" --body "$body" --json \
        --duration "${DURATION:-20}" --warmup "${WARMUP:-2}" --slot-ms "${SLOT_MS:-250}" \
        --connections "${CONNECTIONS:-32}" "$@"
    }
    echo "==> $load at saturation" >&2
    out=$(lg "$load")
    echo "$load $out" >>"$results"
    rate=$(python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["a"]["rate"] * float(sys.argv[2])))' \
      "$out" "${RATE_SHARE:-0.5}")
    echo "==> $load at $rate req/s" >&2
    echo "$load $rate $(lg "$load" --rate "$rate")" >>"$fixed"
    if [ "$load" = echo ] && [ "${NULL:-1}" != 0 ]; then
      echo "==> null test: go_echo against itself at $rate req/s" >&2
      echo "echo-go/go $rate $(lg go_echo --rate "$rate")" >>"$fixed"
    fi
    # The loads with a control in bench/go-module: echo_spin, storage_rw_spin.
    if [[ $load =~ ^(echo|storage_rw)$ ]] && [ "${CONTROL:-0}" = 1 ]; then
      echo "==> control: go_$load against go_${load}_spin, at saturation and at $rate req/s" >&2
      echo "$load-go/spin $(lg "go_${load}_spin")" >>"$results"
      echo "$load-go/spin $rate $(lg "go_${load}_spin" --rate "$rate")" >>"$fixed"
      if [ "$load" = echo ]; then
        echo "==> control: go_echo against go_echo_cgo, at saturation and at $rate req/s" >&2
        echo "echo-go/cgo $(lg go_echo_cgo)" >>"$results"
        echo "echo-go/cgo $rate $(lg go_echo_cgo --rate "$rate")" >>"$fixed"
      fi
    fi
    for other in "${others[@]}"; do
      echo "==> ${other}_$load against the Rust $load at saturation" >&2
      out=$(lg_against "${other}_$load" "$load")
      echo "$load-$other $out" >>"$results"
      rate=$(python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["a"]["rate"] * float(sys.argv[2])))' \
        "$out" "${RATE_SHARE:-0.5}")
      echo "==> ${other}_$load against the Rust $load at $rate req/s" >&2
      echo "$load-$other $rate $(lg_against "${other}_$load" "$load" --rate "$rate")" >>"$fixed"
    done
  done
done

printf '\nNakama 3.40.0, %s processes one after the other, %s s per load and process in slots of %s ms, %s connections%s.\n' \
  "$processes" "${DURATION:-20}" "${SLOT_MS:-250}" "${CONNECTIONS:-32}" \
  "$([ "${PIN:-0}" = 1 ] && echo ', Nakama and the load generator pinned to one CPU each' || true)"
python3 - "$results" "$fixed" "${RATE_SHARE:-0.5}" <<'PY'
import json, statistics, sys
from collections import defaultdict

def runs(path, with_rate):
    by_load = defaultdict(list)
    for line in open(path):
        parts = line.split(" ", 2 if with_rate else 1)
        by_load[parts[0]].append(json.loads(parts[-1]))
    return by_load

def pct(values):
    """The median over the processes, then each process's figure."""
    each = "/".join(f"{100 * v:.1f}" for v in values)
    return f"{100 * statistics.median(values):.1f}% ({each})"

med = statistics.median
print("\nAt saturation, Rust / Go (median over the processes, then each process; "
      "rows -lua, -js: Rust / Lua, Rust / JavaScript; -go/go, -go/spin and -go/cgo: Go / Go):")
print(f"{'load':13} {'a r/s':>7} {'b r/s':>8} {'rate over the run':>26} {'median of slot pairs':>26} "
      f"{'p99 a/b ms':>15} {'errors':>6}")
for load, rs in runs(sys.argv[1], False).items():
    g = med(r["a"]["rate"] for r in rs)
    s = med(r["b"]["rate"] for r in rs)
    p99 = f"{med(r['a']['p99_ms'] for r in rs):.2f}/{med(r['b']['p99_ms'] for r in rs):.2f}"
    errors = sum(r["a"]["errors"] + r["b"]["errors"] for r in rs)
    print(f"{load:13} {g:7.0f} {s:8.0f} {pct([r['ratio'] for r in rs]):>26} "
          f"{pct([r['pair_median'] for r in rs]):>26} {p99:>15} {errors:6}")
print(f"\nAt the same offered load ({100 * float(sys.argv[3]):.0f}% of side a's saturation rate, "
      "open loop), Rust / Go p99 (echo-go/go: Go / Go, how far the ratios wander with no difference; "
      "-lua, -js: Rust / Lua, Rust / JavaScript):")
print(f"{'load':13} {'p50 a/b ms':>15} {'p99 a/b ms':>15} {'p99 over the run':>26} "
      f"{'median of slot pairs':>26} {'errors':>6}")
for load, rs in runs(sys.argv[2], True).items():
    p50 = f"{med(r['a']['p50_ms'] for r in rs):.2f}/{med(r['b']['p50_ms'] for r in rs):.2f}"
    p99 = f"{med(r['a']['p99_ms'] for r in rs):.2f}/{med(r['b']['p99_ms'] for r in rs):.2f}"
    errors = sum(r["a"]["errors"] + r["b"]["errors"] for r in rs)
    print(f"{load:13} {p50:>15} {p99:>15} {pct([r['b']['p99_ms'] / r['a']['p99_ms'] for r in rs]):>26} "
          f"{pct([r['pair_p99_median'] for r in rs]):>26} {errors:6}")
PY
