package main

import "testing"

func TestGofrsUUIDReadsTheFormsNakamaAccepts(t *testing.T) {
	for s, want := range map[string]bool{
		"5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11":          true,
		"5bd0c3a80b3e4c57a7f10d6f0e4c9a11":              true,
		"{5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11}":        true,
		"{5bd0c3a80b3e4c57a7f10d6f0e4c9a11}":            true,
		"urn:uuid:5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11": true,
		"urn:uuid:5bd0c3a80b3e4c57a7f10d6f0e4c9a11":     true,
		"5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a1z":          false,
		"5bd0c3a80b3e-4c57-a7f1-0d6f0e4c9a11-":          false,
		"[5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11]":        false,
		"bad":                                           false,
		"":                                              false,
	} {
		if got := gofrsUUID(s); got != want {
			t.Errorf("gofrsUUID(%q) = %v, want %v", s, got, want)
		}
	}
}

// An export without account.user is refused before Nakama sees it, but
// only where Nakama would get that far: its own refusals come first.
func TestExportWithoutUserIsCaughtAfterNakamasOwnChecks(t *testing.T) {
	id := "5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11"
	for _, c := range []struct {
		data, userID string
		want         bool
	}{
		{`{}`, "", true},
		{`null`, "", true},
		{`{"account": {}}`, id, true},
		{`{"Account": {"User": null}}`, "", true},
		{`{"account": {"user": {}}}`, "", false},
		{``, "", false},
		{`nope`, "", false},
		{`{"objects": [{"permission_read": "2"}]}`, "", false},
		{`{"account": {"verify_time": "2024-01-01T00:00:00Z"}}`, "", false},
		{`{}`, "bad", false},
	} {
		if got := exportWithoutUser(c.data, c.userID); got != c.want {
			t.Errorf("exportWithoutUser(%q, %q) = %v, want %v", c.data, c.userID, got, c.want)
		}
	}
}
