package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	"github.com/heroiclabs/nakama-common/runtime"
	"google.golang.org/protobuf/types/known/wrapperspb"
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

// Nakama's channel errors get the dev host's codes (server/src/channels.rs).
func TestNkErrorCodesOfChannelErrors(t *testing.T) {
	for err, want := range map[error]int{
		runtime.ErrChannelIDInvalid:                                          3,
		runtime.ErrChannelCursorInvalid:                                      3,
		runtime.ErrInvalidChannelType:                                        3,
		fmt.Errorf("User ID not found: %w", runtime.ErrInvalidChannelTarget): 3,
		errors.New("Invalid message identifier"):                             3,
		errors.New(`uuid: incorrect UUID length 4 in string "nope"`):         3,
		errors.New("limit must be 1-100"):                                    3,
		errors.New("channel message not found"):                              5,
		errors.New("error persisting channel message"):                       13,
		errors.New("Failed to look up user ID"):                              13,
	} {
		if code, got := nkError("channel_message_send", err); code != want || got != err.Error() {
			t.Errorf("%q: got %d %q, want %d", err, code, got, want)
		}
	}
}

// channelNk records what the channel functions hand Nakama (the other
// NakamaModule methods are nil: calling one fails the test).
type channelNk struct {
	runtime.NakamaModule
	got []interface{}
}

func (n *channelNk) ChannelIdBuild(_ context.Context, sender, target string, kind runtime.ChannelType) (string, error) {
	n.got = []interface{}{sender, target, kind}
	return "2...built", nil
}

func (n *channelNk) ChannelMessageUpdate(_ context.Context, channelID, messageID string,
	content map[string]interface{}, senderID, senderUsername string, persist bool) (*rtapi.ChannelMessageAck, error) {
	n.got = []interface{}{channelID, messageID, content, senderID, senderUsername, persist}
	return &rtapi.ChannelMessageAck{ChannelId: channelID, MessageId: messageID,
		Code: wrapperspb.Int32(1), Persistent: wrapperspb.Bool(persist), RoomName: "r"}, nil
}

func (n *channelNk) ChannelMessagesList(_ context.Context, channelID string, limit int, forward bool,
	cursor string) ([]*api.ChannelMessage, string, string, error) {
	n.got = []interface{}{channelID, limit, forward, cursor}
	return []*api.ChannelMessage{{MessageId: "m", Code: wrapperspb.Int32(0)}}, "next", "", nil
}

// The channel functions hand Nakama their arguments as decoded, and answer
// the ABI's shapes: the type's names as runtime.ChannelType numbers, an
// acknowledgement and a page as protojson writes them.
func TestChannelFunctionsForwardTheirArguments(t *testing.T) {
	call := func(nk *channelNk, name, args string) (int, string) {
		code, out := nkCall(&callState{ctx: context.Background(), nk: nk}, name, args, nil)
		return code, string(out)
	}
	for name, want := range map[string]runtime.ChannelType{"room": 1, "direct": 2, "group": 3, "": 1} {
		nk := &channelNk{}
		args := `{"sender_id":"s","target":"t","channel_type":"` + name + `"}`
		if code, out := call(nk, "channel_id_build", args); code != 0 || out != `"2...built"` ||
			!reflect.DeepEqual(nk.got, []interface{}{"s", "t", want}) {
			t.Errorf("%q: answered %d %s, Nakama got %v", name, code, out, nk.got)
		}
	}
	if code, _ := call(&channelNk{}, "channel_id_build", `{"channel_type":"party"}`); code != 3 {
		t.Errorf("an unknown channel type answered %d, want 3", code)
	}

	nk := &channelNk{}
	args := `{"channel_id":"2...r","message_id":"m","content":{"n":1},"sender_id":"s","sender_username":"u",` +
		`"persist":true}`
	code, out := call(nk, "channel_message_update", args)
	var ack map[string]interface{} // protojson's spacing varies on purpose
	if err := json.Unmarshal([]byte(out), &ack); code != 0 || err != nil || !reflect.DeepEqual(ack,
		map[string]interface{}{"channel_id": "2...r", "message_id": "m", "code": 1.0, "persistent": true,
			"room_name": "r"}) {
		t.Errorf("update answered %d %s", code, out)
	}
	if want := []interface{}{"2...r", "m", map[string]interface{}{"n": 1.0}, "s", "u", true}; !reflect.DeepEqual(nk.got, want) {
		t.Errorf("Nakama got %v, want %v", nk.got, want)
	}

	nk = &channelNk{}
	code, out = call(nk, "channel_messages_list", `{"channel_id":"2...r","limit":5,"forward":true,"cursor":"c"}`)
	var page struct {
		Messages   []map[string]interface{} `json:"messages"`
		NextCursor string                   `json:"next_cursor"`
		PrevCursor *string                  `json:"prev_cursor"`
	}
	if err := json.Unmarshal([]byte(out), &page); code != 0 || err != nil || len(page.Messages) != 1 ||
		page.Messages[0]["message_id"] != "m" || page.Messages[0]["code"] != 0.0 || page.NextCursor != "next" ||
		page.PrevCursor == nil || *page.PrevCursor != "" {
		t.Errorf("list answered %d %s", code, out)
	}
	if want := []interface{}{"2...r", 5, true, "c"}; !reflect.DeepEqual(nk.got, want) {
		t.Errorf("Nakama got %v, want %v", nk.got, want)
	}
}

