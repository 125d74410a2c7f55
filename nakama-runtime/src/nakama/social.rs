//! Social logins: Nakama's `AuthenticateApple`, `AuthenticateFacebook`,
//! `AuthenticateFacebookInstantGame`, `AuthenticateGameCenter`,
//! `AuthenticateGoogle`, `AuthenticateSteam` and their `Link*` and
//! `Unlink*` functions.
//!
//! Nakama checks the arguments and its `social` settings, then asks the
//! provider to verify the token (Facebook Instant Games' signed player
//! info it checks itself, with `social.facebook_instant_game.app_secret`).
//! That works on Nakama through the bridge. The dev host asks no provider:
//! it gives Nakama's refusals up to that point, in Nakama's order, and
//! answers `UNIMPLEMENTED` where Nakama would ask the provider. Nakama
//! that cannot reach the provider answers `UNAUTHENTICATED` "Could not
//! authenticate ... profile.".
//!
//! Unlinking with an empty token asks no provider on either host: it
//! removes the id the account holds, unless that would leave it no way to
//! log in ("Cannot unlink last account identifier. Check profile exists
//! and is not last link.", `PERMISSION_DENIED`, also for an unknown user).
//!
//! Refusals of every function here: a bad username is "expects username
//! to be valid, no spaces or control characters allowed" or "expects id
//! to be valid, must be 1-128 bytes", a bad user id "user ID must be a
//! valid identifier" (`INVALID_ARGUMENT`).

use nakama_runtime_abi::nk;

use super::Nakama;
use crate::Error;

fn token_auth(token: &str, username: Option<&str>, create: bool) -> nk::AuthenticateTokenArgs {
    nk::AuthenticateTokenArgs {
        token: token.to_string(),
        username: username.unwrap_or_default().to_string(),
        create,
    }
}

fn token_link(user_id: &str, token: &str) -> nk::LinkTokenArgs {
    nk::LinkTokenArgs {
        user_id: user_id.to_string(),
        token: token.to_string(),
    }
}

fn friends_link(user_id: &str, username: &str, token: &str, import: bool) -> nk::LinkFriendsArgs {
    nk::LinkFriendsArgs {
        user_id: user_id.to_string(),
        username: username.to_string(),
        token: token.to_string(),
        import_friends: import,
    }
}

fn game_center_link(user_id: &str, c: &nk::GameCenterCredentials) -> nk::LinkGameCenterArgs {
    nk::LinkGameCenterArgs {
        user_id: user_id.to_string(),
        credentials: c.clone(),
    }
}

impl Nakama {
    /// Finds or creates (with `create`) an account by Sign in with Apple
    /// identity token (`AuthenticateApple`); `username` is for a new
    /// account (none: a random one).
    ///
    /// Refusals: "Apple authentication is not configured"
    /// (`FAILED_PRECONDITION`: no `social.apple.bundle_id`), "expects
    /// token string" (`INVALID_ARGUMENT`); "Could not authenticate Apple
    /// profile." (`UNAUTHENTICATED`); "User account not found."
    /// (`NOT_FOUND`, without `create`).
    pub async fn authenticate_apple(
        &self,
        token: &str,
        username: Option<&str>,
        create: bool,
    ) -> Result<nk::AuthenticateResult, Error> {
        self.call::<nk::AuthenticateApple>(&token_auth(token, username, create))
            .await
    }

    /// Finds or creates an account by Facebook access token
    /// (`AuthenticateFacebook`: a Limited Login JWT, else a Graph API
    /// token); with `import_friends`, its Facebook friends who play become
    /// its friends.
    ///
    /// Refusals: "expects access token string" (`INVALID_ARGUMENT`);
    /// "Could not authenticate Facebook profile." (`UNAUTHENTICATED`).
    pub async fn authenticate_facebook(
        &self,
        token: &str,
        import_friends: bool,
        username: Option<&str>,
        create: bool,
    ) -> Result<nk::AuthenticateResult, Error> {
        self.call::<nk::AuthenticateFacebook>(&nk::AuthenticateFacebookArgs {
            token: token.to_string(),
            import_friends,
            username: username.unwrap_or_default().to_string(),
            create,
        })
        .await
    }

    /// Finds or creates an account by Facebook Instant Games signed player
    /// info (`AuthenticateFacebookInstantGame`), checked with Nakama's
    /// `social.facebook_instant_game.app_secret`.
    ///
    /// Refusals: "expects signed player info" (`INVALID_ARGUMENT`); "Error
    /// extracting the Facebook Instant Game player ID or validating the
    /// signature" (`DATA_LOSS`: malformed, or signed with another secret).
    /// The dev host checks the signature as Nakama does (it has no app
    /// secret: the empty one) but keeps no Instant Games ids: a valid
    /// player info finds no account ("User account not found.",
    /// `NOT_FOUND`, without `create`) and creating one is `UNIMPLEMENTED`.
    pub async fn authenticate_facebook_instant_game(
        &self,
        signed_player_info: &str,
        username: Option<&str>,
        create: bool,
    ) -> Result<nk::AuthenticateResult, Error> {
        self.call::<nk::AuthenticateFacebookInstantGame>(&nk::AuthenticateFacebookInstantGameArgs {
            signed_player_info: signed_player_info.to_string(),
            username: username.unwrap_or_default().to_string(),
            create,
        })
        .await
    }

