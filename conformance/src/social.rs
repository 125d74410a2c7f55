//! Social logins (Apple, Facebook, Facebook Instant Games, Game Center,
//! Google, Steam): the nk functions, through `fixtures/fixture-nk`'s
//! `nk_social` RPC, and the client's `/v2/account/{authenticate,link,
//! unlink}/*` routes with fixture-nk's hooks, on a host without `social`
//! settings and without a network. Both hosts give Nakama's refusals
//! alike up to where Nakama asks the provider; there Nakama (which cannot
//! reach it) answers `UNAUTHENTICATED` "Could not authenticate ...
//! profile." and the dev host `UNIMPLEMENTED`, as [`Host`] tells. The
//! expected answers are what Nakama 3.40.0 answered through the bridge.

use serde_json::{json, Value};

use crate::http::request;
use crate::nk::call;
use crate::realtime::User;
pub use crate::Host;

/// Facebook Instant Games signed player info for player
/// `conformance-player`, signed with the empty app secret (Nakama's
/// default), which both hosts check as Nakama does.
pub const SIGNED_PLAYER_INFO: &str = "Bj9teBzONnBPkqdpxhX3Wbj_4fAJdcb1w06wjhYG6Sc.eyJhbGdvcml0aG0iOiJITUFDLVNIQTI1NiIsImlzc3VlZF9hdCI6MTcwMDAwMDAwMCwicGxheWVyX2lkIjoiY29uZm9ybWFuY2UtcGxheWVyIiwicmVxdWVzdF9wYXlsb2FkIjoiIn0";

/// The same payload signed with another secret.
pub const FORGED_PLAYER_INFO: &str = "JVOLCob46iTd6rglvSXs-Yuj6Zl1mg_2YLqKOfj9NKE.eyJhbGdvcml0aG0iOiJITUFDLVNIQTI1NiIsImlzc3VlZF9hdCI6MTcwMDAwMDAwMCwicGxheWVyX2lkIjoiY29uZm9ybWFuY2UtcGxheWVyIiwicmVxdWVzdF9wYXlsb2FkIjoiIn0";

const LAST_LINK: &str =
    "Cannot unlink last account identifier. Check profile exists and is not last link.";

/// What `nk_social` answers on both hosts.
const SHARED: &str = r#"{
  "apple_unconfigured": [9, "Apple authentication is not configured"],
  "steam_unconfigured": [9, "Steam authentication is not configured"],
  "facebook_no_token": [3, "expects access token string"],
  "facebook_bad_username": [3, "expects username to be valid, no spaces or control characters allowed"],
  "google_no_token": [3, "expects ID token string"],
  "google_long_username": [3, "expects id to be valid, must be 1-128 bytes"],
  "instant_no_info": [3, "expects signed player info"],
  "instant_malformed": [15, "Error extracting the Facebook Instant Game player ID or validating the signature"],
  "instant_forged": [15, "Error extracting the Facebook Instant Game player ID or validating the signature"],
  "instant_unknown": [5, "User account not found."],
  "gc_no_player": [3, "expects player ID string"],
  "gc_no_bundle": [3, "expects bundle ID string"],
  "gc_no_timestamp": [3, "expects timestamp value"],
  "gc_no_salt": [3, "expects salt string"],
  "gc_no_signature": [3, "expects signature string"],
  "gc_no_url": [3, "expects public key URL string"],
  "gc_http_url": [16, "Could not authenticate GameCenter profile."],
  "gc_other_host": [16, "Could not authenticate GameCenter profile."],
  "gc_bad_salt": [16, "Could not authenticate GameCenter profile."],
  "gc_bad_username": [3, "expects username to be valid, no spaces or control characters allowed"],
  "link_bad_user": [3, "user ID must be a valid identifier"],
  "link_apple": [9, "Apple authentication is not configured."],
  "link_steam": [9, "Steam authentication is not configured."],
  "link_facebook_no_token": [3, "Facebook access token is required."],
  "link_google_no_token": [3, "Google access token is required."],
  "link_instant_no_info": [3, "Signed Player Info for a Facebook Instant Game is required."],
  "link_instant_forged": [16, "Could not authenticate Facebook Instant Game profile."],
  "link_gc_no_bundle": [3, "GameCenter bundle ID is required."],
  "link_gc_no_timestamp": [3, "GameCenter timestamp is required."],
  "link_gc_other_host": [16, "Could not authenticate GameCenter profile."],
  "unlink_bad_user": [3, "user ID must be a valid identifier"],
  "unlink_steam": {"ok": null},
  "unlink_google": {"ok": null},
  "unlink_apple_token": [16, "Could not authenticate Apple profile."],
  "unlink_instant_forged": [16, "Could not authenticate Facebook Instant Game profile."],
  "unlink_instant_not_held": [7, "Cannot unlink last account identifier. Check profile exists and is not last link."],
  "unlink_gc_partial": {"ok": null},
  "unlink_gc_bad_signature": [16, "Could not authenticate GameCenter profile."],
  "unlink_nobody": [7, "Cannot unlink last account identifier. Check profile exists and is not last link."]
}"#;

