package main

import (
	"encoding/json"

	"github.com/heroiclabs/nakama-common/rtapi"
	"github.com/heroiclabs/nakama-common/runtime"
)

// The stream and session nk functions (abi/src/nk/streams.rs), forwarded
// to Nakama's StreamUserList, StreamUserGet, StreamUserJoin,
// StreamUserUpdate, StreamUserLeave, StreamUserKick, StreamCount,
// StreamClose, StreamSend, StreamSendRaw, SessionDisconnect and
// SessionLogout; registered into nkFunctions at start.

// stream is a presence stream as the ABI writes it.
type stream struct {
	Mode       uint8  `json:"mode"`
	Subject    string `json:"subject"`
	Subcontext string `json:"subcontext"`
	Label      string `json:"label"`
}

// streamUserArgs name one session of one user on a stream.
type streamUserArgs struct {
	Stream    stream `json:"stream"`
	UserID    string `json:"user_id"`
	SessionID string `json:"session_id"`
}

// streamJoinArgs are the arguments of stream_user_join and stream_user_update.
type streamJoinArgs struct {
	streamUserArgs
	Hidden      bool   `json:"hidden"`
	Persistence bool   `json:"persistence"`
	Status      string `json:"status"`
}

// streamPresence is a presence as the ABI writes it (abi::nk::StreamPresence,
// and abi::matches::Presence, whose extra fields are absent).
type streamPresence struct {
	UserID      string `json:"user_id"`
	SessionID   string `json:"session_id"`
	Node        string `json:"node"`
	Username    string `json:"username"`
	Hidden      bool   `json:"hidden"`
	Persistence bool   `json:"persistence"`
	Status      string `json:"status"`
	Reason      uint8  `json:"reason"`
}

func (p *streamPresence) GetUserId() string                 { return p.UserID }
func (p *streamPresence) GetSessionId() string              { return p.SessionID }
func (p *streamPresence) GetNodeId() string                 { return p.Node }
func (p *streamPresence) GetHidden() bool                   { return p.Hidden }
func (p *streamPresence) GetPersistence() bool              { return p.Persistence }
func (p *streamPresence) GetUsername() string               { return p.Username }
func (p *streamPresence) GetStatus() string                 { return p.Status }
func (p *streamPresence) GetReason() runtime.PresenceReason { return runtime.PresenceReason(p.Reason) }

// presenceMeta is what stream_user_get answers.
type presenceMeta struct {
	Username    string `json:"username"`
	Hidden      bool   `json:"hidden"`
	Persistence bool   `json:"persistence"`
	Status      string `json:"status"`
	Reason      uint8  `json:"reason"`
}

func streamPresences(ps []streamPresence) []runtime.Presence {
	out := make([]runtime.Presence, len(ps))
	for i := range ps {
		out[i] = &ps[i]
	}
	return out
}

// streamError gives Nakama's refusals of the stream and session functions
// the codes the dev host answers them with (server/src/nk/streams.rs);
// the "expects ..." ones are told apart in nkError.
func streamError(err error) error {
	if err == nil {
		return nil
	}
	switch msg := err.Error(); msg {
	case "stream subject must be a valid identifier", "stream subcontext must be a valid identifier",
		"session token invalid", "refresh token invalid":
		return runtime.NewError(msg, 3)
	case "session not found", "node not found":
		return runtime.NewError(msg, 5)
	}
	return err
}

