//! The answer of `get_config` (ABI 1.15): the read-only part of the
//! server's configuration Nakama gives its runtimes (Go's
//! `Initializer.GetConfig`, Lua's `nk.get_config`), section by section
//! under the names of Nakama's YAML keys.

use serde::{Deserialize, Serialize};

/// What `get_config` answers. Secrets are included, as Nakama gives them
/// to Go, Lua and JavaScript modules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// `name`: the node's name.
    pub name: String,
    /// `shutdown_grace_sec`.
    pub shutdown_grace_sec: i64,
    pub logger: LoggerConfig,
    pub session: SessionConfig,
    pub socket: SocketConfig,
    pub social: SocialConfig,
    pub runtime: RuntimeConfig,
    pub iap: IapConfig,
    pub google_auth: GoogleAuthConfig,
    pub satori: SatoriConfig,
}

/// `logger.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggerConfig {
    /// `debug`, `info`, `warn` or `error`.
    pub level: String,
}

/// `session.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionConfig {
    pub encryption_key: String,
    pub token_expiry_sec: i64,
    pub refresh_encryption_key: String,
    pub refresh_token_expiry_sec: i64,
    pub single_socket: bool,
    pub single_match: bool,
    pub single_party: bool,
    pub single_session: bool,
}

/// `socket.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SocketConfig {
    /// The key clients authenticate with.
    pub server_key: String,
    pub port: i64,
    /// Empty: every interface.
    pub address: String,
    /// `tcp`, `tcp4` or `tcp6`.
    pub protocol: String,
}

/// `social.*`: the social providers' settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SocialConfig {
    pub steam: SteamConfig,
    pub facebook_instant_game: FacebookInstantGameConfig,
    pub facebook_limited_login: FacebookLimitedLoginConfig,
    pub apple: AppleSignInConfig,
}

/// `social.steam.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SteamConfig {
    pub publisher_key: String,
    pub app_id: i64,
}

/// `social.facebook_instant_game.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FacebookInstantGameConfig {
    pub app_secret: String,
}

/// `social.facebook_limited_login.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FacebookLimitedLoginConfig {
    pub app_id: String,
}

/// `social.apple.*` (Sign in with Apple).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppleSignInConfig {
    pub bundle_id: String,
}

/// `runtime.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuntimeConfig {
    /// `runtime.env` as given, `KEY=VALUE` each (a context's
    /// `env` has them as a map).
    #[serde(deserialize_with = "super::null_as_empty")]
    pub env: Vec<String>,
    /// The key server-to-server RPC calls give as `http_key`.
    pub http_key: String,
}

/// `iap.*`: the stores' settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IapConfig {
    pub apple: IapAppleConfig,
    pub google: IapGoogleConfig,
    pub huawei: IapHuaweiConfig,
    pub facebook_instant: IapFacebookInstantConfig,
    pub samsung: IapSamsungConfig,
}

/// `iap.apple.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IapAppleConfig {
    pub shared_password: String,
    pub notifications_endpoint_id: String,
}

/// `iap.google.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IapGoogleConfig {
    pub client_email: String,
    pub private_key: String,
    pub notifications_endpoint_id: String,
}

/// `iap.huawei.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IapHuaweiConfig {
    pub public_key: String,
    pub client_id: String,
    pub client_secret: String,
}

/// `iap.facebook_instant.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IapFacebookInstantConfig {
    pub app_secret: String,
}

/// `iap.samsung.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IapSamsungConfig {
    pub package_name: String,
}

/// `google_auth.*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoogleAuthConfig {
    pub credentials_json: String,
}

/// `satori.*`: where the Satori client goes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriConfig {
    pub url: String,
    pub api_key_name: String,
    pub api_key: String,
    pub signing_key: String,
}
