module github.com/nakama-rs/bridge/gen

go 1.26.5
