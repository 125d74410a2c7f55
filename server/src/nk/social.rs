//! The social login nk functions and the core of the social client
//! routes (`/v2/account/{authenticate,link,unlink}/{apple,facebook,
//! facebookinstantgame,gamecenter,google,steam}`), as Nakama 3.40.0 has
//! them (server/runtime_go_nakama.go, api_authenticate.go, core_link.go,
//! core_unlink.go, social/social.go).
//!
//! Nakama checks the arguments and its `social` settings, then asks the
//! provider. The dev host has no `social` settings (Nakama's defaults:
//! no Apple bundle id, no Steam publisher key or app id, an empty Facebook
//! Instant Games app secret) and contacts no provider: it gives Nakama's
//! refusals in Nakama's order, does what Nakama does without a network
//! (Game Center's public key URL, salt and signature checks; Facebook
//! Instant Games' signed player info, which Nakama checks with the app
//! secret itself, so those players log in, link and unlink as in Nakama;
//! unlinking without a token) and answers `UNIMPLEMENTED` where Nakama
//! would ask the provider. The other providers' ids come only from an
//! account import (`account_import_id`); unlinks clear them.

use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{alphabet, Engine};
use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{BoxFuture, CallError};
use serde_json::Value;

use super::{checks, decode, encode, DevHostApi};
use crate::channels::go_uuid;
use crate::db::account::{other_way_in, LAST_LINK};
use crate::db::pg_params;
use crate::db::AuthIdOwned;
use crate::db::Conn;

type Answer = BoxFuture<'static, Result<Vec<u8>, CallError>>;

/// A social login provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Apple,
    Facebook,
    FacebookInstantGame,
    GameCenter,
    Google,
    Steam,
}

impl Provider {
    /// The provider as Nakama's messages name it.
    fn name(self) -> &'static str {
        match self {
            Provider::Apple => "Apple",
            Provider::Facebook => "Facebook",
            Provider::FacebookInstantGame => "Facebook Instant Game",
            Provider::GameCenter => "GameCenter",
            Provider::Google => "Google",
            Provider::Steam => "Steam",
        }
    }

    /// The `users` column that holds the provider's id.
    fn column(self) -> &'static str {
        match self {
            Provider::Apple => "apple_id",
            Provider::Facebook => "facebook_id",
            Provider::FacebookInstantGame => "facebook_instant_game_id",
            Provider::GameCenter => "gamecenter_id",
            Provider::Google => "google_id",
            Provider::Steam => "steam_id",
        }
    }
}

/// What a client or module gives to prove a provider's identity.
pub enum Credential {
    /// A token, ticket or (Facebook Instant Games) signed player info.
    Token(String),
    GameCenter(nk::GameCenterCredentials),
}

fn refuse(message: &str) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

fn not_configured(message: &str) -> CallError {
    CallError::new(Code::FailedPrecondition, message)
}

/// Nakama's answer when the provider (or its own check) refuses.
fn unauthenticated(p: Provider) -> CallError {
    CallError::new(
        Code::Unauthenticated,
        format!("Could not authenticate {} profile.", p.name()),
    )
}

/// Where Nakama would ask the provider.
fn no_provider(p: Provider) -> CallError {
    CallError::new(
        Code::Unimplemented,
        format!(
            "the dev host cannot verify {} tokens (it contacts no provider); run on a real Nakama through the bridge",
            p.name()
        ),
    )
}

/// Go's base64 decoders are lenient about the bits after the last
/// character; RFC 4648's alphabet otherwise. Line breaks are skipped, as
/// Go skips them.
fn go_base64(engine: &GeneralPurpose, s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    engine.decode(s).ok()
}

const STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

const RAW_URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// The Facebook Instant Games app secret: Nakama's default, none.
const INSTANT_GAME_APP_SECRET: &str = "";

