package main

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/heroiclabs/nakama-common/runtime"
)

// The notification, leaderboard-listing, rank, cron, file, metrics and
// party-list nk functions (abi/src/nk/misc.rs), forwarded to Nakama's
// NotificationSendAll ... PartyList; registered into nkFunctions at start.

type notificationIDsArgs struct {
	UserID string   `json:"user_id"`
	IDs    []string `json:"ids"`
}

type idArgs struct {
	ID string `json:"id"`
}

type cronArgs struct {
	Expression string `json:"expression"`
	Timestamp  int64  `json:"timestamp"`
}

// storedNotification is the ABI's StoredNotification.
type storedNotification struct {
	ID         string         `json:"id"`
	UserID     string         `json:"user_id"`
	Subject    string         `json:"subject"`
	Content    map[string]any `json:"content"`
	Code       int            `json:"code"`
	Sender     string         `json:"sender"`
	CreateTime int64          `json:"create_time"`
	Persistent bool           `json:"persistent"`
}

var miscFunctions = map[string]nkFunc{
	"notification_send_all": forward(func(st *callState, a struct {
		Subject    string         `json:"subject"`
		Content    map[string]any `json:"content"`
		Code       int            `json:"code"`
		Persistent bool           `json:"persistent"`
	}) (any, error) {
		return nil, st.nk.NotificationSendAll(st.ctx, a.Subject, a.Content, a.Code, a.Persistent)
	}),
	"notifications_update": forward(func(st *callState, a struct {
		Updates []runtime.NotificationUpdate `json:"updates"`
	}) (any, error) {
		return nil, st.nk.NotificationsUpdate(st.ctx, a.Updates...)
	}),
	"notifications_delete": forward(func(st *callState, a struct {
		Notifications []struct {
			UserID         string `json:"user_id"`
			NotificationID string `json:"notification_id"`
		} `json:"notifications"`
	}) (any, error) {
		deletes := make([]*runtime.NotificationDelete, 0, len(a.Notifications))
		for _, n := range a.Notifications {
			deletes = append(deletes, &runtime.NotificationDelete{UserID: n.UserID, NotificationID: n.NotificationID})
		}
		return nil, st.nk.NotificationsDelete(st.ctx, deletes)
	}),
	"notifications_get_id": forward(func(st *callState, a notificationIDsArgs) (any, error) {
		found, err := st.nk.NotificationsGetId(st.ctx, a.UserID, a.IDs)
		if err != nil {
			return nil, err
		}
		out := make([]storedNotification, 0, len(found))
		for _, n := range found {
			s := storedNotification{ID: n.Id, UserID: n.UserID, Subject: n.Subject, Content: n.Content,
				Code: n.Code, Sender: n.Sender, Persistent: n.Persistent}
			if n.CreateTime != nil {
				s.CreateTime = n.CreateTime.Seconds
			}
			out = append(out, s)
		}
		return out, nil
	}),
	"notifications_delete_id": forward(func(st *callState, a notificationIDsArgs) (any, error) {
		return nil, st.nk.NotificationsDeleteId(st.ctx, a.UserID, a.IDs)
	}),
	"leaderboard_list": forward(func(st *callState, a struct {
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}) (any, error) {
		return protoJSON(st.nk.LeaderboardList(a.Limit, a.Cursor))
	}),
	"leaderboard_ranks_disable": forward(func(st *callState, a idArgs) (any, error) {
		return nil, st.nk.LeaderboardRanksDisable(st.ctx, a.ID)
	}),
	"tournament_ranks_disable": forward(func(st *callState, a idArgs) (any, error) {
		return nil, st.nk.TournamentRanksDisable(st.ctx, a.ID)
	}),
	"leaderboard_records_list_cursor_from_rank": forward(func(st *callState, a struct {
		ID     string `json:"id"`
		Rank   int64  `json:"rank"`
		Expiry int64  `json:"expiry"`
	}) (any, error) {
		return st.nk.LeaderboardRecordsListCursorFromRank(a.ID, a.Rank, a.Expiry)
	}),
	"cron_next": forward(func(st *callState, a cronArgs) (any, error) {
		return st.nk.CronNext(a.Expression, a.Timestamp)
	}),
	"cron_prev": forward(func(st *callState, a cronArgs) (any, error) {
		return st.nk.CronPrev(a.Expression, a.Timestamp)
	}),
	"read_file": forward(func(st *callState, a struct {
		Path string `json:"path"`
	}) (any, error) {
		f, err := st.nk.ReadFile(a.Path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		content, err := io.ReadAll(f)
		if err != nil {
			return nil, err
		}
		// encoding/json writes bytes as standard base64, as the ABI reads them.
		return struct {
			Content []byte `json:"content"`
		}{content}, nil
	}),
	"metrics_counter_add": forward(func(st *callState, a struct {
		Name  string            `json:"name"`
		Tags  map[string]string `json:"tags"`
		Delta int64             `json:"delta"`
	}) (any, error) {
		st.nk.MetricsCounterAdd(a.Name, a.Tags, a.Delta)
		return nil, nil
	}),
	"metrics_gauge_set": forward(func(st *callState, a struct {
		Name  string            `json:"name"`
		Tags  map[string]string `json:"tags"`
		Value float64           `json:"value"`
	}) (any, error) {
		st.nk.MetricsGaugeSet(a.Name, a.Tags, a.Value)
		return nil, nil
	}),
	"metrics_timer_record": forward(func(st *callState, a struct {
		Name  string            `json:"name"`
		Tags  map[string]string `json:"tags"`
		Nanos int64             `json:"nanos"`
	}) (any, error) {
		st.nk.MetricsTimerRecord(a.Name, a.Tags, time.Duration(a.Nanos))
		return nil, nil
	}),
	"party_list": forward(func(st *callState, a struct {
		Limit      int    `json:"limit"`
		Open       *bool  `json:"open"`
		ShowHidden bool   `json:"show_hidden"`
		Query      string `json:"query"`
		Cursor     string `json:"cursor"`
	}) (any, error) {
		parties, cursor, err := st.nk.PartyList(st.ctx, a.Limit, a.Open, a.ShowHidden, a.Query, a.Cursor)
		if err != nil {
			return nil, err
		}
		list, err := protoList(parties, nil)
		return struct {
			Parties json.RawMessage `json:"parties"`
			Cursor  string          `json:"cursor"`
		}{list, cursor}, err
	}),
}

func init() {
	for name, f := range miscFunctions {
		nkFunctions[name] = f
	}
}

// miscError gives the errors of these functions the codes the dev host
// answers them with (server/src/nk/misc.rs): argument refusals are
// INVALID_ARGUMENT, a missing leaderboard, tournament, rank or file
// NOT_FOUND, a file not to be read PERMISSION_DENIED.
func miscError(err error) (int, bool) {
	msg := err.Error()
	switch {
	case errors.Is(err, fs.ErrNotExist), strings.HasPrefix(msg, "failed to get cursor from rank: "):
		return 5, true
	case errors.Is(err, fs.ErrPermission):
		return 7, true
	case msg == "invalid leaderboard id", msg == "invalid rank - must be > 1", msg == "invalid expiry",
		msg == "invalid cursor", strings.HasPrefix(msg, "invalid cursor: param "):
		return 3, true
	}
	return 0, false
}
