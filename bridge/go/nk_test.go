package main

import (
	"errors"
	"os"
	"regexp"
	"sort"
	"testing"
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
