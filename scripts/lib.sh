# Shell helpers shared by the repo's scripts: `source` it, do not run it.

# cargo_target_dir [cargo metadata flags]: Cargo's output folder
# (CARGO_TARGET_DIR if set, else the workspace's target/).
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps "$@" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_healthy PORT SECONDS [PID LOG]: waits until 127.0.0.1:PORT answers
# /healthcheck with 200. Fails, printing the end of LOG, if PID exits first
# or SECONDS pass.
wait_healthy() {
  local port=$1 seconds=$2 pid=${3:-} log=${4:-} i
  for ((i = 0; i < seconds * 10; i++)); do
    if curl -fsS "http://127.0.0.1:$port/healthcheck" >/dev/null 2>&1; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "the server (pid $pid) exited before answering /healthcheck on port $port" >&2
      if [ -n "$log" ]; then tail -n 30 "$log" >&2; fi
      return 1
    fi
    sleep 0.1
  done
  echo "nothing answered /healthcheck on port $port within $seconds s" >&2
  if [ -n "$log" ]; then tail -n 30 "$log" >&2; fi
  return 1
}
