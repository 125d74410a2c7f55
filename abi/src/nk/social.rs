//! The arguments of the social login nk functions (Nakama's
//! `AuthenticateApple`, `AuthenticateFacebook`,
//! `AuthenticateFacebookInstantGame`, `AuthenticateGameCenter`,
//! `AuthenticateGoogle`, `AuthenticateSteam` and their `Link*` and
//! `Unlink*` functions). The authenticate functions answer
//! [`super::AuthenticateResult`], the others nothing.

use serde::{Deserialize, Serialize};

/// Arguments of `authenticate_apple`, `authenticate_google` and
/// `authenticate_steam`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateTokenArgs {
    /// Apple's identity token, Google's ID token or a Steam session
    /// ticket.
    pub token: String,
    /// Empty: a random one when creating.
    pub username: String,
    pub create: bool,
}

/// Arguments of `authenticate_facebook`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateFacebookArgs {
    /// A Facebook OAuth or Limited Login (JWT) access token.
    pub token: String,
    /// Import the player's Facebook friends after logging in.
    pub import_friends: bool,
    /// Empty: a random one when creating.
    pub username: String,
    pub create: bool,
}

/// Arguments of `authenticate_facebook_instant_game`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateFacebookInstantGameArgs {
    /// The signed player info the Instant Games SDK gave the client.
    pub signed_player_info: String,
    /// Empty: a random one when creating.
    pub username: String,
    pub create: bool,
}

/// Arguments of `authenticate_game_center` (on the wire: the six fields,
/// `username` and `create`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateGameCenterArgs {
    #[serde(flatten)]
    pub credentials: GameCenterCredentials,
    /// Empty: a random one when creating.
    pub username: String,
    pub create: bool,
}

/// Arguments of `link_apple`, `link_facebook_instant_game`, `link_google`
/// and the `unlink_*` functions but `unlink_game_center`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkTokenArgs {
    pub user_id: String,
    /// The provider's token (Facebook Instant Game: the signed player
    /// info). Empty when unlinking: remove whatever id the account holds,
    /// asking no provider.
    pub token: String,
}

/// Arguments of `link_facebook` and `link_steam`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkFriendsArgs {
    pub user_id: String,
    /// The user's username, for the notifications of imported friends.
    pub username: String,
    /// A Facebook access token or a Steam session ticket.
    pub token: String,
    /// Import the player's Facebook or Steam friends too.
    pub import_friends: bool,
}

/// Arguments of `link_game_center` and `unlink_game_center` (on the
/// wire: `user_id` and the six fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkGameCenterArgs {
    pub user_id: String,
    #[serde(flatten)]
    pub credentials: GameCenterCredentials,
}

/// Game Center's identity verification data, as the client got it from
/// `fetchItems(forIdentityVerificationSignature:)`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GameCenterCredentials {
    pub player_id: String,
    /// The app's bundle id.
    pub bundle_id: String,
    /// When Game Center signed, Unix seconds.
    pub timestamp: i64,
    /// Base64.
    pub salt: String,
    /// Base64.
    pub signature: String,
    /// Where Apple's public key is: Nakama takes only an `https` URL with
    /// a path on a `*.apple.com` host.
    pub public_key_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn game_center_fields_are_flat_on_the_wire() {
        let a: LinkGameCenterArgs =
            serde_json::from_str(r#"{"user_id":"u","player_id":"p","timestamp":7}"#).unwrap();
        assert_eq!(
            (
                a.user_id.as_str(),
                a.credentials.player_id.as_str(),
                a.credentials.timestamp
            ),
            ("u", "p", 7)
        );
        let json = serde_json::to_value(AuthenticateGameCenterArgs {
            credentials: GameCenterCredentials {
                salt: "s".into(),
                ..Default::default()
            },
            create: true,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(json["salt"], "s");
        assert_eq!(json["create"], true);
    }
}
