#!/usr/bin/env bash
# Runs the Rust example modules inside a real Nakama 3.40.0 through the bridge.
#   bridge/run.sh [nakama flags...]          scripts/nakama-down stops it
# Builds the bridge (bridge/build.sh) and the module crates (release), puts
# the plugin and the modules (renamed *.rsmod) in a runtime folder, and
# starts Nakama + PostgreSQL with scripts/nakama-up --runtime.path on it
# (which builds Nakama once from the Go module proxy, installs PostgreSQL
# if it is missing, migrates).
# Env: BRIDGE_MODULES  packages to load (default "hello guild arena"; golden-module
#                      and guild both register create_guild, so not together)
#      BRIDGE_RUNTIME  runtime folder (default bridge/build/runtime, emptied)
#      NAKAMA_RS_CACHE, NAKAMA_PORT (7450), PG_PORT: as for scripts/nakama-up.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
root=$(pwd)
modules=${BRIDGE_MODULES:-hello guild arena}
runtime=${BRIDGE_RUNTIME:-$root/bridge/build/runtime}
say() { printf '==> %s\n' "$*" >&2; }

bridge/build.sh
say "module crates: $modules"
pkgs=()
for m in $modules; do pkgs+=(-p "$m"); done
cargo build --release --quiet ${CARGO_JOBS:+-j"$CARGO_JOBS"} "${pkgs[@]}"
target_dir=$(cargo_target_dir)

rm -rf "$runtime"
mkdir -p "$runtime"
cp bridge/build/nakama_rust_bridge.so "$runtime/"
for m in $modules; do
  cp "$target_dir/release/lib${m//-/_}.so" "$runtime/${m//-/_}.rsmod"
done
say "runtime folder $runtime: $(cd "$runtime" && echo *)"
exec scripts/nakama-up --runtime.path "$runtime" "$@"