/// Where `host` asks a provider: Nakama, without a network, cannot reach
/// it; the dev host never tries.
fn remote(host: Host, provider: &str) -> Value {
    match host {
        Host::Nakama => json!([16, format!("Could not authenticate {provider} profile.")]),
        Host::DevHost => json!([12, format!(
            "the dev host cannot verify {provider} tokens (it contacts no provider); run on a real Nakama through the bridge"
        )]),
    }
}

/// fixture-nk's `nk_social` answers as Nakama without `social` settings.
pub fn check_social_functions(port: u16, host: Host) {
    let suffix = crate::run_suffix();
    let user = User::new(port, &format!("so-{suffix}"), &format!("so{suffix}"));
    let body = json!({
        "user": user.user_id,
        "signed": SIGNED_PLAYER_INFO,
        "forged": FORGED_PLAYER_INFO,
    });
    let (status, got) = call(port, "nk_social", &body.to_string());
    assert_eq!(status, 200, "{got}");
    let mut want: Value = serde_json::from_str(SHARED).expect("JSON");
    let cases = want.as_object_mut().expect("object");
    cases.insert("remote_google".into(), remote(host, "Google"));
    cases.insert("remote_game_center".into(), remote(host, "GameCenter"));
    cases.insert("remote_unlink_steam".into(), remote(host, "Steam"));
    crate::assert_cases(&got, &want);
}

