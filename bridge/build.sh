#!/usr/bin/env bash
# Builds the Nakama bridge plugin: bridge/build/nakama_rust_bridge.so
#   bridge/build.sh
# 1. the Rust static library (cargo rustc --profile bridge -p nakama-bridge
#    --crate-type staticlib), copied to bridge/build/libnakama_bridge.a (the
#    cgo directives link it from there);
# 2. checks that bridge/go/hooks_gen.go matches abi/src/hooks.rs;
# 3. the Go plugin, with the Go toolchain on PATH, which must be the one
#    that built the Nakama binary, and the same -trimpath setting (read
#    from the binary when it exists);
# 4. checks that every Go module the plugin shares with Nakama has
#    Nakama's version (otherwise Nakama refuses the plugin at startup with
#    "plugin was built with a different version of package ...").
# Env: NAKAMA_BIN (the Nakama binary to match; default: the one
# scripts/nakama-build builds into $NAKAMA_RS_CACHE, ~/.cache/nakama-rs),
# CARGO_JOBS, GO_JOBS (parallel jobs; default: the tools' own), BRIDGE_GO_FLAGS (extra `go build` flags,
# e.g. -trimpath to see the refusal), BRIDGE_OUT (output file).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
root=$(pwd)
out=${BRIDGE_OUT:-$root/bridge/build/nakama_rust_bridge.so}
nakama=${NAKAMA_BIN:-$(scripts/nakama-build)}
say() { printf '==> %s\n' "$*" >&2; }

for v in CGO_CFLAGS CGO_CPPFLAGS CGO_CXXFLAGS CGO_LDFLAGS GOFLAGS; do
  if [ -n "${!v:-}" ]; then
    echo "bridge/build.sh: unset $v: it changes how shared packages are built and Nakama would refuse the plugin" >&2
    exit 1
  fi
done

say "Rust static library"
# The staticlib alone: built with its rlib (which the tests link), Cargo
# leaves out -C lto, and the profile's fat LTO would not happen.
cargo rustc --profile bridge --quiet ${CARGO_JOBS:+-j"$CARGO_JOBS"} -p nakama-bridge --lib --crate-type staticlib
target_dir=$(cargo_target_dir)
mkdir -p "$root/bridge/build"
cp "$target_dir/bridge/libnakama_bridge.a" "$root/bridge/build/libnakama_bridge.a"

say "hook registrations up to date"
gen=$(mktemp)
trap 'rm -f "$gen"' EXIT
(cd bridge/gen && go run . ../../abi/src/hooks.rs "$gen" >/dev/null)
if ! cmp -s "$gen" bridge/go/hooks_gen.go; then
  echo "bridge/go/hooks_gen.go is out of date with abi/src/hooks.rs; run: (cd bridge/gen && go run . ../../abi/src/hooks.rs ../go/hooks_gen.go)" >&2
  exit 1
fi

flags=()
if [ ! -x "$nakama" ]; then
  echo "bridge/build.sh: $nakama is not an executable Nakama binary (NAKAMA_BIN)" >&2
  exit 1
fi
info=$(go version -m "$nakama")
nakama_go=$(head -n 1 <<<"$info" | awk '{print $2}')
if [ "$nakama_go" != "$(go env GOVERSION)" ]; then
  echo "Go toolchain mismatch: $nakama was built with $nakama_go, this go is $(go env GOVERSION); Nakama would refuse the plugin" >&2
  exit 1
fi
if grep -q -- '-trimpath=true' <<<"$info"; then flags+=(-trimpath); fi
# shellcheck disable=SC2206
flags+=(${BRIDGE_GO_FLAGS:-})

say "Go plugin ($(go env GOVERSION)${flags[*]:+ ${flags[*]}})"
# Go decides that an existing plugin is up to date from the Go sources
# alone: a changed static library would not be linked in.
rm -f "$out"
(cd bridge/go && go build ${GO_JOBS:+-p "$GO_JOBS"} -buildmode=plugin "${flags[@]}" -o "$out" .)

if [ -z "${BRIDGE_GO_FLAGS:-}" ]; then
  mismatch=$(join <(go version -m "$out" | awk '$1=="dep" {print $2, $3}' | sort) \
                  <(go version -m "$nakama" | awk '$1=="dep" {print $2, $3}' | sort) | awk '$2 != $3')
  if [ -n "$mismatch" ]; then
    echo "Go modules shared with Nakama at other versions (module, bridge, nakama):" >&2
    echo "$mismatch" >&2
    exit 1
  fi
fi
say "built $out"
