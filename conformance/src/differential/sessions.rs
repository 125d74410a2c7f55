//! Authentication, linking and sessions, as clients call them.

use serde_json::{json, Value};

use super::{http, pick, Hosts, Run, Side};

/// The server key, as a client's authentication and refresh send it.
const SERVER_KEY: &str = "Basic ZGVmYXVsdGtleTo=";

/// A session a side was given: its token and its refresh token.
#[derive(Clone)]
struct Session {
    token: String,
    refresh: String,
}

/// `calls` random calls on accounts' ways in: custom, device and email
/// authentication (with or without creating, a new username or one
/// taken, right and wrong passwords, ids too short), links and unlinks of
/// each kind through any session given so far (the last way in
/// included), account reads, session refreshes (with vars or not, with
/// tokens that are not refresh tokens), logouts (with the refresh token
/// or not) and account deletions. Tokens are compared by their claims
/// (user, username, vars; the token's id named as any id met).
pub fn compare_sessions(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 1);
    let suffix = format!("{}{seed}", crate::run_suffix());
    let ids = |kind: &str| -> Vec<String> {
        let mut ids: Vec<String> = (0..3).map(|i| format!("{kind}{i}-{suffix}")).collect();
        ids.push("abc".into()); // shorter than any kind allows
        ids
    };
    let (customs, devices) = (ids("custom"), ids("device-id"));
    let mut emails: Vec<String> = (0..3)
        .map(|i| format!("e{i}{suffix}@example.com"))
        .collect();
    emails.push("not-an-email".into());
    let usernames: Vec<String> = (0..3).map(|i| format!("s{i}{suffix}")).collect();
    // Each side's sessions in the order given; the first is U0's, which
    // has no refresh token here.
    let mut sessions: [Vec<Session>; 2] = std::array::from_fn(|i| {
        vec![Session {
            token: run.sides[i].users[0].token.clone(),
            refresh: String::new(),
        }]
    });
    let side_of = |side: &Side| usize::from(side.port != hosts.a);
    for _ in 0..calls {
        let kind = *pick(&mut rng, &["custom", "device", "email"]);
        let id = rng.usize(..4);
        let password = *pick(&mut rng, &["password1", "password1", "password2", "short"]);
        let session = rng.usize(..1_000);
        let body = match kind {
            "custom" => json!({"id": customs[id]}),
            "device" => json!({"id": devices[id]}),
            _ => json!({"email": emails[id], "password": password}),
        };
        match rng.usize(..12) {
            0..=3 => {
                let create = *pick(&mut rng, &[None, Some(true), Some(false)]);
                // A username is always given: one Nakama makes up differs
                // on each host. U0's is taken.
                let name = rng.usize(..4);
                let vars = rng.f32() < 0.3;
                let what = format!(
                    "authenticate {kind} {id} (password {password}), create {create:?}, username {name}, vars {vars}"
                );
                run.compare(what, |side| {
                    let username = usernames.get(name).unwrap_or(&side.users[0].username);
                    let mut path = format!("/v2/account/authenticate/{kind}?username={username}");
                    if let Some(c) = create {
                        path.push_str(&format!("&create={c}"));
                    }
                    let mut body = body.clone();
                    if vars {
                        body["vars"] = json!({"k": "v"});
                    }
                    let answer = http(side.port, "POST", &path, SERVER_KEY, Some(&body));
                    keep(&mut sessions[side_of(side)], &answer);
                    answer
                });
            }
            4 | 5 => {
                let what = format!("session {session} links {kind} {id} (password {password})");
                run.compare(what, |side| {
                    let s = nth(&sessions[side_of(side)], session);
                    let path = format!("/v2/account/link/{kind}");
                    http(side.port, "POST", &path, &bearer(&s.token), Some(&body))
                });
            }
            6 => {
                let what = format!("session {session} unlinks {kind} {id} (password {password})");
                run.compare(what, |side| {
                    let s = nth(&sessions[side_of(side)], session);
                    let path = format!("/v2/account/unlink/{kind}");
                    http(side.port, "POST", &path, &bearer(&s.token), Some(&body))
                });
            }
            7 | 8 => run.compare(format!("session {session} reads its account"), |side| {
                let s = nth(&sessions[side_of(side)], session);
                http(side.port, "GET", "/v2/account", &bearer(&s.token), None)
            }),
            9 => {
                let vars = rng.f32() < 0.3;
                let with_session = rng.f32() < 0.2;
                let what =
                    format!("session {session} refreshed (vars {vars}, with its session token {with_session})");
                run.compare(what, |side| {
                    let s = nth(&sessions[side_of(side)], session);
                    let token = if with_session { &s.token } else { &s.refresh };
                    let mut body = json!({"token": token});
                    if vars {
                        body["vars"] = json!({"r": "1"});
                    }
                    let path = "/v2/account/session/refresh";
                    let answer = http(side.port, "POST", path, SERVER_KEY, Some(&body));
                    keep(&mut sessions[side_of(side)], &answer);
                    answer
                });
            }
            10 => {
                let with_refresh = rng.bool();
                let what =
                    format!("session {session} logs out (refresh token too: {with_refresh})");
                run.compare(what, |side| {
                    let s = nth(&sessions[side_of(side)], session);
                    let mut body = json!({"token": s.token});
                    if with_refresh {
                        body["refresh_token"] = json!(s.refresh);
                    }
                    let (status, mut answer) = http(
                        side.port,
                        "POST",
                        "/v2/session/logout",
                        &bearer(&s.token),
                        Some(&body),
                    );
                    // fixture-nk's before hook refuses a session with vars
                    // with its context, whose version names the host (its
                    // expiry is a time).
                    let context = answer["message"]
                        .as_str()
                        .and_then(|m| serde_json::from_str(m).ok());
                    if let Some(Value::Object(mut context)) = context {
                        context.remove("version");
                        context.remove("user_session_exp");
                        answer["message"] = Value::Object(context);
                    }
                    (status, answer)
                });
            }
            11 if rng.f32() < 0.2 => {
                run.compare(format!("session {session} deletes its account"), |side| {
                    let s = nth(&sessions[side_of(side)], session);
                    // Both hosts keep the user's tokens issued in the
                    // second of the deletion: made in a second of its own,
                    // it ends all of them on both.
                    next_second();
                    http(side.port, "DELETE", "/v2/account", &bearer(&s.token), None)
                })
            }
            _ => {}
        }
    }
}

/// Session `n` (modulo how many there are).
fn nth(sessions: &[Session], n: usize) -> Session {
    sessions[n % sessions.len()].clone()
}

/// Keeps the session an answer gives, if it gives one.
fn keep(sessions: &mut Vec<Session>, answer: &(u16, Value)) {
    if let (200, Some(token)) = (answer.0, answer.1["token"].as_str()) {
        sessions.push(Session {
            token: token.to_string(),
            refresh: answer.1["refresh_token"].as_str().unwrap_or("").to_string(),
        });
    }
}

/// Sleeps into the next whole second of the clock.
pub(super) fn next_second() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let rest = 1_000_000_000 - now.subsec_nanos();
    std::thread::sleep(std::time::Duration::from_nanos(
        u64::from(rest) + 10_000_000,
    ));
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
