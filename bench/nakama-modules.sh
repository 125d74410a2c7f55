# Shared by bench/bridge.sh and bench/matches.sh (sourced, after
# scripts/lib.sh): the modules of one Nakama that runs every runtime side
# by side.
# build_nakama_modules DIR [lua] [js]: builds the bridge, the Rust golden
# module and the Go plugin bench/go-module (with the Nakama binary's Go
# toolchain), and puts them in DIR, the Rust module as a `.rsmod` for the
# bridge; lua and js add bench/lua-module and bench/js-module.
build_nakama_modules() {
  local dir=$1 other target_dir
  shift
  bridge/build.sh
  cargo build --release -q -p golden-module
  (cd bench/go-module && go build -buildmode=plugin -o build/bench.so .)
  target_dir=$(cargo_target_dir)
  cp bench/go-module/build/bench.so bridge/build/nakama_rust_bridge.so "$dir/"
  cp "$target_dir/release/libgolden_module.so" "$dir/golden_module.rsmod"
  for other in "$@"; do
    case $other in
    lua) cp bench/lua-module/bench.lua bench/lua-module/lua_tick.lua "$dir/" ;;
    js) cp bench/js-module/index.js "$dir/" ;;
    *) echo "OTHERS: unknown runtime '$other' (lua, js)" >&2 && return 2 ;;
    esac
  done
}
