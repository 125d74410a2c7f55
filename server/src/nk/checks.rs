//! Nakama's argument checks of the nk functions (its Go runtime's
//! `server/runtime_go_nakama.go`), with its messages, so that a module
//! meets the same refusals on the dev host as in Nakama. All are
//! `INVALID_ARGUMENT`, as the bridge answers them.

use nakama_runtime_host::abi::nk;
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::CallError;

use crate::gochars::has_space_or_control;

fn refuse(message: &str) -> Result<(), CallError> {
    Err(CallError::new(Code::InvalidArgument, message))
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

/// Empty (the system user) or a UUID.
fn optional_uuid(s: &str) -> bool {
    s.is_empty() || is_uuid(s)
}

fn object(collection: &str, key: &str, user_id: &str) -> Result<(), CallError> {
    if collection.is_empty() {
        return refuse("expects collection to be a non-empty string");
    }
    if key.is_empty() {
        return refuse("expects key to be a non-empty string");
    }
    if !optional_uuid(user_id) {
        return refuse("expects an empty or valid user id");
    }
    Ok(())
}

pub fn storage_read(a: &nk::StorageReadArgs) -> Result<(), CallError> {
    a.reads
        .iter()
        .try_for_each(|r| object(&r.collection, &r.key, &r.user_id))
}

/// The values are read (and refused as Nakama words it: "value must be a
/// JSON-encoded object") where they are stored, so they are parsed once;
/// Nakama checks each write whole in turn, so a bad value before a bad key
/// is named first there, the key here.
pub fn storage_write(a: &nk::StorageWriteArgs) -> Result<(), CallError> {
    a.writes
        .iter()
        .try_for_each(|w| object(&w.collection, &w.key, &w.user_id))
}

pub fn storage_delete(a: &nk::StorageDeleteArgs) -> Result<(), CallError> {
    a.deletes
        .iter()
        .try_for_each(|d| object(&d.collection, &d.key, &d.user_id))
}

pub fn storage_list(a: &nk::StorageListArgs) -> Result<(), CallError> {
    if !optional_uuid(&a.caller_id) {
        return refuse("expects an empty or valid caller id");
    }
    if !optional_uuid(&a.user_id) {
        return refuse("expects an empty or valid user id");
    }
    if a.limit < 0 {
        return refuse("limit must not be negative");
    }
    Ok(())
}

pub fn notification(n: &nk::NotificationSendArgs) -> Result<(), CallError> {
    if !is_uuid(&n.user_id) {
        return refuse("expects userID to be a valid UUID");
    }
    if n.subject.is_empty() {
        return refuse("expects subject to be a non-empty string");
    }
    // Codes of -2000 to -1000 are Nakama's own, and allowed from modules.
    if n.code <= 0 && !(-2000..=-1000).contains(&n.code) {
        return refuse("expects code to number above 0");
    }
    if !optional_uuid(&n.sender_id) {
        return refuse("expects sender to either be an empty string or a valid UUID");
    }
    Ok(())
}

/// `wallet_update`, `wallets_update`, `wallet_ledger_list`.
pub fn wallet_user(user_id: &str) -> Result<(), CallError> {
    if !is_uuid(user_id) {
        return refuse("expects a valid user id");
    }
    Ok(())
}

pub fn wallet_ledger_list(a: &nk::PageArgs) -> Result<(), CallError> {
    wallet_user(&a.user_id)?;
    if !(0..=100).contains(&a.limit) {
        return refuse("expects limit to be 0-100");
    }
    Ok(())
}

pub fn notification_list(a: &nk::PageArgs) -> Result<(), CallError> {
    if a.user_id.is_empty() {
        return refuse("expects a valid user id");
    }
    // Nakama allows up to 1000 here, but its message says 100.
    if !(0..=1000).contains(&a.limit) {
        return refuse("expects limit to be 0-100");
    }
    if !is_uuid(&a.user_id) {
        return refuse("expects a valid user id");
    }
    Ok(())
}

/// `users_get_id`, `accounts_get_id`.
pub fn user_ids(ids: &[String]) -> Result<(), CallError> {
    if !ids.iter().all(|id| is_uuid(id)) {
        return refuse("each user id must be a valid id string");
    }
    Ok(())
}

/// `users_get_username`: Nakama refuses an empty name (which would find
/// the system user).
pub fn usernames(names: &[String]) -> Result<(), CallError> {
    if names.iter().any(String::is_empty) {
        return refuse("each username must be a string");
    }
    Ok(())
}

pub fn account_update_id(a: &nk::AccountUpdateArgs) -> Result<(), CallError> {
    if !is_uuid(&a.user_id) {
        return refuse("expects user ID to be a valid identifier");
    }
    Ok(())
}

pub fn token_generate(a: &nk::TokenGenerateArgs) -> Result<(), CallError> {
    if a.user_id.is_empty() {
        return refuse("expects user id");
    }
    if !is_uuid(&a.user_id) {
        return refuse("expects valid user id");
    }
    Ok(())
}

/// `leaderboard_create` (its reset schedule is read, and refused, where
/// it is stored) and `leaderboard_delete`; part of the other checks.
pub fn leaderboard_id(id: &str) -> Result<(), CallError> {
    if id.is_empty() {
        return refuse("expects a leaderboard ID string");
    }
    Ok(())
}

fn leaderboard_owner(owner_id: &str) -> Result<(), CallError> {
    if !is_uuid(owner_id) {
        return refuse("expects owner ID to be a valid identifier");
    }
    Ok(())
}

pub fn leaderboard_record_write(a: &nk::LeaderboardRecordWriteArgs) -> Result<(), CallError> {
    leaderboard_id(&a.id)?;
    leaderboard_owner(&a.owner_id)?;
    if a.score < 0 {
        return refuse("expects score to be >= 0");
    }
    if a.subscore < 0 {
        return refuse("expects subscore to be >= 0");
    }
    Ok(())
}

pub fn leaderboard_records_list(a: &nk::LeaderboardRecordsListArgs) -> Result<(), CallError> {
    leaderboard_id(&a.id)?;
    if !a.owner_ids.iter().all(|o| is_uuid(o)) {
        return refuse("expects each owner ID to be a valid identifier");
    }
    if !(0..=10_000).contains(&a.limit) {
        return refuse("expects limit to be 0-10000");
    }
    if a.expiry < 0 {
        return refuse("expects expiry to equal or greater than 0");
    }
    Ok(())
}

pub fn leaderboard_records_haystack(
    a: &nk::LeaderboardRecordsHaystackArgs,
) -> Result<(), CallError> {
    leaderboard_id(&a.id)?;
    leaderboard_owner(&a.owner_id)?;
    if !(1..=100).contains(&a.limit) {
        return refuse("limit must be 1-100");
    }
    if a.expiry < 0 {
        return refuse(
            "expiry should be time since epoch in seconds and has to be a positive integer",
        );
    }
    Ok(())
}

pub fn leaderboard_record_delete(a: &nk::LeaderboardRecordDeleteArgs) -> Result<(), CallError> {
    leaderboard_id(&a.id)?;
    leaderboard_owner(&a.owner_id)
}

/// Nakama's module's username check (authenticate functions).
pub fn username(username: &str) -> Result<(), CallError> {
    if crate::gochars::invalid_username(username) {
        return refuse("expects username to be valid, no spaces or control characters allowed");
    }
    if username.len() > 128 {
        return refuse("expects id to be valid, must be 1-128 bytes");
    }
    Ok(())
}

/// `authenticate_custom` (ids of 6 to 128 bytes) and
/// `authenticate_device` (10 to 128).
pub fn authenticate_id(a: &nk::AuthenticateArgs, min_len: usize) -> Result<(), CallError> {
    if a.id.is_empty() {
        return refuse("expects id string");
    }
    if has_space_or_control(&a.id) {
        return refuse("expects id to be valid, no spaces or control characters allowed");
    }
    if a.id.len() < min_len || a.id.len() > 128 {
        return Err(CallError::new(
            Code::InvalidArgument,
            format!("expects id to be valid, must be {min_len}-128 bytes"),
        ));
    }
    username(&a.username)
}

/// `authenticate_email`: an email and password, or (no email) a username
/// and password to log in with.
pub fn authenticate_email(a: &nk::AuthenticateEmailArgs) -> Result<(), CallError> {
    if has_space_or_control(&a.email) {
        return refuse("expects email to be valid, no spaces or control characters allowed");
    }
    // Go's `^.+@.+\..+$`: something, `@`, something, a dot, something.
    let well_formed = a.email.split_once('@').is_some_and(|(user, domain)| {
        let domain: Vec<char> = domain.chars().collect();
        !user.is_empty() && domain.len() >= 3 && domain[1..domain.len() - 1].contains(&'.')
    });
    if !a.email.is_empty() && !well_formed {
        return refuse("expects email to be valid, invalid email address format");
    }
    if !a.email.is_empty() && !(10..=255).contains(&a.email.len()) {
        return refuse("expects email to be valid, must be 10-255 bytes");
    }
    if a.password.is_empty() {
        return refuse("expects password string");
    }
    if a.password.len() < 8 {
        return refuse("expects password to be valid, must be longer than 8 characters");
    }
    if a.username.is_empty() && a.email.is_empty() {
        return refuse("expects username string when email is not supplied");
    }
    username(&a.username)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<(), CallError>) -> String {
        r.map_or_else(|e| e.message, |()| "ok".into())
    }

    #[test]
    fn emails_are_read_as_nakamas_pattern_does() {
        let email = |e: &str| nk::AuthenticateEmailArgs {
            email: e.into(),
            password: "password123".into(),
            ..Default::default()
        };
        assert_eq!(
            message(authenticate_email(&email("someone@example.com"))),
            "ok"
        );
        assert_eq!(
            message(authenticate_email(&email("someone@.example.com"))),
            "ok"
        );
        for bad in ["no-at-sign.example.com", "a@nodot", "a@b.", "@example.com"] {
            assert_eq!(
                message(authenticate_email(&email(bad))),
                "expects email to be valid, invalid email address format",
                "{bad}"
            );
        }
        assert_eq!(
            message(authenticate_email(&email("a@b.cd"))),
            "expects email to be valid, must be 10-255 bytes"
        );
    }

    #[test]
    fn notification_codes_allow_nakamas_reserved_range() {
        let send = |code| nk::NotificationSendArgs {
            user_id: "00000000-0000-4000-8000-000000000001".into(),
            subject: "s".into(),
            code,
            ..Default::default()
        };
        assert_eq!(message(notification(&send(1))), "ok");
        assert_eq!(message(notification(&send(-1500))), "ok");
        assert_eq!(
            message(notification(&send(0))),
            "expects code to number above 0"
        );
    }
}
