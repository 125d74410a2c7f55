#!/usr/bin/env bash
# The dev host's load test at scale (release build): CLIENTS concurrent
# clients each writing WRITES storage objects and calling an RPC per write,
# then every object read back (nothing lost, nothing duplicated).
#   scripts/load-test.sh [CLIENTS] [WRITES]     (default 64 500)
set -euo pipefail
cd "$(dirname "$0")/.."
LOAD_CLIENTS=${1:-64} LOAD_WRITES=${2:-500} \
  cargo test --release -p nakama-devhost --test integration -- load:: --nocapture
