package main

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// sameJSON: a and b decode to the same value (protojson may vary its
// spacing from run to run).
func sameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("invalid JSON %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestStorageJSONMatchesProtojson(t *testing.T) {
	ts := func(s int64, n int32) *timestamppb.Timestamp { return &timestamppb.Timestamp{Seconds: s, Nanos: n} }
	objs := []*api.StorageObject{
		{},
		{Collection: "c", Key: "k", UserId: "u", Value: `{"hp":10,"s":"\"quoted\" \\ é \u2028 \n"}`, Version: "v1",
			PermissionRead: 2, PermissionWrite: 1, CreateTime: ts(1700000000, 0), UpdateTime: ts(1700000000, 120000000)},
		{Key: "k", PermissionRead: -1, CreateTime: ts(0, 1), UpdateTime: ts(1, 123456000)},
		{CreateTime: ts(minTimestampSecs, 0), UpdateTime: ts(maxTimestampSecs, 999999999)},
	}
	got, err := storageObjectsJSON(nil, objs, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := protoList(objs, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, want)

	acks := []*api.StorageObjectAck{
		{},
		{Collection: "c", Key: "k", Version: "v", UserId: "u", CreateTime: ts(1700000000, 5000), UpdateTime: ts(1700000001, 0)},
	}
	got, err = storageAcksJSON(nil, acks, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err = protoList(acks, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, want)

	if got, _ := storageObjectsJSON(nil, nil, nil); string(got) != "[]" {
		t.Errorf("no objects: %s", got)
	}
}

func TestStorageJSONErrors(t *testing.T) {
	boom := errors.New("boom")
	if _, err := storageObjectsJSON(nil, nil, boom); err != boom {
		t.Errorf("error not passed on: %v", err)
	}
	if _, err := storageAcksJSON(nil, nil, boom); err != boom {
		t.Errorf("error not passed on: %v", err)
	}
	// Out of protojson's range: its error, not a made-up date.
	bad := []*api.StorageObject{{CreateTime: &timestamppb.Timestamp{Seconds: maxTimestampSecs + 1}}}
	if _, err := storageObjectsJSON(nil, bad, nil); err == nil {
		t.Error("a timestamp out of range was encoded")
	}
	badAck := []*api.StorageObjectAck{{UpdateTime: &timestamppb.Timestamp{Nanos: -1}}}
	if _, err := storageAcksJSON(nil, badAck, nil); err == nil {
		t.Error("negative nanos were encoded")
	}
}

func BenchmarkStorageObjectsJSON(b *testing.B) {
	objs := []*api.StorageObject{{Collection: "bench", Key: "k", Value: `{"hp":10,"name":"bench"}`, Version: "0f1e2d3c",
		PermissionRead: 1, PermissionWrite: 1, CreateTime: timestamppb.Now(), UpdateTime: timestamppb.Now()}}
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			_, _ = storageObjectsJSON(nil, objs, nil)
		}
	})
	b.Run("protojson", func(b *testing.B) {
		for b.Loop() {
			_, _ = protoList(objs, nil)
		}
	})
}

// A suspended call's storage answers share one buffer: Rust copies each
// answer before the call goes on, so the next one may write over it.
func TestStorageAnswersReuseTheFramesBuffer(t *testing.T) {
	var buf answerBuf
	objs := []*api.StorageObject{{Collection: "c", Key: "k", Value: `{"a":1}`}}
	first, err := storageObjectsJSON(&buf, objs, nil)
	if err != nil {
		t.Fatal(err)
	}
	acks := []*api.StorageObjectAck{{Collection: "c", Key: "k", Version: "v"}}
	second, err := storageAcksJSON(&buf, acks, nil)
	if err != nil {
		t.Fatal(err)
	}
	if &first[0] != &second[0] {
		t.Error("the second answer did not reuse the first one's buffer")
	}
	want, _ := protoList(acks, nil)
	sameJSON(t, second, want)

	buf.b = make([]byte, 0, maxAnswerBuf+1)
	third, _ := storageAcksJSON(&buf, acks, nil)
	if cap(third) > maxAnswerBuf {
		t.Error("an outsize buffer was reused")
	}
	// Without a buffer (an nk call through a callback), a new one each time.
	a, _ := storageAcksJSON(nil, acks, nil)
	b, _ := storageAcksJSON(nil, acks, nil)
	if &a[0] == &b[0] {
		t.Error("answers without a buffer shared one")
	}
}
