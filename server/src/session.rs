//! Session and refresh tokens: HS256 JWTs with Nakama's claims, validated
//! statelessly (a valid token of an unknown user passes, as in Nakama);
//! only logouts are remembered.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The claims, in Nakama's order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// Token id: shared by a session and the tokens refreshed from it.
    pub tid: String,
    pub uid: String,
    pub usn: String,
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub vrs: HashMap<String, String>,
    pub exp: i64,
    pub iat: i64,
}

/// Issues and checks tokens.
pub struct Sessions {
    session_key: String,
    refresh_key: String,
    session_expiry: i64,
    refresh_expiry: i64,
    /// Each user's invalidated tokens, by user id.
    revoked: Mutex<HashMap<String, Revoked>>,
}

/// A user's invalidated tokens, as Nakama's session cache keeps them.
#[derive(Default)]
struct Revoked {
    /// Ids of session tokens logged out. A refresh token shares its
    /// session's id but is logged out on its own: the refresh of a
    /// session logged out alone still answers, with a session token
    /// that does not work.
    sessions: HashSet<String>,
    /// Ids of refresh tokens logged out.
    refresh: HashSet<String>,
    /// When the user logged out of everything, was banned or deleted
    /// (Unix seconds): tokens issued before then are invalid, those of
    /// the same second still pass.
    all_at: i64,
}

/// Which kind of token a check is for.
#[derive(Clone, Copy)]
enum Kind {
    Session,
    Refresh,
}

/// Why a logout was refused: which of its tokens is not the user's (or
/// does not verify).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutError {
    SessionToken,
    RefreshToken,
}

impl Sessions {
    pub fn new(
        session_key: &str,
        refresh_key: &str,
        session_expiry: i64,
        refresh_expiry: i64,
    ) -> Self {
        Sessions {
            session_key: session_key.to_string(),
            refresh_key: refresh_key.to_string(),
            session_expiry,
            refresh_expiry,
            revoked: Mutex::new(HashMap::new()),
        }
    }

    /// A session token and a refresh token for a user. `tid`/`iat` are kept
    /// on refresh.
    pub fn issue(
        &self,
        user_id: &str,
        username: &str,
        vars: &HashMap<String, String>,
        tid: Option<&str>,
        iat: Option<i64>,
    ) -> (String, String) {
        let now = crate::db::unix_now();
        let claims = |exp: i64| Claims {
            tid: tid
                .map(str::to_string)
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            uid: user_id.to_string(),
            usn: username.to_string(),
            vrs: vars.clone(),
            exp,
            iat: iat.unwrap_or(now),
        };
        let mut session = claims(now + self.session_expiry);
        let mut refresh = claims(now + self.refresh_expiry);
        // Both tokens of one login share the token id.
        refresh.tid = session.tid.clone();
        session.iat = iat.unwrap_or(now);
        let sign = |c: &Claims, key: &str| {
            encode(
                &Header::new(Algorithm::HS256),
                c,
                &EncodingKey::from_secret(key.as_bytes()),
            )
            .unwrap_or_default()
        };
        (
            sign(&session, &self.session_key),
            sign(&refresh, &self.refresh_key),
        )
    }

