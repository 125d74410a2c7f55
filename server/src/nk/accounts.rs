//! The account, user, link and wallet nk functions, as Nakama's Go runtime
//! serves them (server/runtime_go_nakama.go: `AccountDeleteId`,
//! `AccountExportId`, `AccountImportId`, `UsersGetFriendStatus`, `UsersGetRandom`,
//! `UsersBanId`, `UsersUnbanId`, `LinkCustom`, `LinkDevice`, `LinkEmail`,
//! `UnlinkCustom`, `UnlinkDevice`, `UnlinkEmail`, `WalletLedgerUpdate`,
//! `MultiUpdate`): its argument checks and words (`INVALID_ARGUMENT`, as
//! the bridge answers them), then its core's work ([`crate::db::account`]).
//! The link checks are also the client routes' (`/v2/account/link/*`).

use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::{api, Code};
use nakama_runtime_host::{BoxFuture, CallError};
use uuid::Uuid;

use super::{checks, DevHostApi};
use crate::channels::go_uuid;
use crate::db::account::{self, Link};
use crate::db::import;
use crate::gochars::has_space_or_control;
use crate::gojson;

/// The refusal of an export without `account.user`, which Nakama 3.40.0
/// does not check (its Go runtime panics); the bridge gives the same.
const NO_USER: &str = "expects data to hold an account with its user";

type Answer = BoxFuture<'static, Result<Vec<u8>, CallError>>;

fn refuse(message: impl Into<String>) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

/// A user id as gofrs reads it, or `message`.
fn uuid_or(id: &str, message: &str) -> Result<String, CallError> {
    go_uuid(id)
        .map(|u| u.to_string())
        .ok_or_else(|| refuse(message))
}

/// The link and unlink functions' user id check.
fn link_user(id: &str) -> Result<String, CallError> {
    uuid_or(id, "user ID must be a valid identifier")
}

/// Nakama's checks of an id to link: present, no spaces or control
/// characters, `min` to 128 bytes; `words` are its refusals of each.
fn check_id(id: &str, min: usize, words: [&str; 3]) -> Result<(), CallError> {
    if id.is_empty() {
        return Err(refuse(words[0]));
    }
    if has_space_or_control(id) {
        return Err(refuse(words[1]));
    }
    if !(min..=128).contains(&id.len()) {
        return Err(refuse(words[2]));
    }
    Ok(())
}

/// Nakama's checks of a custom id to link.
pub fn check_custom(id: &str) -> Result<(), CallError> {
    check_id(
        id,
        6,
        [
            "Custom ID is required.",
            "Invalid custom ID, no spaces or control characters allowed.",
            "Invalid custom ID, must be 6-128 bytes.",
        ],
    )
}

/// Nakama's checks of a device id to link.
pub fn check_device(id: &str) -> Result<(), CallError> {
    check_id(
        id,
        10,
        [
            "Device ID is required.",
            "Device ID invalid, no spaces or control characters allowed.",
            "Device ID invalid, must be 10-128 bytes.",
        ],
    )
}

/// Nakama's checks of an email and password to link; answers the email in
/// lower case, as it is stored.
pub fn check_email(email: &str, password: &str) -> Result<String, CallError> {
    if email.is_empty() || password.is_empty() {
        return Err(refuse("Email address and password is required."));
    }
    if has_space_or_control(email) {
        return Err(refuse(
            "Invalid email address, no spaces or control characters allowed.",
        ));
    }
    if password.len() < 8 {
        return Err(refuse("Password must be at least 8 characters long."));
    }
    // Go's `^.+@.+\..+$`.
    let well_formed = email.split_once('@').is_some_and(|(user, domain)| {
        let domain: Vec<char> = domain.chars().collect();
        !user.is_empty() && domain.len() >= 3 && domain[1..domain.len() - 1].contains(&'.')
    });
    if !well_formed {
        return Err(refuse("Invalid email address format."));
    }
    if !(10..=255).contains(&email.len()) {
        return Err(refuse("Invalid email address, must be 10-255 bytes."));
    }
    Ok(email.to_lowercase())
}

