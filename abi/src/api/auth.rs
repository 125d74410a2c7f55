//! Sessions, session refresh and logout, and the nine authenticate requests.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::account::{
    AccountApple, AccountCustom, AccountDevice, AccountEmail, AccountFacebook,
    AccountFacebookInstantGame, AccountGameCenter, AccountGoogle, AccountSteam,
};
use super::serde_helpers::is_false;

/// What authenticate and refresh calls answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// Whether the call created a new account.
    #[serde(skip_serializing_if = "is_false")]
    pub created: bool,
    /// The session token (JWT).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// The refresh token (JWT).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub refresh_token: String,
}

/// Trade a refresh token for a new session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionRefreshRequest {
    /// The refresh token.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Replacement session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// Invalidate a session and/or refresh token (both empty: all of them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionLogoutRequest {
    /// Session token to invalidate.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Refresh token to invalidate.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub refresh_token: String,
}

/// Authenticate with Apple.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateAppleRequest {
    /// The Apple credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountApple>,
    /// Create the account if missing (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Username for a newly created account.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
}

/// Authenticate with a custom id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateCustomRequest {
    /// The custom id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountCustom>,
    /// Create the account if missing (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Username for a newly created account.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
}

/// Authenticate with a device id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateDeviceRequest {
    /// The device id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountDevice>,
    /// Create the account if missing (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Username for a newly created account.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
}

/// Authenticate with email and password.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateEmailRequest {
    /// The email credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountEmail>,
    /// Create the account if missing (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Username for a new account, or for a username + password login.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
}

/// Authenticate with Facebook.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateFacebookRequest {
    /// The Facebook token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountFacebook>,
    /// Create the account if missing (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Username for a newly created account.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// Import Facebook friends too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<bool>,
}

/// Authenticate with Facebook Instant Games.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateFacebookInstantGameRequest {
    /// The signed player info.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountFacebookInstantGame>,
    /// Create the account if missing (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Username for a newly created account.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
}

/// Authenticate with Apple Game Center.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateGameCenterRequest {
    /// The Game Center verification data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountGameCenter>,
    /// Create the account if missing (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Username for a newly created account.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
}

/// Authenticate with Google.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateGoogleRequest {
    /// The Google token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountGoogle>,
    /// Create the account if missing (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Username for a newly created account.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
}

/// Authenticate with Steam.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateSteamRequest {
    /// The Steam ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountSteam>,
    /// Create the account if missing (server default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Username for a newly created account.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// Import Steam friends too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<bool>,
}