var streamFunctions = map[string]nkFunc{
	"stream_user_list": forward(func(st *callState, a struct {
		Stream           stream `json:"stream"`
		IncludeHidden    bool   `json:"include_hidden"`
		IncludeNotHidden bool   `json:"include_not_hidden"`
	}) (any, error) {
		s := a.Stream
		ps, err := st.nk.StreamUserList(s.Mode, s.Subject, s.Subcontext, s.Label, a.IncludeHidden, a.IncludeNotHidden)
		if err != nil {
			return nil, streamError(err)
		}
		out := make([]streamPresence, 0, len(ps))
		for _, p := range ps {
			out = append(out, streamPresence{
				UserID: p.GetUserId(), SessionID: p.GetSessionId(), Node: p.GetNodeId(),
				Username: p.GetUsername(), Hidden: p.GetHidden(), Persistence: p.GetPersistence(),
				Status: p.GetStatus(), Reason: uint8(p.GetReason()),
			})
		}
		return out, nil
	}),
	"stream_user_get": forward(func(st *callState, a streamUserArgs) (any, error) {
		s := a.Stream
		meta, err := st.nk.StreamUserGet(s.Mode, s.Subject, s.Subcontext, s.Label, a.UserID, a.SessionID)
		if err != nil || meta == nil {
			return nil, streamError(err)
		}
		return presenceMeta{
			Username: meta.GetUsername(), Hidden: meta.GetHidden(), Persistence: meta.GetPersistence(),
			Status: meta.GetStatus(), Reason: uint8(meta.GetReason()),
		}, nil
	}),
	"stream_user_join": forward(func(st *callState, a streamJoinArgs) (any, error) {
		s := a.Stream
		joined, err := st.nk.StreamUserJoin(s.Mode, s.Subject, s.Subcontext, s.Label, a.UserID, a.SessionID, a.Hidden, a.Persistence, a.Status)
		return joined, streamError(err)
	}),
	"stream_user_update": forward(func(st *callState, a streamJoinArgs) (any, error) {
		s := a.Stream
		return nil, streamError(st.nk.StreamUserUpdate(s.Mode, s.Subject, s.Subcontext, s.Label, a.UserID, a.SessionID, a.Hidden, a.Persistence, a.Status))
	}),
	"stream_user_leave": forward(func(st *callState, a streamUserArgs) (any, error) {
		s := a.Stream
		return nil, streamError(st.nk.StreamUserLeave(s.Mode, s.Subject, s.Subcontext, s.Label, a.UserID, a.SessionID))
	}),
	"stream_user_kick": forward(func(st *callState, a streamUserArgs) (any, error) {
		s := a.Stream
		p := &streamPresence{UserID: a.UserID, SessionID: a.SessionID}
		return nil, streamError(st.nk.StreamUserKick(s.Mode, s.Subject, s.Subcontext, s.Label, p))
	}),
	"stream_count": forward(func(st *callState, a struct {
		Stream stream `json:"stream"`
	}) (any, error) {
		s := a.Stream
		n, err := st.nk.StreamCount(s.Mode, s.Subject, s.Subcontext, s.Label)
		return n, streamError(err)
	}),
	"stream_close": forward(func(st *callState, a struct {
		Stream stream `json:"stream"`
	}) (any, error) {
		s := a.Stream
		return nil, streamError(st.nk.StreamClose(s.Mode, s.Subject, s.Subcontext, s.Label))
	}),
	"stream_send": forward(func(st *callState, a struct {
		Stream    stream           `json:"stream"`
		Data      string           `json:"data"`
		Presences []streamPresence `json:"presences"`
		Reliable  bool             `json:"reliable"`
	}) (any, error) {
		s := a.Stream
		return nil, streamError(st.nk.StreamSend(s.Mode, s.Subject, s.Subcontext, s.Label, a.Data, streamPresences(a.Presences), a.Reliable))
	}),
	"stream_send_raw": forward(func(st *callState, a struct {
		Stream    stream           `json:"stream"`
		Envelope  json.RawMessage  `json:"envelope"`
		Presences []streamPresence `json:"presences"`
		Reliable  bool             `json:"reliable"`
	}) (any, error) {
		s := a.Stream
		var msg *rtapi.Envelope
		if len(a.Envelope) > 0 && a.Envelope[0] == '{' {
			msg = &rtapi.Envelope{}
			if err := unmarshalOpts.Unmarshal(a.Envelope, msg); err != nil {
				msg = nil
			}
		}
		if msg == nil {
			// What Nakama answers a nil message.
			return nil, runtime.NewError("expects a valid message", 3)
		}
		return nil, streamError(st.nk.StreamSendRaw(s.Mode, s.Subject, s.Subcontext, s.Label, msg, streamPresences(a.Presences), a.Reliable))
	}),
	"session_disconnect": forward(func(st *callState, a struct {
		SessionID string `json:"session_id"`
		Reason    *uint8 `json:"reason"`
	}) (any, error) {
		if a.Reason == nil {
			return nil, st.nk.SessionDisconnect(st.ctx, a.SessionID)
		}
		return nil, st.nk.SessionDisconnect(st.ctx, a.SessionID, runtime.PresenceReason(*a.Reason))
	}),
	"session_logout": forward(func(st *callState, a struct {
		UserID       string `json:"user_id"`
		Token        string `json:"token"`
		RefreshToken string `json:"refresh_token"`
	}) (any, error) {
		return nil, streamError(st.nk.SessionLogout(a.UserID, a.Token, a.RefreshToken))
	}),
}

func init() {
	for name, f := range streamFunctions {
		nkFunctions[name] = f
	}
}
