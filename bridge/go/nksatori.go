package main

import (
	"errors"
	"strings"

	"github.com/heroiclabs/nakama-common/runtime"
)

// The Satori nk functions (abi/src/nk/satori.rs), forwarded to Nakama's
// own Satori client (nk.GetSatori()); registered into nkFunctions at
// start. Answers are Nakama's runtime types as encoding/json writes them,
// which the ABI's types read.

type satoriIDArgs struct {
	ID string `json:"id"`
}

type satoriListArgs struct {
	ID     string   `json:"id"`
	Names  []string `json:"names"`
	Labels []string `json:"labels"`
}

// satoriEvent is runtime.Event with its timestamp, which runtime.Event
// leaves out of its JSON.
type satoriEvent struct {
	Name             string            `json:"name"`
	ID               string            `json:"id"`
	Metadata         map[string]string `json:"metadata"`
	Value            string            `json:"value"`
	IdentityID       string            `json:"identity_id"`
	SessionID        string            `json:"session_id"`
	SessionIssuedAt  int64             `json:"session_issued_at"`
	SessionExpiresAt int64             `json:"session_expires_at"`
	Timestamp        int64             `json:"timestamp"`
}

type satoriEventsArgs struct {
	ID        string        `json:"id"`
	Events    []satoriEvent `json:"events"`
	IPAddress string        `json:"ip_address"`
}

func (a satoriEventsArgs) events() []*runtime.Event {
	events := make([]*runtime.Event, len(a.Events))
	for i, e := range a.Events {
		events[i] = &runtime.Event{Name: e.Name, Id: e.ID, Metadata: e.Metadata, Value: e.Value,
			IdentityId: e.IdentityID, SessionId: e.SessionID, SessionIssuedAt: e.SessionIssuedAt,
			SessionExpiresAt: e.SessionExpiresAt, Timestamp: e.Timestamp}
	}
	return events
}