    /// Finds or creates an account by Game Center identity verification
    /// data (`AuthenticateGameCenter`).
    ///
    /// Refusals, in order: "expects player ID string", "expects bundle ID
    /// string", "expects timestamp value", "expects salt string", "expects
    /// signature string", "expects public key URL string"
    /// (`INVALID_ARGUMENT`); "Could not authenticate GameCenter profile."
    /// (`UNAUTHENTICATED`: also a public key URL that is not `https` on
    /// `*.apple.com` with a path, or a salt or signature that is not
    /// base64, which both hosts refuse without asking Apple).
    pub async fn authenticate_game_center(
        &self,
        credentials: &nk::GameCenterCredentials,
        username: Option<&str>,
        create: bool,
    ) -> Result<nk::AuthenticateResult, Error> {
        self.call::<nk::AuthenticateGameCenter>(&nk::AuthenticateGameCenterArgs {
            credentials: credentials.clone(),
            username: username.unwrap_or_default().to_string(),
            create,
        })
        .await
    }

    /// Finds or creates an account by Google ID token
    /// (`AuthenticateGoogle`).
    ///
    /// Refusals: "expects ID token string" (`INVALID_ARGUMENT`); "Could not
    /// authenticate Google profile." (`UNAUTHENTICATED`).
    pub async fn authenticate_google(
        &self,
        token: &str,
        username: Option<&str>,
        create: bool,
    ) -> Result<nk::AuthenticateResult, Error> {
        self.call::<nk::AuthenticateGoogle>(&token_auth(token, username, create))
            .await
    }

    /// Finds or creates an account by Steam session ticket
    /// (`AuthenticateSteam`; Nakama's module answers the user id, username
    /// and created flag, not the Steam id).
    ///
    /// Refusals: "Steam authentication is not configured"
    /// (`FAILED_PRECONDITION`: no `social.steam` publisher key or app id),
    /// "expects token string" (`INVALID_ARGUMENT`); "Could not
    /// authenticate Steam profile." (`UNAUTHENTICATED`).
    pub async fn authenticate_steam(
        &self,
        token: &str,
        username: Option<&str>,
        create: bool,
    ) -> Result<nk::AuthenticateResult, Error> {
        self.call::<nk::AuthenticateSteam>(&token_auth(token, username, create))
            .await
    }

    /// Gives `user_id`'s account the Apple id of `token` (`LinkApple`).
    ///
    /// Refusals: "Apple authentication is not configured."
    /// (`FAILED_PRECONDITION`), "Apple ID token is required."
    /// (`INVALID_ARGUMENT`), "Could not authenticate Apple profile."
    /// (`UNAUTHENTICATED`), "Apple ID is already in use." (`ALREADY_EXISTS`).
    pub async fn link_apple(&self, user_id: &str, token: &str) -> Result<(), Error> {
        self.call::<nk::LinkApple>(&token_link(user_id, token))
            .await
    }

    /// Gives `user_id`'s account the Facebook id of `token`
    /// (`LinkFacebook`); with `import_friends` (Graph API tokens only),
    /// its Facebook friends who play become its friends, notified as from
    /// `username`.
    ///
    /// Refusals: "Facebook access token is required." (`INVALID_ARGUMENT`),
    /// "Could not authenticate Facebook profile." (`UNAUTHENTICATED`),
    /// "Facebook ID is already in use." (`ALREADY_EXISTS`).
    pub async fn link_facebook(
        &self,
        user_id: &str,
        username: &str,
        token: &str,
        import_friends: bool,
    ) -> Result<(), Error> {
        self.call::<nk::LinkFacebook>(&friends_link(user_id, username, token, import_friends))
            .await
    }

    /// Gives `user_id`'s account the Instant Games player id of
    /// `signed_player_info` (`LinkFacebookInstantGame`).
    ///
    /// Refusals: "Signed Player Info for a Facebook Instant Game is
    /// required." (`INVALID_ARGUMENT`), "Could not authenticate Facebook
    /// Instant Game profile." (`UNAUTHENTICATED`: malformed or signed with
    /// another secret), "Facebook Instant Game ID is already in use."
    /// (`ALREADY_EXISTS`). The dev host keeps no Instant Games ids: a valid
    /// player info is `UNIMPLEMENTED` there.
    pub async fn link_facebook_instant_game(
        &self,
        user_id: &str,
        signed_player_info: &str,
    ) -> Result<(), Error> {
        self.call::<nk::LinkFacebookInstantGame>(&token_link(user_id, signed_player_info))
            .await
    }

