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
    /// Token ids invalidated by logout.
    revoked: Mutex<HashSet<String>>,
    /// When each user logged out of everything, was banned or deleted
    /// (Unix seconds): tokens issued before then are invalid (Nakama's
    /// session cache `RemoveAll` and `Ban`).
    revoked_all: Mutex<HashMap<String, i64>>,
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
            revoked: Mutex::new(HashSet::new()),
            revoked_all: Mutex::new(HashMap::new()),
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

    fn check(&self, token: &str, key: &str, lifetime: i64) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.validate_aud = false;
        v.set_required_spec_claims(&["exp"]);
        let claims = decode::<Claims>(token, &DecodingKey::from_secret(key.as_bytes()), &v)
            .ok()?
            .claims;
        let uid = uuid::Uuid::parse_str(&claims.uid).ok()?.to_string();
        if self
            .revoked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&claims.tid)
        {
            return None;
        }
        // Issued (as its expiry tells) before its user logged out of
        // everything; the same second still passes, as in Nakama.
        let all = self.revoked_all.lock().unwrap_or_else(|e| e.into_inner());
        if all.get(&uid).is_some_and(|&at| claims.exp - lifetime < at) {
            return None;
        }
        drop(all);
        Some(claims)
    }

    /// Claims of a valid, unexpired, not logged-out session token.
    pub fn check_session(&self, token: &str) -> Option<Claims> {
        self.check(token, &self.session_key, self.session_expiry)
    }

    /// Claims of a valid refresh token.
    pub fn check_refresh(&self, token: &str) -> Option<Claims> {
        self.check(token, &self.refresh_key, self.refresh_expiry)
    }

    /// Invalidates every session and refresh token of a user issued before
    /// now (Nakama's session cache `Ban` and `RemoveAll`).
    pub fn invalidate_user(&self, user_id: &str) {
        let now = crate::db::unix_now();
        let mut all = self.revoked_all.lock().unwrap_or_else(|e| e.into_inner());
        let key =
            uuid::Uuid::parse_str(user_id).map_or_else(|_| user_id.to_string(), |u| u.to_string());
        let t = all.entry(key).or_insert(0);
        *t = (*t).max(now);
    }

    /// Invalidates every token with this id (logout).
    pub fn revoke(&self, tid: &str) {
        self.revoked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tid.to_string());
    }

    /// Nakama's `SessionLogout` (the client's `/v2/session/logout` and the
    /// nk function): the given tokens, which must be `user_id`'s, stop
    /// working; with neither, every token of the user issued until now.
    pub fn logout(&self, user_id: &str, token: &str, refresh: &str) -> Result<(), LogoutError> {
        // Both tokens are checked before either is revoked: they usually
        // share a tid.
        let mut revoke = Vec::new();
        if !token.is_empty() {
            match self.check_session(token) {
                Some(c) if c.uid == user_id => revoke.push(c.tid),
                _ => return Err(LogoutError::SessionToken),
            }
        }
        if !refresh.is_empty() {
            match self.check_refresh(refresh) {
                Some(c) if c.uid == user_id => revoke.push(c.tid),
                _ => return Err(LogoutError::RefreshToken),
            }
        }
        if revoke.is_empty() {
            self.invalidate_user(user_id);
        }
        for tid in revoke {
            self.revoke(&tid);
        }
        Ok(())
    }
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
        s.revoke(&c.tid);
        assert!(s.check_session(&t).is_none());
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