// Group errors answer the codes the dev host gives them.
func TestNkErrorCodesOfGroupErrors(t *testing.T) {
	for err, want := range map[error]int{
		runtime.ErrGroupNameInUse:                                          6,
		runtime.ErrGroupPermissionDenied:                                   7,
		runtime.ErrGroupNotFound:                                           5,
		runtime.ErrGroupNotUpdated:                                         5,
		runtime.ErrGroupUserNotFound:                                       5,
		runtime.ErrGroupFull:                                               3,
		runtime.ErrGroupLastSuperadmin:                                     3,
		runtime.ErrGroupUserInvalidCursor:                                  3,
		runtime.ErrUserGroupInvalidCursor:                                  3,
		errors.New("cannot promote the root user"):                         3,
		errors.New("count must be 0-1000"):                                 3,
		errors.New("each group id must be a valid id string"):              3,
		errors.New("name filter cannot be combined with any other filter"): 3,
	} {
		if code, got := nkError("group_users_add", err); code != want || got != err.Error() {
			t.Errorf("%v: got %d %q, want %d", err, code, got, want)
		}
	}
}

// friendsNk records what the friends functions hand Nakama.
type friendsNk struct {
	runtime.NakamaModule
	got []interface{}
}

func (n *friendsNk) FriendsList(_ context.Context, userID string, limit int, state *int, cursor string) ([]*api.Friend, string, error) {
	n.got = []interface{}{userID, limit, state, cursor}
	return []*api.Friend{{State: wrapperspb.Int32(0), Metadata: "{}"}}, "next", nil
}

func (n *friendsNk) FriendsAdd(_ context.Context, userID, username string, ids, usernames []string, metadata map[string]any) error {
	n.got = []interface{}{userID, username, ids, usernames, metadata}
	return errors.New("cannot add self as friend")
}

func (n *friendsNk) FriendsBlock(_ context.Context, userID, username string, ids, usernames []string) error {
	n.got = []interface{}{userID, username, ids, usernames}
	return errors.New("invalid user ID 'x'")
}

// The friends functions hand Nakama their arguments as decoded (no state:
// nil), answer a page as protojson writes it, and Nakama's argument
// refusals are INVALID_ARGUMENT.
func TestFriendsFunctionsForwardTheirArguments(t *testing.T) {
	call := func(nk *friendsNk, name, args string) (int, string) {
		code, out := nkCall(&callState{ctx: context.Background(), nk: nk}, name, args, nil)
		return code, string(out)
	}
	nk := &friendsNk{}
	code, out := call(nk, "friends_list", `{"user_id":"u","limit":5,"state":null,"cursor":"c"}`)
	var page struct {
		Friends []map[string]interface{} `json:"friends"`
		Cursor  string                   `json:"cursor"`
	}
	if err := json.Unmarshal([]byte(out), &page); code != 0 || err != nil || len(page.Friends) != 1 ||
		page.Friends[0]["state"] != 0.0 || page.Cursor != "next" {
		t.Errorf("list answered %d %s", code, out)
	}
	if want := []interface{}{"u", 5, (*int)(nil), "c"}; !reflect.DeepEqual(nk.got, want) {
		t.Errorf("Nakama got %v, want %v", nk.got, want)
	}
	call(nk, "friends_list", `{"user_id":"u","limit":5,"state":2}`)
	if s, ok := nk.got[2].(*int); !ok || s == nil || *s != 2 {
		t.Errorf("state 2 reached Nakama as %v", nk.got[2])
	}
	code, out = call(nk, "friends_add", `{"user_id":"u","username":"n","ids":["a"],"usernames":[],"metadata":{"k":1}}`)
	if code != 3 || out != "cannot add self as friend" {
		t.Errorf("add answered %d %s", code, out)
	}
	if want := []interface{}{"u", "n", []string{"a"}, []string{}, map[string]any{"k": 1.0}}; !reflect.DeepEqual(nk.got, want) {
		t.Errorf("Nakama got %v, want %v", nk.got, want)
	}
	if code, out = call(nk, "friends_block", `{"user_id":"u","username":"n","ids":["x"]}`); code != 3 {
		t.Errorf("block answered %d %s", code, out)
	}
}
