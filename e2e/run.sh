#!/usr/bin/env bash
# End-to-end tests: the official @heroiclabs/nakama-js client (pinned in
# package.json, installed here if missing) against the dev host serving
# examples/hello and examples/guild. Starts and stops the dev host itself.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)

cargo build --quiet --manifest-path "$root/Cargo.toml" -p nakama-devhost -p hello -p guild
if [ ! -d node_modules/@heroiclabs/nakama-js ]; then
  SCARF_ANALYTICS=false npm ci --no-audit --no-fund
fi

work=$(mktemp -d)
cp "$root/target/debug/libhello.so" "$root/target/debug/libguild.so" "$work/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$root/target/debug/nakama-devhost" --runtime.path "$work" --database.address :memory: \
  --socket.address 127.0.0.1 --socket.port "$port" --logger.level warn \
  --session.token_expiry_sec 7200 > "$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 1 200); do
  if curl -fsS "http://127.0.0.1:$port/healthcheck" > /dev/null 2>&1; then break; fi
  sleep 0.05
done
NAKAMA_PORT=$port node --test ./*.test.mjs