/// Nakama's `ExtractFacebookInstantGameID`: `signature.payload`, both
/// unpadded base64url, the payload a JSON object whose `algorithm`
/// (`HMAC-SHA256`, or a JWT name) signs the payload's base64 with the app
/// secret; answers its `player_id`.
pub fn instant_game_player(signed_player_info: &str, secret: &str) -> Option<String> {
    let (signature, payload64) = signed_player_info.split_once('.')?;
    if payload64.contains('.') {
        return None;
    }
    let payload = go_base64(&RAW_URL, payload64)?;
    // Go decodes into a struct: null is no error, wrong types are.
    let payload: Value = serde_json::from_slice(&payload).ok()?;
    let field = |k: &str| payload.get(k).filter(|v| !v.is_null());
    if !(payload.is_object() || payload.is_null()) {
        return None;
    }
    for k in ["algorithm", "player_id", "request_payload"] {
        if field(k).is_some_and(|v| !v.is_string()) {
            return None;
        }
    }
    if field("issued_at").is_some_and(|v| !v.is_i64()) {
        return None;
    }
    let text = |k: &str| field(k).and_then(Value::as_str).unwrap_or_default();
    let algorithm = match text("algorithm") {
        "HS256" | "HMAC-SHA256" => ring::hmac::HMAC_SHA256,
        "HS384" => ring::hmac::HMAC_SHA384,
        "HS512" => ring::hmac::HMAC_SHA512,
        // Other JWT methods need keys other than a secret; anything else
        // is "invalid signing method".
        _ => return None,
    };
    let signature = general_purpose::URL_SAFE_NO_PAD
        .decode(signature)
        .or_else(|_| RAW_URL.decode(signature))
        .ok()?;
    let key = ring::hmac::Key::new(algorithm, secret.as_bytes());
    ring::hmac::verify(&key, payload64.as_bytes(), &signature).ok()?;
    Some(text("player_id").to_string())
}

