package main

import (
	"encoding/json"
	"fmt"

	"github.com/heroiclabs/nakama-common/runtime"
)

// get_config (abi/src/nk/config.rs, ABI 1.15): the configuration Nakama's
// initializer gives Go modules (Initializer.GetConfig), with the fields
// and names of Lua's nk.get_config. Go's NakamaModule has no such
// function, so the bridge reads it once, in InitModule, and answers every
// call with it (the settings do not change while Nakama runs).

type serverConfig struct {
	Name             string `json:"name"`
	ShutdownGraceSec int    `json:"shutdown_grace_sec"`
	Logger           struct {
		Level string `json:"level"`
	} `json:"logger"`
	Session struct {
		EncryptionKey         string `json:"encryption_key"`
		TokenExpirySec        int64  `json:"token_expiry_sec"`
		RefreshEncryptionKey  string `json:"refresh_encryption_key"`
		RefreshTokenExpirySec int64  `json:"refresh_token_expiry_sec"`
		SingleSocket          bool   `json:"single_socket"`
		SingleMatch           bool   `json:"single_match"`
		SingleParty           bool   `json:"single_party"`
		SingleSession         bool   `json:"single_session"`
	} `json:"session"`
	Socket struct {
		ServerKey string `json:"server_key"`
		Port      int    `json:"port"`
		Address   string `json:"address"`
		Protocol  string `json:"protocol"`
	} `json:"socket"`
	Social struct {
		Steam struct {
			PublisherKey string `json:"publisher_key"`
			AppID        int    `json:"app_id"`
		} `json:"steam"`
		FacebookInstantGame struct {
			AppSecret string `json:"app_secret"`
		} `json:"facebook_instant_game"`
		FacebookLimitedLogin struct {
			AppID string `json:"app_id"`
		} `json:"facebook_limited_login"`
		Apple struct {
			BundleID string `json:"bundle_id"`
		} `json:"apple"`
	} `json:"social"`
	Runtime struct {
		Env     []string `json:"env"`
		HTTPKey string   `json:"http_key"`
	} `json:"runtime"`
	IAP struct {
		Apple struct {
			SharedPassword          string `json:"shared_password"`
			NotificationsEndpointID string `json:"notifications_endpoint_id"`
		} `json:"apple"`
		Google struct {
			ClientEmail             string `json:"client_email"`
			PrivateKey              string `json:"private_key"`
			NotificationsEndpointID string `json:"notifications_endpoint_id"`
		} `json:"google"`
		Huawei struct {
			PublicKey    string `json:"public_key"`
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
		} `json:"huawei"`
		FacebookInstant struct {
			AppSecret string `json:"app_secret"`
		} `json:"facebook_instant"`
		Samsung struct {
			PackageName string `json:"package_name"`
		} `json:"samsung"`
	} `json:"iap"`
	GoogleAuth struct {
		CredentialsJSON string `json:"credentials_json"`
	} `json:"google_auth"`
	Satori struct {
		URL        string `json:"url"`
		APIKeyName string `json:"api_key_name"`
		APIKey     string `json:"api_key"`
		SigningKey string `json:"signing_key"`
	} `json:"satori"`
}

// configAnswer is what get_config answers, or why it cannot; set by
// InitModule before any Rust code runs.
var configAnswer = struct {
	json json.RawMessage
	err  error
}{err: fmt.Errorf("failed to get config: not read yet")}

// readConfig sets configAnswer from the initializer's configuration.
func readConfig(initializer runtime.Initializer) {
	c, err := initializer.GetConfig()
	if err == nil {
		var out serverConfig
		if out, err = configOf(c); err == nil {
			configAnswer.json, err = json.Marshal(out)
		}
	}
	if err != nil {
		err = fmt.Errorf("failed to get config: %w", err)
	}
	configAnswer.err = err
}

// configOf copies c's settings. A section Nakama left nil is an error,
// not a panic in Nakama's process.
func configOf(c runtime.Config) (out serverConfig, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("incomplete configuration: %v", r)
		}
	}()
	out.Name = c.GetName()
	out.ShutdownGraceSec = c.GetShutdownGraceSec()
	out.Logger.Level = c.GetLogger().GetLevel()
	s := c.GetSession()
	out.Session.EncryptionKey = s.GetEncryptionKey()
	out.Session.TokenExpirySec = s.GetTokenExpirySec()
	out.Session.RefreshEncryptionKey = s.GetRefreshEncryptionKey()
	out.Session.RefreshTokenExpirySec = s.GetRefreshTokenExpirySec()
	out.Session.SingleSocket = s.GetSingleSocket()
	out.Session.SingleMatch = s.GetSingleMatch()
	out.Session.SingleParty = s.GetSingleParty()
	out.Session.SingleSession = s.GetSingleSession()
	so := c.GetSocket()
	out.Socket.ServerKey = so.GetServerKey()
	out.Socket.Port = so.GetPort()
	out.Socket.Address = so.GetAddress()
	out.Socket.Protocol = so.GetProtocol()
	sc := c.GetSocial()
	out.Social.Steam.PublisherKey = sc.GetSteam().GetPublisherKey()
	out.Social.Steam.AppID = sc.GetSteam().GetAppID()
	out.Social.FacebookInstantGame.AppSecret = sc.GetFacebookInstantGame().GetAppSecret()
	out.Social.FacebookLimitedLogin.AppID = sc.GetFacebookLimitedLogin().GetAppId()
	out.Social.Apple.BundleID = sc.GetApple().GetBundleId()
	out.Runtime.Env = c.GetRuntime().GetEnv()
	out.Runtime.HTTPKey = c.GetRuntime().GetHTTPKey()
	iap := c.GetIAP()
	out.IAP.Apple.SharedPassword = iap.GetApple().GetSharedPassword()
	out.IAP.Apple.NotificationsEndpointID = iap.GetApple().GetNotificationsEndpointId()
	out.IAP.Google.ClientEmail = iap.GetGoogle().GetClientEmail()
	out.IAP.Google.PrivateKey = iap.GetGoogle().GetPrivateKey()
	out.IAP.Google.NotificationsEndpointID = iap.GetGoogle().GetNotificationsEndpointId()
	out.IAP.Huawei.PublicKey = iap.GetHuawei().GetPublicKey()
	out.IAP.Huawei.ClientID = iap.GetHuawei().GetClientID()
	out.IAP.Huawei.ClientSecret = iap.GetHuawei().GetClientSecret()
	out.IAP.FacebookInstant.AppSecret = iap.GetFacebookInstant().GetAppSecret()
	out.IAP.Samsung.PackageName = iap.GetSamsung().GetPackageName()
	out.GoogleAuth.CredentialsJSON = c.GetGoogleAuth().GetCredentialsJSON()
	sat := c.GetSatori()
	out.Satori.URL = sat.GetUrl()
	out.Satori.APIKeyName = sat.GetApiKeyName()
	out.Satori.APIKey = sat.GetApiKey()
	out.Satori.SigningKey = sat.GetSigningKey()
	return out, nil
}

func init() {
	nkFunctions["get_config"] = forward(func(_ *callState, _ struct{}) (any, error) {
		if configAnswer.err != nil {
			return nil, configAnswer.err
		}
		return configAnswer.json, nil
	})
}