    /// A session token alone (nk `authenticate_token_generate`); `exp` in
    /// Unix seconds, `None` for the configured lifetime. Answers the token
    /// and its expiry.
    pub fn issue_session(
        &self,
        user_id: &str,
        username: &str,
        vars: &HashMap<String, String>,
        exp: Option<i64>,
    ) -> (String, i64) {
        let now = crate::db::unix_now();
        let claims = Claims {
            tid: uuid::Uuid::new_v4().to_string(),
            uid: user_id.to_string(),
            usn: username.to_string(),
            vrs: vars.clone(),
            exp: exp.unwrap_or(now + self.session_expiry),
            iat: now,
        };
        let token = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(self.session_key.as_bytes()),
        )
        .unwrap_or_default();
        (token, claims.exp)
    }

    /// The claims of a token signed with its kind's key, unexpired, of a
    /// user id; logged out or not.
    fn verify(&self, token: &str, kind: Kind) -> Option<Claims> {
        let key = match kind {
            Kind::Session => &self.session_key,
            Kind::Refresh => &self.refresh_key,
        };
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.validate_aud = false;
        v.set_required_spec_claims(&["exp"]);
        let claims = decode::<Claims>(token, &DecodingKey::from_secret(key.as_bytes()), &v)
            .ok()?
            .claims;
        uuid::Uuid::parse_str(&claims.uid).ok()?;
        // Nakama reads `exp` into a Go time, whose seconds since year 1
        // wrap past i64's end: such a token has long expired to it.
        if claims.exp > i64::MAX - 62_135_596_800 {
            return None;
        }
        Some(claims)
    }

    /// As [`Sessions::verify`], and not logged out.
    fn check(&self, token: &str, kind: Kind) -> Option<Claims> {
        let claims = self.verify(token, kind)?;
        let lifetime = match kind {
            Kind::Session => self.session_expiry,
            Kind::Refresh => self.refresh_expiry,
        };
        let revoked = self.revoked.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = revoked.get(&user_key(&claims.uid)) {
            let ids = match kind {
                Kind::Session => &r.sessions,
                Kind::Refresh => &r.refresh,
            };
            // Issued (as its expiry tells) before the user's last
            // invalidation of everything, or logged out by id.
            if claims.exp - lifetime < r.all_at || ids.contains(&claims.tid) {
                return None;
            }
        }
        drop(revoked);
        Some(claims)
    }

    /// Claims of a valid, unexpired, not logged-out session token.
    pub fn check_session(&self, token: &str) -> Option<Claims> {
        self.check(token, Kind::Session)
    }

    /// Claims of a valid refresh token.
    pub fn check_refresh(&self, token: &str) -> Option<Claims> {
        self.check(token, Kind::Refresh)
    }

    /// Invalidates every session and refresh token of a user issued before
    /// now, forgetting the tokens logged out by id (Nakama's session cache
    /// `RemoveAll`: logout of everything, account deletion).
    pub fn invalidate_user(&self, user_id: &str) {
        self.invalidate_all(user_id, true);
    }

    /// As [`Sessions::invalidate_user`], keeping the tokens logged out by
    /// id (Nakama's session cache `Ban`).
    pub fn ban_user(&self, user_id: &str) {
        self.invalidate_all(user_id, false);
    }

    fn invalidate_all(&self, user_id: &str, forget_ids: bool) {
        let now = crate::db::unix_now();
        let mut revoked = self.revoked.lock().unwrap_or_else(|e| e.into_inner());
        let r = revoked.entry(user_key(user_id)).or_default();
        if now > r.all_at {
            r.all_at = now;
            if forget_ids {
                r.sessions.clear();
                r.refresh.clear();
            }
        }
    }

    /// Nakama's `SessionLogout` (the client's `/v2/session/logout` and the
    /// nk function): the given tokens, which must be `user_id`'s, stop
    /// working; with neither, every token of the user issued until now.
    pub fn logout(&self, user_id: &str, token: &str, refresh: &str) -> Result<(), LogoutError> {
        // Both tokens are checked before either is revoked: they usually
        // share a tid. Only their signatures and expiries, as Nakama's: a
        // token logged out already may be logged out again.
        let mut revoke = Vec::new();
        if !token.is_empty() {
            match self.verify(token, Kind::Session) {
                Some(c) if c.uid == user_id => revoke.push((Kind::Session, c.tid)),
                _ => return Err(LogoutError::SessionToken),
            }
        }
        if !refresh.is_empty() {
            match self.verify(refresh, Kind::Refresh) {
                Some(c) if c.uid == user_id => revoke.push((Kind::Refresh, c.tid)),
                _ => return Err(LogoutError::RefreshToken),
            }
        }
        if revoke.is_empty() {
            self.invalidate_user(user_id);
            return Ok(());
        }
        let mut revoked = self.revoked.lock().unwrap_or_else(|e| e.into_inner());
        let r = revoked.entry(user_key(user_id)).or_default();
        for (kind, tid) in revoke {
            match kind {
                Kind::Session => r.sessions.insert(tid),
                Kind::Refresh => r.refresh.insert(tid),
            };
        }
        Ok(())
    }
}

/// A user id as the revocations are keyed: a UUID in its usual spelling.
fn user_key(user_id: &str) -> String {
    uuid::Uuid::parse_str(user_id).map_or_else(|_| user_id.to_string(), |u| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const UID: &str = "6b3f0c3e-0000-4000-8000-000000000001";

    #[test]
    fn issued_tokens_check_and_logout_revokes() {
        let s = Sessions::new("a", "b", 60, 3600);
        let (t, r) = s.issue(UID, "u", &HashMap::new(), None, None);
        let c = s.check_session(&t).unwrap();
        assert_eq!(c.uid, UID);
        assert!(
            s.check_session(&r).is_none(),
            "a refresh token is not a session"
        );
        let rc = s.check_refresh(&r).unwrap();
        assert_eq!(rc.tid, c.tid);
        // The session alone: its refresh token still works, as Nakama's.
        s.logout(UID, &t, "").unwrap();
        assert!(s.check_session(&t).is_none());
        assert!(s.check_refresh(&r).is_some());
        // A session refreshed from it keeps its id, so does not work.
        let (t2, _) = s.issue(UID, "u", &HashMap::new(), Some(&c.tid), Some(c.iat));
        assert!(s.check_session(&t2).is_none());
        s.logout(UID, "", &r).unwrap();
        assert!(s.check_refresh(&r).is_none());
        s.logout(UID, &t, &r).expect("logged out again");
        // A ban keeps the tokens logged out by id.
        s.ban_user(UID);
        assert!(s.check_session(&t).is_none() && s.check_refresh(&r).is_none());
        // Another user's are not touched.
        let other = "6b3f0c3e-0000-4000-8000-000000000002";
        let (t3, _) = s.issue(other, "o", &HashMap::new(), None, None);
        assert!(s.check_session(&t3).is_some());
    }

    /// A module's token keeps the expiry it was given: one in the past,
    /// or past what a Go time holds, is refused as Nakama refuses it.
    #[test]
    fn given_expiries_are_kept_and_judged_as_nakama_does() {
        let s = Sessions::new("a", "b", 60, 3600);
        let vars = HashMap::new();
        let check = |exp| {
            let (t, kept) = s.issue_session(UID, "u", &vars, Some(exp));
            assert_eq!(kept, exp);
            s.check_session(&t).is_some()
        };
        assert!(!check(-1), "expired");
        assert!(check(1 << 62));
        assert!(check(i64::MAX - 62_135_596_800));
        assert!(!check(i64::MAX - 62_135_596_799), "wraps in a Go time");
        assert!(!check(i64::MAX));
    }

    #[test]
    fn claims_keep_nakamas_order_and_omit_empty_vars() {
        let c = Claims {
            tid: "t".into(),
            uid: "u".into(),
            usn: "n".into(),
            vrs: HashMap::new(),
            exp: 2,
            iat: 1,
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"tid":"t","uid":"u","usn":"n","exp":2,"iat":1}"#
        );
    }
}
