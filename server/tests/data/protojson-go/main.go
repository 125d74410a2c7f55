// Command protojson-go writes ../protojson_go.tsv, protojson's answers
// (decoding as Nakama 3.40.0's gateway does, unknown fields discarded) to
// the bodies of cases.txt, which server/src/protojson.rs is tested against:
//
//	cd server/tests/data/protojson-go && go run . < cases.txt > ../protojson_go.tsv
//
// A case is "<message> <body>" (see types); an answer is the case's two
// parts, then "OK " and the message protojson read, written with proto
// names and enum numbers, or "ERR " and protojson's error.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/heroiclabs/nakama-common/api"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

var types = map[string]func() proto.Message{
	"custom":         func() proto.Message { return &api.AccountCustom{} },
	"device":         func() proto.Message { return &api.AccountDevice{} },
	"email":          func() proto.Message { return &api.AccountEmail{} },
	"refresh":        func() proto.Message { return &api.SessionRefreshRequest{} },
	"account":        func() proto.Message { return &api.UpdateAccountRequest{} },
	"event":          func() proto.Message { return &api.Event{} },
	"group":          func() proto.Message { return &api.CreateGroupRequest{} },
	"group_update":   func() proto.Message { return &api.UpdateGroupRequest{} },
	"lb_write":       func() proto.Message { return &api.WriteLeaderboardRecordRequest_LeaderboardRecordWrite{} },
	"tour_write":     func() proto.Message { return &api.WriteTournamentRecordRequest_TournamentRecordWrite{} },
	"storage_write":  func() proto.Message { return &api.WriteStorageObjectsRequest{} },
	"storage_read":   func() proto.Message { return &api.ReadStorageObjectsRequest{} },
	"storage_delete": func() proto.Message { return &api.DeleteStorageObjectsRequest{} },
	"apple":          func() proto.Message { return &api.ValidatePurchaseAppleRequest{} },
}

func main() {
	out := protojson.MarshalOptions{UseProtoNames: true, UseEnumNumbers: true}
	in := protojson.UnmarshalOptions{DiscardUnknown: true}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, body, _ := strings.Cut(line, " ")
		m := types[kind]()
		if err := in.Unmarshal([]byte(body), m); err != nil {
			fmt.Printf("%s\t%s\tERR %v\n", kind, body, err)
			continue
		}
		b, err := out.Marshal(m)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s\t%s\tOK %s\n", kind, body, strings.ReplaceAll(string(b), " ", ""))
	}
}