    /// Gives `user_id`'s account the Game Center player id of
    /// `credentials` (`LinkGameCenter`).
    ///
    /// Refusals, in order: "GameCenter bundle ID is required.",
    /// "GameCenter player ID is required.", "GameCenter public key URL is
    /// required.", "GameCenter salt is required.", "GameCenter signature
    /// is required.", "GameCenter timestamp is required."
    /// (`INVALID_ARGUMENT`); "Could not authenticate GameCenter profile."
    /// (`UNAUTHENTICATED`); "GameCenter ID is already in use."
    /// (`ALREADY_EXISTS`).
    pub async fn link_game_center(
        &self,
        user_id: &str,
        credentials: &nk::GameCenterCredentials,
    ) -> Result<(), Error> {
        self.call::<nk::LinkGameCenter>(&game_center_link(user_id, credentials))
            .await
    }

    /// Gives `user_id`'s account the Google id of `token` (`LinkGoogle`).
    ///
    /// Refusals: "Google access token is required." (`INVALID_ARGUMENT`),
    /// "Could not authenticate Google profile." (`UNAUTHENTICATED`),
    /// "Google ID is already in use." (`ALREADY_EXISTS`).
    pub async fn link_google(&self, user_id: &str, token: &str) -> Result<(), Error> {
        self.call::<nk::LinkGoogle>(&token_link(user_id, token))
            .await
    }

    /// Gives `user_id`'s account the Steam id of `token` (`LinkSteam`);
    /// with `import_friends`, its Steam friends who play become its
    /// friends, notified as from `username`.
    ///
    /// Refusals: "Steam authentication is not configured."
    /// (`FAILED_PRECONDITION`), "Steam access token is required."
    /// (`INVALID_ARGUMENT`), "Could not authenticate Steam profile."
    /// (`UNAUTHENTICATED`), "Steam ID is already in use."
    /// (`ALREADY_EXISTS`).
    pub async fn link_steam(
        &self,
        user_id: &str,
        username: &str,
        token: &str,
        import_friends: bool,
    ) -> Result<(), Error> {
        self.call::<nk::LinkSteam>(&friends_link(user_id, username, token, import_friends))
            .await
    }

    /// Removes `user_id`'s Apple id (`UnlinkApple`); with a `token`, only
    /// if it is that token's (Nakama asks Apple: without
    /// `social.apple.bundle_id`, "Could not authenticate Apple profile.",
    /// `UNAUTHENTICATED`, on both hosts).
    pub async fn unlink_apple(&self, user_id: &str, token: &str) -> Result<(), Error> {
        self.call::<nk::UnlinkApple>(&token_link(user_id, token))
            .await
    }

    /// Removes `user_id`'s Facebook id (`UnlinkFacebook`); with a `token`,
    /// only if it is that token's (Nakama asks Facebook).
    pub async fn unlink_facebook(&self, user_id: &str, token: &str) -> Result<(), Error> {
        self.call::<nk::UnlinkFacebook>(&token_link(user_id, token))
            .await
    }

    /// Removes `user_id`'s Instant Games id (`UnlinkFacebookInstantGame`);
    /// with a `signed_player_info`, only if it is its player's ("Could not
    /// authenticate Facebook Instant Game profile.", `UNAUTHENTICATED`,
    /// when it does not check out). Both hosts check it themselves.
    pub async fn unlink_facebook_instant_game(
        &self,
        user_id: &str,
        signed_player_info: &str,
    ) -> Result<(), Error> {
        self.call::<nk::UnlinkFacebookInstantGame>(&token_link(user_id, signed_player_info))
            .await
    }

    /// Removes `user_id`'s Game Center id (`UnlinkGameCenter`); when all
    /// six `credentials` fields are given, only if it is their player's
    /// (Nakama asks Apple; a bad public key URL, salt or signature is
    /// "Could not authenticate GameCenter profile.", `UNAUTHENTICATED`, on
    /// both hosts).
    pub async fn unlink_game_center(
        &self,
        user_id: &str,
        credentials: &nk::GameCenterCredentials,
    ) -> Result<(), Error> {
        self.call::<nk::UnlinkGameCenter>(&game_center_link(user_id, credentials))
            .await
    }

    /// Removes `user_id`'s Google id (`UnlinkGoogle`); with a `token`, only
    /// if it is that token's (Nakama asks Google).
    pub async fn unlink_google(&self, user_id: &str, token: &str) -> Result<(), Error> {
        self.call::<nk::UnlinkGoogle>(&token_link(user_id, token))
            .await
    }

    /// Removes `user_id`'s Steam id (`UnlinkSteam`); with a `token`, only
    /// if it is that ticket's (Nakama asks Steam).
    pub async fn unlink_steam(&self, user_id: &str, token: &str) -> Result<(), Error> {
        self.call::<nk::UnlinkSteam>(&token_link(user_id, token))
            .await
    }
}