/// The checks Nakama's `CheckGameCenterID` makes before fetching Apple's
/// public key: an `https` URL with a path on a `*.apple.com` host, and a
/// base64 salt and signature.
pub fn game_center_checks_out(g: &nk::GameCenterCredentials) -> bool {
    let Some((scheme, rest)) = g.public_key_url.split_once(':') else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("//") else {
        return false; // no host
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let path = &tail[..tail.find(['?', '#']).unwrap_or(tail.len())];
    scheme.eq_ignore_ascii_case("https")
        && !path.is_empty()
        && path != "/"
        && host.ends_with(".apple.com")
        && go_base64(&STD, &g.salt).is_some()
        && go_base64(&STD, &g.signature).is_some()
}

/// Nakama's `CheckGameCenterID`: its own checks, then Apple's key.
fn game_center(g: &nk::GameCenterCredentials) -> CallError {
    if game_center_checks_out(g) {
        no_provider(Provider::GameCenter)
    } else {
        unauthenticated(Provider::GameCenter)
    }
}

/// The first of Game Center's six fields missing, in the order of
/// Nakama's core link and gateway authenticate checks.
pub fn game_center_missing(g: &nk::GameCenterCredentials) -> Option<CallError> {
    let required = [
        (g.bundle_id.is_empty(), "bundle ID"),
        (g.player_id.is_empty(), "player ID"),
        (g.public_key_url.is_empty(), "public key URL"),
        (g.salt.is_empty(), "salt"),
        (g.signature.is_empty(), "signature"),
        (g.timestamp == 0, "timestamp"),
    ];
    let (_, what) = required.iter().find(|(missing, _)| *missing)?;
    Some(refuse(&format!("GameCenter {what} is required.")))
}

/// Nakama's core authenticate, its arguments checked, up to finding the
/// account: the id to find or create it by, which only Facebook Instant
/// Games proves without a network (the player id its signed info holds);
/// else the provider's verdict.
pub fn authenticate(p: Provider, cred: Credential) -> Result<AuthIdOwned, CallError> {
    match (p, cred) {
        (Provider::GameCenter, Credential::GameCenter(g)) => Err(game_center(&g)),
        (Provider::FacebookInstantGame, Credential::Token(info)) => {
            instant_game_player(&info, INSTANT_GAME_APP_SECRET)
                .map(AuthIdOwned::FacebookInstantGame)
                .ok_or_else(|| {
                    CallError::new(
                Code::DataLoss,
                "Error extracting the Facebook Instant Game player ID or validating the signature",
            )
                })
        }
        _ => Err(no_provider(p)),
    }
}

/// Nakama's core link of `user_id` (a valid id): its checks, then the
/// provider's verdict; a Facebook Instant Games player id, proven
/// offline, is linked unless another account holds it.
pub fn link(c: &Conn, user_id: &str, p: Provider, cred: Credential) -> Result<(), CallError> {
    let token = match cred {
        Credential::Token(t) => t,
        Credential::GameCenter(g) => {
            return Err(game_center_missing(&g).unwrap_or_else(|| game_center(&g)))
        }
    };
    match p {
        Provider::Apple => return Err(not_configured("Apple authentication is not configured.")),
        Provider::Steam => return Err(not_configured("Steam authentication is not configured.")),
        _ => {}
    }
    if token.is_empty() {
        return Err(refuse(match p {
            Provider::FacebookInstantGame => {
                "Signed Player Info for a Facebook Instant Game is required."
            }
            Provider::Google => "Google access token is required.",
            _ => "Facebook access token is required.",
        }));
    }
    if p != Provider::FacebookInstantGame {
        return Err(no_provider(p));
    }
    let player =
        instant_game_player(&token, INSTANT_GAME_APP_SECRET).ok_or_else(|| unauthenticated(p))?;
    // As Nakama's update: no row for an unknown user either, with the
    // same words.
    let n = c
        .execute(
            "UPDATE users SET facebook_instant_game_id = ?2, update_time = ?3 WHERE id = ?1
             AND NOT EXISTS (SELECT 1 FROM users WHERE facebook_instant_game_id = ?2 AND id != ?1)",
            pg_params![user_id, player, c.now()],
        )
        .map_err(|e| CallError::new(Code::Internal, e.to_string()))?;
    if n == 0 {
        return Err(CallError::new(
            Code::AlreadyExists,
            "Facebook Instant Game ID is already in use.",
        ));
    }
    Ok(())
}

/// Nakama's core unlink for `user_id` (a valid id): with a credential,
/// only the id it proves; never the account's last way to log in.
pub fn unlink(c: &Conn, user_id: &str, p: Provider, cred: Credential) -> Result<(), CallError> {
    // The id the credential proves, if any ("": none given).
    let proven = match cred {
        Credential::Token(token) if token.is_empty() => String::new(),
        Credential::Token(token) => match p {
            // Without a bundle id Nakama's Apple check fails before asking.
            Provider::Apple => return Err(unauthenticated(p)),
            Provider::FacebookInstantGame => instant_game_player(&token, INSTANT_GAME_APP_SECRET)
                .ok_or_else(|| unauthenticated(p))?,
            _ => return Err(no_provider(p)),
        },
        Credential::GameCenter(g) => {
            if game_center_missing(&g).is_none() {
                return Err(game_center(&g));
            }
            String::new()
        }
    };
    // The id is cleared (only the proven one, when one is) if the account
    // has another way in, touching its update time as Nakama does.
    let column = p.column();
    let n = c
        .execute(
            &format!(
                "UPDATE users SET {column} = NULL, update_time = ?3 WHERE id = ?1
                 AND (?2 = '' OR {column} = ?2) AND {}",
                other_way_in(column)
            ),
            pg_params![user_id, proven, c.now()],
        )
        .map_err(|e| CallError::new(Code::Internal, e.to_string()))?;
    if n == 0 {
        return Err(CallError::new(Code::PermissionDenied, LAST_LINK));
    }
    Ok(())
}

/// The link and unlink functions' user id check.
fn user(user_id: &str) -> Result<String, CallError> {
    go_uuid(user_id)
        .map(|u| u.to_string())
        .ok_or_else(|| refuse("user ID must be a valid identifier"))
}

/// An authenticate function: `checks` are Nakama's module checks of its
/// arguments, giving the credential, username and create flag; then the
/// core, which finds or creates the account where the dev host can.
fn auth_fn<F>(
    api: &DevHostApi,
    args: &[u8],
    p: Provider,
    checks: impl FnOnce(F::Args) -> Result<(Credential, String, bool), CallError>,
) -> Answer
where
    F: NkFunction<Output = nk::AuthenticateResult>,
{
    let checked = decode::<F::Args>(F::NAME, args).and_then(checks);
    let db = api.db.clone();
    Box::pin(async move {
        let (cred, username, create) = checked?;
        let id = authenticate(p, cred)?;
        let found = db
            .run(move |c| id.authenticate(c, &username, create))
            .await?;
        encode(&nk::AuthenticateResult {
            user_id: found.user_id,
            username: found.username,
            created: found.created,
        })
    })
}

/// An authenticate function with a token: Nakama's module checks
/// (`configured`, then `missing` when the token is empty, then the
/// username).
fn auth_token<F>(
    api: &DevHostApi,
    args: &[u8],
    p: Provider,
    configured: bool,
    missing: &'static str,
) -> Answer
where
    F: NkFunction<Args = nk::AuthenticateTokenArgs, Output = nk::AuthenticateResult>,
{
    auth_fn::<F>(api, args, p, move |a| {
        if !configured {
            return Err(not_configured(&format!(
                "{} authentication is not configured",
                p.name()
            )));
        }
        if a.token.is_empty() {
            return Err(refuse(missing));
        }
        checks::username(&a.username)?;
        Ok((Credential::Token(a.token), a.username, a.create))
    })
}

/// A link or unlink function: the user id check, then `core`; `parts` are
/// the user id and the credential of its arguments.
fn link_fn<F>(
    api: &DevHostApi,
    args: &[u8],
    p: Provider,
    parts: fn(F::Args) -> (String, Credential),
    core: fn(&Conn, &str, Provider, Credential) -> Result<(), CallError>,
) -> Answer
where
    F: NkFunction<Output = ()>,
{
    let parsed = decode::<F::Args>(F::NAME, args);
    let db = api.db.clone();
    Box::pin(async move {
        let (uid, cred) = parts(parsed?);
        let uid = user(&uid)?;
        db.run(move |c| core(c, &uid, p, cred)).await?;
        encode(&())
    })
}

fn token_parts(a: nk::LinkTokenArgs) -> (String, Credential) {
    (a.user_id, Credential::Token(a.token))
}

fn friends_parts(a: nk::LinkFriendsArgs) -> (String, Credential) {
    (a.user_id, Credential::Token(a.token))
}

fn game_center_parts(a: nk::LinkGameCenterArgs) -> (String, Credential) {
    (a.user_id, Credential::GameCenter(a.credentials))
}

/// The nk function `function`, when it is one of these.
pub(super) fn call(api: &DevHostApi, function: &str, args: &[u8]) -> Option<Answer> {
    use Provider::*;
    let (link, unlink) = (self::link, self::unlink);
    Some(match function {
        nk::AuthenticateApple::NAME => {
            auth_token::<nk::AuthenticateApple>(api, args, Apple, false, "expects token string")
        }
        nk::AuthenticateGoogle::NAME => {
            auth_token::<nk::AuthenticateGoogle>(api, args, Google, true, "expects ID token string")
        }
        nk::AuthenticateSteam::NAME => {
            auth_token::<nk::AuthenticateSteam>(api, args, Steam, false, "expects token string")
        }
        nk::AuthenticateFacebook::NAME => {
            auth_fn::<nk::AuthenticateFacebook>(api, args, Facebook, |a| {
                if a.token.is_empty() {
                    return Err(refuse("expects access token string"));
                }
                checks::username(&a.username)?;
                Ok((Credential::Token(a.token), a.username, a.create))
            })
        }
        nk::AuthenticateFacebookInstantGame::NAME => {
            auth_fn::<nk::AuthenticateFacebookInstantGame>(api, args, FacebookInstantGame, |a| {
                if a.signed_player_info.is_empty() {
                    return Err(refuse("expects signed player info"));
                }
                checks::username(&a.username)?;
                let cred = Credential::Token(a.signed_player_info);
                Ok((cred, a.username, a.create))
            })
        }
        nk::AuthenticateGameCenter::NAME => {
            auth_fn::<nk::AuthenticateGameCenter>(api, args, GameCenter, |a| {
                let g = &a.credentials;
                let required = [
                    (g.player_id.is_empty(), "expects player ID string"),
                    (g.bundle_id.is_empty(), "expects bundle ID string"),
                    (g.timestamp == 0, "expects timestamp value"),
                    (g.salt.is_empty(), "expects salt string"),
                    (g.signature.is_empty(), "expects signature string"),
                    (g.public_key_url.is_empty(), "expects public key URL string"),
                ];
                if let Some((_, message)) = required.iter().find(|(missing, _)| *missing) {
                    return Err(refuse(message));
                }
                checks::username(&a.username)?;
                Ok((Credential::GameCenter(a.credentials), a.username, a.create))
            })
        }
        nk::LinkApple::NAME => link_fn::<nk::LinkApple>(api, args, Apple, token_parts, link),
        nk::LinkFacebookInstantGame::NAME => link_fn::<nk::LinkFacebookInstantGame>(
            api,
            args,
            FacebookInstantGame,
            token_parts,
            link,
        ),
        nk::LinkGoogle::NAME => link_fn::<nk::LinkGoogle>(api, args, Google, token_parts, link),
        nk::LinkFacebook::NAME => {
            link_fn::<nk::LinkFacebook>(api, args, Facebook, friends_parts, link)
        }
        nk::LinkSteam::NAME => link_fn::<nk::LinkSteam>(api, args, Steam, friends_parts, link),
        nk::LinkGameCenter::NAME => {
            link_fn::<nk::LinkGameCenter>(api, args, GameCenter, game_center_parts, link)
        }
        nk::UnlinkApple::NAME => link_fn::<nk::UnlinkApple>(api, args, Apple, token_parts, unlink),
        nk::UnlinkFacebook::NAME => {
            link_fn::<nk::UnlinkFacebook>(api, args, Facebook, token_parts, unlink)
        }
        nk::UnlinkFacebookInstantGame::NAME => link_fn::<nk::UnlinkFacebookInstantGame>(
            api,
            args,
            FacebookInstantGame,
            token_parts,
            unlink,
        ),
        nk::UnlinkGoogle::NAME => {
            link_fn::<nk::UnlinkGoogle>(api, args, Google, token_parts, unlink)
        }
        nk::UnlinkSteam::NAME => link_fn::<nk::UnlinkSteam>(api, args, Steam, token_parts, unlink),
        nk::UnlinkGameCenter::NAME => {
            link_fn::<nk::UnlinkGameCenter>(api, args, GameCenter, game_center_parts, unlink)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{"algorithm":"HMAC-SHA256","issued_at":1700000000,
    /// "player_id":"conformance-player","request_payload":""}`, signed with
    /// the empty secret.
    const SIGNED: &str = "Bj9teBzONnBPkqdpxhX3Wbj_4fAJdcb1w06wjhYG6Sc.eyJhbGdvcml0aG0iOiJITUFDLVNIQTI1NiIsImlzc3VlZF9hdCI6MTcwMDAwMDAwMCwicGxheWVyX2lkIjoiY29uZm9ybWFuY2UtcGxheWVyIiwicmVxdWVzdF9wYXlsb2FkIjoiIn0";

    fn sign(payload: &str, secret: &str) -> String {
        let payload64 = general_purpose::URL_SAFE_NO_PAD.encode(payload);
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
        let sig = ring::hmac::sign(&key, payload64.as_bytes());
        format!(
            "{}.{payload64}",
            general_purpose::URL_SAFE_NO_PAD.encode(sig)
        )
    }

    #[test]
    fn instant_games_player_info_is_checked_with_the_secret() {
        assert_eq!(
            instant_game_player(SIGNED, "").as_deref(),
            Some("conformance-player")
        );
        assert_eq!(instant_game_player(SIGNED, "secret"), None);
        let hs256 = sign(r#"{"algorithm":"HS256","player_id":"p"}"#, "s");
        assert_eq!(instant_game_player(&hs256, "s").as_deref(), Some("p"));
        // Nakama's refusals: not two parts, an unknown method, a payload
        // whose fields have other types, padding.
        assert_eq!(instant_game_player(&format!("{SIGNED}.x"), ""), None);
        assert_eq!(instant_game_player("abc", ""), None);
        let none = sign(r#"{"algorithm":"none","player_id":"p"}"#, "");
        assert_eq!(instant_game_player(&none, ""), None);
        let typed = sign(r#"{"algorithm":"HS256","issued_at":"now"}"#, "");
        assert_eq!(instant_game_player(&typed, ""), None);
        let null = sign("null", "");
        assert_eq!(instant_game_player(&null, ""), None, "no algorithm");
        assert_eq!(instant_game_player(&format!("{SIGNED}="), ""), None);
    }

    #[test]
    fn an_instant_games_player_is_found_created_and_linked_by_its_proven_id() {
        let info = || Credential::Token(SIGNED.to_string());
        let p = Provider::FacebookInstantGame;
        let Ok(id) = authenticate(p, info()) else {
            panic!("a valid signed player info")
        };
        let mut c = crate::db::memory_conn();
        assert_eq!(
            id.authenticate(&mut c, "", false).unwrap_err().code,
            Code::NotFound
        );
        let made = id.authenticate(&mut c, "ann", true).unwrap();
        assert!(made.created && made.username == "ann");
        let found = id.authenticate(&mut c, "", true).unwrap();
        assert_eq!(
            (found.user_id.as_str(), found.created),
            (made.user_id.as_str(), false)
        );
        // Another account cannot link the same player; its owner can.
        let other = crate::db::AuthIdOwned::Custom("custom-other".into());
        let other = other.authenticate(&mut c, "bob", true).unwrap();
        let taken = link(&c, &other.user_id, p, info()).unwrap_err();
        assert_eq!(taken.code, Code::AlreadyExists);
        link(&c, &made.user_id, p, info()).unwrap();
        let forged = Credential::Token(format!("x{SIGNED}"));
        assert_eq!(
            link(&c, &made.user_id, p, forged).unwrap_err().code,
            Code::Unauthenticated
        );
        // Its only way in: not unlinked.
        let last = unlink(&c, &made.user_id, p, info()).unwrap_err();
        assert_eq!(last.code, Code::PermissionDenied);
    }

    #[test]
    fn game_center_key_urls_must_be_https_with_a_path_on_apple_com() {
        let ok = nk::GameCenterCredentials {
            salt: "c2FsdA==".into(),
            signature: "c2ln".into(),
            public_key_url: "https://static.gc.apple.com/public-key/gc-prod-9.cer".into(),
            ..Default::default()
        };
        assert!(game_center_checks_out(&ok));
        for url in [
            "http://static.gc.apple.com/k.cer",
            "https://static.gc.apple.com/",
            "https://static.gc.apple.com",
            "https://apple.com.example.org/k",
            "https://static.gc.apple.com:443/k",
            "static.gc.apple.com/k",
        ] {
            let g = nk::GameCenterCredentials {
                public_key_url: url.into(),
                ..ok.clone()
            };
            assert!(!game_center_checks_out(&g), "{url}");
        }
        let unpadded = nk::GameCenterCredentials {
            salt: "c2FsdA".into(),
            ..ok.clone()
        };
        assert!(!game_center_checks_out(&unpadded));
    }
}
