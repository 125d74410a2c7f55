//! Accounts, users, and the per-provider account identifiers used by the
//! authenticate, link and unlink calls.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::serde_helpers::{int64_str, is_false, is_zero};

/// The caller's own account, as `GetAccount` answers it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Account {
    /// The public user record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// The wallet, as a JSON object encoded in a string.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub wallet: String,
    /// Email address, if one is linked.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// Device ids linked to the account.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<AccountDevice>,
    /// Custom id, if one is linked.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub custom_id: String,
    /// When the email was verified (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_time: Option<String>,
    /// When the account was banned (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_time: Option<String>,
}

/// A refresh token plus session variables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountRefresh {
    /// The refresh token.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Variables to put in the new session.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// Sign in with Apple identity token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountApple {
    /// The identity token from Apple.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// A custom id chosen by the game.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountCustom {
    /// The custom id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// A device id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountDevice {
    /// The device id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// Email and password credentials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountEmail {
    /// Email address.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// Password (not used when unlinking).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub password: String,
    /// Session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// A Facebook OAuth access token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountFacebook {
    /// The access token.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// Facebook Instant Games signed player info.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountFacebookInstantGame {
    /// The signed player info.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub signed_player_info: String,
    /// Session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// Apple Game Center identity verification data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountGameCenter {
    /// Game Center player id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub player_id: String,
    /// The app's bundle id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub bundle_id: String,
    /// When the signature was made (Unix seconds).
    #[serde(with = "int64_str", skip_serializing_if = "is_zero")]
    pub timestamp_seconds: i64,
    /// Salt used in the signature.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub salt: String,
    /// The verification signature.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub signature: String,
    /// Where Apple's public key can be fetched.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub public_key_url: String,
    /// Session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// A Google OAuth token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountGoogle {
    /// The OAuth token.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// A Steam session ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountSteam {
    /// The session ticket.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Session variables.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub vars: HashMap<String, String>,
}

/// A user's public record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    /// User id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Unique username.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// Display name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    /// Avatar image URL.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub avatar_url: String,
    /// Language tag, e.g. `en`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub lang_tag: String,
    /// Free-form location.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub location: String,
    /// Time zone name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub timezone: String,
    /// Server-set metadata, a JSON object in a string.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// Linked Facebook id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub facebook_id: String,
    /// Linked Google id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub google_id: String,
    /// Linked Game Center id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub gamecenter_id: String,
    /// Linked Steam id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub steam_id: String,
    /// Whether the user has a live socket.
    #[serde(skip_serializing_if = "is_false")]
    pub online: bool,
    /// Number of friend relationships.
    #[serde(skip_serializing_if = "is_zero")]
    pub edge_count: i32,
    /// When the user was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When the user was last changed (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    /// Linked Facebook Instant Games id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub facebook_instant_game_id: String,
    /// Linked Apple id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub apple_id: String,
}

/// A list of users.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Users {
    /// The users.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<User>,
}

/// Changes to the caller's own account; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateAccountRequest {
    /// New username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// New display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// New language tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang_tag: Option<String>,
    /// New location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// New time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// Which users to fetch: by id, username, or Facebook id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetUsersRequest {
    /// User ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Usernames.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub usernames: Vec<String>,
    /// Facebook ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facebook_ids: Vec<String>,
}

/// Link a Facebook account, optionally importing friends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkFacebookRequest {
    /// The Facebook token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountFacebook>,
    /// Import Facebook friends too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<bool>,
}

/// Link a Steam account, optionally importing friends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkSteamRequest {
    /// The Steam ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountSteam>,
    /// Import Steam friends too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<bool>,
}
