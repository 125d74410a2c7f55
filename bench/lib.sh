# Shared by bench/run.sh and bench/bridge.sh (sourced): one wrk load with a
# warm-up, results in the arrays rps, p50 and p99 under the load's name.
# Env: DURATION (10s, after a 2 s warm-up), CONNECTIONS (32), THREADS (2).
duration=${DURATION:-10s}
conns=${CONNECTIONS:-32}
threads=${THREADS:-2}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
declare -A rps p50 p99
wrk_cmd=(wrk) # bench/bridge.sh with PIN=1: wrk on its own CPU
run() { # name url [wrk args...]
  local name=$1 url=$2; shift 2
  local out
  "${wrk_cmd[@]}" -t"$threads" -c"$conns" -d2s "$@" "$url" >/dev/null # warm-up, not counted
  out=$("${wrk_cmd[@]}" -t"$threads" -c"$conns" -d"$duration" --latency "$@" "$url")
  rps[$name]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50[$name]=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99[$name]=$(awk '$1=="99%" {print $2}' <<<"$out")
}
