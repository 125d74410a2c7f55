#!/usr/bin/env bash
# End-to-end tests: the official @heroiclabs/nakama-js client (pinned in
# package.json, installed here if missing), the generated C# clients
# (compiled and run with Mono, installed here if missing) and the generated
# GDScript clients (run by Godot 4, unpacked by scripts/godot) against a host serving
# examples/hello, examples/guild and examples/arena, with the matchmaker
# running every second (Nakama's default is 15 s) and examples/guild's
# webhook secret in runtime.env:
#   e2e/run.sh [devhost]   the dev host (started and stopped here)
#   e2e/run.sh nakama      a real Nakama 3.40.0 running the same modules
#                          through the bridge (bridge/run.sh: builds and
#                          starts Nakama and PostgreSQL; stopped at the end)
#   e2e/run.sh windows     the dev host and the modules built for Windows
#                          (x86_64-pc-windows-gnu: nakama-devhost.exe and
#                          .dll modules), run under Wine (scripts/install-windows
#                          installs the target, MinGW-w64 and Wine if missing;
#                          Wine's prefix is kept in ~/.cache/nakama-rs/wine)
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"
target=${1:-devhost}
cargo_target=$(cargo_target_dir --manifest-path "$root/Cargo.toml")

if [ ! -d node_modules/@heroiclabs/nakama-js ] || [ ! -d node_modules/@heroiclabs/nakama-js-protobuf ] || [ ! -d node_modules/ws ] || [ ! -d node_modules/typescript ]; then
  SCARF_ANALYTICS=false npm ci --no-audit --no-fund
fi
# Mono's C# compiler and runtime for csharp.test.mjs.
"$root/scripts/install-mono"
# Godot 4 for godot.test.mjs (unpacked into ~/.cache/nakama-rs/godot once).
"$root/scripts/godot" > /dev/null

case $target in
devhost)
  # The dev host built on its own, as the other scripts build it: with
  # modules beside it, cargo would unify features into another build of it.
  cargo build --quiet --manifest-path "$root/Cargo.toml" -p nakama-devhost
  cargo build --quiet --manifest-path "$root/Cargo.toml" -p hello -p guild -p arena
  work=$(mktemp -d)
  cp "$cargo_target/debug/libhello.so" "$cargo_target/debug/libguild.so" "$cargo_target/debug/libarena.so" "$work/"
  port=$(free_port)
  "$cargo_target/debug/nakama-devhost" --runtime.path "$work" --database.address :memory: \
    --socket.address 127.0.0.1 --socket.port "$port" --logger.level warn \
    --session.token_expiry_sec 7200 --matchmaker.interval_sec 1 \
    --runtime.env GUILD_WEBHOOK_SECRET=e2e-webhook-secret > "$work/server.log" 2>&1 &
  server=$!
  cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
  trap cleanup EXIT
  wait_healthy "$port" 10 "$server" "$work/server.log"
  ;;
windows)
  "$root/scripts/install-windows" # also sets up Wine's prefix
  triple=x86_64-pc-windows-gnu
  cargo build --quiet --manifest-path "$root/Cargo.toml" --target "$triple" -p nakama-devhost
  cargo build --quiet --manifest-path "$root/Cargo.toml" --target "$triple" -p hello -p guild -p arena
  work=$(mktemp -d)
  mkdir "$work/modules"
  cp "$cargo_target/$triple/debug/nakama-devhost.exe" "$work/"
  cp "$cargo_target/$triple/debug/hello.dll" "$cargo_target/$triple/debug/guild.dll" "$cargo_target/$triple/debug/arena.dll" "$work/modules/"
  export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/nakama-rs/wine} WINEDEBUG=-all
  port=$(free_port)
  (cd "$work" && exec wine nakama-devhost.exe --runtime.path modules --database.address :memory: \
    --socket.address 127.0.0.1 --socket.port "$port" --logger.level warn \
    --session.token_expiry_sec 7200 --matchmaker.interval_sec 1 \
    --runtime.env GUILD_WEBHOOK_SECRET=e2e-webhook-secret > "$work/server.log" 2>&1) &
  server=$!
  cleanup() { kill "$server" 2>/dev/null || true; wineserver -k 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
  trap cleanup EXIT
  wait_healthy "$port" 120 "$server" "$work/server.log"
  target=devhost # the same host: the tests expect the dev host's answers
  ;;
nakama)
  port=${NAKAMA_PORT:-7450}
  trap '"$root/scripts/nakama-down" >/dev/null' EXIT
  BRIDGE_MODULES="hello guild arena" NAKAMA_RESTART=1 NAKAMA_FRESH_DB=1 NAKAMA_PORT=$port "$root/bridge/run.sh" \
    --matchmaker.interval_sec 1 --runtime.env GUILD_WEBHOOK_SECRET=e2e-webhook-secret
  ;;
*)
  echo "usage: e2e/run.sh [devhost|nakama|windows]" >&2
  exit 2
  ;;
esac
# --test-force-exit: nakama-js races every request and socket connect
# against a timer it never clears (7 s, 30 s), which would keep each test
# file's process alive that long after its last test.
NAKAMA_HOST=$target NAKAMA_PORT=$port node --test --test-force-exit ./*.test.mjs
