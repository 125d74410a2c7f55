//! The friends nk functions, as Nakama's Go runtime serves them
//! (server/runtime_go_nakama.go: `FriendsList`, `FriendsOfFriendsList`,
//! `FriendsAdd`, `FriendsDelete`, `FriendsBlock`, `FriendMetadataUpdate`):
//! its argument checks and words (`INVALID_ARGUMENT`, as the bridge
//! answers them), then the same work as the client's routes
//! ([`crate::friends`]).

use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{BoxFuture, CallError};
use uuid::Uuid;

use super::{decode, encode, DevHostApi};
use crate::channels::go_uuid;
use crate::db::friend;
use crate::friends::{Change, Friends, Refusal};

type Answer = BoxFuture<'static, Result<Vec<u8>, CallError>>;

fn refuse(message: impl Into<String>) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

/// A user id as gofrs reads it (the canonical form), or Nakama's refusal.
fn user_id(id: &str, what: &str) -> Result<Uuid, CallError> {
    go_uuid(id).ok_or_else(|| refuse(format!("expects {what} to be a valid identifier")))
}

fn limit(limit: i32) -> Result<usize, CallError> {
    match limit {
        1..=1000 => Ok(limit as usize),
        _ => Err(refuse("expects limit to be 1-1000")),
    }
}

impl DevHostApi {
    fn friends(&self) -> Friends {
        Friends {
            db: self.db.clone(),
            online: self.online.clone(),
            channels: self.channels.clone(),
            status: self.status.clone(),
            log: self.log.clone(),
        }
    }
}

/// Runs one friends function on the parts of the host it needs.
fn run<F: NkFunction, Fut>(
    api: &DevHostApi,
    args: &[u8],
    f: impl FnOnce(Friends, F::Args) -> Fut + Send + 'static,
) -> Answer
where
    Fut: std::future::Future<Output = Result<F::Output, CallError>> + Send + 'static,
{
    let parsed = decode::<F::Args>(F::NAME, args);
    let friends = api.friends();
    Box::pin(async move { encode(&f(friends, parsed?).await?) })
}

/// The nk function `function`, when it is one of the friends functions.
pub(super) fn call(api: &DevHostApi, function: &str, args: &[u8]) -> Option<Answer> {
    Some(match function {
        nk::FriendsList::NAME => run::<nk::FriendsList, _>(api, args, |f, a| async move {
            let me = user_id(&a.user_id, "user ID")?;
            let limit = limit(a.limit)?;
            if a.state.is_some_and(|s| !(0..=3).contains(&s)) {
                return Err(refuse("expects state to be 0-3"));
            }
            let page = f.list(&me.to_string(), limit, a.state, a.cursor).await?;
            Ok(nk::FriendsPage {
                friends: page.friends,
                cursor: page.cursor,
            })
        }),
        nk::FriendsOfFriendsList::NAME => {
            run::<nk::FriendsOfFriendsList, _>(api, args, |f, a| async move {
                let me = user_id(&a.user_id, "user ID")?;
                let limit = limit(a.limit)?;
                let page = f
                    .friends_of_friends(&me.to_string(), limit, a.cursor)
                    .await?;
                Ok(nk::FriendsOfFriendsPage {
                    friends_of_friends: page.friends_of_friends,
                    cursor: page.cursor,
                })
            })
        }
        nk::FriendsAdd::NAME => run::<nk::FriendsAdd, _>(api, args, |f, a| async move {
            let metadata = serde_json::Value::Object(a.metadata).to_string();
            let change = nk::FriendsChangeArgs {
                user_id: a.user_id,
                username: a.username,
                ids: a.ids,
                usernames: a.usernames,
            };
            change_friends(&f, Change::Add, &change, metadata).await
        }),
        nk::FriendsDelete::NAME => run::<nk::FriendsDelete, _>(api, args, |f, a| async move {
            change_friends(&f, Change::Delete, &a, String::new()).await
        }),
        nk::FriendsBlock::NAME => run::<nk::FriendsBlock, _>(api, args, |f, a| async move {
            change_friends(&f, Change::Block, &a, String::new()).await
        }),
        nk::FriendMetadataUpdate::NAME => {
            run::<nk::FriendMetadataUpdate, _>(api, args, |f, a| async move {
                let me = user_id(&a.user_id, "user ID")?.to_string();
                let friend = user_id(&a.friend_user_id, "friend user ID")?.to_string();
                f.db.run(move |c| friend::update_metadata(c, &me, &friend, &a.metadata))
                    .await
            })
        }
        _ => return None,
    })
}

/// `FriendsAdd`, `FriendsDelete` and `FriendsBlock`: Nakama's checks, in
/// its order and words, then the change.
async fn change_friends(
    f: &Friends,
    what: Change,
    a: &nk::FriendsChangeArgs,
    metadata: String,
) -> Result<(), CallError> {
    let me = user_id(&a.user_id, "user ID")?;
    let (verb, myself) = match what {
        Change::Add => ("add", "cannot add self as friend"),
        Change::Delete => ("delete", "cannot delete self"),
        Change::Block => ("block", "cannot block self"),
    };
    let targets = match f
        .targets(&a.user_id, &a.username, &a.ids, &a.usernames)
        .await
    {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(()),
        Err(Refusal::Myself) => return Err(refuse(myself)),
        Err(Refusal::BadId(id)) => return Err(refuse(format!("invalid user ID '{id}'"))),
        Err(Refusal::EmptyUsername) => {
            return Err(refuse(format!("username to {verb} must not be empty")))
        }
        Err(Refusal::NoneValid) => return Err(refuse("no valid ID or username was provided")),
        Err(Refusal::Failed) => {
            let message = match what {
                Change::Add => "error while trying to add friends",
                Change::Delete => "error while trying to delete friends",
                Change::Block => "error while trying to block friends",
            };
            return Err(CallError::new(Code::Internal, message));
        }
    };
    f.change(what, &me.to_string(), &a.username, targets, metadata)
        .await
}