/// Nakama's check of a device id to unlink.
pub fn check_unlink_device(id: &str) -> Result<(), CallError> {
    if id.is_empty() {
        return Err(refuse("A device ID must be supplied."));
    }
    Ok(())
}

/// What Nakama sends a banned user's sockets before it closes them.
fn banned(now: i64) -> api::Notification {
    api::Notification {
        id: Uuid::new_v4().to_string(),
        subject: "banned".into(),
        content: "{}".into(),
        code: -8,
        create_time: Some(crate::db::rfc3339(now)),
        persistent: false,
        ..Default::default()
    }
}

/// The ban and unban functions' ids, checked.
fn ban_ids(ids: &[String]) -> Result<Vec<String>, CallError> {
    ids.iter()
        .map(|id| uuid_or(id, "each user id must be a valid id string"))
        .collect()
}

/// Runs one function: checks and database work in `f`, on a blocking
/// thread.
fn run<F: NkFunction>(
    api: &DevHostApi,
    args: &[u8],
    f: impl FnOnce(&mut crate::db::Conn, F::Args) -> Result<F::Output, CallError> + Send + 'static,
) -> Answer {
    super::call::<F>(&api.db, args, f)
}

/// The nk function `function`, when it is one of these.
pub(super) fn call(api: &DevHostApi, function: &str, args: &[u8]) -> Option<Answer> {
    let (sessions, online) = (api.sessions.clone(), api.online.clone());
    let status = api.status.clone();
    Some(match function {
        nk::AccountDeleteId::NAME => run::<nk::AccountDeleteId>(api, args, move |c, a| {
            let id = uuid_or(&a.user_id, "expects user ID to be a valid identifier")?;
            if id == Uuid::nil().to_string() {
                return Err(refuse("cannot delete the system user"));
            }
            if account::delete(c, &id, a.recorded)? {
                sessions.invalidate_user(&id);
                online.close_user(&id, None, Vec::new());
            }
            Ok(())
        }),
        nk::AccountExportId::NAME => run::<nk::AccountExportId>(api, args, |c, a| {
            let id = uuid_or(&a.user_id, "expects user ID to be a valid identifier")?;
            let export = account::export(c, &id)?.ok_or_else(|| {
                CallError::new(
                    Code::NotFound,
                    "error exporting account: rpc error: code = NotFound desc = Account not found.",
                )
            })?;
            Ok(export.to_string())
        }),
        nk::AccountImportId::NAME => run::<nk::AccountImportId>(api, args, move |c, a| {
            if a.data.is_empty() {
                return Err(refuse("expects data to be present"));
            }
            let export = serde_json::from_str::<serde_json::Value>(&a.data)
                .ok()
                .filter(|v| gojson::fits(v, &import::EXPORT))
                .ok_or_else(|| refuse("expects data to be a valid account export format"))?;
            let user_id = match a.user_id.as_str() {
                "" => None,
                id => Some(uuid_or(id, "expects user ID to be a valid identifier")?),
            };
            if import::user(&export).is_none() {
                return Err(refuse(NO_USER));
            }
            let read_from = import::import(c, user_id.as_deref(), &export)?;
            let mut account = crate::db::account(c, &read_from)?.ok_or_else(|| {
                CallError::new(Code::NotFound, "error importing account: account not found")
            })?;
            // Nakama answers with the id it was given: the nil id for a
            // new account.
            let answered = user_id.unwrap_or_else(|| crate::db::SYSTEM_USER.to_string());
            if let Some(user) = account.user.as_mut() {
                user.id = answered;
            }
            status.fill_accounts([&mut account]);
            Ok(account)
        }),
        nk::UsersGetFriendStatus::NAME => {
            run::<nk::UsersGetFriendStatus>(api, args, move |c, a| {
                let bad = "expects user ID to be a valid identifier";
                let me = uuid_or(&a.user_id, bad)?;
                let others = a
                    .user_ids
                    .iter()
                    .map(|id| uuid_or(id, bad))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut friends = account::friend_status(c, &me, &others)?;
                status.fill_users(friends.iter_mut().filter_map(|f| f.user.as_mut()));
                Ok(friends)
            })
        }
        nk::UsersGetRandom::NAME => run::<nk::UsersGetRandom>(api, args, move |c, a| {
            if a.count == 0 {
                return Ok(Vec::new());
            }
            if !(0..=1000).contains(&a.count) {
                return Err(refuse("count must be 0-1000"));
            }
            let mut users = account::random_users(c, a.count as usize)?;
            status.fill_users(&mut users);
            Ok(users)
        }),
        nk::UsersBanId::NAME => run::<nk::UsersBanId>(api, args, move |c, a| {
            let ids = ban_ids(&a.user_ids)?;
            account::set_disabled(c, &ids, true)?;
            let now = c.now();
            for id in &ids {
                sessions.ban_user(id);
                online.close_user(id, None, vec![banned(now)]);
            }
            Ok(())
        }),
        nk::UsersUnbanId::NAME => run::<nk::UsersUnbanId>(api, args, |c, a| {
            account::set_disabled(c, &ban_ids(&a.user_ids)?, false)
        }),
        nk::LinkCustom::NAME => run::<nk::LinkCustom>(api, args, |c, a| {
            let me = link_user(&a.user_id)?;
            check_custom(&a.id)?;
            account::link_custom(c, &me, &a.id)
        }),
        nk::LinkDevice::NAME => run::<nk::LinkDevice>(api, args, |c, a| {
            let me = link_user(&a.user_id)?;
            check_device(&a.id)?;
            account::link_device(c, &me, &a.id)
        }),
        nk::LinkEmail::NAME => run::<nk::LinkEmail>(api, args, |c, a| {
            let me = link_user(&a.user_id)?;
            let email = check_email(&a.email, &a.password)?;
            account::link_email(c, &me, &email, &a.password)
        }),
        nk::UnlinkCustom::NAME => run::<nk::UnlinkCustom>(api, args, |c, a| {
            account::unlink(c, &link_user(&a.user_id)?, Link::Custom, &a.id)
        }),
        nk::UnlinkDevice::NAME => run::<nk::UnlinkDevice>(api, args, |c, a| {
            let me = link_user(&a.user_id)?;
            check_unlink_device(&a.id)?;
            account::unlink_device(c, &me, &a.id)
        }),
        nk::UnlinkEmail::NAME => run::<nk::UnlinkEmail>(api, args, |c, a| {
            let email = a.id.to_lowercase();
            account::unlink(c, &link_user(&a.user_id)?, Link::Email, &email)
        }),
        nk::WalletLedgerUpdate::NAME => run::<nk::WalletLedgerUpdate>(api, args, |c, a| {
            let id = uuid_or(&a.item_id, "expects a valid item id")?;
            account::ledger_update(c, &id, &a.metadata)
        }),
        nk::MultiUpdate::NAME => run::<nk::MultiUpdate>(api, args, |c, a| {
            check_multi_update(&a)?;
            account::multi_update(c, &a)
        }),
        _ => return None,
    })
}

/// `MultiUpdate`'s checks, all before anything is done, in Nakama's order:
/// account updates, storage writes (values included), deletes, wallets.
fn check_multi_update(a: &nk::MultiUpdateArgs) -> Result<(), CallError> {
    for u in &a.account_updates {
        uuid_or(&u.user_id, "expects user ID to be a valid identifier")?;
    }
    for w in &a.storage_writes {
        checks::storage_write(&nk::StorageWriteArgs {
            writes: vec![w.clone()],
        })?;
        if !matches!(
            serde_json::from_str::<serde_json::Value>(&w.value),
            Ok(serde_json::Value::Object(_))
        ) {
            return Err(refuse("value must be a JSON-encoded object"));
        }
    }
    checks::storage_delete(&nk::StorageDeleteArgs {
        deletes: a.storage_deletes.clone(),
    })?;
    for u in &a.wallet_updates {
        checks::wallet_user(&u.user_id)?;
    }
    Ok(())
}
