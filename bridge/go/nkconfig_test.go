package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heroiclabs/nakama-common/runtime"
)

// fakeConfig answers every string setting with its own key (so a setting
// copied into the wrong field shows), numbers and flags as set below.
type fakeConfig struct{}

func (fakeConfig) GetName() string                           { return "name" }
func (fakeConfig) GetShutdownGraceSec() int                  { return 7 }
func (c fakeConfig) GetLogger() runtime.LoggerConfig         { return c }
func (c fakeConfig) GetSession() runtime.SessionConfig       { return c }
func (c fakeConfig) GetSocket() runtime.SocketConfig         { return c }
func (c fakeConfig) GetSocial() runtime.SocialConfig         { return c }
func (c fakeConfig) GetRuntime() runtime.RuntimeConfig       { return c }
func (c fakeConfig) GetIAP() runtime.IAPConfig               { return fakeIAP{} }
func (c fakeConfig) GetGoogleAuth() runtime.GoogleAuthConfig { return c }
func (c fakeConfig) GetSatori() runtime.SatoriConfig         { return c }
func (fakeConfig) GetLevel() string                          { return "level" }
func (fakeConfig) GetEncryptionKey() string                  { return "encryption_key" }
func (fakeConfig) GetTokenExpirySec() int64                  { return 60 }
func (fakeConfig) GetRefreshEncryptionKey() string           { return "refresh_encryption_key" }
func (fakeConfig) GetRefreshTokenExpirySec() int64           { return 3600 }
func (fakeConfig) GetSingleSocket() bool                     { return true }
func (fakeConfig) GetSingleMatch() bool                      { return false }
func (fakeConfig) GetSingleParty() bool                      { return true }
func (fakeConfig) GetSingleSession() bool                    { return false }
func (fakeConfig) GetServerKey() string                      { return "server_key" }
func (fakeConfig) GetPort() int                              { return 7350 }
func (fakeConfig) GetAddress() string                        { return "address" }
func (fakeConfig) GetProtocol() string                       { return "protocol" }
func (c fakeConfig) GetSteam() runtime.SocialConfigSteam     { return c }
func (c fakeConfig) GetFacebookInstantGame() runtime.SocialConfigFacebookInstantGame {
	return c
}
func (c fakeConfig) GetFacebookLimitedLogin() runtime.SocialConfigFacebookLimitedLogin {
	return c
}
func (c fakeConfig) GetApple() runtime.SocialConfigApple { return c }
func (fakeConfig) GetPublisherKey() string               { return "publisher_key" }
func (fakeConfig) GetAppID() int                         { return 480 }
func (fakeConfig) GetAppSecret() string                  { return "app_secret" }
func (fakeConfig) GetAppId() string                      { return "app_id" }
func (fakeConfig) GetBundleId() string                   { return "bundle_id" }
func (fakeConfig) GetEnv() []string                      { return []string{"A=1"} }
func (fakeConfig) GetHTTPKey() string                    { return "http_key" }
func (fakeConfig) GetSharedPassword() string             { return "shared_password" }
func (fakeConfig) GetNotificationsEndpointId() string    { return "notifications_endpoint_id" }
func (fakeConfig) GetClientEmail() string                { return "client_email" }
func (fakeConfig) GetPrivateKey() string                 { return "private_key" }
func (fakeConfig) GetPublicKey() string                  { return "public_key" }
func (fakeConfig) GetClientID() string                   { return "client_id" }
func (fakeConfig) GetClientSecret() string               { return "client_secret" }
func (fakeConfig) GetPackageName() string                { return "package_name" }
func (fakeConfig) GetCredentialsJSON() string            { return "credentials_json" }
func (fakeConfig) GetUrl() string                        { return "url" }
func (fakeConfig) GetApiKeyName() string                 { return "api_key_name" }
func (fakeConfig) GetApiKey() string                     { return "api_key" }
func (fakeConfig) GetSigningKey() string                 { return "signing_key" }

// fakeIAP is the IAP section (its GetApple differs from the social one's).
type fakeIAP struct{ fakeConfig }

func (c fakeIAP) GetApple() runtime.IAPAppleConfig                     { return c }
func (c fakeIAP) GetGoogle() runtime.IAPGoogleConfig                   { return c }
func (c fakeIAP) GetHuawei() runtime.IAPHuaweiConfig                   { return c }
func (c fakeIAP) GetFacebookInstant() runtime.IAPFacebookInstantConfig { return c }
func (c fakeIAP) GetSamsung() runtime.IAPSamsungConfig                 { return c }

type configInitializer struct {
	runtime.Initializer
	config runtime.Config
}

func (i configInitializer) GetConfig() (runtime.Config, error) { return i.config, nil }

// Every setting lands under its own key, as Lua's nk.get_config names it
// (and abi/src/nk/config.rs reads it).
func TestGetConfigAnswersEverySettingUnderItsKey(t *testing.T) {
	t.Cleanup(func() { configAnswer.json, configAnswer.err = nil, nil })
	readConfig(configInitializer{config: fakeConfig{}})
	code, out := nkCall(&callState{}, "get_config", "null", nil)
	if code != 0 {
		t.Fatalf("%d %s", code, out)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	leaves := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case string:
			leaves++
			if !hasLastKey(path, v) {
				t.Errorf("%s = %q", path, v)
			}
		}
	}
	walk("", got)
	if leaves != 27 {
		t.Errorf("%d string settings, want 27", leaves)
	}
	session := `"session":{"encryption_key":"encryption_key","token_expiry_sec":60,"refresh_encryption_key":"refresh_encryption_key","refresh_token_expiry_sec":3600,"single_socket":true,"single_match":false,"single_party":true,"single_session":false}`
	for _, part := range []string{`"shutdown_grace_sec":7`, session, `"port":7350`, `"app_id":480`, `"env":["A=1"]`} {
		if !strings.Contains(string(out), part) {
			t.Errorf("no %s in %s", part, out)
		}
	}
}

// A section Nakama left nil is an INTERNAL error for the module, never a
// panic in Nakama.
func TestGetConfigWithASectionMissingIsAnError(t *testing.T) {
	t.Cleanup(func() { configAnswer.json, configAnswer.err = nil, nil })
	readConfig(configInitializer{config: partConfig{}})
	code, out := nkCall(&callState{}, "get_config", "null", nil)
	if code != 13 || !strings.HasPrefix(string(out), "failed to get config: incomplete configuration") {
		t.Fatalf("%d %s", code, out)
	}
}

// partConfig has no sections at all.
type partConfig struct{ runtime.Config }

func (partConfig) GetName() string { return "name" }

func hasLastKey(path, v string) bool { return strings.HasSuffix(path, "."+v) }