/// The client's social routes: Nakama's refusals (in its order: a
/// before hook, then settings, then arguments), unlinking without a token,
/// fixture-nk's hooks (a Steam login refused, a Google link's token
/// dropped, a Steam unlink recorded), and one route that would ask the
/// provider.
pub fn check_social_routes(port: u16, host: Host) {
    let suffix = crate::run_suffix();
    let client = User::new(port, &format!("sr-{suffix}"), &format!("sr{suffix}"));
    let bearer = format!("Bearer {}", client.token);
    let send = |path: &str, body: Value, auth: &str| {
        let body = body.to_string();
        let r = request(
            port,
            "POST",
            path,
            &[("Authorization", auth)],
            Some(body.as_bytes()),
        )
        .expect("social route");
        (r.status, r.json())
    };
    let login = |path: &str, body: Value| {
        send(
            &format!("/v2/account/authenticate/{path}"),
            body,
            "Basic ZGVmYXVsdGtleTo=",
        )
    };
    let post = |path: &str, body: Value| send(&format!("/v2/account/{path}"), body, &bearer);
    let error =
        |status: u16, code: u32, message: &str| (status, json!({"code": code, "message": message}));
    let bad = |message: &str| error(400, 3, message);
    let denied = |provider: &str| {
        error(
            401,
            16,
            &format!("Could not authenticate {provider} profile."),
        )
    };
    let gc = json!({
        "player_id": "G:1234", "bundle_id": "com.example.game", "timestamp_seconds": "1700000000",
        "salt": "c2FsdA==", "signature": "c2lnbmF0dXJl",
        "public_key_url": "http://static.gc.apple.com/public-key/gc-prod-9.cer",
    });
    let gc_without = |field: &str| {
        let mut g = gc.clone();
        g.as_object_mut().unwrap().remove(field);
        g
    };

    // Authenticate: settings first, then the token, the username, the core.
    assert_eq!(
        login("steam", json!({"token": "t"})),
        error(400, 9, "Steam authentication is not configured.")
    );
    assert_eq!(
        login("steam", json!({"token": "refuse"})),
        error(403, 7, "no steam here")
    );
    assert_eq!(
        login("apple", json!({})),
        error(400, 9, "Apple authentication is not configured.")
    );
    assert_eq!(
        login("google", json!({})),
        bad("Google access token is required.")
    );
    assert_eq!(
        login("facebook?username=a%09b", json!({"token": "t"})),
        bad("Username invalid, no spaces or control characters allowed.")
    );
    assert_eq!(
        login("facebookinstantgame", json!({})),
        bad("Signed Player Info for a Facebook Instant Game is required.")
    );
    assert_eq!(
        login(
            "facebookinstantgame",
            json!({"signed_player_info": FORGED_PLAYER_INFO})
        ),
        error(
            500,
            15,
            "Error extracting the Facebook Instant Game player ID or validating the signature"
        )
    );
    assert_eq!(
        login(
            "facebookinstantgame?create=false",
            json!({"signed_player_info": SIGNED_PLAYER_INFO})
        ),
        error(404, 5, "User account not found.")
    );
    assert_eq!(
        login("gamecenter", json!({})),
        bad("GameCenter bundle ID is required.")
    );
    assert_eq!(
        login("gamecenter", gc_without("salt")),
        bad("GameCenter salt is required.")
    );
    assert_eq!(
        login("gamecenter", gc_without("timestamp_seconds")),
        bad("GameCenter timestamp is required.")
    );
    assert_eq!(login("gamecenter", gc.clone()), denied("GameCenter"));

    // Link: the gateway's token checks, then the core's.
    assert_eq!(
        post("link/steam", json!({})),
        bad("Steam access token is required.")
    );
    assert_eq!(
        post("link/steam", json!({"account": {"token": ""}})),
        bad("Steam access token is required.")
    );
    assert_eq!(
        post(
            "link/steam",
            json!({"account": {"token": "t"}, "sync": true})
        ),
        error(400, 9, "Steam authentication is not configured.")
    );
    assert_eq!(
        post("link/apple", json!({"token": "t"})),
        error(400, 9, "Apple authentication is not configured.")
    );
    assert_eq!(
        post("link/facebook?sync=true", json!({})),
        bad("Facebook access token is required.")
    );
    assert_eq!(
        post("link/google", json!({"token": "drop"})),
        bad("Google access token is required.")
    );
    assert_eq!(
        post(
            "link/facebookinstantgame",
            json!({"signed_player_info": "abc"})
        ),
        denied("Facebook Instant Game")
    );
    assert_eq!(
        post("link/gamecenter", gc_without("player_id")),
        bad("GameCenter player ID is required.")
    );
    assert_eq!(post("link/gamecenter", gc.clone()), denied("GameCenter"));

    // Unlink: without a token nothing is asked; the account keeps its
    // custom id, so it may lose the (absent) provider id.
    assert_eq!(post("unlink/google", json!({})), (200, json!({})));
    assert_eq!(
        post("unlink/gamecenter", gc_without("salt")),
        (200, json!({}))
    );
    assert_eq!(
        post("unlink/steam", json!({"vars": {"k": "v"}})),
        (200, json!({}))
    );
    assert_eq!(
        client.wait_stored(port, "hooks", "unlink_steam"),
        json!({"token": "", "vars": 1})
    );
    assert_eq!(post("unlink/apple", json!({"token": "t"})), denied("Apple"));
    assert_eq!(
        post(
            "unlink/facebookinstantgame",
            json!({"signed_player_info": SIGNED_PLAYER_INFO})
        ),
        error(403, 7, LAST_LINK)
    );
    assert_eq!(post("unlink/gamecenter", gc.clone()), denied("GameCenter"));
    assert_eq!(
        send("/v2/account/unlink/steam", json!({}), "Bearer nope").0,
        401
    );

    // Where Nakama asks the provider.
    let (status, body) = login("google", json!({"token": "t"}));
    let want = remote(host, "Google");
    assert_eq!(
        (body["code"].clone(), body["message"].clone()),
        (want[0].clone(), want[1].clone())
    );
    assert_eq!(status, if host == Host::Nakama { 401 } else { 501 });
}

