package main

import (
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