var satoriFunctions = map[string]nkFunc{
	"satori_authenticate": forward(func(st *callState, a struct {
		ID        string            `json:"id"`
		Default   map[string]string `json:"default_properties"`
		Custom    map[string]string `json:"custom_properties"`
		NoSession bool              `json:"no_session"`
		IPAddress string            `json:"ip_address"`
	}) (any, error) {
		return st.nk.GetSatori().Authenticate(st.ctx, a.ID, a.Default, a.Custom, a.NoSession, a.IPAddress)
	}),
	"satori_identity_delete": forward(func(st *callState, a satoriIDArgs) (any, error) {
		return nil, st.nk.GetSatori().IdentityDelete(st.ctx, a.ID)
	}),
	"satori_properties_get": forward(func(st *callState, a satoriIDArgs) (any, error) {
		return st.nk.GetSatori().PropertiesGet(st.ctx, a.ID)
	}),
	"satori_properties_update": forward(func(st *callState, a struct {
		ID         string                   `json:"id"`
		Properties runtime.PropertiesUpdate `json:"properties"`
	}) (any, error) {
		return nil, st.nk.GetSatori().PropertiesUpdate(st.ctx, a.ID, &a.Properties)
	}),
	"satori_events_publish": forward(func(st *callState, a satoriEventsArgs) (any, error) {
		return nil, st.nk.GetSatori().EventsPublish(st.ctx, a.ID, a.events(), a.IPAddress)
	}),
	"satori_server_events_publish": forward(func(st *callState, a satoriEventsArgs) (any, error) {
		return nil, st.nk.GetSatori().ServerEventsPublish(st.ctx, a.events(), a.IPAddress)
	}),
	"satori_experiments_list": forward(func(st *callState, a satoriListArgs) (any, error) {
		return st.nk.GetSatori().ExperimentsList(st.ctx, a.ID, a.Names, a.Labels)
	}),
	"satori_flags_list": forward(func(st *callState, a satoriListArgs) (any, error) {
		return st.nk.GetSatori().FlagsList(st.ctx, a.ID, a.Names, a.Labels)
	}),
	"satori_flags_overrides_list": forward(func(st *callState, a satoriListArgs) (any, error) {
		return st.nk.GetSatori().FlagsOverridesList(st.ctx, a.ID, a.Names, a.Labels)
	}),
	"satori_live_events_list": forward(func(st *callState, a struct {
		satoriListArgs
		PastRunCount   int32 `json:"past_run_count"`
		FutureRunCount int32 `json:"future_run_count"`
		StartTimeSec   int64 `json:"start_time_sec"`
		EndTimeSec     int64 `json:"end_time_sec"`
	}) (any, error) {
		return st.nk.GetSatori().LiveEventsList(st.ctx, a.ID, a.Names, a.Labels, a.PastRunCount, a.FutureRunCount,
			a.StartTimeSec, a.EndTimeSec)
	}),
	"satori_live_event_join": forward(func(st *callState, a struct {
		ID          string `json:"id"`
		LiveEventID string `json:"live_event_id"`
	}) (any, error) {
		return nil, st.nk.GetSatori().LiveEventJoin(st.ctx, a.ID, a.LiveEventID)
	}),
	"satori_messages_list": forward(func(st *callState, a struct {
		ID         string   `json:"id"`
		Limit      int      `json:"limit"`
		Forward    bool     `json:"forward"`
		Cursor     string   `json:"cursor"`
		MessageIDs []string `json:"message_ids"`
	}) (any, error) {
		return st.nk.GetSatori().MessagesList(st.ctx, a.ID, a.Limit, a.Forward, a.Cursor, a.MessageIDs)
	}),
	"satori_message_update": forward(func(st *callState, a struct {
		ID          string `json:"id"`
		MessageID   string `json:"message_id"`
		ReadTime    int64  `json:"read_time"`
		ConsumeTime int64  `json:"consume_time"`
	}) (any, error) {
		return nil, st.nk.GetSatori().MessageUpdate(st.ctx, a.ID, a.MessageID, a.ReadTime, a.ConsumeTime)
	}),
	"satori_message_delete": forward(func(st *callState, a struct {
		ID        string `json:"id"`
		MessageID string `json:"message_id"`
	}) (any, error) {
		return nil, st.nk.GetSatori().MessageDelete(st.ctx, a.ID, a.MessageID)
	}),
	// The ABI's integrations and channels are runtime's numbers, and its
	// template override runtime's fields, so they decode as they are.
	"satori_console_direct_message_send": forward(func(st *callState, a struct {
		TemplateID       string                                                                         `json:"template_id"`
		RecipientIDs     []string                                                                       `json:"recipient_ids"`
		Integrations     []runtime.SatoriMessageIntegration                                             `json:"integrations"`
		Persist          bool                                                                           `json:"persist"`
		Channels         map[runtime.SatoriMessageIntegration]*runtime.SatoriMessageIntegrationChannels `json:"channels"`
		TemplateOverride *runtime.SatoriMessageTemplateOverride                                         `json:"template_override"`
	}) (any, error) {
		return st.nk.GetSatori().ConsoleDirectMessageSend(st.ctx, a.TemplateID, a.RecipientIDs, a.Integrations, a.Persist,
			a.Channels, a.TemplateOverride)
	}),
}

func init() {
	for name, f := range satoriFunctions {
		nkFunctions[name] = f
	}
}

// satoriError: Satori not configured is FAILED_PRECONDITION (as the dev
// host, which has no Satori, answers every Satori function); the
// arguments Nakama's client checks itself are INVALID_ARGUMENT; Satori's
// own refusals, which Nakama words "<HTTP status> status code: <body>",
// get the gRPC code of that status (satoriStatusCodes), retries given up
// UNAVAILABLE. The message stays Nakama's.
func satoriError(name string, err error) (int, bool) {
	if !strings.HasPrefix(name, "satori_") {
		return 0, false
	}
	if errors.Is(err, runtime.ErrSatoriConfigurationInvalid) {
		return 9, true
	}
	msg := err.Error()
	switch msg {
	case "pastRunCount cannot be negative", "futureRunCount cannot be negative", "startTimeSec cannot be negative",
		"endTimeSec cannot be negative", "startTimeSec cannot be after endTimeSec", "liveEventId cannot be empty",
		"limit must be greater than zero", "message id cannot be an empty string":
		return 3, true
	}
	if strings.HasPrefix(msg, "retries exhausted: ") {
		return 14, true
	}
	if status, _, ok := strings.Cut(msg, " status code"); ok {
		if code, known := satoriStatusCodes[status]; known {
			return code, true
		}
	}
	return 0, false
}

// satoriStatusCodes: the gRPC code of each HTTP status Satori refuses
// with (the inverse of the gateway's mapping; others stay INTERNAL).
var satoriStatusCodes = map[string]int{
	"400": 3, "401": 16, "403": 7, "404": 5, "408": 4, "409": 6, "412": 9, "429": 8,
	"501": 12, "502": 14, "503": 14, "504": 4,
}