/// Facebook Instant Games player info for `player`, signed with the empty
/// app secret (Nakama's default), as Facebook signs it.
fn signed_player_info(player: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let payload = json!({"algorithm": "HMAC-SHA256", "issued_at": 1_700_000_000,
        "player_id": player, "request_payload": ""});
    let payload64 = URL_SAFE_NO_PAD.encode(payload.to_string());
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"");
    let signature = ring::hmac::sign(&key, payload64.as_bytes());
    format!("{}.{payload64}", URL_SAFE_NO_PAD.encode(signature))
}

/// Facebook Instant Games, which both hosts verify without a network:
/// players found, created, linked and unlinked by the id their signed
/// info proves, through fixture-nk's `nk_instant_game` and the client's
/// routes, with Nakama's refusals (a player another account holds, the
/// account's last way in).
pub fn check_instant_games(port: u16) {
    let suffix = crate::run_suffix();
    let ann = User::new(port, &format!("ig-ann-{suffix}"), &format!("igann{suffix}"));
    let nk_player = format!("ig-nk-{suffix}");
    let body = json!({"user": ann.user_id, "info": signed_player_info(&nk_player),
        "username": format!("ignk{suffix}")});
    let (status, got) = call(port, "nk_instant_game", &body.to_string());
    assert_eq!(status, 200, "{got}");
    assert_eq!(
        got,
        json!({
            "unknown": [5, "User account not found."],
            "made": {"created": true, "username": format!("ignk{suffix}")},
            "again": {"created": false, "same": true},
            "held": nk_player,
            "link_taken": [6, "Facebook Instant Game ID is already in use."],
            "unlink_last": [7, LAST_LINK],
        })
    );

    let info = json!({ "signed_player_info": signed_player_info(&format!("ig-rt-{suffix}")) });
    let send = |path: &str, auth: &str, body: &Value| {
        let r = request(
            port,
            "POST",
            path,
            &[("Authorization", auth)],
            Some(body.to_string().as_bytes()),
        )
        .expect(path);
        (r.status, r.json())
    };
    let server_key = "Basic ZGVmYXVsdGtleTo=";
    let login = |query: &str| {
        send(
            &format!("/v2/account/authenticate/facebookinstantgame{query}"),
            server_key,
            &info,
        )
    };
    let (status, r) = login("?create=false");
    assert_eq!((status, &r["code"]), (404, &json!(5)), "{r}");
    let (status, made) = login(&format!("?username=igrt{suffix}"));
    assert_eq!((status, &made["created"]), (200, &json!(true)), "{made}");
    let (status, again) = login("");
    assert_eq!((status, again.get("created")), (200, None), "{again}");
    let bearer = format!("Bearer {}", made["token"].as_str().unwrap());
    let held = |auth: &str| {
        let r =
            request(port, "GET", "/v2/account", &[("Authorization", auth)], None).expect("account");
        r.json()["user"]["facebook_instant_game_id"].clone()
    };
    assert_eq!(held(&bearer), json!(format!("ig-rt-{suffix}")));
    let ann_bearer = format!("Bearer {}", ann.token);
    let link = "/v2/account/link/facebookinstantgame";
    let unlink = "/v2/account/unlink/facebookinstantgame";
    assert_eq!(
        send(link, &ann_bearer, &info),
        (
            409,
            json!({"code": 6, "message": "Facebook Instant Game ID is already in use."})
        )
    );
    let (status, r) = send(unlink, &bearer, &info);
    assert_eq!((status, &r["message"]), (403, &json!(LAST_LINK)), "{r}");
    let custom = json!({ "id": format!("ig-custom-{suffix}") });
    assert_eq!(
        send("/v2/account/link/custom", &bearer, &custom),
        (200, json!({}))
    );
    assert_eq!(send(unlink, &bearer, &info), (200, json!({})));
    assert_eq!(held(&bearer), Value::Null);
    assert_eq!(send(link, &ann_bearer, &info), (200, json!({})));
    assert_eq!(held(&ann_bearer), json!(format!("ig-rt-{suffix}")));
}
