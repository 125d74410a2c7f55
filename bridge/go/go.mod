module github.com/nakama-rs/bridge

go 1.26.5

require (
	github.com/gorilla/mux v1.8.1
	github.com/heroiclabs/nakama-common v1.47.0
	go.uber.org/zap v1.28.0
	google.golang.org/protobuf v1.36.11
)

require go.uber.org/multierr v1.11.0 // indirect
