//! The stream and session nk functions, as Nakama's Go runtime serves
//! them (server/runtime_go_nakama.go `Stream*`, `SessionDisconnect`,
//! `SessionLogout`): its argument checks and words, then the host's
//! stream tracker ([`crate::streams`]), sockets ([`crate::online`]) and
//! tokens ([`crate::session`]).

use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{BoxFuture, CallError};

use super::{decode, encode, DevHostApi};
use crate::channels::{go_uuid, Stream};
use crate::online::{Online, Outbound};
use crate::session::LogoutError;
use crate::streams::{self, Meta};

type Answer = BoxFuture<'static, Result<Vec<u8>, CallError>>;

fn refuse(message: &str) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

/// An id as gofrs reads it, in the canonical form the host keys by.
fn id(v: &str, refusal: &str) -> Result<String, CallError> {
    go_uuid(v)
        .map(|u| u.to_string())
        .ok_or_else(|| refuse(refusal))
}

fn stream(s: &nk::Stream) -> Result<Stream, CallError> {
    streams::parse(s).map_err(refuse)
}

/// The user, session and stream of a function about one presence, checked
/// in Nakama's order.
fn presence(a: &nk::StreamUserArgs) -> Result<(String, String, Stream), CallError> {
    let user = id(&a.user_id, "expects valid user id")?;
    let session = id(&a.session_id, "expects valid session id")?;
    Ok((user, session, stream(&a.stream)?))
}

/// Runs one function on the host's sockets and streams, synchronously.
fn run<F: NkFunction>(
    online: &Online,
    args: &[u8],
    f: impl FnOnce(&Online, F::Args) -> Result<F::Output, CallError>,
) -> Answer {
    let out = decode::<F::Args>(F::NAME, args).and_then(|a| f(online, a));
    let answer = out.and_then(|o| encode(&o));
    Box::pin(async move { answer })
}

/// `stream_user_join` and `stream_user_update`.
fn join(online: &Online, a: nk::StreamUserJoinArgs, update: bool) -> Result<bool, CallError> {
    let (user, session, s) = presence(&nk::StreamUserArgs {
        stream: a.stream,
        user_id: a.user_id,
        session_id: a.session_id,
    })?;
    let (who, outbox) = online
        .session(&session, &user)
        .ok_or_else(|| CallError::new(Code::NotFound, "session not found"))?;
    let meta = Meta {
        hidden: a.hidden,
        persistence: a.persistence,
        status: a.status,
        reason: 0,
    };
    if update {
        online.streams.update(&s, &who, &outbox, meta);
        return Ok(true);
    }
    Ok(online.streams.track(&s, &who, &outbox, meta))
}

/// `stream_send` and `stream_send_raw`: to the stream, or to the sessions
/// named.
fn send(
    online: &Online,
    s: &nk::Stream,
    presences: &[nakama_runtime_host::abi::matches::Presence],
    out: impl FnOnce(&Stream) -> Result<Outbound, CallError>,
) -> Result<(), CallError> {
    let s = stream(s)?;
    let sessions = presences
        .iter()
        .map(|p| {
            id(
                &p.session_id,
                "expects each presence session id to be a valid identifier",
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let out = out(&s)?;
    if sessions.is_empty() {
        online.streams.send(&s, &out);
    }
    // Nakama's router finds these sessions by id alone, on the stream or not.
    for session in sessions {
        online.send_session(&session, out.clone());
    }
    Ok(())
}

/// The nk function `function`, when it is a stream or session function.
pub(super) fn call(api: &DevHostApi, function: &str, args: &[u8]) -> Option<Answer> {
    let on = &api.online;
    Some(match function {
        nk::StreamUserList::NAME => run::<nk::StreamUserList>(on, args, |on, a| {
            let s = stream(&a.stream)?;
            Ok(on.streams.list(&s, a.include_hidden, a.include_not_hidden))
        }),
        nk::StreamUserGet::NAME => run::<nk::StreamUserGet>(on, args, |on, a| {
            let (user, session, s) = presence(&a)?;
            Ok(on.streams.get(&s, &session, &user))
        }),
        nk::StreamUserJoin::NAME => run::<nk::StreamUserJoin>(on, args, |on, a| join(on, a, false)),
        nk::StreamUserUpdate::NAME => run::<nk::StreamUserUpdate>(on, args, |on, a| {
            join(on, a, true).map(|_| ())
        }),
        nk::StreamUserLeave::NAME | nk::StreamUserKick::NAME => {
            // Nakama's kick is its leave.
            run::<nk::StreamUserLeave>(on, args, |on, a| {
                let (user, session, s) = presence(&a)?;
                on.streams.untrack(&s, &session, &user);
                Ok(())
            })
        }
        nk::StreamCount::NAME => run::<nk::StreamCount>(on, args, |on, a| {
            Ok(on.streams.count(&stream(&a.stream)?) as u64)
        }),
        nk::StreamClose::NAME => run::<nk::StreamClose>(on, args, |on, a| {
            on.streams.close(&stream(&a.stream)?);
            Ok(())
        }),
        nk::StreamSend::NAME => run::<nk::StreamSend>(on, args, |on, a| {
            send(on, &a.stream, &a.presences, |s| {
                Ok(streams::stream_data(s, &a.data, a.reliable))
            })
        }),
        nk::StreamSendRaw::NAME => run::<nk::StreamSendRaw>(on, args, |on, a| {
            send(on, &a.stream, &a.presences, |_| match &a.envelope {
                // Sent as given: the dev host does not check the message
                // against rtapi's (see server/README.md).
                serde_json::Value::Object(_) => Ok(Outbound::Stream(a.envelope.to_string())),
                _ => Err(refuse("expects a valid message")),
            })
        }),
        nk::SessionDisconnect::NAME => run::<nk::SessionDisconnect>(on, args, |on, a| {
            let session = id(&a.session_id, "expects valid session id")?;
            on.send_session(&session, Outbound::Close);
            Ok(())
        }),
        nk::SessionLogout::NAME => {
            let sessions = api.sessions.clone();
            run::<nk::SessionLogout>(on, args, move |_, a| {
                let user = id(&a.user_id, "expects valid user id")?;
                sessions
                    .logout(&user, &a.token, &a.refresh_token)
                    .map_err(|e| match e {
                        LogoutError::SessionToken => refuse("session token invalid"),
                        LogoutError::RefreshToken => refuse("refresh token invalid"),
                    })
            })
        }
        _ => return None,
    })
}
