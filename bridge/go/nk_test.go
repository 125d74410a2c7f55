package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"regexp"
	"sort"
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/runtime"
)

// The bridge forwards exactly the nk functions the ABI declares
// (abi/src/nk.rs, `Name = "wire_name": Args => Output;` lines).
func TestNkFunctionsMatchTheAbi(t *testing.T) {
	src, err := os.ReadFile("../../abi/src/nk.rs")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, m := range regexp.MustCompile(`(?m)^\s*\w+ = "(\w+)":`).FindAllStringSubmatch(string(src), -1) {
		declared = append(declared, m[1])
	}
	if len(declared) == 0 {
		t.Fatal("no nk functions found in abi/src/nk.rs: has its table changed shape?")
	}
	var forwarded []string
	for name := range nkFunctions {
		forwarded = append(forwarded, name)
	}
	sort.Strings(declared)
	sort.Strings(forwarded)
	if len(declared) != len(forwarded) {
		t.Fatalf("abi/src/nk.rs declares %v, the bridge forwards %v", declared, forwarded)
	}
	for i := range declared {
		if declared[i] != forwarded[i] {
			t.Fatalf("abi/src/nk.rs declares %v, the bridge forwards %v", declared, forwarded)
		}
	}
}

// A gRPC-status-like error keeps its code and message.
type fakeStatus struct{ code uint32 }

func (s *fakeStatus) Code() uint32    { return s.code }
func (s *fakeStatus) Message() string { return "Invalid credentials." }

type statusErr struct{ st *fakeStatus }

func (e statusErr) Error() string           { return "rpc error" }
func (e statusErr) GRPCStatus() *fakeStatus { return e.st }

func TestNkErrorKeepsGrpcStatusCodes(t *testing.T) {
	code, msg := nkError("authenticate_email", statusErr{&fakeStatus{16}})
	if code != 16 || msg != "Invalid credentials." {
		t.Fatalf("got %d %q", code, msg)
	}
	code, _ = nkError("x", statusErr{nil})
	if code != 13 {
		t.Fatalf("a nil status is INTERNAL, got %d", code)
	}
}

// Nakama's plain errors for leaderboards get the dev host's codes.
func TestNkErrorCodesOfLeaderboardErrors(t *testing.T) {
	for msg, want := range map[string]int{
		"leaderboard not found":                                5,
		"expects score to be >= 0":                             3,
		"expects reset schedule to be a valid CRON expression": 3,
		"leaderboard cursor invalid":                           3,
		"invalid operator":                                     3,
		"some database failure":                                13,
	} {
		if code, got := nkError("leaderboard_record_write", errors.New(msg)); code != want || got != msg {
			t.Errorf("%q: got %d %q, want %d", msg, code, got, want)
		}
	}
}

// The ABI's operator names become api.Operator numbers; none is nil.
func TestOperatorNumbers(t *testing.T) {
	for name, want := range map[string]int{"best": 1, "set": 2, "incr": 3, "decr": 4} {
		n, err := operatorNumber(&name)
		if err != nil || n == nil || *n != want {
			t.Errorf("%s: got %v %v, want %d", name, n, err, want)
		}
	}
	if n, err := operatorNumber(nil); n != nil || err != nil {
		t.Errorf("nil: got %v %v", n, err)
	}
	bad := "max"
	if _, err := operatorNumber(&bad); err == nil {
		t.Error("an unknown name is refused")
	}
}

// recordWriteNk records what leaderboard_record_write hands Nakama (the
// other NakamaModule methods are nil: calling one fails the test).
type recordWriteNk struct {
	runtime.NakamaModule
	metadata map[string]interface{}
	operator *int
}

func (n *recordWriteNk) LeaderboardRecordWrite(_ context.Context, id, ownerID, username string, score, subscore int64,
	metadata map[string]interface{}, overrideOperator *int) (*api.LeaderboardRecord, error) {
	n.metadata, n.operator = metadata, overrideOperator
	return &api.LeaderboardRecord{LeaderboardId: id, OwnerId: ownerID, Score: score}, nil
}

// leaderboard_record_write's null metadata reaches Nakama as a nil map
// (keep the stored one), unlike {} (replace it with an empty object), and
// a null operator as nil (the leaderboard's own).
func TestLeaderboardRecordWriteForwardsNullsAsNil(t *testing.T) {
	for _, args := range []string{`{"id":"l","owner_id":"o","score":7,"metadata":null,"operator":null}`,
		`{"id":"l","owner_id":"o","score":7}`} {
		nk := &recordWriteNk{}
		code, out := nkCall(&callState{ctx: context.Background(), nk: nk}, "leaderboard_record_write", args, nil)
		var record map[string]string // protojson's spacing varies on purpose
		if err := json.Unmarshal(out, &record); code != 0 || err != nil ||
			!reflect.DeepEqual(record, map[string]string{"leaderboard_id": "l", "owner_id": "o", "score": "7"}) {
			t.Errorf("%s: answered %d %s", args, code, out)
		}
		if nk.metadata != nil || nk.operator != nil {
			t.Errorf("%s: Nakama got metadata %#v, operator %v; want nil, nil", args, nk.metadata, nk.operator)
		}
	}
	nk := &recordWriteNk{}
	args := `{"id":"l","owner_id":"o","metadata":{},"operator":"decr"}`
	if code, out := nkCall(&callState{ctx: context.Background(), nk: nk}, "leaderboard_record_write", args, nil); code != 0 {
		t.Fatalf("answered %d %s", code, out)
	}
	if nk.metadata == nil || len(nk.metadata) != 0 || nk.operator == nil || *nk.operator != 4 {
		t.Errorf("Nakama got metadata %#v, operator %v; want {} and 4", nk.metadata, nk.operator)
	}
	code, _ := nkCall(&callState{ctx: context.Background(), nk: nk}, "leaderboard_record_write", `{"operator":"max"}`, nil)
	if code != 3 {
		t.Errorf("an unknown operator answered %d, want 3", code)
	}
}
